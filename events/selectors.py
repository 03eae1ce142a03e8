"""Reads of events: activity figures that combine reported totals and recorded events.

The rule that keeps anything from being counted twice: for a year, a region and a kind
of event, a total reported by a source ("26 réunions, 493 entreprises") replaces what
was recorded event by event for that same measure; the national figure is the national
reported total where there is one, otherwise the sum of the regions' figures.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from akto_portal.cache import memoize
from akto_portal.models import Department, Region, Source, User, synthetic_q
from events.models import (
    ActivityTotal,
    Attendance,
    Attendee,
    Event,
    EventKind,
    EventRollup,
    OrganisationKind,
    ParticipantCategory,
)
from events.rollup import EVENTS, month_split

MEASURES = [m.value for m in ActivityTotal.Measure]
NATIONAL = "national"


@dataclass
class Cell:
    value: int = 0
    qualifier: str = ""
    reported: bool = False
    synthetic: bool = False
    source: Source | None = None


@dataclass
class ActivityRow:
    year: int
    kind: str
    cells: dict[str, Cell]

    @property
    def kind_label(self) -> str:
        return EventKind(self.kind).label

    def cell(self, measure: str) -> Cell | None:
        return self.cells.get(measure)

    @property
    def ordered_cells(self) -> list[Cell | None]:
        return [self.cells.get(m) for m in MEASURES]


def _recorded(region: Region | None, today: datetime.date) -> dict[tuple[Any, ...], Cell]:
    """{(region_id, year, kind, measure): Cell} from the recorded events: the rollup's
    whole months, and the events of the month in progress up to today (4 queries)."""
    rollup = EventRollup.objects.filter(
        Q(year__lt=today.year) | Q(year=today.year, month__lt=today.month)
    )
    events = Event.objects.filter(
        is_cancelled=False, date__gte=today.replace(day=1), date__lte=today
    )
    if region is not None:
        rollup = rollup.filter(region=region)
        events = events.filter(region=region)
    cells: dict[tuple[Any, ...], Cell] = {}

    def add(key: tuple[Any, ...], n: int, synthetic: int) -> None:
        cell = cells.setdefault(key, Cell())
        cell.value += n
        cell.synthetic = cell.synthetic or bool(synthetic)

    # As tuples: thousands of rows for France.
    for region_id, year, kind, measure, n, synthetic in (
        rollup.values_list("region_id", "year", "kind", "measure")
        .annotate(n=Sum("n"), synthetic=Count("pk", filter=synthetic_q()))
        .order_by()
    ):
        add((region_id, year, kind, measure), n, synthetic)
    events_measure = ActivityTotal.Measure.EVENTS.value
    for region_id, year, kind, n, synthetic in (
        events.annotate(year=ExtractYear("date"))
        .values_list("region_id", "year", "kind")
        .annotate(n=Count("pk"), synthetic=Count("pk", filter=synthetic_q()))
        .order_by()
    ):
        add((region_id, year, kind, events_measure), n, synthetic)
    for region_id, year, kind, category, n, synthetic in (
        Attendance.objects.filter(event__in=events, actual__isnull=False)
        .annotate(year=ExtractYear("event__date"))
        .values_list("event__region_id", "year", "event__kind", "category")
        .annotate(n=Sum("actual"), synthetic=Count("pk", filter=synthetic_q("event__source")))
        .order_by()
    ):
        add((region_id, year, kind, category), n, synthetic)
    return cells


def activity_summary(
    *, region: Region | None = None, today: datetime.date | None = None
) -> list[ActivityRow]:
    """Activity by year and kind of event, for one region or for France (3 queries,
    cached under the data version)."""
    today = today or timezone.localdate()
    return memoize(
        "activity_summary",
        f"{region.pk if region else ''}|{today}",
        lambda: _activity_summary(region=region, today=today),
        families=("events",),
    )


def _activity_summary(*, region: Region | None, today: datetime.date) -> list[ActivityRow]:
    cells = _recorded(region, today)
    reported = ActivityTotal.objects.select_related("source")
    reported = reported.filter(region=region) if region is not None else reported
    for total in reported:
        key = (total.region_id or NATIONAL, total.year, total.event_kind, total.measure)
        cells[key] = Cell(
            total.value,
            total.qualifier,
            reported=True,
            synthetic=total.source.is_synthetic,
            source=total.source,
        )

    combined: defaultdict[tuple[int, str], dict[str, Cell]] = defaultdict(dict)
    national = {k: c for k, c in cells.items() if k[0] == NATIONAL}
    for (region_id, year, kind, measure), cell in cells.items():
        if region_id == NATIONAL:
            continue
        if region is None:
            if (NATIONAL, year, kind, measure) in national:
                continue
            slot = combined[(year, kind)].setdefault(measure, Cell())
            slot.value += cell.value
            slot.reported = slot.reported or cell.reported
            slot.synthetic = slot.synthetic or cell.synthetic
            if cell.qualifier:
                slot.qualifier = cell.qualifier
        else:
            combined[(year, kind)][measure] = cell
    for (_n, year, kind, measure), cell in national.items():
        combined[(year, kind)][measure] = cell
    return [
        ActivityRow(year, kind, combined[(year, kind)])
        for year, kind in sorted(combined, key=lambda k: (-k[0], k[1]))
    ]


def upcoming_events(
    *,
    region: Region,
    today: datetime.date,
    department: Department | None = None,
    limit: int = 8,
) -> list[Event]:
    events = Event.objects.filter(region=region, date__gt=today, is_cancelled=False)
    if department is not None:
        events = events.filter(department=department)
    return list(events.select_related("source", "axis").order_by("date")[:limit])


# --- Staff pages: lists, figures that add up, completeness, audit history -------------


def attendance_entered() -> Exists:
    """True for an event with at least one actual count entered."""
    return Exists(Attendance.objects.filter(event=OuterRef("pk"), actual__isnull=False))


def events_for_list(*, today: datetime.date) -> QuerySet[Event]:
    """Events with what the list shows: attendance entered or not, people present,
    organisations identified (subqueries, so rows are not multiplied)."""
    present = (
        Attendance.objects.filter(event=OuterRef("pk"))
        .values("event")
        .annotate(n=Sum("actual"))
        .values("n")
    )
    identified = (
        Attendee.objects.filter(event=OuterRef("pk"))
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Event.objects.select_related("region", "department", "axis", "source")
        .annotate(
            entered=attendance_entered(),
            present=Subquery(present),
            identified=Coalesce(Subquery(identified), 0),
        )
        .annotate(
            missing=ExpressionWrapper(
                Q(date__lte=today, is_cancelled=False, entered=False),
                output_field=BooleanField(),
            )
        )
    )


@dataclass
class EventFigures:
    """Figures of a set of events held (not cancelled, not in the future).

    `companies` / `training_bodies` are organisations reached: each identified
    organisation once however many events it attended, plus the people counted at
    events without a name for them (counts that cannot be de-duplicated)."""

    events_held: int = 0
    attendance: dict[str, int] = field(default_factory=dict)
    companies_identified: int = 0
    training_bodies_identified: int = 0
    companies_unidentified: int = 0
    training_bodies_unidentified: int = 0

    @property
    def companies(self) -> int:
        return self.companies_identified + self.companies_unidentified

    @property
    def training_bodies(self) -> int:
        return self.training_bodies_identified + self.training_bodies_unidentified

    @property
    def attendance_rows(self) -> list[tuple[str, int]]:
        return [(c.label, self.attendance.get(c.value, 0)) for c in ParticipantCategory]

    @property
    def attendance_values(self) -> list[int]:
        return [self.attendance.get(c.value, 0) for c in ParticipantCategory]

    @property
    def people(self) -> int:
        return sum(self.attendance.values())


GROUPS = {None: None, "region": "region_id", "kind": "kind", "axis": "axis_id", "year": "year"}


def _grouped(
    queryset: QuerySet[Any], prefix: str, group_by: str | None
) -> tuple[QuerySet[Any], str | None]:
    """(queryset, key name) grouped by `group_by` through `prefix` ("" or "event__")."""
    if group_by is None:
        return queryset, None
    if group_by == "year":
        return queryset.annotate(group=ExtractYear(f"{prefix}date")), "group"
    return queryset.annotate(group=F(f"{prefix}{GROUPS[group_by]}")), "group"


def event_figures(
    *, events: QuerySet[Event], today: datetime.date, group_by: str | None = None
) -> dict[Any, EventFigures]:
    """{group: EventFigures} of the events held in `events` (3 grouped queries).

    group_by: None (one key, None), "region", "kind", "axis" or "year"."""
    if group_by not in GROUPS:
        raise ValueError(f"Unknown grouping {group_by!r}")
    held = events.filter(is_cancelled=False, date__lte=today).order_by()
    figures: defaultdict[Any, EventFigures] = defaultdict(EventFigures)

    if group_by is None:
        figures[None].events_held = held.count()
    else:
        qs, _key = _grouped(held, "", group_by)
        for row in qs.values("group").annotate(n=Count("pk")).order_by():
            figures[row["group"]].events_held = row["n"]

    qs, key = _grouped(
        Attendance.objects.filter(event__in=held, actual__isnull=False), "event__", group_by
    )
    rows = qs.values(*filter(None, [key]), "category").annotate(n=Sum("actual")).order_by()
    for row in rows:
        figures[row.get(key)].attendance[row["category"]] = row["n"]

    qs, key = _grouped(Attendee.objects.filter(event__in=held), "event__", group_by)
    rows = (
        qs.values(*filter(None, [key]), "organisation__kind")
        .annotate(listed=Count("pk"), distinct=Count("organisation", distinct=True))
        .order_by()
    )
    listed: defaultdict[tuple[Any, str], int] = defaultdict(int)
    for row in rows:
        f = figures[row.get(key)]
        if row["organisation__kind"] == OrganisationKind.COMPANY:
            f.companies_identified = row["distinct"]
        else:
            f.training_bodies_identified = row["distinct"]
        listed[(row.get(key), row["organisation__kind"])] = row["listed"]
    for group, f in figures.items():
        # The service keeps each event's actual count >= the organisations listed there.
        f.companies_unidentified = max(
            0,
            f.attendance.get(ParticipantCategory.COMPANIES, 0)
            - listed[(group, OrganisationKind.COMPANY)],
        )
        f.training_bodies_unidentified = max(
            0,
            f.attendance.get(ParticipantCategory.TRAINING_BODIES, 0)
            - listed[(group, OrganisationKind.TRAINING_BODY)],
        )
    if group_by is None and not figures:
        figures[None] = EventFigures()
    return dict(figures)


@dataclass
class CompletenessRow:
    region: Region
    held: int
    missing: int

    @property
    def entered_pct(self) -> float | None:
        return round((self.held - self.missing) * 100 / self.held, 1) if self.held else None


def attendance_completeness(
    *, today: datetime.date, regions: Sequence[Region]
) -> list[CompletenessRow]:
    """Per region: events held and those whose attendance is not entered (1 query)."""
    rows = (
        Event.objects.filter(is_cancelled=False, date__lte=today, region__in=regions)
        .values("region_id")
        .annotate(held=Count("pk"), missing=Count("pk", filter=~attendance_entered()))
        .order_by()
    )
    by_region = {r["region_id"]: r for r in rows}
    return [
        CompletenessRow(
            region,
            by_region.get(region.pk, {}).get("held", 0),
            by_region.get(region.pk, {}).get("missing", 0),
        )
        for region in regions
    ]


def missing_attendance(*, today: datetime.date) -> QuerySet[Event]:
    """Past events held whose attendance has not been entered."""
    return (
        Event.objects.filter(is_cancelled=False, date__lte=today)
        .exclude(attendance_entered())
        .select_related("region", "axis")
    )


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: User | None
    action: str
    subject: str
    changes: list[tuple[str, str, str]]


ACTIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}
HIDDEN_FIELDS = {"version", "updated_at", "created_by", "source"}


def _display(field: Field[Any, Any], value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return str(value)


def _entries(
    records: Iterable[Any],
    subject: Callable[[Any], str],
    fields: Callable[[Any], Sequence[Field[Any, Any]]],
) -> list[HistoryEntry]:
    """History entries with before/after of each change, from records oldest first."""
    entries: list[HistoryEntry] = []
    previous: dict[int, Any] = {}
    for record in records:
        old = previous.get(record.id)
        changes = []
        if record.history_type == "~" and old is not None:
            delta = record.diff_against(old, foreign_keys_are_objs=True)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                f = record._meta.get_field(change.field)
                changes.append(
                    (str(f.verbose_name), _display(f, change.old), _display(f, change.new))
                )
            if not changes:
                previous[record.id] = record
                continue
        elif record.history_type == "+":
            changes = [
                (str(f.verbose_name), "", _display(f, getattr(record, f.name)))
                for f in fields(record)
                if getattr(record, f.name) not in (None, "", False)
            ]
        previous[record.id] = record
        entries.append(
            HistoryEntry(
                record.history_date,
                record.history_user,
                ACTIONS[record.history_type],
                subject(record),
                changes,
            )
        )
    return entries


# The event's fields its history shows, in this order.
HISTORY_FIELDS = (
    "title",
    "kind",
    "date",
    "region",
    "department",
    "place",
    "online",
    "axis",
    "is_cancelled",
)


def event_history(event: Event) -> list[HistoryEntry]:
    """Who changed what on an event, its attendance and its attendees (3 queries)."""
    event_fields = [Event._meta.get_field(n) for n in HISTORY_FIELDS]
    entries = _entries(
        event.history.select_related(
            "history_user", "region", "department", "axis", "convention"
        ).order_by("history_date", "history_id"),
        lambda r: "Événement",
        lambda r: [r._meta.get_field(f.name) for f in event_fields],
    )
    entries += _entries(
        Attendance.history.filter(event_id=event.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id"),
        lambda r: f"Participation — {r.get_category_display()}",
        lambda r: [r._meta.get_field("planned"), r._meta.get_field("actual")],
    )
    entries += _entries(
        Attendee.history.filter(event_id=event.pk)
        .select_related("history_user", "organisation")
        .order_by("history_date", "history_id"),
        lambda r: f"Organisation présente — {r.organisation}",
        lambda r: [],
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def recent_deletions(*, region: Region | None = None, limit: int = 10) -> list[Event]:
    """The last events deleted (each can be restored whole), with who deleted them."""
    deleted = Event.all_objects.deleted().select_related("deleted_by", "region")
    if region is not None:
        deleted = deleted.filter(region_id=region.pk)
    return list(deleted.order_by("-deleted_at")[:limit])


NO_MONTH = 13  # the month of a reported yearly total: "déclaré, sans détail mensuel"


@dataclass
class EventsYear:
    """The events of one scope and year as every output shows them.

    `held` and `attendance` are grouped rows {month, kind, axis__number, axis__title, n,
    synthetic} ({…, category, n} for attendance). Where a source reported a yearly total
    (ActivityTotal), it replaces the recorded events of that region, year and kind (the
    rule of `activity_summary`): their rows are left out and the total comes as one row of
    month NO_MONTH, with no axis, flagged `reported`."""

    year: int
    held: list[dict[str, Any]] = field(default_factory=list)
    attendance: list[dict[str, Any]] = field(default_factory=list)
    # {department id or None: {measure: {n, synthetic, reported}}}: the same figures by
    # the department of the events' place; None holds the events without a department
    # and the reported totals (they have none). See `by_department`.
    departments: dict[int | None, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # For one department: the region's totals reported by a source for the whole region
    # (not known by department, so not counted here; the figures they replace are left
    # out too, as in the region's department table).
    regional_reported: list[dict[str, Any]] = field(default_factory=list)

    def total(self, measure: str) -> int | None:
        """Events held (measure "events") or participants of a category; None if unknown."""
        rows = self.held if measure == ActivityTotal.Measure.EVENTS else self.attendance
        values = [
            r["n"]
            for r in rows
            if measure == ActivityTotal.Measure.EVENTS or r["category"] == measure
        ]
        return sum(values) if values else None

    @property
    def known(self) -> bool:
        return bool(self.held or self.attendance)

    @property
    def has_reported(self) -> bool:
        return any(r.get("reported") for r in self.held + self.attendance)

    def by_department(self, department_ids: list[int]) -> "EventsByDepartment":
        """The figures of each of `department_ids` (a region's departments) and the rest,
        which adds them up to `total(measure)` exactly.

        A department with nothing recorded has 0 where the region's figure is counted
        event by event, and is unknown (None) where part of it is a total reported for
        the whole region (that total is not known by department), or where the region's
        figure itself is unknown. The rest holds the events without a department (or with
        one outside the list) and the reported totals; None where the region's figure is
        unknown."""
        result = EventsByDepartment()
        wanted = set(department_ids)
        rest: dict[str, dict[str, Any]] = {}
        for department_id, cells in self.departments.items():
            if department_id in wanted:
                continue
            for measure, cell in cells.items():
                slot = rest.setdefault(measure, {"n": 0, "synthetic": False, "reported": False})
                slot["n"] += cell["n"]
                slot["synthetic"] = slot["synthetic"] or cell["synthetic"]
                slot["reported"] = slot["reported"] or cell["reported"]
        for measure in MEASURES:
            region_total = self.total(measure)
            reported = rest.get(measure, {}).get("reported", False)
            for department_id in department_ids:
                known = self.departments.get(department_id, {}).get(measure)
                figures = result.departments.setdefault(department_id, {})
                if known is not None:
                    figures[measure] = known["n"]
                    if known["synthetic"]:
                        result.synthetic.add((department_id, measure))
                else:
                    figures[measure] = 0 if region_total is not None and not reported else None
            if measure in rest:
                result.rest[measure] = rest[measure]["n"]
                if rest[measure]["synthetic"]:
                    result.synthetic.add((None, measure))
            else:
                result.rest[measure] = 0 if region_total is not None else None
        result.has_rest = bool(rest)
        return result


@dataclass
class EventsByDepartment:
    """Events held and attendance of a region's departments (`EventsYear.by_department`):
    {department id: {measure: value or None}}, and the rest (no department, reported)."""

    departments: dict[int, dict[str, int | None]] = field(default_factory=dict)
    rest: dict[str, int | None] = field(default_factory=dict)
    has_rest: bool = False  # anything not placed in one of the departments
    synthetic: set[tuple[int | None, str]] = field(default_factory=set)


def _reported_keys(totals: Iterable[ActivityTotal]) -> set[tuple[object, str, str]]:
    return {(t.region_id or NATIONAL, t.event_kind, t.measure) for t in totals}


def _replaced(
    keys: set[tuple[object, str, str]],
    region_id: object,
    kind: str,
    measure: str,
    *,
    national_scope: bool,
) -> bool:
    """Is the recorded figure of (region, kind, measure) replaced by a reported total?"""
    return (region_id, kind, measure) in keys or (
        national_scope and (NATIONAL, kind, measure) in keys
    )


def _add(
    departments: dict[Any, dict[str, dict[str, Any]]],
    department_id: int | None,
    measure: str,
    n: int,
    synthetic: bool,
    *,
    reported: bool = False,
) -> None:
    cell = departments.setdefault(department_id, {}).setdefault(
        measure, {"n": 0, "synthetic": False, "reported": False}
    )
    cell["n"] += n
    cell["synthetic"] = cell["synthetic"] or synthetic
    cell["reported"] = cell["reported"] or reported


def _of_year(
    *, region: Region | None, department: Department | None, year: int, today: datetime.date
) -> tuple[QuerySet[EventRollup], QuerySet[Event] | None]:
    """The rollup's whole months of `year` up to today, and the events of the month in
    progress up to today (None: no month in progress), of the scope."""
    months, partial = month_split(year, today)
    rollup = EventRollup.objects.filter(year=year, month__lt=months)
    events = None
    if partial is not None:
        events = Event.objects.filter(is_cancelled=False, date__gte=partial, date__lte=today)
    if region is not None:
        rollup = rollup.filter(region=region)
        events = events.filter(region=region) if events is not None else None
    if department is not None:
        rollup = rollup.filter(department=department)
        events = events.filter(department=department) if events is not None else None
    return rollup.order_by(), events


def _held_rows(
    *, region: Region | None, department: Department | None, year: int, today: datetime.date
) -> Iterator[tuple[Any, ...]]:
    """(region_id, department_id, month, kind, axis number, axis title, n, synthetic) of
    the events held in `year` up to today."""
    rollup, events = _of_year(region=region, department=department, year=year, today=today)
    yield from (
        rollup.filter(measure=EVENTS)
        .values_list("region_id", "department_id", "month", "kind", "axis__number", "axis__title")
        .annotate(n=Sum("n"), synthetic=Count("pk", filter=synthetic_q()))
    )
    if events is not None:
        yield from (
            events.annotate(month=ExtractMonth("date"))
            .values_list(
                "region_id", "department_id", "month", "kind", "axis__number", "axis__title"
            )
            .annotate(n=Count("pk"), synthetic=Count("pk", filter=synthetic_q()))
            .order_by()
        )


def _attendance_rows(
    *, region: Region | None, department: Department | None, year: int, today: datetime.date
) -> Iterator[tuple[Any, ...]]:
    """(region_id, department_id, month, kind, axis number, category, n, synthetic) of
    the attendance entered at the events held in `year` up to today."""
    rollup, events = _of_year(region=region, department=department, year=year, today=today)
    yield from (
        rollup.exclude(measure=EVENTS)
        .values_list("region_id", "department_id", "month", "kind", "axis__number", "measure")
        .annotate(n=Sum("n"), synthetic=Count("pk", filter=synthetic_q()))
    )
    if events is not None:
        yield from (
            Attendance.objects.filter(event__in=events, actual__isnull=False)
            .annotate(month=ExtractMonth("event__date"))
            .values_list(
                "event__region_id",
                "event__department_id",
                "month",
                "event__kind",
                "event__axis__number",
                "category",
            )
            .annotate(n=Sum("actual"), synthetic=Count("pk", filter=synthetic_q("event__source")))
            .order_by()
        )


def events_of_year(
    *,
    region: Region | None,
    year: int,
    today: datetime.date,
    department: Department | None = None,
) -> EventsYear:
    """Events held in `year` (up to today) by month, kind and action-plan axis, their
    attendance by category, and the reported yearly totals that replace them (3 queries,
    cached under the data version).

    With a `department` (of `region`): the events placed there, which is that
    department's line of `by_department`: a total reported for the whole region is not
    known by department, so it is not counted, and the recorded figures it replaces are
    left out as for the region (`regional_reported` lists those totals)."""
    return memoize(
        "events_of_year.v4",  # v4: read from the rollup
        f"{region.pk if region else ''}|{department.pk if department else ''}|{year}|{today}",
        lambda: _events_of_year(region=region, year=year, today=today, department=department),
        # Events by action-plan axis: the conventions' tables too.
        families=("events", "conventions"),
    )


def _events_of_year(
    *,
    region: Region | None,
    year: int,
    today: datetime.date,
    department: Department | None = None,
) -> EventsYear:
    totals_qs = ActivityTotal.objects.filter(year=year).select_related("source")
    if region is not None:
        totals_qs = totals_qs.filter(region=region)
    totals = list(totals_qs)
    if region is None:
        # A national total replaces the regions' own totals of the same kind and measure.
        national = {(t.event_kind, t.measure) for t in totals if t.region_id is None}
        totals = [
            t for t in totals if t.region_id is None or (t.event_kind, t.measure) not in national
        ]
    keys = _reported_keys(totals)
    national_scope = region is None
    result = EventsYear(year)
    departments: dict[int | None, dict[str, dict[str, Any]]] = {}
    held: defaultdict[tuple[Any, ...], dict[str, Any]] = defaultdict(
        lambda: {"n": 0, "synthetic": False}
    )
    for region_id, department_id, month, kind, number, title, n, synthetic in _held_rows(
        region=region, department=department, year=year, today=today
    ):
        measure = ActivityTotal.Measure.EVENTS
        if _replaced(keys, region_id, kind, measure, national_scope=national_scope):
            continue
        slot = held[(month, kind, number, title)]
        slot["n"] += n
        slot["synthetic"] = slot["synthetic"] or bool(synthetic)
        _add(departments, department_id, measure, n, bool(synthetic))
    attendance: defaultdict[tuple[Any, ...], dict[str, Any]] = defaultdict(
        lambda: {"n": 0, "synthetic": False}
    )
    for region_id, department_id, month, kind, number, category, n, synthetic in _attendance_rows(
        region=region, department=department, year=year, today=today
    ):
        if _replaced(keys, region_id, kind, category, national_scope=national_scope):
            continue
        slot = attendance[(month, kind, number, category)]
        slot["n"] += n
        slot["synthetic"] = slot["synthetic"] or bool(synthetic)
        _add(departments, department_id, category, n, bool(synthetic))
    if department is not None:
        result.regional_reported = [
            {
                "n": t.value,
                "label": f"{t.get_measure_display().lower()} "
                f"({EventKind(t.event_kind).label.lower()})",
                "source": str(t.source),
            }
            for t in totals
        ]
        totals = []
    for total in totals:
        reported: dict[str, Any] = {
            "n": total.value,
            "synthetic": total.source.is_synthetic,
            "reported": True,
            "qualifier": total.qualifier,
            "source": str(total.source),
        }
        if total.measure == ActivityTotal.Measure.EVENTS:
            slot = held[(NO_MONTH, total.event_kind, None, None)]
        else:
            slot = attendance[(NO_MONTH, total.event_kind, None, total.measure)]
        if slot.get("reported"):
            slot["n"] += total.value
            slot["synthetic"] = slot["synthetic"] or reported["synthetic"]
        else:
            slot.update(reported)
        # A reported total is the whole region's: it has no department.
        _add(departments, None, total.measure, total.value, reported["synthetic"], reported=True)
    result.departments = departments
    result.held = [
        {"month": m, "kind": k, "axis__number": n, "axis__title": t, **v}
        for (m, k, n, t), v in sorted(held.items(), key=lambda i: (i[0][0], i[0][1], i[0][2] or 0))
    ]
    result.attendance = [
        {"month": m, "event__kind": k, "event__axis__number": n, "category": c, **v}
        for (m, k, n, c), v in sorted(
            attendance.items(), key=lambda i: (i[0][0], i[0][1], i[0][2] or 0, i[0][3])
        )
    ]
    return result


def event_last_author(event_id: int) -> User | None:
    """Who last changed an event, its attendance or its attendees (saving attendance
    changes the event's version without a new version of the event in the history)."""
    latest = [
        history.filter(**{key: event_id}).select_related("history_user").first()
        for history, key in (
            (Event.history, "id"),
            (Attendance.history, "event_id"),
            (Attendee.history, "event_id"),
        )
    ]
    latest = [record for record in latest if record is not None]
    return max(latest, key=lambda r: r.history_date).history_user if latest else None


@dataclass
class HeldBetween:
    """Events held in a window of days and who came, by participant category."""

    start: datetime.date  # exclusive
    end: datetime.date  # inclusive
    events: int
    participants: dict[str, int]


def events_held_between(
    *, region: Region | None, start: datetime.date, end: datetime.date
) -> HeldBetween:
    """Events held after `start` up to `end` (not cancelled) in a region (None: France,
    national events included) and their attendance by category (2 queries). Yearly totals
    reported by a source have no date and are not counted here."""
    events = Event.objects.held(until=end).filter(date__gt=start).for_region(region)
    attendance = (
        Attendance.objects.filter(event__in=events, actual__isnull=False)
        .values("category")
        .annotate(n=Sum("actual"))
        .order_by()
    )
    return HeldBetween(
        start,
        end,
        events.count(),
        {row["category"]: row["n"] for row in attendance},
    )
