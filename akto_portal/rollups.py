"""The pre-aggregated tables of the apps (the contract rollup, the events rollup) and how
to compare each with a recomputation from its base tables: `manage.py rollup_check`
runs every check registered here by an app's `ready()` (the ground floor imports no app).
"""

from collections.abc import Callable, Iterable

from django.db import connections

# {label: differences(using) -> lines by which the rollup differs; empty: it is right}
CHECKS: dict[str, Callable[[str], list[str]]] = {}


def register(label: str, differences: Callable[[str], list[str]]) -> None:
    CHECKS[label] = differences


def lock_for_refresh(
    table: str, namespace: int, pairs: Iterable[tuple[int, int]] | None, using: str
) -> None:
    """Refreshes of one (region, year) of a rollup run one at a time (PostgreSQL advisory
    locks in `namespace`, taken in one order: no deadlock); `pairs` None, a whole refresh,
    locks the table. SQLite: one writer at a time already."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if pairs is None:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            return
        for region_id, year in sorted(set(pairs)):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [namespace, region_id * 10_000 + year]
            )
