"""Read-only JSON API: the figures behind each dashboard chart, with the dashboards'
filters (`region`, `year`, `date`, `branch`, `contract_type`, `public`).

Authentication (session or `Authorization: Token <key>`) is done once for all of /api/
by `akto_portal.api_auth.ApiAuthenticationMiddleware`. Without `region`, figures are
national (the API has no per-user default region).
"""

from django.http import JsonResponse
from django.utils import timezone

from contracts.facts import contracts_dashboard
from contracts.models import ContractCount
from conventions.selectors import conventions_progress
from dashboards import tables
from dashboards.filters import DashboardFilter, scope_from
from events.selectors import events_by_month


def _scope(request):
    filterset = DashboardFilter(request.GET, queryset=ContractCount.objects.all())
    if not filterset.is_valid():
        return None, None, JsonResponse({"errors": filterset.errors.get_json_data()}, status=400)
    return filterset, scope_from(filterset, today=timezone.localdate()), None


def _filters(scope):
    return {
        "region": scope.region.code if scope.region else None,
        "year": scope.year,
        "branch": scope.branch.pk if scope.branch else None,
        "contract_type": scope.contract_type or None,
        "public": scope.public,
    }


def _dashboard(request):
    filterset, scope, error = _scope(request)
    if error is not None:
        return None, error
    return contracts_dashboard(filterset.qs, scope), None


def _without(rows, *keys):
    return [{k: v for k, v in row.items() if k not in keys} for row in rows]


def contracts_summary(request):
    """Contracts to date against the same period last year, the target and the pace."""
    dashboard, error = _dashboard(request)
    if error:
        return error
    return JsonResponse({**_filters(dashboard.scope), **dashboard.pace.as_dict()})


def contracts_by_year(request):
    dashboard, error = _dashboard(request)
    if error:
        return error
    rows = [
        {
            "year": r.year,
            "contracts": r.contracts.value if r.contracts.known else None,
            "growth_pct": r.growth,
            "target": r.target.value if r.target else None,
            "synthetic": r.contracts.synthetic,
        }
        for r in dashboard.year_rows
    ]
    return JsonResponse({**_filters(dashboard.scope), "rows": rows})


def contracts_by_month(request):
    dashboard, error = _dashboard(request)
    if error:
        return error
    rows = _without(tables.month_rows(dashboard), "label")
    return JsonResponse({**_filters(dashboard.scope), "months": dashboard.through, "rows": rows})


def contracts_by_region(request):
    dashboard, error = _dashboard(request)
    if error:
        return error
    rows = _without(tables.region_rows(dashboard), "url", "status")
    return JsonResponse({**_filters(dashboard.scope), "months": dashboard.through, "rows": rows})


def contracts_by_branch(request):
    dashboard, error = _dashboard(request)
    if error:
        return error
    rows = [{"branch": r["branch"].pk, **_without([r], "branch")[0]} for r in dashboard.branch_rows]
    if dashboard.unbranched:
        rows.append({"branch": None, **dashboard.unbranched})
    return JsonResponse({**_filters(dashboard.scope), "months": dashboard.through, "rows": rows})


def events_summary(request):
    _filterset, scope, error = _scope(request)
    if error:
        return error
    held, attendance = events_by_month(
        region=scope.region, year=scope.year, today=timezone.localdate()
    )
    return JsonResponse(
        {
            **_filters(scope),
            "events": [
                {
                    "month": r["month"],
                    "kind": r["kind"],
                    "axis": r["axis__number"],
                    "events": r["n"],
                    "synthetic": bool(r["synthetic"]),
                }
                for r in held
            ],
            "attendance": [
                {
                    "month": r["month"],
                    "kind": r["event__kind"],
                    "axis": r["event__axis__number"],
                    "category": r["category"],
                    "participants": r["n"],
                }
                for r in attendance
            ],
        }
    )


def conventions_indicators(request):
    _filterset, scope, error = _scope(request)
    if error:
        return error
    progress = conventions_progress(scope.region, today=timezone.localdate(), user=request.user)
    return JsonResponse(
        {
            "region": scope.region.code if scope.region else None,
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
        }
    )


def _num(value):
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value
