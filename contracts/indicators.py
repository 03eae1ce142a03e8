"""Convention indicators computed from contracts: the contracts financed over the
convention's years, in its region (or France), all publics or people with a disability
(RQTH). Registered with conventions.indicators when the app is ready."""

import datetime

from contracts.models import Public
from contracts.selectors import yearly_totals
from conventions.indicators import Computed, Inputs, convention_years, register
from conventions.models import Convention, Indicator

_PUBLIC = {
    Indicator.Computation.CONTRACTS: Public.ALL,
    Indicator.Computation.CONTRACTS_RQTH: Public.RQTH,
}


def _by_year(indicator: Indicator, convention: Convention, today: datetime.date):
    years = convention_years(convention, today)
    public = _PUBLIC[indicator.computation]
    totals = yearly_totals(years=years, region=convention.region, public=public)
    rows = []
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


def compute(indicator: Indicator, convention: Convention, today: datetime.date) -> Computed:
    _public, rows = _by_year(indicator, convention, today)
    known = [r for r in rows if r["contracts"] is not None]
    if not known:
        return Computed(None)
    return Computed(sum(r["contracts"] for r in known), any(r["synthetic"] for r in known))


def explain(indicator: Indicator, convention: Convention, today: datetime.date) -> Inputs:
    public, rows = _by_year(indicator, convention, today)
    known = [r["contracts"] for r in rows if r["contracts"] is not None]
    return Inputs(
        "contracts",
        {"public": public, "years": rows, "total": sum(known) if known else None},
    )


register(*_PUBLIC, compute=compute, explain=explain)
