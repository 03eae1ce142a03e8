"""Reads of contract figures: yearly totals, breakdowns, targets and market share.

Every contract count is read through contracts.figures, which states and applies the
yearly-total rule (a year is never counted twice)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet

from akto_portal.cache import memoize
from akto_portal.models import Department, Region, Source
from contracts.figures import (
    Facts,
    Figure,
    YearData,
    branch_facts,
    combine,
    contract_facts,
    department_facts,
    read_contract_facts,
    read_synthetic_source_ids,
    scope_facts,
    synthetic_source_ids,
)
from contracts.models import ContractCount, ContractTarget, MarketStat, Public

APPRENTICESHIP = "apprentissage"


def _counts(
    *,
    years: Iterable[int] | None = None,
    region: Region | None = None,
    contract_type: str | None = None,
    public: str = Public.ALL,
) -> QuerySet[ContractCount]:
    qs = ContractCount.objects.filter(public=public)
    if years is not None:
        qs = qs.filter(year__in=list(years))
    if region is not None:
        qs = qs.filter(region=region)
    if contract_type:
        qs = qs.filter(contract_type=contract_type)
    return qs


def _facts(qs: QuerySet[ContractCount]) -> Facts:
    return contract_facts(qs, synthetic=synthetic_source_ids())


def yearly_totals(
    *,
    years: Iterable[int] | None = None,
    region: Region | None = None,
    contract_type: str | None = None,
    public: str = Public.ALL,
) -> dict[tuple[int, int], Figure]:
    """{(region_id, year): Figure} — one grouped query, the yearly-total rule applied."""
    facts = _facts(_counts(years=years, region=region, contract_type=contract_type, public=public))
    return {key: data.total for key, data in facts.items()}


def monthly_breakdown(
    *,
    year: int,
    region: Region | None = None,
    contract_type: str | None = None,
    public: str = Public.ALL,
) -> tuple[dict[int, Figure], Figure]:
    """Contracts of `year` month by month, from the finest data that has months.

    Returns (months, unbroken): months is {1..12: Figure} built from the series that
    are known by month; `unbroken` is the part of the yearly total known only as a
    yearly figure (never spread over months: the pages say so instead).
    """
    facts = _facts(_counts(years=[year], region=region, contract_type=contract_type, public=public))
    data = combine(facts.values())
    return data.months, data.unbroken


def branch_breakdown(
    *,
    year: int,
    region: Region | None = None,
    contract_type: str | None = None,
    public: str = Public.ALL,
) -> dict[int, Figure]:
    """Contracts of `year` by branch: {branch_id: Figure}, from the coarsest data by branch."""
    facts = branch_facts(
        _counts(region=region, contract_type=contract_type, public=public),
        years=[year],
        synthetic=synthetic_source_ids(),
    )
    return {branch_id: data.total for (branch_id, _year), data in facts.items()}


def targets(
    *, years: Iterable[int] | None = None, public: str = Public.ALL
) -> dict[tuple[int | None, int], ContractTarget]:
    """{(region_id or None, year): ContractTarget} for all contract types together: the
    national and regional targets (a departmental target is not its region's)."""
    qs = ContractTarget.objects.filter(
        public=public, contract_type="", department=None
    ).select_related("source")
    if years is not None:
        qs = qs.filter(year__in=list(years))
    return {(t.region_id, t.year): t for t in qs}


def department_targets(
    *, region: Region, public: str = Public.ALL
) -> dict[tuple[int, int], ContractTarget]:
    """{(department_id, year): ContractTarget} of the departments of `region` that have a
    target of their own, for all contract types together."""
    qs = ContractTarget.objects.filter(
        public=public, contract_type="", region=region, department__isnull=False
    ).select_related("source")
    return {(t.department_id, t.year): t for t in qs if t.department_id is not None}


def market_stats(*, region: Region | None = None) -> list[MarketStat]:
    """Whole-market figures (all OPCOs) for a region, or for France when region is None
    (cached under the contracts' version)."""
    return memoize(
        "market_stats",
        str(region.pk if region else ""),
        lambda: list(
            MarketStat.objects.filter(region=region, department=None)
            .select_related("source")
            .order_by("year", "month")
        ),
        families=("contracts",),
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

Rank = tuple[int, int, int, float]


def _ranked(row: dict[str, Any]) -> tuple[Rank, MarketFigure]:
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
        synthetic=Source.kind_is_synthetic(row["source__kind"]),
    )
    return rank, figure


def market_figure(*, region: Region | None, year: int) -> MarketFigure | None:
    """The whole market's new apprenticeship contracts of `region` (None: France) in
    `year`, by the rule above; None when no public statistic covers that year (cached
    under the contracts' version)."""
    return memoize(
        "market_figure",
        f"{region.pk if region else ''}|{year}",
        lambda: _market_figure(region=region, year=year),
        families=("contracts",),
    )


def _market_figure(*, region: Region | None, year: int) -> MarketFigure | None:
    rows = (
        MarketStat.objects.filter(
            measure=MarketStat.Measure.NEW_CONTRACTS, region=region, department=None, year=year
        )
        .values(*MARKET_FIELDS)
        .order_by()
    )
    candidates = [_ranked(row) for row in rows]
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def market_monthly(*, region: Region | None, year: int) -> dict[int, int]:
    """{month: new contracts} of the whole market from the winning cumulative series
    (IND-313): differences within the year, January being its own cumulative (cached
    under the contracts' version)."""
    return memoize(
        "market_monthly",
        f"{region.pk if region else ''}|{year}",
        lambda: _market_monthly(region=region, year=year),
        families=("contracts",),
    )


def _market_monthly(*, region: Region | None, year: int) -> dict[int, int]:
    rows = (
        MarketStat.objects.filter(
            measure=MarketStat.Measure.NEW_CONTRACTS,
            region=region,
            department=None,
            year=year,
            month__isnull=False,
        )
        .values_list("source_id", "month", "value", "source__import_batch__layout")
        .order_by()
    )
    series: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    datasets: dict[int, str] = {}
    for source_id, month, value, dataset in rows:
        if month is not None:  # filtered out above; for the type checker
            series[source_id].append((month, int(value)))
            datasets[source_id] = dataset or ""
    if not series:
        return {}
    best = min(series, key=lambda s: (MARKET_PRECEDENCE.get(datasets[s], 2), -s))
    result: dict[int, int] = {}
    before = 0
    for month, cumulative in sorted(series[best]):
        result[month] = cumulative - before
        before = cumulative
    return result


@dataclass
class MarketSummary:
    region: Region | None  # None: France
    year: int
    opco: Figure | None
    market: MarketFigure | None
    share_pct: float | None
    note: str = ""
    department: Department | None = None  # a department of `region`
    share_refusal: str = ""  # why no share under the scope's filters (market_share_refusal)

    @property
    def zone(self) -> str:
        if self.department is not None:
            return self.department.name
        return self.region.name if self.region else "France"

    def as_json(self) -> dict[str, Any]:
        region = self.region
        return {
            "region": region.code if region else None,
            "zone": self.zone,
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
            "share_refusal": self.share_refusal or None,
            "note": self.note,
        }


def _opco(data: YearData | None, through_month: int | None) -> Figure | None:
    """The OPCO's new apprenticeship contracts of a zone's year (its YearData): the whole
    year when `through_month` is None, else January to `through_month` — None when
    unknown, or when part of the year is known only as a total (no month invented)."""
    if data is None:
        return None
    if through_month is None:
        return data.total if data.total.known else None
    if data.unbroken.known:
        return None
    figure = Figure()
    for month in range(1, through_month + 1):
        if data.months[month].known:
            figure.add(data.months[month].value, data.months[month].synthetic)
    return figure if figure.known else None


def _opco_year(facts: Facts, region: Region | None, year: int) -> YearData | None:
    return scope_facts(facts, region).get(year)


def market_summary(*, region: Region | None, year: int) -> MarketSummary:
    """The OPCO's apprenticeship contracts beside the whole market's, and its share (%)."""
    market = market_figure(region=region, year=year)
    data = _opco_year(
        _facts(_counts(years=[year], region=region, contract_type=APPRENTICESHIP)), region, year
    )
    if market is None:
        return MarketSummary(
            region,
            year,
            _opco(data, None),
            None,
            None,
            "Aucune statistique publique pour cette année.",
        )
    opco = _opco(data, market.month)
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


def market_share_refusal(*, branch: Any, contract_type: str, public: str) -> str:
    """Why the OPCO's market share cannot follow these contract filters ("" when it
    can). Public statistics count a zone's new apprenticeship contracts of all branches
    and publics: an apprenticeship filter is the market's own; a branch, a public or
    professionalisation contracts have no market to be a share of."""
    reasons = []
    if branch is not None:
        reasons.append(f"par branche (filtre « {branch.name} »)")
    if public and public != "all":
        reasons.append("par public (filtre RQTH)")
    if contract_type and contract_type != APPRENTICESHIP:
        reasons.append("pour les contrats de professionnalisation (l'apprentissage seul)")
    if not reasons:
        return ""
    return (
        "Part de marché non calculée : les statistiques publiques du marché ne sont pas "
        f"ventilées {' ni '.join(reasons)}. Les contrats de l'OPCO et le marché ci-contre "
        "sont ceux de toutes les branches et de tous les publics."
    )


def without_share(summary: MarketSummary, refusal: str) -> MarketSummary:
    """`summary` with no share, saying why (`market_share_refusal`)."""
    if not refusal:
        return summary
    return replace(summary, share_pct=None, share_refusal=refusal)


def market_share(*, region: Region | None, year: int) -> float | None:
    """The OPCO's share (%) of its region's new apprenticeship contracts, or None."""
    return market_summary(region=region, year=year).share_pct


def market_summaries(*, year: int) -> list[MarketSummary]:
    """`market_summary` of every region that has a whole-market figure for `year`, and
    of France, in at most five queries whatever the number of regions; cached under the
    data version."""
    return memoize(
        "market_summaries",
        str(year),
        lambda: _market_summaries(year=year),
        families=("contracts",),
    )


def _market_summaries(*, year: int) -> list[MarketSummary]:
    rows = (
        MarketStat.objects.filter(
            measure=MarketStat.Measure.NEW_CONTRACTS, year=year, department=None
        )
        .values(*MARKET_FIELDS)
        .order_by()
    )
    best: dict[int | None, tuple[Rank, MarketFigure]] = {}
    for row in rows:
        rank, figure = _ranked(row)
        current = best.get(row["region_id"])
        if current is None or rank < current[0]:
            best[row["region_id"]] = (rank, figure)
    if not best:
        return []
    # Already under the cache: read the figures uncached (one query each).
    facts = read_contract_facts(
        _counts(years=[year], contract_type=APPRENTICESHIP), synthetic=read_synthetic_source_ids()
    )
    regions = Region.objects.in_bulk([r for r in best if r is not None])
    summaries = []
    for region_id, (_rank, market) in best.items():
        region = regions.get(region_id) if region_id is not None else None
        opco = _opco(_opco_year(facts, region, year), market.month)
        share = round(opco.value * 100 / market.value, 1) if opco and market.value else None
        note = "" if market.month is None else f"Janvier à fin {market.month:02d}/{year}."
        summaries.append(MarketSummary(region, year, opco, market, share, note))
    summaries.sort(key=lambda s: (s.region is None, s.region.name if s.region else ""))
    return summaries


# --- Departments -------------------------------------------------------------------------


def department_market_summaries(*, region: Region, year: int) -> dict[int, MarketSummary]:
    """{department_id: MarketSummary} of the departments of `region` that have a
    whole-market figure for `year` (IND-313 `DEPT` rows), by the same rule as regions;
    the OPCO's figure is the department's own (contracts known department by
    department), None when the region's contracts are not known by department. Cached
    under the data version."""
    return memoize(
        "department_market_summaries",
        f"{region.pk}|{year}",
        lambda: _department_market_summaries(region=region, year=year),
        families=("contracts",),
    )


def _department_market_summaries(*, region: Region, year: int) -> dict[int, MarketSummary]:
    rows = (
        MarketStat.objects.filter(
            measure=MarketStat.Measure.NEW_CONTRACTS,
            region=region,
            department__isnull=False,
            year=year,
        )
        .values("department_id", *MARKET_FIELDS)
        .order_by()
    )
    best: dict[int, tuple[Rank, MarketFigure]] = {}
    for row in rows:
        rank, figure = _ranked(row)
        current = best.get(row["department_id"])
        if current is None or rank < current[0]:
            best[row["department_id"]] = (rank, figure)
    if not best:
        return {}
    facts = department_facts(
        _counts(years=[year], region=region, contract_type=APPRENTICESHIP),
        years=[year],
        synthetic=read_synthetic_source_ids(),
    )
    summaries = {}
    departments = Department.objects.in_bulk(list(best))
    for department_id, (_rank, market) in best.items():
        opco = _opco(facts.get((department_id, year)), market.month)
        share = round(opco.value * 100 / market.value, 1) if opco and market.value else None
        note = "" if market.month is None else f"Janvier à fin {market.month:02d}/{year}."
        summaries[department_id] = MarketSummary(
            region, year, opco, market, share, note, departments.get(department_id)
        )
    return summaries
