"""What a contract import states, which statements it supersedes and which figures it
changes — computed before anything is written, so that the preview lists exactly what
the write does.

The *perimeter* of a file:

- counts (one line per cell): each cell the file states, in its series (region, year,
  contract type, public). The statements in force inside a stated cell — the cell
  itself and its finer breakdown — are superseded; coarser statements around it
  (Normandie's published 2021 total) stay, so do the other months and branches.
- contract lines (one line per contract): each month of each region and contract type
  the file gives, all branches and departments, both publics: a month of an export is
  the whole of that month (a branch with no contract that month has none).

Statements from a published document or a manual entry are never superseded: a file
whose perimeter holds one is refused, naming its line. A file that would make a
breakdown add up to more than its whole (`reconcile.Series.problems`) is refused too.
"""

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from akto_portal.formats import number
from akto_portal.models import Source
from contracts.imports.contracts import Lookups, period_label
from contracts.models import ContractCount, ContractRollup, ContractType, Public
from contracts.reconcile import BRANCH, PERIOD, PLACE, Cell, Series, contains
from contracts.rollup import (
    STATEMENT_FIELDS,
    SeriesKey,
    cell_rows,
    series_figures,
    series_q,
    synthetic_ids,
)

NEW_SOURCE = -1  # the source of the file's statements in a plan (not synthetic)
REPLACEABLE_KINDS = (Source.Kind.IMPORT, Source.Kind.SYNTHETIC)
MAX_CHANGES_KEPT = 500
Grain = ContractRollup.Grain
DIMENSION_LABELS = {PERIOD: "ses mois", BRANCH: "ses branches", PLACE: "ses départements"}


def fact_cell(key: tuple[Any, ...]) -> tuple[SeriesKey, Cell]:
    """(series, cell) of a fact key (`ContractCount.FACT_KEY`)."""
    region, branch, year, month, ctype, public, *department = key
    return (region, year, ctype, public), (department[0] if department else None, month, branch)


@dataclass
class Plan:
    """What writing the facts does: the statements it supersedes, the figures it
    changes, and why it cannot be written (errors: (the fact at fault or None,
    message)); `series`: those it touches, and `figures`: theirs once it is written
    (what their rollup becomes, `rollup.rollup_replace`)."""

    superseded: list[int] = field(default_factory=list)
    series: set[SeriesKey] = field(default_factory=set)
    # The statements in force once it is written, as STATEMENT_FIELDS, the file's with
    # the source NEW_SOURCE.
    after: list[tuple[Any, ...]] = field(default_factory=list)
    figures: dict[SeriesKey, Series] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    change_count: int = 0
    errors: list[tuple[tuple[Any, ...] | None, str]] = field(default_factory=list)


def plan(
    facts: dict[tuple[Any, ...], int],
    *,
    by_contract: bool,
    lookups: Lookups,
) -> Plan:
    result = Plan()
    stated: defaultdict[SeriesKey, dict[Cell, tuple[int, Any]]] = defaultdict(dict)
    for key, count in facts.items():
        series, cell = fact_cell(key)
        stated[series][cell] = (count, key)
    month_facts: dict[tuple[int, int, str, int | None], tuple[Any, ...]] = {}
    for key in facts:
        (region, year, ctype, _public), cell = fact_cell(key)
        month_facts.setdefault((region, year, ctype, cell[PERIOD]), key)

    def inside(series: SeriesKey, cell: Cell) -> tuple[Any, ...] | None:
        """The fact whose perimeter holds this statement, if any."""
        region, year, ctype, _public = series
        if by_contract:
            return month_facts.get((region, year, ctype, cell[PERIOD]))
        for outer, (_n, key) in stated.get(series, {}).items():
            if contains(outer, cell):
                return key
        return None

    regions_years = {(s[0], s[1]) for s in stated}
    rows = list(
        ContractCount.objects.filter(series_q(regions_years))
        .order_by()
        .values_list("pk", *STATEMENT_FIELDS, "source__kind", "source__title")
    )
    before: list[tuple[Any, ...]] = []
    after: list[tuple[Any, ...]] = []
    touched: set[SeriesKey] = set(stated)
    for pk, *statement, kind, title in rows:
        region, year, ctype, public, department, month, branch, _count, _source = statement
        series, cell = (region, year, ctype, public), (department, month, branch)
        before.append(tuple(statement))
        fact = inside(series, cell)
        if fact is None:
            after.append(tuple(statement))
            continue
        touched.add(series)
        if kind not in REPLACEABLE_KINDS:
            result.errors.append(
                (
                    fact,
                    f"{_cell_label(series, cell, lookups)} : ce chiffre vient de « {title} » "
                    "et un import ne le remplace pas",
                )
            )
        result.superseded.append(pk)
    new_source = NEW_SOURCE
    for series, cells in stated.items():
        for cell, (count, _key) in cells.items():
            after.append((*series, cell[PLACE], cell[PERIOD], cell[BRANCH], count, new_source))
    synthetic = synthetic_ids()
    old = series_figures((s for s in before if tuple(s[:4]) in touched), synthetic=synthetic)
    new = series_figures((s for s in after if tuple(s[:4]) in touched), synthetic=synthetic)
    result.series, result.figures, result.after = touched, new, after
    _changes(result, old, new, lookups)
    _problems(result, old, new, stated, lookups)
    return result


def figure_values(figures: dict[SeriesKey, Series]) -> dict[tuple[Any, ...], int]:
    return {
        (row[1], row[2], row[3], row[4], row[0], row[6], row[7], row[5]): row[8]
        for key, series in figures.items()
        for row in cell_rows(key, series, wanted=set(Grain))
    }


def _changes(
    result: Plan, old: dict[SeriesKey, Series], new: dict[SeriesKey, Series], lookups: Lookups
) -> None:
    before, after = figure_values(old), figure_values(new)
    changed = [k for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
    result.change_count = len(changed)

    def order(k: tuple[Any, ...]) -> tuple[Any, ...]:
        region, year, ctype, public, grain, branch, department, month = k
        name = (
            lookups.branch_names.get(branch, "")
            if grain == Grain.BRANCH
            else lookups.department_names.get(department, "")
            if grain == Grain.DEPARTMENT
            else ""
        )
        return (lookups.region_names[region], year, ctype, public, grain, name, month or 0)

    for k in heapq.nsmallest(MAX_CHANGES_KEPT, changed, key=order):
        region, year, ctype, public, grain, branch, department, month = k
        cell = (department, month, branch)
        result.changes.append(
            {
                "zone": _zone_label(region, cell, lookups),
                "period": period_label(year, month),
                "detail": _series_detail(ctype, public),
                "before": before.get(k),
                "after": after.get(k),
            }
        )


def _problems(
    result: Plan,
    old: dict[SeriesKey, Series],
    new: dict[SeriesKey, Series],
    stated: dict[SeriesKey, dict[Cell, tuple[int, Any]]],
    lookups: Lookups,
) -> None:
    known = {(key, p[0], p[1]) for key, series in old.items() for p in series.problems()}
    for key, series in new.items():
        for cell, dimension, total, value in series.problems():
            if (key, cell, dimension) in known:
                continue
            line = next(
                (
                    fact_key
                    for fact_cell_, (_n, fact_key) in stated.get(key, {}).items()
                    if contains(cell, fact_cell_) or contains(fact_cell_, cell)
                ),
                None,
            )
            result.errors.append(
                (
                    line,
                    f"{_cell_label(key, cell, lookups)} : {DIMENSION_LABELS[dimension]} "
                    f"totaliseraient {number(total)} contrats, plus que son chiffre "
                    f"({number(value)}) ; corrigez le fichier ou ce chiffre",
                )
            )


def _zone_label(region: int, cell: Cell, lookups: Lookups) -> str:
    department, _month, branch = cell
    zone = (
        lookups.department_names[department]
        if department is not None
        else lookups.region_names[region]
    )
    if branch is not None:
        zone += f" › {lookups.branch_names[branch]}"
    return zone


def _series_detail(ctype: str, public: str) -> str:
    detail = ContractType(ctype).label
    if public != Public.ALL:
        detail += f", {Public(public).label}"
    return detail


def _cell_label(series: SeriesKey, cell: Cell, lookups: Lookups) -> str:
    region, year, ctype, public = series
    return (
        f"{_zone_label(region, cell, lookups)} {period_label(year, cell[PERIOD])} "
        f"({_series_detail(ctype, public).lower()})"
    )


def contradictions(count: ContractCount) -> list[str]:
    """What a manual figure (saved in place of its earlier version, if any) would
    contradict in its series, in French; empty when nothing."""
    series = (count.region_id, count.year, count.contract_type, count.public)
    rows = list(
        ContractCount.objects.filter(
            region_id=count.region_id,
            year=count.year,
            contract_type=count.contract_type,
            public=count.public,
        )
        .order_by()
        .values_list(*STATEMENT_FIELDS, "pk")
    )
    before = [row[:-1] for row in rows]
    after = [row[:-1] for row in rows if row[-1] != count.pk]
    cell = (count.department_id, count.month, count.branch_id)
    after.append((*series, *cell, count.count, None))
    old = series_figures(before, synthetic=set())
    new = series_figures(after, synthetic=set())
    known = {(p[0], p[1]) for s in old.values() for p in s.problems()}
    lookups = Lookups()
    return [
        f"{_cell_label(series, where, lookups)} : {DIMENSION_LABELS[dimension]} "
        f"totaliseraient {number(total)} contrats, plus que son chiffre ({number(value)})"
        for s in new.values()
        for where, dimension, total, value in s.problems()
        if (where, dimension) not in known
    ]
