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
GRAINS = {
    Grain.SERIES: ("NULL", "NULL", ""),
    Grain.BRANCH: ("branch_id", "NULL", "AND branch_id IS NOT NULL"),
    Grain.DEPARTMENT: ("NULL", "department_id", "AND department_id IS NOT NULL"),
}
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
        for grain, (branch, department, only) in GRAINS.items():
            granularity = (
                "region_id, year, contract_type, public, branch_id IS NOT NULL, "
                "month IS NOT NULL, department_id IS NOT NULL, month"
            )
            cursor.execute(
                f"INSERT INTO {ROLLUP} (grain, region_id, year, contract_type, public, "
                "by_branch, by_month, by_department, month, branch_id, department_id, "
                f"source_id, total) SELECT {int(grain)}, {granularity}, {branch}, "
                f"{department}, source_id, SUM(count) FROM {COUNTS} WHERE {where} {only} "
                f"GROUP BY {granularity}, {branch}, {department}, source_id",
                params,
            )


# --- reading: a filter on the counts, on the rollup ---------------------------------------

PLAIN = {"region", "year", "month", "contract_type", "public"}
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


def rollup_of(qs: QuerySet[ContractCount]) -> QuerySet[ContractRollup] | None:
    """The rollup rows that add up to what `qs` groups, or None when the rollup cannot
    answer `qs` exactly (the caller reads the counts then)."""
    lookups = _lookups(qs)
    if lookups is None:
        return None
    q = Q()
    kept = set()  # the breakdowns the filter picks rows of (a branch, any department…)
    for lookup in lookups:
        name = lookup.lhs.target.name
        if name in BREAKDOWNS and lookup.lookup_name == "isnull":
            q &= Q(**{BREAKDOWNS[name]: not lookup.rhs})
            if not lookup.rhs:
                kept.add(name)
        elif name in BREAKDOWNS and lookup.lookup_name in ("exact", "in"):
            q &= Q(**{f"{name}__{lookup.lookup_name}": lookup.rhs})
            kept.add(name)
        elif name in PLAIN:
            q &= Q(**{f"{name}__{lookup.lookup_name}": lookup.rhs})
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
    return ContractRollup.objects.using(qs.db).filter(q, grain=grain)
