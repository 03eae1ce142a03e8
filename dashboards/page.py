"""The page model: every figure of one dashboard scope, computed once.

The HTML page, each CSV/XLSX export, the whole-dashboard workbook, the JSON API and the
print view read a `DashboardPage`; none of them recomputes a figure or rebuilds the
scope. Each part is computed on first use (an API endpoint that needs the contracts
does not pay for the events) and cached under the data version by the selector behind it.

Table totals are figures of the page too (the headline, France's pace, the year's
events), never sums made by the table, so that a table's footer, its export and the API
agree with the headline, and an unknown total stays unknown (None: "—", an empty cell,
`null`).
"""

import datetime
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone

from akto_portal.models import User
from contracts import selectors as contract_selectors
from contracts.facts import Dashboard, Departments, contracts_by_department, contracts_dashboard
from contracts.models import ContractCount
from contracts.pace import CumulativeSeries, cumulative_series
from contracts.selectors import MarketSummary
from conventions.models import Convention
from conventions.selectors import ConventionProgress, conventions_progress, meets_year
from dashboards import tables
from dashboards.filters import DashboardFilter, Scope, bind_filter, scope_from
from events.models import ActivityTotal, ParticipantCategory
from events.selectors import (
    ActivityRow,
    EventsByDepartment,
    EventsYear,
    HeldBetween,
    activity_summary,
    events_held_between,
    events_of_year,
)

Row = dict[str, Any]
MOST_BEHIND = 3  # regions (France) or branches (a region) named on the first screen
RANKED_BRANCHES = 15  # the largest branches, in the branches chart
TABLES = ("regions", "branches", "months", "events", "event_months")
MEASURES = [ActivityTotal.Measure.EVENTS.value] + [c.value for c in ParticipantCategory]


def request_scope(
    request: HttpRequest, *, data: QueryDict | None = None, region_code: str | None = None
) -> tuple[DashboardFilter, Scope]:
    """The scope a portal page shows: the URL's filters, the user's home region when the
    URL names no region (France for a national user), this year by default."""
    data = (request.GET if data is None else data).copy()
    if region_code is not None:
        data["region"] = region_code
    filterset = bind_filter(data)
    default_region = getattr(request.user, "region", None)
    scope = scope_from(filterset, today=timezone.localdate(), default_region=default_region)
    return filterset, scope


@dataclass(frozen=True)
class Gap:
    """Contracts against a reference (the expected level at the date, the annual target,
    the same period last year): "+134 (105 %)"."""

    contracts: int
    reference: int

    @property
    def diff(self) -> int:
        return self.contracts - self.reference

    @property
    def pct(self) -> float | None:
        return round(self.contracts * 100 / self.reference, 1) if self.reference else None

    @property
    def diff_pct(self) -> float | None:
        """The gap in percent of the reference: +1,3 % for 970 against 958 (101,3 %)."""
        return round(self.diff * 100 / self.reference, 1) if self.reference else None

    @property
    def shortfall(self) -> int:
        """Contracts still missing to reach the reference (0 once reached)."""
        return max(0, -self.diff)


def gap(contracts: int | None, reference: int | None) -> Gap | None:
    """None when either side is unknown: no gap is told without both figures."""
    if contracts is None or reference is None:
        return None
    return Gap(contracts, reference)


@dataclass(frozen=True)
class Ranked:
    """A region or a branch with its gap to its reference: the expected level at the date
    for a region, the same period last year for a branch (targets are set for all
    branches together, so a branch has no expected level)."""

    name: str
    url: str
    contracts: int | None
    reference: int | None
    status: str  # "ahead" / "on_track" / "behind" / ""
    synthetic: bool = False
    key: int = 0  # the region's or the branch's pk

    @property
    def gap(self) -> Gap | None:
        return gap(self.contracts, self.reference)

    @property
    def behind(self) -> bool:
        g = self.gap
        return g is not None and g.pct is not None and g.diff < 0

    def as_dict(self) -> dict[str, Any]:
        g = self.gap
        return {
            "name": self.name,
            "contracts": self.contracts,
            "reference": self.reference,
            "gap": g.diff if g else None,
            "gap_pct": g.pct if g else None,
        }


def _rank_key(item: Ranked) -> tuple[int, float, str]:
    """Most behind first (the lowest contracts / reference); those without a gap last,
    the largest first."""
    g = item.gap
    if g is None or not g.reference:
        return (1, -float(item.contracts or 0), item.name)
    return (0, g.contracts / g.reference, item.name)


@dataclass
class DashboardPage:
    """Every figure of one scope, for one user (conventions are filtered by what the user
    may see)."""

    scope: Scope
    counts: QuerySet[ContractCount]  # the filtered counts (branch, type, public)
    user: User | AnonymousUser
    today: datetime.date

    @cached_property
    def contracts(self) -> Dashboard:
        """The scope's contract figures: France, a region, or one department."""
        return contracts_dashboard(self.counts, self.scope)

    @cached_property
    def region_contracts(self) -> Dashboard:
        """The contract figures of the scope's whole region (the scope's own when it is
        not a department): what a department is compared with."""
        if self.scope.department is None:
            return self.contracts
        return contracts_dashboard(self.counts, self.scope.region_scope())

    @cached_property
    def events(self) -> EventsYear:
        return events_of_year(
            region=self.scope.region,
            year=self.scope.year,
            today=self.today,
            department=self.scope.department,
        )

    @cached_property
    def region_events(self) -> EventsYear:
        """The events of the scope's whole region (the scope's own when it is not a
        department): what its department table adds up to."""
        if self.scope.department is None:
            return self.events
        return events_of_year(region=self.scope.region, year=self.scope.year, today=self.today)

    @cached_property
    def activity(self) -> list[ActivityRow]:
        return activity_summary(region=self.scope.region, today=self.today)

    @cached_property
    def _conventions(self) -> list[ConventionProgress]:
        return conventions_progress(self.scope.region, today=self.today, user=self.user)

    @cached_property
    def progress(self) -> list[ConventionProgress]:
        """The conventions whose period meets the scope's year, with their indicators: a
        2022 page, report or digest does not show the 2025-2027 convention."""
        return [item for item in self._conventions if meets_year(item, self.scope.year)]

    @cached_property
    def conventions_elsewhere(self) -> list[Convention]:
        """The conventions of the scope left out for their period (only named)."""
        return [
            item["convention"]
            for item in self._conventions
            if not meets_year(item, self.scope.year)
        ]

    @cached_property
    def market(self) -> list[MarketSummary]:
        """The OPCO's share of the market: every region and France, the region, or the
        department (when a public statistic gives its market)."""
        scope = self.scope
        if scope.region is None:
            refusal = self.market_share_refusal
            summaries = contract_selectors.market_summaries(year=scope.year)
            return [contract_selectors.without_share(s, refusal) for s in summaries]
        if scope.department is not None:
            summary = self.department_market.get(scope.department.pk)
            return [summary] if summary else []
        return [self.region_market] if self.region_market else []

    @cached_property
    def region_market(self) -> MarketSummary | None:
        if self.scope.region is None:
            return None
        summary = contract_selectors.market_summary(region=self.scope.region, year=self.scope.year)
        return contract_selectors.without_share(summary, self.market_share_refusal)

    @cached_property
    def market_share_refusal(self) -> str:
        """Why the market share is "—" under the scope's contract filters ("" if it is
        not): the same on the page, in the exports and the API."""
        scope = self.scope
        return contract_selectors.market_share_refusal(
            branch=scope.branch, contract_type=scope.contract_type, public=scope.public
        )

    @cached_property
    def market_stats(self) -> list[Any]:
        return contract_selectors.market_stats(region=None) if self.scope.region is None else []

    # --- where we stand: gaps and rankings ------------------------------------------------

    @cached_property
    def gap_to_expected(self) -> Gap | None:
        pace = self.contracts.pace
        return gap(pace.contracts, pace.expected)

    @cached_property
    def gap_to_target(self) -> Gap | None:
        pace = self.contracts.pace
        return gap(pace.contracts, pace.target_value)

    @cached_property
    def ranking(self) -> list[Ranked]:
        """France: every region by its gap to its expected level at the date; a region
        or a department: every branch by its gap to the same period last year. Most
        behind first, those without a gap last. The one ranking of every output: the
        page's "most behind", its charts, the PDF, the digest and the alerts."""
        return self.region_ranking if self.scope.region is None else self.branch_ranking

    @cached_property
    def region_ranking(self) -> list[Ranked]:
        """Every region by its gap to its expected level at the date (see `ranking`)."""
        scope, overview = self.scope, reverse("overview")
        ranked = [
            Ranked(
                region.name,
                f"{overview}?{scope.query(region=region.code)}",
                p.contracts,
                p.expected,
                p.status or "",
                p.synthetic,
                key=region.pk,
            )
            for region, p in self.contracts.region_paces
        ]
        return sorted(ranked, key=_rank_key)

    @cached_property
    def branch_ranking(self) -> list[Ranked]:
        """Every branch of the scope by its gap to the same period last year (targets are
        set for all branches together: a branch has no expected level)."""
        scope, overview = self.scope, reverse("overview")
        ranked = []
        for row in self.contracts.branch_rows:
            g = gap(row["contracts"], row["previous"])
            behind = g is not None and bool(g.reference) and g.diff < 0
            status = "" if g is None or not g.reference else ("behind" if behind else "ahead")
            ranked.append(
                Ranked(
                    row["name"],
                    f"{overview}?{scope.query(branch=row['branch'].pk)}",
                    row["contracts"],
                    row["previous"],
                    status,
                    bool(row["synthetic"]),
                    key=row["branch"].pk,
                )
            )
        return sorted(ranked, key=_rank_key)

    @cached_property
    def regions_by_gap(self) -> list[tuple[Any, Any]]:
        """[(Region, Pace)] in the order of `region_ranking`."""
        order = {item.key: index for index, item in enumerate(self.region_ranking)}
        return sorted(self.contracts.region_paces, key=lambda item: order[item[0].pk])

    @cached_property
    def regions_have_expected(self) -> bool:
        """Whether any region has an expected level at the date (a target for the year):
        without one, the regions are listed by name and no target is drawn."""
        return any(p.expected for _, p in self.contracts.region_paces)

    @cached_property
    def branches_by_gap(self) -> list[Row]:
        """The first RANKED_BRANCHES branches of `branch_ranking`, for the branches chart."""
        rows = {row["branch"].pk: row for row in self.contracts.branch_rows}
        return [dict(rows[item.key]) for item in self.branch_ranking[:RANKED_BRANCHES]]

    @cached_property
    def most_behind(self) -> list[Ranked]:
        """The MOST_BEHIND first of `ranking` that are behind their reference."""
        return [item for item in self.ranking if item.behind][:MOST_BEHIND]

    @property
    def most_behind_title(self) -> str:
        if self.scope.region is None:
            return "Régions les plus en retard sur l'attendu à date"
        return f"Branches les plus en retard sur la même période de {self.scope.year - 1}"

    # --- series and dates ----------------------------------------------------------------

    @cached_property
    def series(self) -> CumulativeSeries:
        """The year's months, its running total, the year before's (when complete) and
        the target's expected running total: the cumulative chart and the months table
        of every output."""
        dashboard = self.contracts
        return cumulative_series(
            dashboard.pace,
            dashboard.by_year.get(self.scope.year),
            dashboard.by_year.get(self.scope.year - 1),
        )

    @property
    def previous_year_complete(self) -> bool:
        return self.series.previous_months is not None

    @property
    def as_of(self) -> datetime.date:
        """The date the figures stop at ("arrêté au"): the end of the last whole month
        counted, the same on the page, its exports, the API, the PDF and the mails."""
        return self.contracts.pace.as_of

    # --- tables: rows and totals ---------------------------------------------------------

    @cached_property
    def rows(self) -> dict[str, list[Row]]:
        return {
            "regions": tables.region_rows(self.contracts),
            "branches": tables.branch_rows(self.contracts),
            "months": tables.month_rows(self.series),
            "events": tables.event_rows(self.events),
            "event_months": tables.event_month_rows(self.events),
        }

    @cached_property
    def totals(self) -> dict[str, Row]:
        """The footer of each table: figures of the page, not sums of the rows."""
        pace, national = self.contracts.pace, self.contracts.national
        events = {measure: self.events.total(measure) for measure in MEASURES}
        return {
            "regions": {
                "label": "Total France entière",
                "contracts": national.contracts,
                "previous": national.previous_value,
                "growth": national.growth,
                "target": national.target_value,
                "expected": national.expected,
            },
            "branches": {
                "label": "Total",
                "contracts": pace.contracts,
                "previous": pace.previous_value,
                "growth": pace.growth,
            },
            "months": {
                "label": f"Total {pace.period_label}",
                "contracts": pace.contracts,
                "previous": pace.previous_value,
            },
            "events": {"label": "Total", **events},
            "event_months": {"label": "Total", **events},
        }

    def events_between(self, start: datetime.date, end: datetime.date) -> HeldBetween:
        """Events held in a window of days (after `start`, up to `end`) in the scope's
        region, and their attendance: what a digest reports "since the last one"."""
        return events_held_between(region=self.scope.region, start=start, end=end)

    # --- departments of a region (dashboards.departments) --------------------------------

    @cached_property
    def departments(self) -> Departments:
        """The departments of the scope's region (a department's page compares it with
        the other departments of its region)."""
        return contracts_by_department(self.counts, self.region_contracts)

    @cached_property
    def department_market(self) -> dict[int, MarketSummary]:
        if self.scope.region is None:
            return {}
        summaries = contract_selectors.department_market_summaries(
            region=self.scope.region, year=self.scope.year
        )
        refusal = self.market_share_refusal
        return {pk: contract_selectors.without_share(s, refusal) for pk, s in summaries.items()}

    @cached_property
    def department_events(self) -> EventsByDepartment:
        """The region's events and attendance of the year by the department of their
        place; what has no department, reported totals included, is the rest."""
        if self.scope.region is None:
            return EventsByDepartment()
        department_ids = [row["department"].pk for row in self.departments.rows]
        return self.region_events.by_department(department_ids)

    @cached_property
    def department_rows(self) -> list[Row]:
        """The departments of the region, each linking to its own dashboard (same
        filters)."""
        return tables.department_rows(
            self.departments, self.department_market, self.department_events, self.scope
        )

    @cached_property
    def department_totals(self) -> Row:
        """The region's headline: the departments add up to it (with the part not known by
        department), never the other way round."""
        pace = self.region_contracts.pace
        market = self.region_market
        return {
            "label": f"Total {self.scope.region.name if self.scope.region else ''}".strip(),
            "contracts": pace.contracts,
            "previous": pace.previous_value,
            "growth": pace.growth,
            "share": 100.0 if pace.contracts else None,
            "market_share": market.share_pct if market else None,
            # The region's events figures, as the events table's footer and headline.
            **{m: self.region_events.total(m) for m in tables.DEPARTMENT_EVENT_MEASURES},
        }

    def department_table(self, **kwargs: Any) -> tables.BaseTable:
        return tables.DepartmentTable(self.department_rows, totals=self.department_totals, **kwargs)

    def table(self, name: str, **kwargs: Any) -> tables.BaseTable:
        return tables.TABLE_CLASSES[name](self.rows[name], totals=self.totals[name], **kwargs)


def build_page(
    scope: Scope,
    filterset: DashboardFilter,
    *,
    user: User | AnonymousUser,
    today: datetime.date | None = None,
) -> DashboardPage:
    return DashboardPage(scope, filterset.qs, user, today or timezone.localdate())


def page_for_request(
    request: HttpRequest, *, region_code: str | None = None
) -> tuple[DashboardFilter, DashboardPage]:
    filterset, scope = request_scope(request, region_code=region_code)
    return filterset, build_page(scope, filterset, user=request.user)
