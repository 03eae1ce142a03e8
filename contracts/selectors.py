"""Reads of contract figures: yearly totals, breakdowns and targets.

The yearly-total rule. Figures of one series (region, year, contract type, public)
may be known at four granularities, from the most to the least aggregated:

    0. the whole year, all branches      (a published total: Normandie 2020, 2 173)
    1. month by month, all branches
    2. the whole year, branch by branch
    3. month by month, branch by branch  (a management-system export)

The yearly total of a series is the sum of its most aggregated granularity only;
finer granularities describe how that total breaks down (by month, by branch) and are
never added to it. So a year is counted once, whether it is known as one total, as
twelve months, or both.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum

from akto_portal.models import Source
from contracts.models import ContractCount, ContractTarget, MarketStat, Public

YEAR_ALL_BRANCHES, MONTH_ALL_BRANCHES, YEAR_BY_BRANCH, MONTH_BY_BRANCH = range(4)


@dataclass
class Figure:
    """A number as the pages show it, with whether synthetic data went into it."""

    value: int = 0
    synthetic: bool = False
    known: bool = False

    def add(self, value, synthetic):
        self.value += value
        self.synthetic = self.synthetic or synthetic
        self.known = True


def growth_pct(current, previous):
    """Growth in percent, one decimal (3 071 on 2 173 gives 41.3); None when undefined."""
    if current is None or not previous:
        return None
    return round((current - previous) * 100 / previous, 1)


def _counts(*, years=None, region=None, contract_type=None, public=Public.ALL):
    qs = ContractCount.objects.filter(public=public)
    if years is not None:
        qs = qs.filter(year__in=list(years))
    if region is not None:
        qs = qs.filter(region=region)
    if contract_type:
        qs = qs.filter(contract_type=contract_type)
    return qs


def _with_granularity(qs, *fields):
    return (
        qs.annotate(
            by_branch=ExpressionWrapper(Q(branch__isnull=False), output_field=BooleanField()),
            by_month=ExpressionWrapper(Q(month__isnull=False), output_field=BooleanField()),
        )
        .values("region_id", "year", "contract_type", "by_branch", "by_month", *fields)
        .annotate(
            total=Sum("count"),
            synthetic=Count("pk", filter=Q(source__kind=Source.Kind.SYNTHETIC)),
        )
        .order_by()
    )


def _level(row):
    return row["by_branch"] * 2 + row["by_month"]


def _coarsest(rows):
    """Keep, for each series, the rows of its most aggregated granularity."""
    best = {}
    for row in rows:
        key = (row["region_id"], row["year"], row["contract_type"])
        best[key] = min(best.get(key, 9), _level(row))
    return [r for r in rows if _level(r) == best[(r["region_id"], r["year"], r["contract_type"])]]


def yearly_totals(*, years=None, region=None, contract_type=None, public=Public.ALL):
    """{(region_id, year): Figure} — one grouped query, the yearly-total rule applied."""
    rows = list(
        _with_granularity(
            _counts(years=years, region=region, contract_type=contract_type, public=public)
        )
    )
    totals = defaultdict(Figure)
    for row in _coarsest(rows):
        totals[(row["region_id"], row["year"])].add(row["total"], bool(row["synthetic"]))
    return dict(totals)


def national_by_year(totals):
    """Sum a `yearly_totals` result over regions: {year: Figure}."""
    by_year = defaultdict(Figure)
    for (_region_id, year), figure in totals.items():
        by_year[year].add(figure.value, figure.synthetic)
    return dict(by_year)


def monthly_breakdown(*, year, region=None, contract_type=None, public=Public.ALL):
    """Contracts of `year` month by month, from the finest data that has months.

    Returns (months, unbroken): months is {1..12: Figure} built from the series that
    are known by month; `unbroken` is the part of the yearly total known only as a
    yearly figure (never spread over months: the pages say so instead).
    """
    rows = list(
        _with_granularity(
            _counts(years=[year], region=region, contract_type=contract_type, public=public),
            "month",
        )
    )
    series_levels = defaultdict(set)
    for row in rows:
        series_levels[(row["region_id"], row["contract_type"])].add(_level(row))
    months = {m: Figure() for m in range(1, 13)}
    unbroken = Figure()
    for row in rows:
        levels = series_levels[(row["region_id"], row["contract_type"])]
        level = _level(row)
        monthly_levels = levels & {MONTH_ALL_BRANCHES, MONTH_BY_BRANCH}
        if monthly_levels and level == min(monthly_levels):
            months[row["month"]].add(row["total"], bool(row["synthetic"]))
        elif not monthly_levels and level == min(levels):
            unbroken.add(row["total"], bool(row["synthetic"]))
    return months, unbroken


def branch_breakdown(*, year, region=None, contract_type=None, public=Public.ALL):
    """Contracts of `year` by branch: {branch_id: Figure}, from the coarsest data by branch."""
    rows = list(
        _with_granularity(
            _counts(years=[year], region=region, contract_type=contract_type, public=public),
            "branch_id",
        )
    )
    series_levels = defaultdict(set)
    for row in rows:
        if row["by_branch"]:
            series_levels[(row["region_id"], row["contract_type"])].add(_level(row))
    branches = defaultdict(Figure)
    for row in rows:
        levels = series_levels.get((row["region_id"], row["contract_type"]))
        if levels and _level(row) == min(levels):
            branches[row["branch_id"]].add(row["total"], bool(row["synthetic"]))
    return dict(branches)


def targets(*, years=None, public=Public.ALL):
    """{(region_id or None, year): ContractTarget} for all contract types together."""
    qs = ContractTarget.objects.filter(public=public, contract_type="").select_related("source")
    if years is not None:
        qs = qs.filter(year__in=list(years))
    return {(t.region_id, t.year): t for t in qs}


def market_stats(*, region=None):
    """Whole-market figures (all OPCOs) for a region, or for France when region is None."""
    return list(
        MarketStat.objects.filter(region=region).select_related("source").order_by("year", "month")
    )
