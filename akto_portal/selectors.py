"""Reads that combine the apps for the portal's pages: the national and regional summaries."""

from dataclasses import dataclass, field

from akto_portal.models import Region
from contracts import selectors as contracts
from contracts.selectors import Figure, growth_pct


@dataclass
class YearRow:
    year: int
    contracts: Figure
    previous: Figure | None
    target: object = None  # ContractTarget or None
    growth: float | None = field(init=False)
    target_pct: float | None = field(init=False)

    def __post_init__(self):
        previous = self.previous.value if self.previous and self.previous.known else None
        self.growth = growth_pct(self.contracts.value, previous) if self.contracts.known else None
        self.target_pct = (
            round(self.contracts.value * 100 / self.target.value, 1)
            if self.target and self.target.value and self.contracts.known
            else None
        )


def _year_rows(by_year, targets, region_id, years):
    return [
        YearRow(
            year=year,
            contracts=by_year.get(year, Figure()),
            previous=by_year.get(year - 1),
            target=targets.get((region_id, year)),
        )
        for year in years
    ]


def _years(by_year, targets, region_id):
    years = set(by_year) | {y for (r, y) in targets if r == region_id}
    return sorted(years)


def national_summary():
    """Contracts by year for France against the national target (2 queries)."""
    totals = contracts.yearly_totals()
    by_year = contracts.national_by_year(totals)
    targets = contracts.targets()
    return totals, _year_rows(by_year, targets, None, _years(by_year, targets, None)), targets


def regions_for_year(totals, targets, year):
    """One row per region for `year`, with last year and the regional target (1 query)."""
    rows = []
    for region in Region.objects.all():
        rows.append(
            (
                region,
                YearRow(
                    year=year,
                    contracts=totals.get((region.id, year), Figure()),
                    previous=totals.get((region.id, year - 1)),
                    target=targets.get((region.id, year)),
                ),
            )
        )
    return rows


def region_summary(region):
    """Contracts by year for one region against its targets (2 queries)."""
    totals = contracts.yearly_totals(region=region)
    by_year = {year: figure for (_r, year), figure in totals.items()}
    targets = contracts.targets()
    return _year_rows(by_year, targets, region.id, _years(by_year, targets, region.id))
