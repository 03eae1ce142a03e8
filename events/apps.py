from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


def _fill_rollup(using: str, **kwargs: Any) -> None:
    """After `migrate`: a rollup emptied by a migration (or never filled) is computed from
    the events already there."""
    from events.models import Event, EventRollup
    from events.rollup import rollup_refresh

    if EventRollup.objects.using(using).exists():
        return
    if Event.all_objects.using(using).exists():
        rollup_refresh(using=using)


def _loaded_event(sender: Any, instance: Any, raw: bool, using: str, **kwargs: Any) -> None:
    """`loaddata` saves events raw (no `save()` of ours): refresh their cells."""
    if raw:
        from events.rollup import key_of, rollup_refresh

        rollup_refresh(keys={key_of(instance)}, using=using)


def _loaded_attendance(sender: Any, instance: Any, raw: bool, using: str, **kwargs: Any) -> None:
    if raw:
        from events.rollup import keys_of_event_ids, rollup_refresh

        rollup_refresh(keys=keys_of_event_ids({instance.event_id}, using=using), using=using)


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Événements"

    def ready(self) -> None:
        from akto_portal import rollups
        from events import indicators  # noqa: F401  (registers its computed indicators)
        from events.models import Attendance, Event
        from events.rollup import rollup_differences

        post_migrate.connect(_fill_rollup, sender=self, dispatch_uid="events_fill_rollup")
        post_save.connect(_loaded_event, sender=Event, dispatch_uid="events_loaddata_event")
        post_save.connect(
            _loaded_attendance, sender=Attendance, dispatch_uid="events_loaddata_attendance"
        )
        rollups.register("Le cumul des événements (events_eventrollup)", rollup_differences)
