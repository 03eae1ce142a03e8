"""Reads of events: activity figures that combine reported totals and recorded events.

The rule that keeps anything from being counted twice: for a year, a region and a kind
of event, a total reported by a source ("26 réunions, 493 entreprises") replaces what
was recorded event by event for that same measure; the national figure is the national
reported total where there is one, otherwise the sum of the regions' figures.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from akto_portal.models import Source
from events.models import ActivityTotal, Attendance, Event, EventKind

MEASURES = [m.value for m in ActivityTotal.Measure]
NATIONAL = "national"


@dataclass
class Cell:
    value: int = 0
    qualifier: str = ""
    reported: bool = False
    synthetic: bool = False
    source: object = None


@dataclass
class ActivityRow:
    year: int
    kind: str
    cells: dict

    @property
    def kind_label(self):
        return EventKind(self.kind).label

    def cell(self, measure):
        return self.cells.get(measure)

    @property
    def ordered_cells(self):
        return [self.cells.get(m) for m in MEASURES]


def _recorded(region, today):
    """{(region_id, year, kind, measure): Cell} from the recorded events (2 queries)."""
    events = Event.objects.filter(is_cancelled=False, date__lte=today)
    if region is not None:
        events = events.filter(region=region)
    cells = {}
    held = (
        events.annotate(year=ExtractYear("date"))
        .values("region_id", "year", "kind")
        .annotate(
            n=Count("pk"), synthetic=Count("pk", filter=Q(source__kind=Source.Kind.SYNTHETIC))
        )
        .order_by()
    )
    for row in held:
        key = (row["region_id"], row["year"], row["kind"], ActivityTotal.Measure.EVENTS.value)
        cells[key] = Cell(row["n"], synthetic=bool(row["synthetic"]))
    attendance = (
        Attendance.objects.filter(event__in=events, actual__isnull=False)
        .annotate(year=ExtractYear("event__date"))
        .values("event__region_id", "year", "event__kind", "category")
        .annotate(
            n=Sum("actual"),
            synthetic=Count("pk", filter=Q(event__source__kind=Source.Kind.SYNTHETIC)),
        )
        .order_by()
    )
    for row in attendance:
        key = (row["event__region_id"], row["year"], row["event__kind"], row["category"])
        cells[key] = Cell(row["n"], synthetic=bool(row["synthetic"]))
    return cells


def activity_summary(*, region=None, today=None):
    """Activity by year and kind of event, for one region or for France (3 queries)."""
    today = today or timezone.localdate()
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

    combined = defaultdict(dict)
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


def upcoming_events(*, region, today, limit=8):
    return list(
        Event.objects.filter(region=region, date__gt=today, is_cancelled=False)
        .select_related("source", "axis")
        .order_by("date")[:limit]
    )


def recent_events(*, region, today, limit=8):
    return list(
        Event.objects.filter(region=region, date__lte=today)
        .select_related("source", "axis")
        .prefetch_related("attendances")
        .order_by("-date")[:limit]
    )
