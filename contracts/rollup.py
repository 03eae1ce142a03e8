"""The contract rollup: the counts added up once, at write time, for the grouped reads.

`ContractRollup` holds, for every series (region, year, contract type, public),
granularity (by branch, by month, by department) and source, the sum of its contract
counts at three grains (see the model). Reading it instead of `contracts_contractcount`
gives `contracts.figures` the very rows its grouped query would give, from a few
thousand rows instead of every count.

Kept exactly right by one function, `rollup_refresh`, which computes again from the
counts the rollup rows of the (region, year) series a write touched, inside the write's
transaction. Every ORM write of counts calls it (`ContractCount.save`/`delete` and
`ContractCountQuerySet.bulk_create`/`bulk_update`/`update`/`delete`): imports and their
undoing, the admin, the services, `seed_demo`, `generate_synthetic`, factories in tests.
Raw SQL on the counts must call `rollup_refresh()` itself (`tests/contracts/
test_rollup.py` compares the whole rollup with a full recomputation).

`rollup_of(qs)` translates a filtered queryset of counts into the same filter on the
rollup, or None when the rollup cannot answer it exactly (a filter on a branch *and* a
department, on a source, on a count, anything but plain lookups): the readers then read
the counts.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import AND, WhereNode

from contracts.models import ContractCount, ContractRollup

Grain = ContractRollup.Grain
NONE = "CAST(NULL AS BIGINT)"  # typed: PostgreSQL gives an untyped NULL the type text
GRAINS = {
    Grain.SERIES: (NONE, NONE, ""),
    Grain.BRANCH: ("branch_id", NONE, "AND branch_id IS NOT NULL"),
    Grain.DEPARTMENT: (NONE, "department_id", "AND department_id IS NOT NULL"),
}
# The granularity of a count, as contracts.figures numbers it.
LEVEL = (
    "(CASE WHEN department_id IS NULL THEN 0 ELSE 4 END"
    " + CASE WHEN branch_id IS NULL THEN 0 ELSE 2 END"
    " + CASE WHEN month IS NULL THEN 0 ELSE 1 END)"
)
ROLLUP = ContractRollup._meta.db_table
COUNTS = ContractCount._meta.db_table


def _series_where(series: set[tuple[int, int]] | None) -> tuple[str, list[int]]:
    if series is None:
        return "1 = 1", []
    regions_by_year: defaultdict[int, set[int]] = defaultdict(set)
    for region_id, year in series:
        regions_by_year[year].add(region_id)
    parts, params = [], []
    for year, regions in sorted(regions_by_year.items()):
        parts.append(f"(year = %s AND region_id IN ({', '.join(['%s'] * len(regions))}))")
        params += [year, *sorted(regions)]
    return "(" + " OR ".join(parts) + ")", params


def _insert_sql(grain: int, where: str) -> str:
    """The rollup rows of one grain for the counts matching `where`, with the yearly-total
    rule applied within each series (region, year, type, public) of the grain: its
    coarsest granularity (level = by_department * 4 + by_branch * 2 + by_month, as in
    contracts.figures) and its coarsest monthly one."""
    branch, department, only = GRAINS[Grain(grain)]
    kept = "".join(f"{c}, " for c in (branch, department) if c != NONE)
    series = "region_id, year, contract_type, public"
    joined = " AND ".join(f"g.{c} = s.{c}" for c in series.split(", "))
    return (
        f"INSERT INTO {ROLLUP} (grain, region_id, year, contract_type, public, by_branch, "
        "by_month, by_department, month, branch_id, department_id, source_id, total, "
        "in_total, in_months, unbroken) "
        "WITH g AS ("
        f"SELECT {series}, month, {LEVEL} AS level, {branch} AS branch_id, "
        f"{department} AS department_id, source_id, SUM(count) AS total "
        f"FROM {COUNTS} WHERE {where} {only} "
        f"GROUP BY {series}, month, level, {kept}source_id), "
        f"s AS (SELECT {series}, MIN(level) AS coarsest, "
        "MIN(CASE WHEN level IN (1, 3, 5, 7) THEN level END) AS monthly "
        f"FROM g GROUP BY {series}) "
        f"SELECT {grain}, g.region_id, g.year, g.contract_type, g.public, "
        "g.level IN (2, 3, 6, 7), g.level IN (1, 3, 5, 7), g.level >= 4, g.month, "
        "g.branch_id, g.department_id, g.source_id, g.total, g.level = s.coarsest, "
        "COALESCE(g.level = s.monthly, 1 = 0), g.level = s.coarsest AND s.monthly IS NULL "
        f"FROM g JOIN s ON {joined}"
    )


def rollup_refresh(
    *, series: Iterable[tuple[int, int]] | None = None, using: str = "default"
) -> None:
    """Compute again from the counts the rollup of the (region_id, year) series given —
    of every series when None — in the caller's transaction."""
    wanted = None if series is None else set(series)
    if wanted is not None and not wanted:
        return
    where, params = _series_where(wanted)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROLLUP} WHERE {where}", params)
        for grain in GRAINS:
            cursor.execute(_insert_sql(grain, where), params)


# --- reading: a filter on the counts, on the rollup ---------------------------------------

PLAIN = {"region", "year", "month", "contract_type", "public"}
SERIES = {"region", "year", "contract_type", "public"}  # a filter on them keeps whole series
BREAKDOWNS = {"branch": "by_branch", "department": "by_department"}


def _lookups(qs: QuerySet[ContractCount]) -> list[Lookup] | None:
    """The filter of `qs` as plain lookups on its own columns, all to be met; None when it
    is anything else."""
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


def _translate(qs: QuerySet[ContractCount]) -> tuple[Q, int, bool] | None:
    """(the filter on the rollup, its grain, whether it keeps whole series of the grain)
    for the filter of `qs`, or None when the rollup cannot answer it exactly."""
    lookups = _lookups(qs)
    if lookups is None:
        return None
    q = Q()
    kept = set()  # the breakdowns the filter picks rows of (a branch, any department…)
    whole = True  # only whole series of one public, all the grain's rows of each
    public = False
    for lookup in lookups:
        name = lookup.lhs.target.name
        if name in BREAKDOWNS and lookup.lookup_name == "isnull":
            q &= Q(**{BREAKDOWNS[name]: not lookup.rhs})
            if lookup.rhs:
                whole = False
            else:
                kept.add(name)
        elif name in BREAKDOWNS and lookup.lookup_name in ("exact", "in"):
            q &= Q(**{f"{name}__{lookup.lookup_name}": lookup.rhs})
            kept.add(name)
            whole = False
        elif name in PLAIN:
            q &= Q(**{f"{name}__{lookup.lookup_name}": lookup.rhs})
            whole = whole and name in SERIES
            public = public or (name == "public" and lookup.lookup_name == "exact")
        else:
            return None
    if kept == {"branch"}:
        grain = Grain.BRANCH
    elif kept == {"department"}:
        grain = Grain.DEPARTMENT
    elif not kept:
        grain = Grain.SERIES
    else:
        return None  # a branch within a department: only the counts know
    return q, grain, whole and public


def rollup_of(qs: QuerySet[ContractCount]) -> QuerySet[ContractRollup] | None:
    """The rollup rows that add up to what `qs` groups, or None when the rollup cannot
    answer `qs` exactly (the caller reads the counts then)."""
    translated = _translate(qs)
    if translated is None:
        return None
    q, grain, _whole = translated
    return ContractRollup.objects.using(qs.db).filter(q, grain=grain)


def rule_applied_of(qs: QuerySet[ContractCount]) -> QuerySet[ContractRollup] | None:
    """The rollup rows that make the yearly totals and months of what `qs` groups, the
    rule already applied (`in_total`, `in_months`, `unbroken`): when `qs` keeps whole
    series of one public (filters on region, year, type and public only, or all the
    counts known by branch, or by department). None otherwise (`rollup_of` then)."""
    translated = _translate(qs)
    if translated is None or not translated[2]:
        return None
    q, grain, _whole = translated
    return ContractRollup.objects.using(qs.db).filter(
        q, Q(in_total=True) | Q(in_months=True), grain=grain
    )
