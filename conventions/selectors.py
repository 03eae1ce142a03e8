"""Reads of conventions: where each indicator stands against its target."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from akto_portal.models import Region, Source, User
from akto_portal.permissions import can_view_convention, convention_visibility
from conventions.indicators import Inputs, computed_inputs, computed_value
from conventions.models import Convention, Indicator, IndicatorValue


@dataclass(frozen=True)
class IndicatorStatus:
    """Where an indicator stands: its achieved value (the latest reported, or computed
    from the portal's data), against its target. `value` is None when nothing is known
    yet ("—" on the pages, `null` in the API, never 0)."""

    indicator: Indicator
    value: Decimal | int | None
    qualifier: str = ""
    as_of: datetime.date | None = None
    source: Source | None = None
    synthetic: bool = False

    @property
    def target(self) -> Decimal | None:
        return self.indicator.target

    @property
    def target_pct(self) -> float | None:
        """Achieved / target in percent, one decimal (163 on 150 gives 108.7)."""
        if self.value is None or not self.target:
            return None
        return round(float(self.value) * 100 / float(self.target), 1)


class IndicatorInputs(Inputs):
    """An indicator's drill-down page: where it stands, and (the keys its kind adds)
    the data its value comes from."""

    status: IndicatorStatus


class ReportedInputs(IndicatorInputs):
    values: list[IndicatorValue]


class ConventionProgress(TypedDict):
    convention: Convention
    statuses: list[IndicatorStatus]
    elapsed_pct: float | None
    has_targets: bool  # at least one indicator with a target and a value to set against it
    has_baselines: bool  # at least one indicator with a starting value


def period_elapsed_pct(convention: Convention, today: datetime.date) -> float | None:
    """Share of the convention's period already elapsed at `today`, in percent."""
    if not (convention.start_on and convention.end_on):
        return None
    total = (convention.end_on - convention.start_on).days
    done = (min(max(today, convention.start_on), convention.end_on) - convention.start_on).days
    return round(done * 100 / total, 1)


def _with_indicators(conventions: QuerySet[Convention]) -> QuerySet[Convention]:
    """`conventions` with their indicators and values, what the dashboards, the report
    and the digest show of them, in a fixed number of queries."""
    return conventions.select_related("region", "parent", "renews", "source").prefetch_related(
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


def _for_page(conventions: QuerySet[Convention]) -> QuerySet[Convention]:
    """`conventions` with what a convention's own page shows of them (its partners,
    signatories, axes and declinations too), in a fixed number of queries."""
    return _with_indicators(conventions).prefetch_related(
        "partners", "signatories", "axes", "declinations__region"
    )


def convention_for_page(pk: int) -> Convention:
    convention: Convention = _for_page(Convention.objects.all()).get(pk=pk)
    return convention


def _reported_status(indicator: Indicator, values: list[IndicatorValue]) -> IndicatorStatus:
    latest = max(values, key=lambda v: (v.as_of, v.pk), default=None)
    if latest is None:
        return IndicatorStatus(indicator, None)
    return IndicatorStatus(
        indicator,
        latest.value,
        qualifier=latest.qualifier,
        as_of=latest.as_of,
        source=latest.source,
        synthetic=latest.source.is_synthetic,
    )


def indicator_status(indicator: Indicator, *, today: datetime.date) -> IndicatorStatus:
    """Where one indicator stands: its latest reported value, or its value computed from
    the portal's own data (contracts, events, attendance) over the convention's scope.
    Every page, export and API that shows an indicator reads it from here."""
    if indicator.is_computed:
        computed = computed_value(indicator, today=today)
        return IndicatorStatus(indicator, computed.value, as_of=today, synthetic=computed.synthetic)
    return _reported_status(indicator, list(indicator.values.all()))


def indicator_statuses(convention: Convention, *, today: datetime.date) -> list[IndicatorStatus]:
    """Each indicator of a convention with where it stands (see `indicator_status`)."""
    return [indicator_status(i, today=today) for i in convention.indicators.all()]


def conventions_visible_to(user: User) -> QuerySet[Convention]:
    """The conventions this user may read (`akto_portal.permissions.can_view_convention`)."""
    return Convention.objects.filter(convention_visibility(user))


def conventions_for_region(region: Region, *, user: User) -> QuerySet[Convention]:
    """The region's own conventions and its declinations of national ones, those the
    user may read (none of another region's for its regional staff)."""
    return (
        conventions_visible_to(user)
        .filter(region=region)
        .select_related("parent")
        .order_by("-signed_on", "title")
    )


def indicator_for_page(pk: int) -> Indicator:
    return Indicator.objects.select_related(
        "convention__region", "convention__renews", "axis", "target_source"
    ).get(pk=pk)


def indicator_inputs(indicator: Indicator, *, today: datetime.date) -> IndicatorInputs:
    """An indicator's drill-down page: where it stands (`status`, the same as on the
    convention page and the dashboards) and the data its value comes from.

    Reported: the values entered, newest first. Contracts: the yearly totals of the
    convention's years (its region, or France). Events and attendance: the events
    counted, with the participants of the category the indicator counts."""
    if not indicator.is_computed:
        values = list(
            indicator.values.select_related("source", "entered_by").order_by("-as_of", "-pk")
        )
        reported: ReportedInputs = {
            "kind": "reported",
            "status": _reported_status(indicator, values),
            "values": values,
        }
        return reported
    # The app's own rows (years, events…) ride along under their keys.
    return IndicatorInputs(
        **computed_inputs(indicator, today=today),
        status=indicator_status(indicator, today=today),
    )


def _national_then_regional() -> Callable[[Convention], tuple[int, int]]:
    """Sort key, over conventions already in display order: national conventions first,
    each immediately followed by its declination; then the region's own."""
    rank: dict[int, int] = {}

    def key(convention: Convention) -> tuple[int, int]:
        if convention.region_id is None:
            return (0, rank.setdefault(convention.pk, len(rank)) * 2)
        if convention.parent_id is not None:
            return (0, rank.setdefault(convention.parent_id, len(rank)) * 2 + 1)
        return (1, rank.setdefault(convention.pk, len(rank)))

    return key


def meets_year(item: ConventionProgress, year: int) -> bool:
    """Whether the convention's period meets `year` (a period not given: it may)."""
    convention = item["convention"]
    starts, ends = convention.start_on, convention.end_on
    return (starts is None or starts.year <= year) and (ends is None or ends.year >= year)


def conventions_progress(
    region: Region | None, *, today: datetime.date, user: User | AnonymousUser
) -> list[ConventionProgress]:
    """The conventions of a scope that carry indicators, each with where its indicators
    stand, the result of the convention it renews, and the share of its period elapsed.
    National scope: national conventions; a region: the national ones, each followed by
    its declination for the region (Agefiph 2025-27 · Normandie, with its own targets),
    then the region's own conventions."""
    national = Q(region=None, parent=None)
    own = national if region is None else national | Q(region=region)
    listed = (
        Convention.objects.filter(own)
        .exclude(status=Convention.Status.ENDED)
        .filter(indicators__isnull=False)
        .values("pk")
    )
    # One set of queries whatever the number of conventions (a region's own and its
    # declinations): the page's query count does not grow with them.
    conventions = sorted(
        _with_indicators(Convention.objects.filter(pk__in=listed)).order_by("-start_on", "title"),
        key=_national_then_regional(),
    )
    progress: list[ConventionProgress] = []
    for convention in conventions:
        if not can_view_convention(user, convention):
            continue
        statuses = indicator_statuses(convention, today=today)
        progress.append(
            {
                "convention": convention,
                "statuses": statuses,
                "elapsed_pct": period_elapsed_pct(convention, today),
                "has_targets": any(s.target_pct is not None for s in statuses),
                "has_baselines": any(s.indicator.baseline is not None for s in statuses),
            }
        )
    return progress
