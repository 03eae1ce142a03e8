from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Événements"

    def ready(self) -> None:
        from events import indicators  # noqa: F401  (registers its computed indicators)
