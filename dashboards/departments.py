"""A region department by department: its table and tile map, the table's CSV/XLSX export
and the JSON API, all read from the page model of the region's scope (dashboards.page)."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from akto_portal.api_auth import InvalidParameters
from akto_portal.models import Region
from dashboards import exports
from dashboards.api import _filters, page_api
from dashboards.filters import filter_form
from dashboards.page import DashboardPage, page_for_request


def department_tiles(page: DashboardPage) -> list[dict]:
    """One tile per department, coloured by its growth as its label shows it (rounded
    to the unit: "0 %" is neutral, never green beside a red "0 %"; unknown: grey, never
    0), linking to the department's dashboard."""
    tiles = []
    for row in page.department_rows:
        if not row["code"]:
            continue
        growth = row["growth"]
        shown = None if growth is None else round(growth)  # as signed_pct writes it
        tone = (
            "unknown" if shown is None else "up" if shown > 0 else "down" if shown < 0 else "flat"
        )
        tiles.append({**row, "tone": tone})
    return tiles


def region_departments(request: HttpRequest, code: str) -> HttpResponse:
    """The departments of a region: contracts to date, the same period last year, growth,
    share of the region, market share; a tile map."""
    get_object_or_404(Region, code=code)
    filterset, page = page_for_request(request, region_code=code)
    return render(
        request,
        "dashboards/departments.html",
        {
            "form": filter_form(page.scope, request.GET, filterset.dropped, place_fields=False),
            "page": page,
            "scope": page.scope,
            "pace": page.region_contracts.pace,
            "query": page.scope.query(),
            "region_query": page.scope.region_scope().query(),
            "department_table": page.department_table(),
            "department_tiles": department_tiles(page),
        },
    )


def departments_export(request: HttpRequest, code: str, fmt: str) -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    get_object_or_404(Region, code=code)
    _filterset, page = page_for_request(request, region_code=code)
    table = page.department_table()
    name = f"departements-{code}-{page.scope.year}"
    url = request.build_absolute_uri(
        reverse("region-departments", args=[code]) + "?" + page.scope.query()
    )
    about = exports.about(page, title=f"{page.scope.region_scope().place} par département", url=url)
    if fmt == "csv":
        return exports.csv_response(table, name, about=about)
    return exports.xlsx_response([("Départements", table)], name, about=about)


@page_api
def contracts_by_department_api(request: HttpRequest, page: DashboardPage) -> JsonResponse:
    """/api/v1/contracts/by-department?region=28&year=2021: a region's departments; an
    unknown figure is null, never 0."""
    if page.scope.region is None:
        raise InvalidParameters({"region": ["Choisissez une région."]})
    total = {k: v for k, v in page.department_totals.items() if k != "label"}
    return JsonResponse(
        {
            **_filters(page.scope),
            "months": page.contracts.through,
            "rows": [
                {k: v for k, v in row.items() if k not in ("url", "current")}
                for row in page.department_rows
            ],
            "total": total,
            "market_share_refusal": page.market_share_refusal or None,
        }
    )
