"""Contract figures of a dashboard scope: the counts grouped once (contracts.figures,
where the yearly-total rule lives), the pace against target of the scope and of every
region, the years and the branches."""

import datetime
from dataclasses import dataclass, field
from typing import Protocol, TypedDict

from django.db.models import QuerySet

from akto_portal.cache import memoize, query_key
from akto_portal.models import Branch, Department, Region
from contracts import selectors as contracts
from contracts.figures import (
    Facts,
    Figure,
    YearData,
    branch_facts,
    department_facts,
    growth_pct,
    read_branch_facts,
    read_contract_facts,
    scope_facts,
    synthetic_source_ids,
)
from contracts.models import ContractCount, ContractTarget
from contracts.pace import (
    SEASONALITY_YEARS,
    Pace,
    cumulative,
    months_elapsed,
    pace,
    period_label,
)


@dataclass
class YearRow:
    """One year of a scope. A year the data covers only in part (the year in progress:
    2026 known through October) is compared over the same months of the year before and
    labelled so ("janv.–oct. 2026"); a whole year with the whole year before."""

    year: int
    months: int  # months counted, 1..12
    contracts: Figure | None  # None: unknown (e.g. known only as a yearly total)
    previous: Figure | None
    target: ContractTarget | None = None
    growth: float | None = field(init=False)
    target_pct: float | None = field(init=False)

    def __post_init__(self) -> None:
        self.growth = (
            growth_pct(self.contracts.value, self.previous.value)
            if self.contracts and self.previous
            else None
        )
        self.target_pct = (
            round(self.contracts.value * 100 / self.target.value, 1)
            if self.target and self.target.value and self.contracts
            else None
        )

    @property
    def whole_year(self) -> bool:
        return self.months >= 12

    @property
    def label(self) -> str:
        return str(self.year) if self.whole_year else period_label(self.year, self.months)


def year_row(
    by_year: dict[int, YearData], year: int, *, months: int, target: ContractTarget | None
) -> YearRow:
    return YearRow(
        year=year,
        months=months,
        contracts=cumulative(by_year.get(year), months),
        previous=cumulative(by_year.get(year - 1), months),
        target=target,
    )


# --- Dashboards -------------------------------------------------------------------------


def months_through(scope: "ContractScope", by_year: dict[int, YearData]) -> int:
    """Whole months counted for the scope's year: elapsed at the date, and covered by the
    data (2026 is known through October)."""
    current = by_year.get(scope.year)
    coverage = current.coverage if current else 0
    return min(months_elapsed(scope.as_of, scope.year), coverage or 12)


def pace_of(
    by_year: dict[int, YearData],
    *,
    scope: "ContractScope",
    through: int,
    target: ContractTarget | None,
) -> Pace:
    return pace(
        year=scope.year,
        through=through,
        current=by_year.get(scope.year),
        previous=by_year.get(scope.year - 1),
        past=[by_year.get(scope.year - n) for n in range(1, SEASONALITY_YEARS + 1)],
        target=target if scope.targets_apply else None,
        targets_apply=scope.targets_apply,
    )


class ContractScope(Protocol):
    """What the contract figures need to know of a dashboard's scope
    (dashboards.filters.Scope)."""

    region: Region | None
    year: int
    as_of: datetime.date
    branch: Branch | None
    contract_type: str
    public: str
    date_given: bool
    department: Department | None  # one department of `region`

    @property
    def targets_apply(self) -> bool: ...

    def region_scope(self) -> "ContractScope":
        """The same scope for the department's whole region."""
        ...


@dataclass
class Dashboard:
    """Every contract figure of one scope: its pace (the headline), France's pace (the
    regions table's total), each region's pace over the same months, its years, its
    branches."""

    scope: ContractScope
    regions: list[Region]
    by_year: dict[int, YearData]
    through: int
    pace: Pace
    national: Pace
    region_paces: list[tuple[Region, Pace]]
    year_rows: list[YearRow]
    branch_rows: list["BranchRow"]
    unbranched: "Unbranched | None"  # the part of the total not known by branch


def _scope_key(filtered: QuerySet[ContractCount], scope: ContractScope) -> str:
    return (
        f"{query_key(filtered)}|{scope.region.pk if scope.region else ''}|{scope.year}|"
        f"{scope.as_of}|{scope.branch.pk if scope.branch else ''}|{scope.contract_type}|"
        f"{scope.public}|{scope.date_given}|{scope.department.pk if scope.department else ''}"
    )


def contracts_dashboard(filtered: QuerySet[ContractCount], scope: ContractScope) -> Dashboard:
    """Every contract figure of a dashboard page (6 queries: synthetic sources, rollup,
    regions, targets, rollup by branch, branch names; cached under the data version).
    A department's page: `department_dashboard`, over its region's."""
    if scope.department is not None:
        region = contracts_dashboard(filtered, scope.region_scope())
        return department_dashboard(filtered, scope, region)
    key = _scope_key(filtered, scope)
    return memoize(
        "contracts_dashboard",
        key,
        lambda: _contracts_dashboard(filtered, scope),
        families=("contracts",),
    )


def _contracts_dashboard(filtered: QuerySet[ContractCount], scope: ContractScope) -> Dashboard:
    synthetic = synthetic_source_ids()
    # Read uncached: the dashboard is cached whole (a few hundred rollup rows read again
    # cost less than pickling every region's years into the cache beside it).
    facts = read_contract_facts(filtered, synthetic=synthetic)
    regions = list(Region.objects.all())
    targets = memoize(
        "targets",
        str(scope.public),
        lambda: contracts.targets(public=scope.public),
        families=("contracts",),
    )
    by_year = scope_facts(facts, scope.region)
    through = months_through(scope, by_year)
    region_id = scope.region.id if scope.region else None
    main = pace_of(
        by_year, scope=scope, through=through, target=targets.get((region_id, scope.year))
    )
    national = (
        main
        if scope.region is None
        else pace_of(
            scope_facts(facts, None),
            scope=scope,
            through=through,
            target=targets.get((None, scope.year)),
        )
    )
    region_paces = [
        (
            region,
            pace_of(
                scope_facts(facts, region),
                scope=scope,
                through=through,
                target=targets.get((region.id, scope.year)),
            ),
        )
        for region in regions
    ]
    year_rows = [
        year_row(
            by_year,
            year,
            months=through if year == scope.year else (data.coverage or 12),
            target=targets.get((region_id, year)) if scope.targets_apply else None,
        )
        for year, data in sorted(by_year.items())
    ]
    branch_qs = filtered.filter(region=scope.region) if scope.region else filtered
    branch_rows, unbranched = _branch_rows(
        read_branch_facts(branch_qs, years=[scope.year, scope.year - 1], synthetic=synthetic),
        main,
        scope,
        through,
    )
    return Dashboard(
        scope,
        regions,
        by_year,
        through,
        main,
        national,
        region_paces,
        year_rows,
        branch_rows,
        unbranched,
    )


class BranchRow(TypedDict):
    branch: Branch
    name: str
    contracts: int | None
    previous: int | None
    growth: float | None
    synthetic: bool
    share: float | None


class Unbranched(TypedDict):
    name: str
    contracts: int


def _branch_rows(
    facts: Facts, main: Pace, scope: ContractScope, through: int
) -> tuple[list[BranchRow], Unbranched | None]:
    branches = {b.pk: b for b in Branch.objects.filter(pk__in={b for b, _y in facts})}
    rows: list[BranchRow] = []
    for branch_id, branch in branches.items():
        current = cumulative(facts.get((branch_id, scope.year)), through)
        previous = cumulative(facts.get((branch_id, scope.year - 1)), through)
        if current is None and previous is None:
            continue
        rows.append(
            {
                "branch": branch,
                "name": str(branch),
                "contracts": current.value if current else None,
                "previous": previous.value if previous else None,
                "growth": growth_pct(current.value, previous.value)
                if current and previous
                else None,
                "synthetic": bool(current and current.synthetic),
                "share": None,
            }
        )
    rows.sort(key=lambda r: -(r["contracts"] or 0))
    total = main.contracts
    by_branch = sum(r["contracts"] or 0 for r in rows)
    unbranched: Unbranched | None = None
    if total is not None and total != by_branch:
        unbranched = {"name": "Non ventilé par branche", "contracts": total - by_branch}
    for row in rows:
        share_of = row["contracts"]
        row["share"] = round(share_of * 100 / total, 1) if total and share_of else None
    return rows, unbranched


# --- Departments --------------------------------------------------------------------------


class DepartmentRow(TypedDict):
    department: Department
    code: str
    name: str
    contracts: int | None  # None: unknown (the region is not known by department)
    previous: int | None
    growth: float | None
    synthetic: bool
    share: float | None  # of the region's contracts, %


@dataclass
class Departments:
    """The contract figures of a region's departments over the scope's months: a
    department's figure comes from the counts known department by department
    (`contracts.figures.department_facts`); the region's total stays the headline, and
    the part of it not known by department is shown as such, never spread."""

    rows: list[DepartmentRow]
    unassigned: int | None  # headline minus the departments' sum, when both are known


def contracts_by_department(filtered: QuerySet[ContractCount], dashboard: Dashboard) -> Departments:
    """The departments of the dashboard's region (2 queries: departments, counts by
    department, the latter cached under the data version)."""
    scope = dashboard.scope
    if scope.region is None:
        return Departments([], None)
    region = scope.region
    departments = list(Department.objects.filter(region=region).order_by("code"))
    facts = department_facts(
        filtered.filter(region=region),
        years=[scope.year, scope.year - 1],
        synthetic=synthetic_source_ids(),
    )
    through = dashboard.through
    total = dashboard.pace.contracts
    rows: list[DepartmentRow] = []
    for department in departments:
        current = cumulative(facts.get((department.pk, scope.year)), through)
        previous = cumulative(facts.get((department.pk, scope.year - 1)), through)
        value = current.value if current else None
        rows.append(
            {
                "department": department,
                "code": department.code,
                "name": department.name,
                "contracts": value,
                "previous": previous.value if previous else None,
                "growth": growth_pct(value, previous.value) if current and previous else None,
                "synthetic": bool(current and current.synthetic),
                "share": round(value * 100 / total, 1) if total and value else None,
            }
        )
    known = [r["contracts"] for r in rows if r["contracts"] is not None]
    unassigned = None
    if total is not None and known and sum(known) != total:
        unassigned = total - sum(known)
    return Departments(rows, unassigned)


# --- One department ----------------------------------------------------------------------


def department_dashboard(
    filtered: QuerySet[ContractCount], scope: ContractScope, region: Dashboard
) -> Dashboard:
    """Every contract figure of one department (`scope.department`), over the months of
    its region's page (`region`: the region's dashboard, same filters): its years from
    the counts known department by department (`contracts.figures.department_facts`,
    the same reader as the region's department table, so the department's headline is its
    row there), its branches from the counts known by branch in the department, its pace
    against its own target when it has one. The comparison parts (France's pace, the
    regions) are the region's. 3 to 4 queries, cached under the data version."""
    return memoize(
        "department_dashboard",
        _scope_key(filtered, scope),
        lambda: _department_dashboard(filtered, scope, region),
        families=("contracts",),
    )


def _department_dashboard(
    filtered: QuerySet[ContractCount], scope: ContractScope, region: Dashboard
) -> Dashboard:
    department = scope.department
    assert department is not None and scope.region is not None
    synthetic = synthetic_source_ids()
    in_region = filtered.filter(region=scope.region)
    facts = department_facts(in_region, years=sorted(region.by_year), synthetic=synthetic)
    by_year = {year: data for (pk, year), data in facts.items() if pk == department.pk}
    through = region.through
    targets = (
        contracts.department_targets(region=scope.region, public=scope.public)
        if scope.targets_apply
        else {}
    )
    main = pace_of(
        by_year, scope=scope, through=through, target=targets.get((department.pk, scope.year))
    )
    main.notes[:0] = _department_notes(region.by_year, by_year, scope)
    if scope.targets_apply and main.target is None:
        main.notes.append(
            f"Pas d'objectif départemental pour {department.name} en {scope.year} : "
            "pas de niveau attendu ni de rythme (l'objectif de la région n'est pas réparti "
            "entre ses départements)."
        )
    year_rows = [
        year_row(
            by_year,
            year,
            months=through if year == scope.year else (data.coverage or 12),
            target=targets.get((department.pk, year)),
        )
        for year, data in sorted(by_year.items())
    ]
    branch_rows, unbranched = _branch_rows(
        branch_facts(
            in_region.filter(department=department),
            years=[scope.year, scope.year - 1],
            synthetic=synthetic,
        ),
        main,
        scope,
        through,
    )
    return Dashboard(
        scope,
        region.regions,
        by_year,
        through,
        main,
        region.national,
        region.region_paces,
        year_rows,
        branch_rows,
        unbranched,
    )


def _department_notes(
    region_years: dict[int, YearData], department_years: dict[int, YearData], scope: ContractScope
) -> list[str]:
    """Why a department's year is unknown: its region is known only as a whole."""
    notes = []
    region = scope.region.name if scope.region else ""
    for year in (scope.year, scope.year - 1):
        known = region_years.get(year)
        if known is not None and known.total.known and year not in department_years:
            notes.append(
                f"{year} : {region} n'est connue que dans son ensemble, pas département par "
                "département ; les chiffres du département sont inconnus (jamais comptés "
                "comme zéro)."
            )
    return notes
