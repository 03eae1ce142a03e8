"""Writes on events: atomic, validated, recorded in the audit history.

Every write on an existing event goes through `_claim_version`, a compare-and-set on
`Event.version`: a form carries the version it was displayed with, and its save is
refused (`StaleEventError`, with the current event) if anyone saved in between.

Creates and updates run `Event.full_clean()`, hence `Event.clean()`: an event's
convention must cover its region (`Convention.covers`), whichever door the write comes
through; a `ValidationError` keyed by field is raised otherwise.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, F
from django.utils import timezone

from akto_portal.locking import claim_version
from akto_portal.models import Region, Source, User
from akto_portal.permissions import can_change_event, can_edit_region
from events.imports import AttendeeList, AttendeeRow
from events.models import (
    CATEGORY_OF_KIND,
    Attendance,
    Attendee,
    Event,
    Organisation,
    ParticipantCategory,
)
from events.rollup import rollup_deferred

# {category: (planned, actual)}, each None when not entered
Counts = dict[str, tuple[int | None, int | None]]

EVENT_FIELDS = (
    "title",
    "kind",
    "date",
    "region",
    "place",
    "department",
    "online",
    "axis",
    "convention",
    "notes",
    "is_cancelled",
)


class StaleEventError(Exception):
    """Someone saved the event after the form was displayed; nothing was written."""

    def __init__(self, events: Event | list[Event]) -> None:
        self.events = events if isinstance(events, list) else [events]
        super().__init__("Événement modifié entre-temps.")

    @property
    def event(self) -> Event:
        return self.events[0]


class AttendeeListError(ValidationError):
    """The list of attendees has bad rows; nothing was written."""


def manual_entry_source() -> Source:
    """The source of everything typed into the portal by its users."""
    source, _ = Source.objects.get_or_create(
        kind=Source.Kind.MANUAL,
        title="Saisie dans le portail",
        defaults={"reference": "Formulaires du portail"},
    )
    return source


def _written_by(user: User, instance: models.Model) -> None:
    """The author the change history records for the next save or delete of `instance`
    (django-simple-history reads `_history_user`)."""
    setattr(instance, "_history_user", user)  # noqa: B010  (not a declared attribute)


def _require_change(user: User, event: Event) -> None:
    if not can_change_event(user, event):
        raise PermissionDenied("Événement hors de votre région.")


def _current(pk: int) -> Event:
    return Event.all_objects.select_related("region", "axis", "convention").get(pk=pk)


def _claim_version(*, event: Event, expected_version: int) -> None:
    """Bump the version if nobody saved since `expected_version`, else refuse."""
    if not claim_version(Event.objects, event.pk, expected_version, updated_at=timezone.now()):
        raise StaleEventError(_current(event.pk))
    event.version = expected_version + 1


@transaction.atomic
def event_create(*, user: User, region: Region | None, **fields: Any) -> Event:
    if not can_edit_region(user, getattr(region, "pk", None)):
        raise PermissionDenied("Vous ne pouvez créer des événements que pour votre région.")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    event = Event(region=region, created_by=user, source=manual_entry_source(), **fields)
    _written_by(user, event)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_update(*, user: User, event: Event, expected_version: int, **fields: Any) -> Event:
    _require_change(user, event)
    if "region" in fields and not can_edit_region(user, getattr(fields["region"], "pk", None)):
        raise PermissionDenied("Vous ne pouvez pas déplacer l'événement hors de votre région.")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    _claim_version(event=event, expected_version=expected_version)
    for name, value in fields.items():
        setattr(event, name, value)
    _written_by(user, event)
    event.full_clean()
    event.save()
    return event


def event_cancel(
    *, user: User, event: Event, expected_version: int, cancelled: bool = True
) -> Event:
    return event_update(
        user=user, event=event, expected_version=expected_version, is_cancelled=cancelled
    )


@transaction.atomic
def event_delete(*, user: User, event: Event, expected_version: int) -> None:
    """Delete an event: it leaves every list and figure at once, but is kept with its
    attendance and attendees, so that `event_restore` brings it back whole. The
    history keeps who deleted it and when."""
    _require_change(user, event)
    _claim_version(event=event, expected_version=expected_version)
    event.deleted_at = timezone.now()
    event.deleted_by = user
    _written_by(user, event)
    event.save(update_fields=["deleted_at", "deleted_by"])


class EventNotDeleted(Exception):
    pass


@transaction.atomic
def event_restore(*, user: User, event: Event) -> Event:
    """Bring a deleted event back, with its attendance and attendees as they were."""
    event = Event.all_objects.select_for_update().get(pk=event.pk)
    _require_change(user, event)
    if event.deleted_at is None:
        raise EventNotDeleted("Cet événement n'est pas supprimé.")
    event.deleted_at = None
    event.deleted_by = None
    event.version += 1
    _written_by(user, event)
    event.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])
    return event


def _listed_counts(event: Event) -> dict[str, int]:
    """{category: number of identified organisations} at this event."""
    rows = (
        Attendee.objects.filter(event=event)
        .values("organisation__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {CATEGORY_OF_KIND[r["organisation__kind"]]: r["n"] for r in rows}


def _save_counts(*, user: User, event: Event, counts: Counts, listed: Mapping[str, int]) -> None:
    """Write {category: (planned, actual)}; a category's actual count cannot be lower
    than the organisations listed for it, and is filled with that number when blank."""
    errors = {}
    for category, n in listed.items():
        planned, actual = counts.get(category, (None, None))
        if actual is None and n:
            counts[category] = (planned, n)
        elif actual is not None and actual < n:
            label = ParticipantCategory(category).label
            errors[f"{category}_actual"] = (
                f"{label} : {actual} présents, mais {n} organisations listées."
            )
    if errors:
        raise ValidationError(errors)
    existing = {a.category: a for a in event.attendances.all()}
    for category, (planned, actual) in counts.items():
        row = existing.get(category)
        if planned is None and actual is None:
            if row is not None:
                _written_by(user, row)
                row.delete()
            continue
        if row is None:
            row = Attendance(event=event, category=category)
        elif (row.planned, row.actual) == (planned, actual):
            continue
        row.planned, row.actual = planned, actual
        _written_by(user, row)
        row.save()


def _add_attendees(*, user: User, event: Event, rows: Iterable[AttendeeRow]) -> int:
    """Record the valid rows of a checked list (organisations found or created by
    identifier). Returns how many were added."""
    rows = [r for r in rows if not r.error]
    if not rows:
        return 0
    known = Organisation.objects.in_bulk([r.identifier for r in rows], field_name="identifier")
    already = set(
        Attendee.objects.filter(event=event, organisation__in=known.values()).values_list(
            "organisation__identifier", flat=True
        )
    )
    added = 0
    for row in rows:
        organisation = known.get(row.identifier)
        if organisation is None:
            organisation = Organisation(kind=row.kind, identifier=row.identifier, name=row.name)
            _written_by(user, organisation)
            organisation.save()
        elif row.name and not organisation.name:
            organisation.name = row.name
            _written_by(user, organisation)
            organisation.save()
        if row.identifier in already:
            continue
        attendee = Attendee(event=event, organisation=organisation)
        _written_by(user, attendee)
        attendee.save()
        added += 1
    return added


@transaction.atomic
def attendance_save(
    *,
    user: User,
    event: Event,
    expected_version: int,
    counts: Mapping[str, tuple[int | None, int | None]],
    attendee_list: AttendeeList | None = None,
) -> int:
    """Save planned/actual counts by category and, all or nothing, a checked list of
    attendees. `counts` is {category: (planned, actual)}. Returns attendees added."""
    _require_change(user, event)
    if attendee_list is not None and not attendee_list.is_valid:
        bad = ", ".join(str(r.line) for r in attendee_list.bad_rows)
        raise AttendeeListError(
            attendee_list.error or f"Lignes à corriger : {bad}. Rien n'a été enregistré."
        )
    _claim_version(event=event, expected_version=expected_version)
    added = _add_attendees(user=user, event=event, rows=attendee_list.rows if attendee_list else [])
    with rollup_deferred():  # the event's rollup cells computed again once
        _save_counts(user=user, event=event, counts=dict(counts), listed=_listed_counts(event))
    return added


@transaction.atomic
def attendance_bulk_save(
    *, user: User, entries: Sequence[tuple[Event, int, Mapping[str, int | None]]]
) -> int:
    """Actual attendance of several events at once, all or nothing.

    `entries` is a list of (event, expected_version, {category: actual}); planned
    counts are kept. Refused as a whole if any event changed meanwhile."""
    for event, _version, _actual in entries:
        _require_change(user, event)
    current = dict(
        Event.objects.filter(pk__in=[e.pk for e, _v, _a in entries]).values_list("pk", "version")
    )
    stale = [e.pk for e, version, _a in entries if current.get(e.pk) != version]
    if stale:
        raise StaleEventError(
            list(Event.all_objects.filter(pk__in=stale).select_related("region", "axis"))
        )
    attendances = Attendance.objects.filter(event__in=[e for e, _v, _a in entries])
    planned = {(a.event_id, a.category): a.planned for a in attendances}
    listed_rows = (
        Attendee.objects.filter(event__in=[e for e, _v, _a in entries])
        .values("event_id", "organisation__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    listed: dict[int, dict[str, int]] = {}
    for r in listed_rows:
        listed.setdefault(r["event_id"], {})[CATEGORY_OF_KIND[r["organisation__kind"]]] = r["n"]
    saved = 0
    with rollup_deferred():  # the rollup cells of every event computed again once
        for event, version, actual in entries:
            _claim_version(event=event, expected_version=version)
            counts: Counts = {
                category: (planned.get((event.pk, category)), value)
                for category, value in actual.items()
            }
            try:
                _save_counts(user=user, event=event, counts=counts, listed=listed.get(event.pk, {}))
            except ValidationError as error:
                raise ValidationError(f"{event} : {' '.join(error.messages)}") from None
            saved += 1
    return saved


@transaction.atomic
def attendee_remove(*, user: User, attendee: Attendee) -> None:
    _require_change(user, attendee.event)
    Event.objects.filter(pk=attendee.event_id).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    _written_by(user, attendee)
    attendee.delete()
