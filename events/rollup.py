"""The events rollup: events held and their attendance added up by month, for the pages'
figures (`events.selectors.events_of_year`, `activity_summary`).

`EventRollup` holds, for every cell (year, month, region, department, kind, action-plan
axis, source, measure), the number of events held (measure "events": not cancelled, not
deleted) or the attendance entered of one participant category (the sum of `actual`).
The source stays in the cell so that a figure's "synthetic" flag is read with it, as
from the events: a source whose kind changes needs no refresh.

Kept exactly right by one function, `rollup_refresh`, which computes again from the
events and attendance the cells of the (region, year, month) keys a write touched,
inside the write's transaction, under a lock per (region, year) (PostgreSQL; SQLite
serializes writers). Every ORM write of events and attendance calls it (`save`/`delete`
and the querysets' `bulk_create`/`bulk_update`/`update`/`delete`; `loaddata` through a
signal) when it writes a field a cell depends on; `rollup_deferred()` makes the writes
of one block refresh once, at its end. Deleting an event deletes its attendance: the
event's keys cover it. Raw SQL must call `rollup_refresh()` itself; `manage.py
rollup_check` compares the whole rollup with a recomputation.

The rollup does not know days: a figure "up to today" of the month in progress is read
from the events themselves (`month_split`).
"""

import datetime
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from akto_portal.rollups import lock_for_refresh
from events.models import Attendance, Event, EventRollup

# (region_id or None for a national event, year, month)
Key = tuple[int | None, int, int]
EVENTS = "events"  # the measure of events held (ActivityTotal.Measure.EVENTS)
# The fields a cell depends on: a write of other fields (a version, notes) refreshes nothing.
EVENT_FIELDS = frozenset(
    {"date", "region", "department", "kind", "axis", "is_cancelled", "deleted_at", "source"}
)
ATTENDANCE_FIELDS = frozenset({"event", "category", "actual"})
# A cell's columns, in the order of `rollup_differences`' rows.
FIELDS = (
    "year",
    "month",
    "region_id",
    "department_id",
    "kind",
    "axis_id",
    "source_id",
    "measure",
    "n",
)
LOCK = 4_202_207  # the first key of the per-(region, year) advisory locks
Row = tuple[Any, ...]


def touches(fields: Iterable[str] | Mapping[str, Any] | None, relevant: frozenset[str]) -> bool:
    """Whether a write of `fields` (None: every field) can change a cell."""
    if fields is None:
        return True
    names = {name[:-3] if name.endswith("_id") else name for name in fields}
    return bool(names & relevant)


def key_of(event: Event) -> Key:
    date = event.date
    if isinstance(date, str):  # assigned as text, saved as a date
        date = datetime.date.fromisoformat(date)
    return (event.region_id, date.year, date.month)


def keys_of_events(events: QuerySet[Event]) -> set[Key]:
    """The keys of these events (one query)."""
    rows = (
        events.order_by()
        .annotate(rollup_year=ExtractYear("date"), rollup_month=ExtractMonth("date"))
        .values_list("region_id", "rollup_year", "rollup_month")
        .distinct()
    )
    return set(rows)


def _attnames(model: type[Event] | type[Attendance], fields: frozenset[str]) -> list[str]:
    return sorted(f.attname for f in model._meta.concrete_fields if f.name in fields)


def stored_keys(instance: Event | Attendance, *, using: str) -> set[Key] | None:
    """Before a save: the keys of the row as stored (empty for a new row), or None when
    the save changes no field a cell depends on (nothing to refresh). One query."""
    if instance.pk is None:
        return set()
    if isinstance(instance, Event):
        names = _attnames(Event, EVENT_FIELDS)
        stored = Event.all_objects.using(using).filter(pk=instance.pk)
        found = list(stored.values_list(*names))
        if not found:
            return set()
        if found[0] == tuple(getattr(instance, name) for name in names):
            return None
        row = dict(zip(names, found[0], strict=True))
        return {(row["region_id"], row["date"].year, row["date"].month)}
    names = _attnames(Attendance, ATTENDANCE_FIELDS)
    rows = list(
        Attendance.objects.using(using)
        .filter(pk=instance.pk)
        .values_list(*names, "event__region_id", "event__date")
    )
    if not rows:
        return set()
    *values, region_id, date = rows[0]
    if tuple(values) == tuple(getattr(instance, name) for name in names):
        return None
    return {(region_id, date.year, date.month)}


def keys_of_event_ids(pks: Iterable[int], *, using: str) -> set[Key]:
    """The keys of the events `pks` (in chunks: SQLite bounds a statement's parameters)."""
    ids = sorted(pks)
    found: set[Key] = set()
    for start in range(0, len(ids), 5000):
        chunk = Event.all_objects.using(using).filter(pk__in=ids[start : start + 5000])
        found |= keys_of_events(chunk)
    return found


def cells_q(keys: set[Key], *, events: str | None = None) -> Q:
    """The cells of `keys`, as a filter: for each year, its regions × its months (a
    superset of the keys is refreshed whole, on both sides: still exact). On the rollup;
    on the events with `events`, the path to the event ("" from the events, "event__"
    from the attendance), whose month is annotated as `rollup_month`."""
    prefix = events or ""
    month = "month" if events is None else "rollup_month"
    by_year: defaultdict[int, tuple[set[int | None], set[int]]] = defaultdict(
        lambda: (set(), set())
    )
    for region_id, year, month_number in keys:
        by_year[year][0].add(region_id)
        by_year[year][1].add(month_number)
    q = Q(pk__in=[])
    for year, (regions, months) in sorted(by_year.items()):
        place = Q(**{f"{prefix}region_id__in": sorted(r for r in regions if r is not None)})
        if None in regions:
            place |= Q(**{f"{prefix}region__isnull": True})
        if events is not None:  # a date range (the events' index)
            period = Q(
                **{
                    f"{prefix}date__gte": datetime.date(year, 1, 1),
                    f"{prefix}date__lt": datetime.date(year + 1, 1, 1),
                }
            )
        else:
            period = Q(year=year)
        q |= period & place & Q(**{f"{month}__in": sorted(months)})
    return q


def computed_rows(keys: set[Key] | None, *, using: str) -> Iterator[Row]:
    """The cells of `keys` (every cell when None) computed from the events and their
    attendance (2 grouped queries), as rows of FIELDS."""
    events = Event.objects.using(using).filter(is_cancelled=False).order_by()
    events = events.annotate(rollup_year=ExtractYear("date"), rollup_month=ExtractMonth("date"))
    if keys is not None:
        events = events.filter(cells_q(keys, events=""))
    held = events.values_list(
        "rollup_year",
        "rollup_month",
        "region_id",
        "department_id",
        "kind",
        "axis_id",
        "source_id",
    ).annotate(n=Count("pk"))
    for *cell, n in held.iterator(chunk_size=10_000):
        yield (*cell, EVENTS, n)
    attendance = (
        Attendance.objects.using(using)
        .filter(actual__isnull=False, event__is_cancelled=False, event__deleted_at__isnull=True)
        .order_by()
        .annotate(rollup_year=ExtractYear("event__date"), rollup_month=ExtractMonth("event__date"))
    )
    if keys is not None:
        attendance = attendance.filter(cells_q(keys, events="event__"))
    rows = attendance.values_list(
        "rollup_year",
        "rollup_month",
        "event__region_id",
        "event__department_id",
        "event__kind",
        "event__axis_id",
        "event__source_id",
        "category",
    ).annotate(n=Sum("actual"))
    yield from rows.iterator(chunk_size=10_000)


@dataclass
class _Pending:
    keys: set[Key] = field(default_factory=set)
    everything: bool = False


_deferred = threading.local()


@contextmanager
def rollup_deferred(using: str = "default") -> Iterator[None]:
    """Within the block (and its transaction), writes of events and attendance collect
    the keys they touch and the rollup is refreshed once, at the end of the block."""
    if getattr(_deferred, "pending", None) is not None:  # nested: the outer block refreshes
        yield
        return
    _deferred.pending = _Pending()
    try:
        with transaction.atomic(using=using):
            yield
            pending, _deferred.pending = _deferred.pending, None
            rollup_refresh(keys=None if pending.everything else pending.keys, using=using)
    finally:
        _deferred.pending = None


def _lock(keys: set[Key] | None, using: str) -> None:
    """Refreshes of one (region, year) run one at a time; a whole refresh locks the table.
    The refresh covers each year's regions × months: every pair it covers is locked."""
    pairs = None
    if keys is not None:
        regions = {region_id or 0 for region_id, _y, _m in keys}
        years = {year for _r, year, _m in keys}
        pairs = [(r, y) for r in regions for y in years]
    lock_for_refresh(EventRollup._meta.db_table, LOCK, pairs, using)


def rollup_refresh(*, keys: Iterable[Key] | None = None, using: str = "default") -> None:
    """Compute again from the events and attendance the rollup's cells of the (region_id,
    year, month) keys given — every cell when None — in the caller's transaction."""
    wanted = None if keys is None else set(keys)
    if wanted is not None and not wanted:
        return
    pending: _Pending | None = getattr(_deferred, "pending", None)
    if pending is not None:
        if wanted is None:
            pending.everything = True
        else:
            pending.keys |= wanted
        return
    with transaction.atomic(using=using):
        _lock(wanted, using)
        rollup = EventRollup.objects.using(using)
        if wanted is not None:
            rollup = rollup.filter(cells_q(wanted))
        rollup.delete()  # nothing points to the rollup: one DELETE
        cells = (
            EventRollup(**dict(zip(FIELDS, row, strict=True)))
            for row in computed_rows(wanted, using=using)
        )
        EventRollup.objects.using(using).bulk_create(cells, batch_size=5000)


def rollup_differences(using: str = "default") -> list[str]:
    """The rows by which the rollup differs from a recomputation (empty: it is right)."""
    stored = set(EventRollup.objects.using(using).values_list(*FIELDS))
    computed = set(computed_rows(None, using=using))
    missing = [f"manquante : {dict(zip(FIELDS, r, strict=True))}" for r in computed - stored]
    extra = [f"en trop : {dict(zip(FIELDS, r, strict=True))}" for r in stored - computed]
    return sorted(missing) + sorted(extra)


# --- reading --------------------------------------------------------------------------------


def month_split(year: int, today: datetime.date) -> tuple[int, datetime.date | None]:
    """(the months of `year` read from the rollup: 1 to this number excluded, the first day
    from which the events themselves are read, up to today; None: none)."""
    if year < today.year:
        return 13, None
    if year > today.year:
        return 1, None
    return today.month, today.replace(day=1)
