"""Reads of conventions: where each indicator stands against its target."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum

from akto_portal.permissions import convention_visibility
from contracts.models import Public
from contracts.selectors import yearly_totals
from conventions.models import Convention, Indicator, IndicatorValue
from events.models import Attendance, Event, ParticipantCategory
from events.selectors import event_figures


@dataclass
class IndicatorStatus:
    indicator: Indicator
    value: object  # Decimal or int, None when nothing is known yet
    qualifier: str
    as_of: datetime.date | None
    source: object
    synthetic: bool = False

    @property
    def target(self):
        return self.indicator.target

    @property
    def target_pct(self):
        if self.value is None or not self.target:
            return None
        return round(float(self.value) * 100 / float(self.target), 1)


def period_elapsed_pct(convention, today):
    """Share of the convention's period already elapsed at `today`, in percent."""
    if not (convention.start_on and convention.end_on):
        return None
    total = (convention.end_on - convention.start_on).days
    done = (min(max(today, convention.start_on), convention.end_on) - convention.start_on).days
    return round(done * 100 / total, 1)


def convention_for_page(pk):
    return (
        Convention.objects.select_related("region", "parent", "renews", "source")
        .prefetch_related(
            "partners",
            "signatories",
            "axes",
            "declinations__region",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("axis", "target_source").prefetch_related(
                    Prefetch(
                        "values",
                        queryset=IndicatorValue.objects.select_related("source").order_by(
                            "-as_of", "-pk"
                        ),
                    )
                ),
            ),
        )
        .get(pk=pk)
    )


def _convention_events(convention, today):
    return Event.objects.filter(
        Q(convention=convention) | Q(convention__parent=convention),
        is_cancelled=False,
        date__lte=today,
    )


def _computed(indicator, convention, today):
    kind = Indicator.Computation
    if indicator.computation in (kind.CONTRACTS, kind.CONTRACTS_RQTH):
        if not convention.start_on:
            return None, False
        last = min(convention.end_on or today, today).year
        years = range(convention.start_on.year, last + 1)
        public = Public.RQTH if indicator.computation == kind.CONTRACTS_RQTH else Public.ALL
        totals = yearly_totals(years=years, region=convention.region, public=public)
        return sum(f.value for f in totals.values()), any(f.synthetic for f in totals.values())
    events = _convention_events(convention, today)
    if indicator.computation == kind.EVENTS_HELD:
        held = events.aggregate(
            n=Count("pk"), synthetic=Count("pk", filter=Q(source__kind="synthetic"))
        )
        return held["n"] or 0, bool(held["synthetic"])
    category = {
        kind.COMPANIES_REACHED: ParticipantCategory.COMPANIES,
        kind.TRAINING_BODIES_REACHED: ParticipantCategory.TRAINING_BODIES,
    }[indicator.computation]
    # Organisations identified (SIRET / UAI) count once however many events they
    # attended; people counted without a name are added (see events.selectors).
    figures = event_figures(events=events, today=today)[None]
    synthetic = Attendance.objects.filter(
        event__in=events, category=category, event__source__kind="synthetic"
    ).exists()
    if category == ParticipantCategory.COMPANIES:
        return figures.companies, synthetic
    return figures.training_bodies, synthetic


def indicator_statuses(convention, *, today):
    """Each indicator with its latest value: reported by hand, or computed from the
    portal's own data (contracts, events, attendance) over the convention's scope."""
    statuses = []
    for indicator in convention.indicators.all():
        if indicator.is_computed:
            value, synthetic = _computed(indicator, convention, today)
            statuses.append(IndicatorStatus(indicator, value, "", today, None, synthetic))
            continue
        values = list(indicator.values.all())
        latest = values[0] if values else None
        statuses.append(
            IndicatorStatus(
                indicator,
                latest.value if latest else None,
                latest.qualifier if latest else "",
                latest.as_of if latest else None,
                latest.source if latest else None,
                bool(latest and latest.source.is_synthetic),
            )
        )
    return statuses


def conventions_visible_to(user):
    """The conventions this user may read (`akto_portal.permissions.can_view_convention`)."""
    return Convention.objects.filter(convention_visibility(user))


def conventions_for_region(region, *, user):
    """The region's own conventions and its declinations of national ones, those the
    user may read (none of another region's for its regional staff)."""
    return (
        conventions_visible_to(user)
        .filter(region=region)
        .select_related("parent")
        .prefetch_related("partners")
        .order_by("-signed_on", "title")
    )


def indicator_for_page(pk):
    return Indicator.objects.select_related(
        "convention__region", "convention__renews", "axis", "target_source"
    ).get(pk=pk)


def indicator_inputs(indicator, *, today):
    """The data an indicator's value comes from, for its drill-down page.

    Reported: the values entered, newest first. Contracts: the yearly totals of the
    convention's years (its region, or France). Events and attendance: the events
    counted, with the participants of the category the indicator counts."""
    convention = indicator.convention
    kind = Indicator.Computation
    if not indicator.is_computed:
        values = indicator.values.select_related("source", "entered_by").order_by("-as_of", "-pk")
        return {"kind": "reported", "values": list(values)}
    if indicator.computation in (kind.CONTRACTS, kind.CONTRACTS_RQTH):
        public = Public.RQTH if indicator.computation == kind.CONTRACTS_RQTH else Public.ALL
        if not convention.start_on:
            return {"kind": "contracts", "public": public, "years": []}
        last = min(convention.end_on or today, today).year
        years = range(convention.start_on.year, last + 1)
        totals = yearly_totals(years=years, region=convention.region, public=public)
        by_year = {}
        for (_region_id, year), figure in totals.items():
            by_year.setdefault(year, []).append(figure)
        rows = [
            {
                "year": year,
                "contracts": sum(f.value for f in by_year.get(year, [])),
                "synthetic": any(f.synthetic for f in by_year.get(year, [])),
            }
            for year in years
        ]
        total = sum(r["contracts"] for r in rows)
        return {"kind": "contracts", "public": public, "years": rows, "total": total}
    category = {
        kind.COMPANIES_REACHED: ParticipantCategory.COMPANIES,
        kind.TRAINING_BODIES_REACHED: ParticipantCategory.TRAINING_BODIES,
    }.get(indicator.computation)
    events = (
        _convention_events(convention, today)
        .select_related("region", "source")
        .annotate(
            reached=Sum("attendances__actual", filter=Q(attendances__category=category))
            if category
            else Sum("attendances__actual")
        )
        .order_by("-date", "pk")
    )
    return {"kind": "events", "category": category, "events": events}
