"""The contract rollup: every series' figures, the reconciliation rule applied at write
time (`contracts.reconcile`), for the readers of `contracts.figures`.

`ContractRollup` holds, for every series (region, year, contract type, public), the
figure of each cell the readers need: the region (grain SERIES), each branch of the
region (BRANCH), each department (DEPARTMENT), each for the year and its months.

Kept exactly right by one function, `rollup_refresh`, which computes again from the
statements in force the rows of the (region, year) series a write touched, inside the
write's transaction, under a lock per series (PostgreSQL; SQLite serializes writers).
Every ORM write of counts calls it (`ContractCount.save`/`delete` and
`ContractCountQuerySet.bulk_create`/`bulk_update`/`update`/`delete`; `loaddata` through
a signal); `rollup_deferred()` makes the writes of one block refresh once, at its end.
Raw SQL on the counts must call `rollup_refresh()` itself — or, when the writer has
already computed the figures of the series it changes from the statements in force after
its write, read under `rollup_lock` in its transaction (an import's plan,
`contracts.statements.plan`), write them with `rollup_replace`. `manage.py rollup_check`
compares the whole rollup with a recomputation.

`rollup_of(qs)` translates a filtered queryset of counts into the same filter on the
rollup, or None when the rollup does not hold the cells asked for (a branch *and* a
department, a filter on a source…): `facts_from_statements` then applies the same rule
in Python to the statements the queryset selects.
"""

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import AND, WhereNode

from akto_portal.models import Branch, Department, Source
from akto_portal.rollups import lock_for_refresh
from contracts.imports.bulk import bulk_insert
from contracts.models import ContractCount, ContractRollup
from contracts.reconcile import Cell, Series

Grain = ContractRollup.Grain
COUNTS = ContractCount._meta.db_table
SERIES_LOCK = 4_202_206  # the first key of the per-series advisory locks
Row = tuple[Any, ...]
# (region_id, year, contract_type, public)
SeriesKey = tuple[int, int, str, str]


def _grain_of(cell: Cell) -> int | None:
    department, _month, branch = cell
    if department is None:
        return Grain.SERIES if branch is None else Grain.BRANCH
    return Grain.DEPARTMENT if branch is None else None


def sizes(using: str = "default") -> tuple[dict[int, int], int]:
    """The atoms' universe of the rule: {region_id: its number of departments} and the
    number of branches."""
    departments = dict(
        Department.objects.using(using)
        .values("region")
        .annotate(n=Count("pk"))
        .values_list("region", "n")
        .order_by()
    )
    return departments, Branch.objects.using(using).count()


def series_figures(
    statements: Iterable[tuple[Any, ...]], *, synthetic: set[int], using: str = "default"
) -> dict[SeriesKey, Series]:
    """{series: its Series} from statements as (region_id, year, contract_type, public,
    department_id, month, branch_id, count, source_id)."""
    departments, branches = sizes(using)
    grouped: defaultdict[SeriesKey, dict[Cell, tuple[int, bool]]] = defaultdict(dict)
    for region, year, ctype, public, department, month, branch, count, source in statements:
        grouped[(region, year, ctype, public)][(department, month, branch)] = (
            count,
            source in synthetic,
        )
    return {
        key: Series(cells, departments=departments.get(key[0], 1), branches=branches)
        for key, cells in grouped.items()
    }


def cell_rows(key: SeriesKey, series: Series, *, wanted: set[int | None]) -> Iterator[Row]:
    """(grain, region, year, type, public, month, branch, department, total, synthetic,
    unbroken) of the series' cells of the grains `wanted` (None: a department's branch)."""
    region, year, ctype, public = key
    # A yearly figure its months do not add up to (none known, or a stated total beside
    # some of its months) is "unbroken": part of the year is known only as a total.
    month_sums: defaultdict[tuple[int | None, int | None], int] = defaultdict(int)
    for (d, m, b), figure in series.figures.items():
        if m is not None:
            month_sums[(d, b)] += figure.value
    for (department, month, branch), figure in series.figures.items():
        grain = _grain_of((department, month, branch))
        if grain not in wanted:
            continue
        unbroken = month is None and month_sums.get((department, branch)) != figure.value
        yield (
            grain,
            region,
            year,
            ctype,
            public,
            month,
            branch,
            department,
            figure.value,
            figure.synthetic,
            unbroken,
        )


STATEMENT_FIELDS = (
    "region_id",
    "year",
    "contract_type",
    "public",
    "department_id",
    "month",
    "branch_id",
    "count",
    "source_id",
)


def series_q(series: set[tuple[int, int]]) -> Q:
    regions_by_year: defaultdict[int, set[int]] = defaultdict(set)
    for region_id, year in series:
        regions_by_year[year].add(region_id)
    q = Q(pk__in=[])
    for year, regions in regions_by_year.items():
        q |= Q(year=year, region_id__in=sorted(regions))
    return q


_deferred = threading.local()


@contextmanager
def rollup_deferred(using: str = "default") -> Iterator[None]:
    """Within the block (and its transaction), writes of counts collect the series they
    touch and the rollup is refreshed once, at the end of the block."""
    pending: set[tuple[int, int]] | None = getattr(_deferred, "series", None)
    if pending is not None:  # nested: the outer block refreshes
        yield
        return
    _deferred.series = set()
    try:
        with transaction.atomic(using=using):
            yield
            series, _deferred.series = _deferred.series, None
            rollup_refresh(series=series, using=using)
    finally:
        _deferred.series = None


def rollup_lock(series: set[tuple[int, int]], *, using: str = "default") -> None:
    """Take the locks of these (region_id, year) series until the end of the transaction:
    no other writer refreshes them meanwhile, so figures computed from the statements read
    after this stay right until the commit (`rollup_replace`)."""
    _lock(series, using)


def rollup_replace(
    series: Iterable[SeriesKey], figures: Mapping[SeriesKey, Series], *, using: str = "default"
) -> None:
    """Replace the rollup rows of these series by the figures of their cells (`figures`:
    those of the series that still hold statements).

    For a writer that computed `figures` (`series_figures`) from the statements in force
    after its write, read under `rollup_lock` in the same transaction: what
    `rollup_refresh` would compute again, without reading the statements a second time."""
    by_kind: defaultdict[tuple[int, str, str], set[int]] = defaultdict(set)
    for region_id, year, ctype, public in {*series, *figures}:
        by_kind[(year, ctype, public)].add(region_id)
    if not by_kind:
        return
    q = Q(pk__in=[])
    for (year, ctype, public), regions in by_kind.items():
        q |= Q(year=year, contract_type=ctype, public=public, region_id__in=sorted(regions))
    ContractRollup.objects.using(using).filter(q).delete()
    bulk_insert(
        ContractRollup,
        ROLLUP_FIELDS,
        (
            row
            for key, series in figures.items()
            for row in cell_rows(key, series, wanted=set(Grain))
        ),
        using=using,
    )


def _lock(series: set[tuple[int, int]] | None, using: str) -> None:
    """Refreshes of one series run one at a time; a whole refresh locks the table."""
    lock_for_refresh(ContractRollup._meta.db_table, SERIES_LOCK, series, using)


def synthetic_ids(using: str = "default") -> set[int]:
    return set(Source.objects.using(using).synthetic().values_list("pk", flat=True))


def rollup_refresh(
    *, series: Iterable[tuple[int, int]] | None = None, using: str = "default"
) -> None:
    """Compute again from the statements in force the rollup of the (region_id, year)
    series given — of every series when None — in the caller's transaction."""
    wanted = None if series is None else set(series)
    if wanted is not None and not wanted:
        return
    pending = getattr(_deferred, "series", None)
    if pending is not None:
        if wanted is None:
            wanted = set(
                ContractCount.statements.using(using).values_list("region_id", "year").distinct()
            ) | set(ContractRollup.objects.using(using).values_list("region_id", "year").distinct())
        pending |= wanted
        return
    with transaction.atomic(using=using):
        _lock(wanted, using)
        rollup = ContractRollup.objects.using(using)
        counts = ContractCount.objects.using(using).order_by()
        if wanted is not None:
            rollup = rollup.filter(series_q(wanted))
            counts = counts.filter(series_q(wanted))
        rollup.delete()  # no relation points to the rollup: one DELETE
        figures = series_figures(
            counts.values_list(*STATEMENT_FIELDS).iterator(chunk_size=10_000),
            synthetic=synthetic_ids(using),
            using=using,
        )
        bulk_insert(
            ContractRollup,
            ROLLUP_FIELDS,
            (
                row
                for key, figure in figures.items()
                for row in cell_rows(key, figure, wanted=set(Grain))
            ),
            using=using,
        )


def rollup_differences(using: str = "default") -> list[str]:
    """The rows by which the rollup differs from a recomputation (empty: it is right)."""
    fields = [f.attname for f in ContractRollup._meta.concrete_fields if f.name != "id"]
    stored = set(ContractRollup.objects.using(using).values_list(*fields))
    figures = series_figures(
        ContractCount.objects.using(using).values_list(*STATEMENT_FIELDS),
        synthetic=synthetic_ids(using),
        using=using,
    )
    names = [f.name for f in ContractRollup._meta.concrete_fields if f.name != "id"]
    order = [names.index(n) for n in _ROW_ORDER]
    computed = set()
    for key, figure in figures.items():
        for row in cell_rows(key, figure, wanted=set(Grain)):
            by_field = [None] * len(fields)
            for index, value in zip(order, row, strict=True):
                by_field[index] = value
            computed.add(tuple(by_field))
    missing = [f"manquante : {dict(zip(fields, r, strict=True))}" for r in computed - stored]
    extra = [f"en trop : {dict(zip(fields, r, strict=True))}" for r in stored - computed]
    return sorted(missing) + sorted(extra)


# The rollup's columns in the order of `cell_rows`.
ROLLUP_FIELDS = (
    "grain",
    "region_id",
    "year",
    "contract_type",
    "public",
    "month",
    "branch_id",
    "department_id",
    "total",
    "synthetic",
    "unbroken",
)
_ROW_ORDER = (
    "grain",
    "region",
    "year",
    "contract_type",
    "public",
    "month",
    "branch",
    "department",
    "total",
    "synthetic",
    "unbroken",
)


# --- reading: a filter on the counts, on the rollup ---------------------------------------

PLAIN = {"region", "year", "month", "contract_type", "public"}
BREAKDOWNS = {"branch", "department"}


def _lookups(qs: QuerySet[ContractCount]) -> list[Lookup] | None:
    """The filter of `qs` as plain lookups on its own columns, all to be met; None when it
    is anything else. (The in-force filter of the manager is part of every queryset.)"""
    query = qs.query
    joined = [alias for alias in query.alias_map if alias != COUNTS and query.alias_refcount[alias]]
    if (
        qs.model is not ContractCount
        or joined
        or query.is_sliced
        or query.distinct
        or query.combinator
    ):
        return None
    lookups: list[Lookup] = []

    def walk(node: Any) -> bool:
        if isinstance(node, WhereNode):
            if node.negated or (node.connector != AND and len(node.children) > 1):
                return False
            return all(walk(child) for child in node.children)
        if not isinstance(node, Lookup) or not isinstance(node.lhs, Col):
            return False
        if node.lhs.alias != COUNTS:
            return False
        if hasattr(node.rhs, "resolve_expression"):
            return False
        lookups.append(node)
        return True

    return lookups if walk(query.where) else None


def wanted_grain(qs: QuerySet[ContractCount]) -> int | None:
    """The grain of the cells `qs` asks for: a filter on branches asks for branch cells,
    on departments for department cells, on both for a department's branches (None)."""
    kept = set()
    for lookup in _lookups(qs) or []:
        name = lookup.lhs.target.name
        if name in BREAKDOWNS and not (lookup.lookup_name == "isnull" and lookup.rhs):
            kept.add(name)
    if kept == {"branch"}:
        return Grain.BRANCH
    if kept == {"department"}:
        return Grain.DEPARTMENT
    return Grain.SERIES if not kept else None


def rollup_of(qs: QuerySet[ContractCount]) -> QuerySet[ContractRollup] | None:
    """The rollup rows of the cells `qs` asks for, or None when the rollup does not hold
    them (a department's branches; a filter on anything but region, year, month, type,
    public, branch and department; `branch`/`department` asked to be empty)."""
    lookups = _lookups(qs)
    if lookups is None:
        return None
    q = Q()
    for lookup in lookups:
        name = lookup.lhs.target.name
        if name == "superseded_by" and lookup.lookup_name == "isnull" and lookup.rhs:
            continue  # the manager's: the rollup holds the statements in force only
        if name in BREAKDOWNS:
            if lookup.lookup_name == "isnull":
                if lookup.rhs:
                    return None
                continue
            if lookup.lookup_name not in ("exact", "in"):
                return None
        elif name not in PLAIN:
            return None
        q &= Q(**{f"{name}__{lookup.lookup_name}": lookup.rhs})
    grain = wanted_grain(qs)
    if grain is None:
        return None
    return ContractRollup.objects.using(qs.db).filter(q, grain=grain)
