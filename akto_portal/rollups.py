"""The pre-aggregated tables of the apps (the contract rollup, the events rollup) and how
to compare each with a recomputation from its base tables: `manage.py rollup_check`
runs every check registered here by an app's `ready()` (the ground floor imports no app).
"""

from collections.abc import Callable

# {label: differences(using) -> lines by which the rollup differs; empty: it is right}
CHECKS: dict[str, Callable[[str], list[str]]] = {}


def register(label: str, differences: Callable[[str], list[str]]) -> None:
    CHECKS[label] = differences
