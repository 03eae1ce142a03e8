"""Reads of contract figures: yearly totals, breakdowns and targets.

The yearly-total rule. Figures of one series (region, year, contract type, public)
may be known at four granularities, from the most to the least aggregated:

    0. the whole year, all branches      (a published total: Normandie 2020, 2 173)
    1. month by month, all branches
    2. the whole year, branch by branch
    3. month by month, branch by branch  (a management-system export)

The yearly total of a series is the sum of its most aggregated granularity only;
finer granularities describe how that total breaks down (by month, by branch) and are
never added to it. So a year is counted once, whether it is known as one total, as
twelve months, or both.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum

from akto_portal.models import Region, Source
from contracts.models import ContractCount, ContractTarget, MarketStat, Public

YEAR_ALL_BRANCHES, MONTH_ALL_BRANCHES, YEAR_BY_BRANCH, MONTH_BY_BRANCH = range(4)


@dataclass
class Figure:
    """A number as the pages show it, with whether synthetic data went into it."""

    value: int = 0
    synthetic: bool = False
    known: bool = False

    def add(self, value, synthetic):
        self.value += value
        self.synthetic = self.synthetic or synthetic
        self.known = True


def growth_pct(current, previous):
    """Growth in percent, one decimal (3 071 on 2 173 gives 41.3); None when undefined."""
    if current is None or not previous:
        return None
    return round((current - previous) * 100 / previous, 1)


def _counts(*, years=None, region=None, contract_type=None, public=Public.ALL):
    qs = ContractCount.objects.filter(public=public)
    if years is not None:
        qs = qs.filter(year__in=list(years))
    if region is not None:
        qs = qs.filter(region=region)
    if contract_type:
        qs = qs.filter(contract_type=contract_type)
    return qs


def _with_granularity(qs, *fields):
    return (
        qs.annotate(
            by_branch=ExpressionWrapper(Q(branch__isnull=False), output_field=BooleanField()),
            by_month=ExpressionWrapper(Q(month__isnull=False), output_field=BooleanField()),
        )
        .values("region_id", "year", "contract_type", "by_branch", "by_month", *fields)
        .annotate(
            total=Sum("count"),
            synthetic=Count("pk", filter=Q(source__kind=Source.Kind.SYNTHETIC)),
        )
        .order_by()
    )


def _level(row):
    return row["by_branch"] * 2 + row["by_month"]


def _coarsest(rows):
    """Keep, for each series, the rows of its most aggregated granularity."""
    best = {}
    for row in rows:
        key = (row["region_id"], row["year"], row["contract_type"])
        best[key] = min(best.get(key, 9), _level(row))
    return [r for r in rows if _level(r) == best[(r["region_id"], r["year"], r["contract_type"])]]


def yearly_totals(*, years=None, region=None, contract_type=None, public=Public.ALL):
    """{(region_id, year): Figure} — one grouped query, the yearly-total rule applied."""
    rows = list(
        _with_granularity(
            _counts(years=years, region=region, contract_type=contract_type, public=public)
        )
    )
    totals = defaultdict(Figure)
    for row in _coarsest(rows):
        totals[(row["region_id"], row["year"])].add(row["total"], bool(row["synthetic"]))
    return dict(totals)


def national_by_year(totals):
    """Sum a `yearly_totals` result over regions: {year: Figure}."""
    by_year = defaultdict(Figure)
    for (_region_id, year), figure in totals.items():
        by_year[year].add(figure.value, figure.synthetic)
    return dict(by_year)


def _split_months(rows):
    """(months, unbroken) of grouped rows that carry a month (see monthly_breakdown)."""
    series_levels = defaultdict(set)
    for row in rows:
        series_levels[(row["region_id"], row["contract_type"])].add(_level(row))
    months = {m: Figure() for m in range(1, 13)}
    unbroken = Figure()
    for row in rows:
        levels = series_levels[(row["region_id"], row["contract_type"])]
        level = _level(row)
        monthly_levels = levels & {MONTH_ALL_BRANCHES, MONTH_BY_BRANCH}
        if monthly_levels and level == min(monthly_levels):
            months[row["month"]].add(row["total"], bool(row["synthetic"]))
        elif not monthly_levels and level == min(levels):
            unbroken.add(row["total"], bool(row["synthetic"]))
    return months, unbroken


def _month_rows(*, year, region=None, contract_type=None, public=Public.ALL):
    return list(
        _with_granularity(
            _counts(years=[year], region=region, contract_type=contract_type, public=public),
            "month",
        )
    )


def monthly_breakdown(*, year, region=None, contract_type=None, public=Public.ALL):
    """Contracts of `year` month by month, from the finest data that has months.

    Returns (months, unbroken): months is {1..12: Figure} built from the series that
    are known by month; `unbroken` is the part of the yearly total known only as a
    yearly figure (never spread over months: the pages say so instead).
    """
    return _split_months(
        _month_rows(year=year, region=region, contract_type=contract_type, public=public)
    )


def monthly_breakdown_by_region(*, year, contract_type=None, public=Public.ALL):
    """`monthly_breakdown` of every region at once, in one query: {region_id: (months,
    unbroken)}."""
    by_region = defaultdict(list)
    for row in _month_rows(year=year, contract_type=contract_type, public=public):
        by_region[row["region_id"]].append(row)
    return {region_id: _split_months(rows) for region_id, rows in by_region.items()}


def branch_breakdown(*, year, region=None, contract_type=None, public=Public.ALL):
    """Contracts of `year` by branch: {branch_id: Figure}, from the coarsest data by branch."""
    rows = list(
        _with_granularity(
            _counts(years=[year], region=region, contract_type=contract_type, public=public),
            "branch_id",
        )
    )
    series_levels = defaultdict(set)
    for row in rows:
        if row["by_branch"]:
            series_levels[(row["region_id"], row["contract_type"])].add(_level(row))
    branches = defaultdict(Figure)
    for row in rows:
        levels = series_levels.get((row["region_id"], row["contract_type"]))
        if levels and _level(row) == min(levels):
            branches[row["branch_id"]].add(row["total"], bool(row["synthetic"]))
    return dict(branches)


def targets(*, years=None, public=Public.ALL):
    """{(region_id or None, year): ContractTarget} for all contract types together."""
    qs = ContractTarget.objects.filter(public=public, contract_type="").select_related("source")
    if years is not None:
        qs = qs.filter(year__in=list(years))
    return {(t.region_id, t.year): t for t in qs}


def market_stats(*, region=None):
    """Whole-market figures (all OPCOs) for a region, or for France when region is None."""
    return list(
        MarketStat.objects.filter(region=region).select_related("source").order_by("year", "month")
    )


# --- The whole apprenticeship market (all OPCOs) and the OPCO's share of it ---------------
#
# Which figure wins. The whole market's new apprenticeship contracts of a region (or of
# France) for a year are taken, in this order:
#   1. a whole-year figure: the baromètre's 31 December figure first, else the IND-313
#      December cumulative (January to December is the whole year), else any other
#      source (a document, a manual entry);
#   2. failing that, the latest year-to-date figure (the highest month), with the same
#      order between sources — the share is then computed on January..that month.
# Within one open-data layout there is never more than one figure per region and
# period: a newer import of that layout replaces the older one (contracts.services).
# Among equals, the most recent import wins.

MARKET_PRECEDENCE = {"barometre": 0, "ind313": 1}


@dataclass
class MarketFigure:
    value: int
    month: int | None  # None: the whole year; else January..month
    source: str
    dataset: str  # "barometre", "ind313" or "" (another source)
    synthetic: bool = False


MARKET_FIELDS = (
    "region_id",
    "month",
    "value",
    "source__title",
    "source__kind",
    "source__created_at",
    "source__import_batch__layout",
)


def _ranked(row):
    """(rank, MarketFigure) of a MarketStat row: the lowest rank wins (rule above)."""
    dataset = row["source__import_batch__layout"] or ""
    month = row["month"]
    whole_year = month is None or month == 12
    rank = (
        0 if whole_year else 1,
        -(month or 12),
        MARKET_PRECEDENCE.get(dataset, 2),
        -row["source__created_at"].timestamp(),
    )
    figure = MarketFigure(
        value=int(row["value"]),
        month=None if whole_year else month,
        source=row["source__title"],
        dataset=dataset,
        synthetic=row["source__kind"] == Source.Kind.SYNTHETIC,
    )
    return rank, figure


def _market_candidates(*, region, year):
    rows = (
        MarketStat.objects.filter(
            measure=MarketStat.Measure.NEW_CONTRACTS, region=region, year=year
        )
        .values(*MARKET_FIELDS)
        .order_by()
    )
    return [_ranked(row) for row in rows]


def market_figure(*, region, year):
    """The whole market's new apprenticeship contracts of `region` (None: France) in
    `year`, by the rule above; None when no public statistic covers that year."""
    candidates = _market_candidates(region=region, year=year)
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def market_monthly(*, region, year):
    """{month: new contracts} of the whole market from the winning cumulative series
    (IND-313): differences within the year, January being its own cumulative."""
    rows = (
        MarketStat.objects.filter(
            measure=MarketStat.Measure.NEW_CONTRACTS,
            region=region,
            year=year,
            month__isnull=False,
        )
        .values_list("source_id", "month", "value", "source__import_batch__layout")
        .order_by()
    )
    series = defaultdict(list)
    datasets = {}
    for source_id, month, value, dataset in rows:
        series[source_id].append((month, int(value)))
        datasets[source_id] = dataset or ""
    if not series:
        return {}
    best = min(series, key=lambda s: (MARKET_PRECEDENCE.get(datasets[s], 2), -s))
    result, before = {}, 0
    for month, value in sorted(series[best]):
        result[month] = value - before
        before = value
    return result


@dataclass
class MarketSummary:
    region: object  # Region or None for France
    year: int
    opco: Figure | None
    market: MarketFigure | None
    share_pct: float | None
    note: str = ""

    def as_json(self):
        region = self.region
        return {
            "region": region.code if region else None,
            "zone": region.name if region else "France",
            "year": self.year,
            "period": (
                None
                if self.market is None
                else "year"
                if self.market.month is None
                else f"january-to-month-{self.market.month}"
            ),
            "through_month": self.market.month if self.market else None,
            "opco_contracts": self.opco.value if self.opco and self.opco.known else None,
            "opco_synthetic": bool(self.opco and self.opco.synthetic),
            "market_contracts": self.market.value if self.market else None,
            "market_source": self.market.source if self.market else None,
            "market_dataset": self.market.dataset if self.market else None,
            "market_synthetic": bool(self.market and self.market.synthetic),
            "share_pct": self.share_pct,
            "note": self.note,
        }


def _opco_apprenticeship(*, region, year, through_month):
    """The OPCO's new apprenticeship contracts of the same zone and period, or None."""
    apprenticeship = "apprentissage"
    if through_month is None:
        totals = yearly_totals(years=[year], region=region, contract_type=apprenticeship)
        figure = Figure()
        for (_region_id, _year), value in totals.items():
            figure.add(value.value, value.synthetic)
        return figure if figure.known else None
    months, unbroken = monthly_breakdown(year=year, region=region, contract_type=apprenticeship)
    return _through_month(months, unbroken, through_month)


def _through_month(months, unbroken, through_month):
    """January to `through_month` of a monthly breakdown, or None when part of the year
    is known only as a total (no month-by-month figure then) or nothing is known."""
    if unbroken.known:
        return None
    figure = Figure()
    for month in range(1, through_month + 1):
        if months[month].known:
            figure.add(months[month].value, months[month].synthetic)
    return figure if figure.known else None


def market_summary(*, region, year):
    """The OPCO's apprenticeship contracts beside the whole market's, and its share (%)."""
    market = market_figure(region=region, year=year)
    if market is None:
        opco = _opco_apprenticeship(region=region, year=year, through_month=None)
        return MarketSummary(
            region, year, opco, None, None, "Aucune statistique publique pour cette année."
        )
    opco = _opco_apprenticeship(region=region, year=year, through_month=market.month)
    share, note = None, ""
    if opco is None:
        note = (
            "Contrats de l'OPCO inconnus pour cette période."
            if market.month is None
            else f"Contrats de l'OPCO inconnus mois par mois jusqu'au mois {market.month}."
        )
    elif market.value:
        share = round(opco.value * 100 / market.value, 1)
    if market.month is not None:
        note = (note + " " if note else "") + (
            f"Chiffres de janvier à fin {market.month:02d}/{year} (année incomplète)."
        )
    return MarketSummary(region, year, opco, market, share, note)


def market_share(*, region, year):
    """The OPCO's share (%) of its region's new apprenticeship contracts, or None."""
    return market_summary(region=region, year=year).share_pct


def market_summaries(*, year):
    """`market_summary` of every region that has a whole-market figure for `year`, and
    of France, in at most four queries whatever the number of regions; cached under the
    data version."""
    from akto_portal.cache import memoize

    return memoize("market_summaries", str(year), lambda: _market_summaries(year=year))


def _summary(region, year, opco, market):
    share = round(opco.value * 100 / market.value, 1) if opco and market.value else None
    note = "" if market.month is None else f"Janvier à fin {market.month:02d}/{year}."
    return MarketSummary(region, year, opco, market, share, note)


def _market_summaries(*, year):
    rows = (
        MarketStat.objects.filter(measure=MarketStat.Measure.NEW_CONTRACTS, year=year)
        .values(*MARKET_FIELDS)
        .order_by()
    )
    best = {}
    for row in rows:
        rank, figure = _ranked(row)
        current = best.get(row["region_id"])
        if current is None or rank < current[0]:
            best[row["region_id"]] = (rank, figure)
    if not best:
        return []
    apprenticeship = "apprentissage"
    totals = yearly_totals(years=[year], contract_type=apprenticeship)
    regions = Region.objects.in_bulk([r for r in best if r is not None])
    by_region_months = None
    summaries = []
    for region_id, (_rank, market) in best.items():
        region = regions.get(region_id)
        if market.month is None:
            if region is None:
                opco = national_by_year(totals).get(year)
            else:
                opco = totals.get((region_id, year))
            summaries.append(_summary(region, year, opco, market))
            continue
        if by_region_months is None:
            by_region_months = monthly_breakdown_by_region(year=year, contract_type=apprenticeship)
        if region is None:
            parts = list(by_region_months.values())
            months = {m: Figure() for m in range(1, 13)}
            unbroken = Figure()
            for region_months, region_unbroken in parts:
                for m, f in region_months.items():
                    if f.known:
                        months[m].add(f.value, f.synthetic)
                if region_unbroken.known:
                    unbroken.add(region_unbroken.value, region_unbroken.synthetic)
        else:
            months, unbroken = by_region_months.get(
                region_id, ({m: Figure() for m in range(1, 13)}, Figure())
            )
        opco = _through_month(months, unbroken, market.month)
        summaries.append(_summary(region, year, opco, market))
    summaries.sort(key=lambda s: (s.region is None, s.region.name if s.region else ""))
    return summaries
