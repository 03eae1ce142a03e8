"""Reads of conventions: where each indicator stands against its target."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from akto_portal.permissions import can_view_convention
from conventions.indicators import computed_inputs, computed_value
from conventions.models import Convention, Indicator, IndicatorValue


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


def indicator_statuses(convention, *, today):
    """Each indicator with its latest value: reported by hand, or computed from the
    portal's own data (contracts, events, attendance) over the convention's scope."""
    statuses = []
    for indicator in convention.indicators.all():
        if indicator.is_computed:
            computed = computed_value(indicator, today=today)
            statuses.append(
                IndicatorStatus(indicator, computed.value, "", today, None, computed.synthetic)
            )
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


def conventions_for_region(region):
    """The region's own conventions and its declinations of national ones."""
    return (
        Convention.objects.filter(region=region)
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
    if not indicator.is_computed:
        values = indicator.values.select_related("source", "entered_by").order_by("-as_of", "-pk")
        return {"kind": "reported", "values": list(values)}
    inputs = computed_inputs(indicator, today=today)
    return {"kind": inputs.kind, **inputs.data}


def conventions_progress(region, *, today, user):
    """The conventions of a scope that carry indicators, each with where its indicators
    stand, the result of the convention it renews, and the share of its period elapsed.
    National scope: national conventions; a region: its own conventions."""
    conventions = (
        Convention.objects.filter(region=region, parent=None)
        .exclude(status=Convention.Status.ENDED)
        .filter(indicators__isnull=False)
        .select_related("renews")
        .distinct()
        .order_by("-start_on", "title")
    )
    progress = []
    for convention in conventions:
        if not can_view_convention(user, convention):
            continue
        convention = convention_for_page(convention.pk)
        progress.append(
            {
                "convention": convention,
                "statuses": indicator_statuses(convention, today=today),
                "elapsed_pct": period_elapsed_pct(convention, today),
            }
        )
    return progress
