"""Contract figures as the pages read them: years, months and their sums.

What a figure is when statements exist at several grains is the reconciliation rule
(`contracts.reconcile`), applied at write time into the rollup (`contracts.rollup`).
A year is never counted twice; a series with no monthly figure is known only as a
yearly total (`YearData.unbroken`, never spread over months); a region known only as a
total has unknown departments (never a share of the total invented).

Every reader of contract counts goes through `contract_facts` / `branch_facts` /
`department_facts` (one grouped query each on the rollup, read as tuples, cached under
the data version): the dashboards (contracts.facts), the selectors (yearly totals,
breakdowns, market share) and the pace.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from akto_portal.cache import memoize, query_key
from akto_portal.models import Region, Source
from contracts.models import ContractCount
from contracts.rollup import STATEMENT_FIELDS, cell_rows, rollup_of, series_figures, wanted_grain


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
        """Months of the year the data covers: 12 when part of the year is known only as
        a yearly total (its months do not add up to it), else the last month known."""
        if self.unbroken.known:
            return 12
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
    return memoize("synthetic_source_ids", "", read_synthetic_source_ids, families=("contracts",))


def read_synthetic_source_ids() -> list[int]:
    return list(Source.objects.synthetic().values_list("pk", flat=True))


def _fetch(qs: QuerySet) -> list[tuple[Any, ...]]:
    """The rows of a grouped `values()` queryset as tuples: the ORM's own SQL, without
    its per-row work (a third of the time on 15 000 rows). No row for a queryset that
    cannot match one (`year__in=[]`), as the ORM answers."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _add(facts: defaultdict[tuple[int, int], YearData], row: tuple[Any, ...]) -> None:
    key_id, year, month, unbroken, total, is_synthetic = row
    data = facts[(key_id, year)]
    is_synthetic = bool(is_synthetic)
    if month is None:
        data.total.add(total, is_synthetic)
        if unbroken:
            data.unbroken.add(total, is_synthetic)
    else:
        data.months[month].add(total, is_synthetic)


def _read(qs: QuerySet[ContractCount], key: str, *, synthetic: Sequence[int]) -> Facts:
    """{(key, year): YearData} of the cells `qs` asks for (`rollup.wanted_grain`), the
    reconciliation rule applied: summed from the rollup (1 query), or, for cells it does
    not hold, by the same rule over the statements `qs` selects."""
    facts: defaultdict[tuple[int, int], YearData] = defaultdict(YearData)
    rollup = rollup_of(qs)
    if rollup is not None:
        rows = _fetch(
            rollup.values(key, "year", "month", "unbroken")
            .annotate(total=Sum("total"), synthetic=Count("pk", filter=Q(synthetic=True)))
            .order_by()
        )
        for row in rows:
            _add(facts, row)
        return dict(facts)
    grain = wanted_grain(qs)
    figures = series_figures(
        qs.order_by().values_list(*STATEMENT_FIELDS), synthetic=set(synthetic), using=qs.db
    )
    index = {"region_id": 1, "branch_id": 6, "department_id": 7}[key]
    grouped: defaultdict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for series_key, series in figures.items():
        for row in cell_rows(series_key, series, wanted={grain}):
            # (grain, region, year, type, public, month, branch, department, total, …)
            sums = grouped[(row[index], row[2], row[5], row[10])]
            sums[0] += row[8]
            sums[1] += row[9]
    for (key_id, year, month, unbroken), (total, is_synthetic) in grouped.items():
        _add(facts, (key_id, year, month, unbroken, total, is_synthetic))
    return dict(facts)


def contract_facts(qs: QuerySet[ContractCount], *, synthetic: Sequence[int]) -> Facts:
    """{(region_id, year): YearData} of every year of the filtered counts, the rule
    applied (1 query, cached under the data version)."""
    return memoize(
        "contract_facts",
        f"{query_key(qs)}|{sorted(synthetic)}",
        lambda: read_contract_facts(qs, synthetic=synthetic),
        families=("contracts",),
    )


def read_contract_facts(qs: QuerySet[ContractCount], *, synthetic: Sequence[int]) -> Facts:
    """`contract_facts`, uncached."""
    return _read(qs, "region_id", synthetic=synthetic)


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
        families=("contracts",),
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
        families=("contracts",),
    )


def _read_breakdown(qs: QuerySet[ContractCount], key: str, *, synthetic: Sequence[int]) -> Facts:
    """{(key, year): YearData} of the branches or departments of `qs`."""
    return _read(qs, key, synthetic=synthetic)


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
