"""Read-only JSON API: the figures behind each dashboard chart, with the dashboards'
filters (`region`, `department`, `year`, `date`, `branch`, `contract_type`, `public`);
a department outside the region named is a 400, like any invalid filter.

Authentication (session or `Authorization: Token <key>`) is done once for all of /api/
by `akto_portal.api_auth.ApiAuthenticationMiddleware`. Without `region`, figures are
national (the API has no per-user default region).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from akto_portal.api_auth import api_view
from dashboards.filters import Scope, parse_scope
from dashboards.page import DashboardPage, build_page


def page_of(request: HttpRequest) -> DashboardPage:
    """The page model of the URL's scope (France when `region` is absent); filters in
    error raise `InvalidParameters` (400 `{"errors": …}` through `api_view`)."""
    filterset, scope = parse_scope(request.GET, today=timezone.localdate())
    return build_page(scope, filterset, user=request.user)


page_api = api_view(parse=page_of)


def _filters(scope: Scope) -> dict[str, Any]:
    return {
        "region": scope.region.code if scope.region else None,
        "department": scope.department.code if scope.department else None,
        "year": scope.year,
        "branch": scope.branch.pk if scope.branch else None,
        "contract_type": scope.contract_type or None,
        "public": scope.public,
    }


def _events_ignore(scope: Scope) -> dict[str, Any]:
    """The contract filters the events and attendance ignore (they have no branch,
    contract type nor public), with the sentence the page shows."""
    if not scope.contract_filters:
        return {}
    return {"filters": sorted(scope.contract_filters), "note": scope.events_ignore}


def _without(rows: Iterable[Mapping[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in keys} for row in rows]


@page_api
def contracts_summary(request: HttpRequest, page: DashboardPage) -> JsonResponse:
    """Contracts to date against the same period last year, the target and the pace; the
    regions (France) or branches (a region) most behind their reference, as the page."""
    most_behind = [item.as_dict() for item in page.most_behind]
    return JsonResponse(
        {**_filters(page.scope), **page.contracts.pace.as_dict(), "most_behind": most_behind}
    )


@page_api
def contracts_by_year(request: HttpRequest, page: DashboardPage) -> JsonResponse:
    """Every year of the scope; the year in progress over the months known, against the
    same months of the year before (`months` < 12, `period` says which)."""
    rows = [
        {
            "year": r.year,
            "months": r.months,
            "period": r.label,
            "contracts": r.contracts.value if r.contracts else None,
            "previous_year": r.previous.value if r.previous else None,
            "growth_pct": r.growth,
            "target": r.target.value if r.target else None,
            "synthetic": bool(r.contracts and r.contracts.synthetic),
        }
        for r in page.contracts.year_rows
    ]
    return JsonResponse({**_filters(page.scope), "rows": rows})


def _table(page: DashboardPage, name: str, *drop: str) -> dict:
    return {
        **_filters(page.scope),
        "months": page.contracts.through,
        "rows": _without(page.rows[name], *drop),
        "total": _without([page.totals[name]], "label")[0],
    }


@page_api
def contracts_by_month(request: HttpRequest, page: DashboardPage) -> JsonResponse:
    return JsonResponse(_table(page, "months", "label"))


@page_api
def contracts_by_region(request: HttpRequest, page: DashboardPage) -> JsonResponse:
    return JsonResponse(_table(page, "regions", "url", "status"))


@page_api
def contracts_by_branch(request: HttpRequest, page: DashboardPage) -> JsonResponse:
    dashboard = page.contracts
    rows = [{"branch": r["branch"].pk, **_without([r], "branch")[0]} for r in dashboard.branch_rows]
    if dashboard.unbranched:
        rows.append({"branch": None, **dashboard.unbranched})
    return JsonResponse(
        {
            **_filters(page.scope),
            "months": dashboard.through,
            "rows": rows,
            "total": _without([page.totals["branches"]], "label")[0],
        }
    )


@page_api
def events_summary(request: HttpRequest, page: DashboardPage) -> JsonResponse:
    """Events held by month, kind and axis, and their participants; a reported yearly
    total (no month: `month` is null) replaces the recorded events of its kind."""
    events = page.events
    return JsonResponse(
        {
            **_filters(page.scope),
            "events": [
                {
                    "month": r["month"] if r["month"] <= 12 else None,
                    "kind": r["kind"],
                    "axis": r["axis__number"],
                    "events": r["n"],
                    "reported": bool(r.get("reported")),
                    "synthetic": bool(r["synthetic"]),
                }
                for r in events.held
            ],
            "attendance": [
                {
                    "month": r["month"] if r["month"] <= 12 else None,
                    "kind": r["event__kind"],
                    "axis": r["event__axis__number"],
                    "category": r["category"],
                    "participants": r["n"],
                    "reported": bool(r.get("reported")),
                }
                for r in events.attendance
            ],
            "total": _without([page.totals["events"]], "label")[0],
            "filters_not_applied": _events_ignore(page.scope),
        }
    )


@page_api
def conventions_indicators(request: HttpRequest, page: DashboardPage) -> JsonResponse:
    progress = page.progress
    return JsonResponse(
        {
            "region": page.scope.region.code if page.scope.region else None,
            "conventions": [
                {
                    "id": item["convention"].pk,
                    "title": item["convention"].title,
                    "period_elapsed_pct": item["elapsed_pct"],
                    "renews": item["convention"].renews.title
                    if item["convention"].renews
                    else None,
                    "indicators": [
                        {
                            "id": s.indicator.pk,
                            "name": s.indicator.name,
                            "computed": s.indicator.is_computed,
                            "previous_result": _num(s.indicator.baseline),
                            "value": _num(s.value),
                            "target": _num(s.target),
                            "target_pct": s.target_pct,
                            "synthetic": s.synthetic,
                        }
                        for s in item["statuses"]
                    ],
                }
                for item in progress
            ],
            # Conventions of the scope whose period does not meet its year: only named.
            "conventions_elsewhere": [
                {"id": c.pk, "title": c.title} for c in page.conventions_elsewhere
            ],
        }
    )


def _num(value: Decimal | float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value
