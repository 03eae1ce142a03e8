"""Convention indicators computed from contracts: the contracts financed over the
convention's years, in its region (or France), all publics or people with a disability
(RQTH). Registered with conventions.indicators when the app is ready."""

import datetime
from typing import TypedDict

from contracts.models import Public
from contracts.selectors import yearly_totals
from conventions.indicators import Computed, Inputs, convention_years, register
from conventions.models import Convention, Indicator

_PUBLIC = {
    Indicator.Computation.CONTRACTS: Public.ALL,
    Indicator.Computation.CONTRACTS_RQTH: Public.RQTH,
}


class ContractYear(TypedDict):
    """One year of the convention: its yearly total (None when not known)."""

    year: int
    contracts: int | None
    synthetic: bool


class ContractInputs(Inputs):
    public: Public
    years: list[ContractYear]
    total: int | None


def _by_year(
    indicator: Indicator, convention: Convention, today: datetime.date
) -> tuple[Public, list[ContractYear]]:
    years = convention_years(convention, today)
    public = _PUBLIC[Indicator.Computation(indicator.computation)]
    totals = yearly_totals(years=years, region=convention.region, public=public)
    rows: list[ContractYear] = []
    for year in years:
        figures = [f for (_region, y), f in totals.items() if y == year]
        rows.append(
            {
                "year": year,
                "contracts": sum(f.value for f in figures) if figures else None,
                "synthetic": any(f.synthetic for f in figures),
            }
        )
    return public, rows


def _total(rows: list[ContractYear]) -> Computed:
    """The indicator's value: the sum of the years known (None when none is)."""
    known = [(r["contracts"], r["synthetic"]) for r in rows if r["contracts"] is not None]
    if not known:
        return Computed(None)
    return Computed(sum(n for n, _ in known), any(s for _, s in known))


def compute(indicator: Indicator, convention: Convention, today: datetime.date) -> Computed:
    _public, rows = _by_year(indicator, convention, today)
    return _total(rows)


def explain(indicator: Indicator, convention: Convention, today: datetime.date) -> ContractInputs:
    public, rows = _by_year(indicator, convention, today)
    return {"kind": "contracts", "public": public, "years": rows, "total": _total(rows).value}


register(*_PUBLIC, compute=compute, explain=explain)
