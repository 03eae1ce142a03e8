"""Contract figures and the yearly-total rule — its one implementation.

The rule: a year is never counted twice. Figures of one series (region, year, contract
type, public) may be known at eight granularities, from the most to the least aggregated:

    0. the whole year, all branches      (a published total: Normandie 2020, 2 173)
    1. month by month, all branches
    2. the whole year, branch by branch
    3. month by month, branch by branch  (a management-system export without departments)
    4..7. the same four, department by department (4: a department's whole year …
       7: month by month, branch by branch, department by department: an export of
       contract lines that gives the workplace's department)

The yearly total of a series is the sum of its most aggregated granularity only; its
months come from its most aggregated *monthly* granularity; a series with no monthly data
is known only as a yearly total (`YearData.unbroken`, never spread over months). Finer
granularities describe how the total breaks down and are never added to it. So a year is
counted once, whether it is known as one total, as twelve months, or both.

Department rows are a breakdown like branch rows: a region known both as a whole and by
department is counted once (the whole); a region known by department only is the sum of
its departments; a region known only as a total has no department figures (its
departments are unknown, never a share of the total invented). A department's own figures
(`department_facts`) come from its series' most aggregated granularity *by department*.

Every reader of contract counts goes through `contract_facts` / `branch_facts` (one
grouped query each, read as tuples, cached under the data version): the dashboards
(contracts.facts), the selectors (yearly totals, breakdowns, market share) and the pace.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum

from akto_portal.cache import memoize, query_key
from akto_portal.models import Region, Source
from contracts.models import ContractCount
from contracts.rollup import rollup_of, rule_applied_of

# The granularities above, numbered by_department * 4 + by_branch * 2 + by_month.
YEAR_ALL_BRANCHES, MONTH_ALL_BRANCHES, YEAR_BY_BRANCH, MONTH_BY_BRANCH = range(4)
BY_DEPARTMENT = 4
MONTHLY_LEVELS = frozenset(level for level in range(8) if level % 2)
GROUPED = ("region_id", "year", "contract_type", "by_branch", "by_month", "by_department")


@dataclass
class Figure:
    """A number as the pages show it, with whether synthetic data went into it."""

    value: int = 0
    synthetic: bool = False
    known: bool = False

    def add(self, value: int, synthetic: bool) -> None:
        self.value += value
        self.synthetic = self.synthetic or synthetic
        self.known = True


def growth_pct(current: int | None, previous: int | None) -> float | None:
    """Growth in percent, one decimal (3 071 on 2 173 gives 41.3); None when undefined."""
    if current is None or not previous:
        return None
    return round((current - previous) * 100 / previous, 1)


def no_months() -> dict[int, Figure]:
    return {m: Figure() for m in range(1, 13)}


@dataclass
class YearData:
    """What is known of one year for one scope (a region, a branch, or France)."""

    total: Figure = field(default_factory=Figure)
    months: dict[int, Figure] = field(default_factory=no_months)
    unbroken: Figure = field(default_factory=Figure)  # known only as a yearly total

    @property
    def last_month(self) -> int:
        return max((m for m, f in self.months.items() if f.known), default=0)

    @property
    def coverage(self) -> int:
        """Months of the year the data covers: the last month known, or 12 when the year
        is known as a total only."""
        if self.last_month:
            return self.last_month
        return 12 if self.total.known else 0

    def merge(self, other: "YearData") -> None:
        if other.total.known:
            self.total.add(other.total.value, other.total.synthetic)
        for m, f in other.months.items():
            if f.known:
                self.months[m].add(f.value, f.synthetic)
        if other.unbroken.known:
            self.unbroken.add(other.unbroken.value, other.unbroken.synthetic)


def combine(year_datas: Iterable[YearData]) -> YearData:
    combined = YearData()
    for yd in year_datas:
        combined.merge(yd)
    return combined


# {(region_id, year): YearData} — or {(branch_id, year): YearData} for branch_facts.
Facts = dict[tuple[int, int], YearData]


def synthetic_source_ids() -> list[int]:
    """The synthetic sources (`Source.objects.synthetic()`), read once per data version."""
    return memoize("synthetic_source_ids", "", read_synthetic_source_ids)


def read_synthetic_source_ids() -> list[int]:
    return list(Source.objects.synthetic().values_list("pk", flat=True))


def _grouped(qs: QuerySet[ContractCount], *fields: str, synthetic: Sequence[int]) -> QuerySet:
    """Counts grouped by series, granularity and `fields`, with how many synthetic rows
    went into each group: read from the rollup (`contracts.rollup`) when it can answer the
    filter of `qs` exactly, else from the counts. The synthetic sources (a handful of ids)
    are given instead of joining every row to its source."""
    synthetic_q = Q(source_id__in=list(synthetic))
    rollup = rollup_of(qs)
    if rollup is not None:
        return (
            rollup.values(*GROUPED, *fields)
            .annotate(total=Sum("total"), synthetic=Count("pk", filter=synthetic_q))
            .order_by()
        )
    return (
        qs.annotate(
            by_branch=ExpressionWrapper(Q(branch__isnull=False), output_field=BooleanField()),
            by_month=ExpressionWrapper(Q(month__isnull=False), output_field=BooleanField()),
            by_department=ExpressionWrapper(
                Q(department__isnull=False), output_field=BooleanField()
            ),
        )
        .values(*GROUPED, *fields)
        .annotate(total=Sum("count"), synthetic=Count("pk", filter=synthetic_q))
        .order_by()
    )


def _fetch(qs: QuerySet) -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    """The rows of a grouped `values()` queryset as tuples, with {column: index}: the
    ORM's own SQL, without its per-row work (a third of the time on 15 000 rows)."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = {column[0]: i for i, column in enumerate(cursor.description)}
        return names, cursor.fetchall()


class _Columns:
    """Indexes of the grouped query's columns in a fetched row."""

    def __init__(self, names: dict[str, int]) -> None:
        self.region, self.year, self.type = (
            names["region_id"],
            names["year"],
            names["contract_type"],
        )
        self.by_branch, self.by_month = names["by_branch"], names["by_month"]
        self.by_department = names["by_department"]
        self.month, self.total, self.synthetic = names["month"], names["total"], names["synthetic"]
        self.branch = names.get("branch_id", -1)
        self.department = names.get("department_id", -1)

    def level(self, row: tuple[Any, ...]) -> int:
        return (
            int(row[self.by_department]) * BY_DEPARTMENT
            + int(row[self.by_branch]) * 2
            + int(row[self.by_month])
        )

    def series(self, row: tuple[Any, ...]) -> tuple[int, int, str]:
        return row[self.region], row[self.year], row[self.type]


def _series_levels(
    rows: list[tuple[Any, ...]], c: _Columns
) -> dict[tuple[int, int, str], tuple[int, int | None]]:
    """{series: (its coarsest level, its coarsest monthly level or None)}."""
    levels: dict[tuple[int, int, str], set[int]] = defaultdict(set)
    for row in rows:
        levels[c.series(row)].add(c.level(row))
    return {
        key: (min(found), min(found & MONTHLY_LEVELS, default=None))
        for key, found in levels.items()
    }


def contract_facts(qs: QuerySet[ContractCount], *, synthetic: Sequence[int]) -> Facts:
    """{(region_id, year): YearData} of every year of the filtered counts, the rule
    applied (1 query, cached under the data version)."""
    return memoize(
        "contract_facts",
        f"{query_key(qs)}|{sorted(synthetic)}",
        lambda: read_contract_facts(qs, synthetic=synthetic),
    )


def _rule_applied(
    qs: QuerySet[ContractCount], key: str, *, synthetic: Sequence[int]
) -> Facts | None:
    """{(key, year): YearData} from the rollup rows the rule already picked (a few hundred
    rows: each one's series' levels were found when the rollup was written), when the
    rollup can answer `qs` so (`rule_applied_of`); else None."""
    rollup = rule_applied_of(qs)
    if rollup is None:
        return None
    _names, rows = _fetch(
        rollup.values(key, "year", "month", "in_total", "in_months", "unbroken")
        .annotate(total=Sum("total"), synthetic=Count("pk", filter=Q(source_id__in=synthetic)))
        .order_by()
    )
    facts: defaultdict[tuple[int, int], YearData] = defaultdict(YearData)
    for key_id, year, month, in_total, in_months, unbroken, total, is_synthetic in rows:
        data = facts[(key_id, year)]
        is_synthetic = bool(is_synthetic)
        if in_total:
            data.total.add(total, is_synthetic)
        if in_months:
            data.months[month].add(total, is_synthetic)
        if unbroken:
            data.unbroken.add(total, is_synthetic)
    return dict(facts)


def read_contract_facts(qs: QuerySet[ContractCount], *, synthetic: Sequence[int]) -> Facts:
    """`contract_facts`, uncached."""
    applied = _rule_applied(qs, "region_id", synthetic=list(synthetic))
    if applied is not None:
        return applied
    names, rows = _fetch(_grouped(qs, "month", synthetic=synthetic))
    c = _Columns(names)
    series_levels = _series_levels(rows, c)
    facts: defaultdict[tuple[int, int], YearData] = defaultdict(YearData)
    for row in rows:
        coarsest, monthly = series_levels[c.series(row)]
        level = c.level(row)
        total, is_synthetic = row[c.total], bool(row[c.synthetic])
        data = facts[(row[c.region], row[c.year])]
        if level == coarsest:
            data.total.add(total, is_synthetic)
        if monthly is not None and level == monthly:
            data.months[row[c.month]].add(total, is_synthetic)
        elif monthly is None and level == coarsest:
            data.unbroken.add(total, is_synthetic)
    return dict(facts)


def branch_facts(
    qs: QuerySet[ContractCount], *, years: Iterable[int], synthetic: Sequence[int]
) -> Facts:
    """{(branch_id, year): YearData} from the counts known branch by branch: a branch's
    total is its series' coarsest granularity by branch (1 query, cached under the data
    version)."""
    years = sorted(years)
    return memoize(
        "branch_facts",
        f"{query_key(qs)}|{years}|{sorted(synthetic)}",
        lambda: read_branch_facts(qs, years=years, synthetic=synthetic),
    )


def read_branch_facts(
    qs: QuerySet[ContractCount], *, years: Iterable[int], synthetic: Sequence[int]
) -> Facts:
    """`branch_facts`, uncached."""
    return _read_breakdown(
        qs.filter(year__in=years, branch__isnull=False), "branch_id", synthetic=synthetic
    )


def department_facts(
    qs: QuerySet[ContractCount], *, years: Iterable[int], synthetic: Sequence[int]
) -> Facts:
    """{(department_id, year): YearData} from the counts known department by department: a
    department's total is its series' coarsest granularity by department; a region known
    only as a whole has no entry (its departments are unknown). 1 query, cached under
    the data version."""
    years = sorted(years)
    return memoize(
        "department_facts",
        f"{query_key(qs)}|{years}|{sorted(synthetic)}",
        lambda: _read_breakdown(
            qs.filter(year__in=years, department__isnull=False),
            "department_id",
            synthetic=synthetic,
        ),
    )


def _read_breakdown(qs: QuerySet[ContractCount], key: str, *, synthetic: Sequence[int]) -> Facts:
    """{(key, year): YearData} of counts that all carry `key` (a branch, a department):
    each one's total from its series' coarsest granularity among them, its months from
    their coarsest monthly granularity, or known only as a total when none has months."""
    applied = _rule_applied(qs, key, synthetic=list(synthetic))
    if applied is not None:
        return applied
    names, rows = _fetch(_grouped(qs, key, "month", synthetic=synthetic))
    c = _Columns(names)
    index = names[key]
    series_levels = _series_levels(rows, c)
    facts: defaultdict[tuple[int, int], YearData] = defaultdict(YearData)
    for row in rows:
        coarsest, monthly = series_levels[c.series(row)]
        level = c.level(row)
        total, is_synthetic = row[c.total], bool(row[c.synthetic])
        data = facts[(row[index], row[c.year])]
        if level == coarsest:
            data.total.add(total, is_synthetic)
            if monthly is None:
                data.unbroken.add(total, is_synthetic)
        if monthly is not None and level == monthly:
            data.months[row[c.month]].add(total, is_synthetic)
    return dict(facts)


def scope_facts(facts: Facts, region: Region | None) -> dict[int, YearData]:
    """{year: YearData} of one region (its own, not copied: the readers never change a
    YearData), or of France (the regions added up)."""
    if region is not None:
        return {year: data for (region_id, year), data in facts.items() if region_id == region.pk}
    by_year: defaultdict[int, list[YearData]] = defaultdict(list)
    for (region_id, year), data in facts.items():
        if region is None or region_id == region.pk:
            by_year[year].append(data)
    return {year: combine(datas) for year, datas in by_year.items()}
