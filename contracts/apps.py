from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contrats et marché"

    def ready(self):
        from contracts import indicators  # noqa: F401  (registers its computed indicators)
