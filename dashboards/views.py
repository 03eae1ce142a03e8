"""The dashboards (France or a region, optionally one branch), their exports and the
indicator drill-down. Each reads the page model of its scope (dashboards.page)."""

import datetime
from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from akto_portal.cache import TIMEOUT as FIGURES_TIMEOUT
from akto_portal.cache import data_version
from akto_portal.http import AuthenticatedRequest
from akto_portal.models import Region, SavedView
from akto_portal.paging import RequestConfig
from akto_portal.permissions import can_view_convention
from akto_portal.services import SavedViewError, saved_view_delete, saved_view_save
from contracts.figures import Figure, YearData
from conventions.models import Indicator
from conventions.selectors import conventions_for_region, indicator_for_page, indicator_inputs
from dashboards import charts, exports, tables
from dashboards.departments import department_tiles
from dashboards.filters import DashboardFilter, Scope, filter_form
from dashboards.page import TABLES, DashboardPage, build_page, page_for_request, request_scope
from dashboards.page_cache import SCOPE, page_fragments
from events.indicators import EventInputs
from events.models import EventKind, ParticipantCategory
from events.selectors import upcoming_events

EXPORTABLE = {"regions", "branches", "months", "events", "event_months"}
WORKBOOK = [
    ("Régions", "regions"),
    ("Mois", "months"),
    ("Branches", "branches"),
    ("Événements", "events"),
    ("Événements par mois", "event_months"),
]


def _tables(
    request: HttpRequest, page: DashboardPage, *, paginate: bool = True
) -> dict[str, tables.BaseTable]:
    built = {name: page.table(name) for name in TABLES}
    config = RequestConfig(request, paginate={"per_page": 20} if paginate else False)
    for table in built.values():
        config.configure(table)
    return built


class _TablesOnDemand(dict[str, tables.BaseTable]):
    """The page's tables (`_tables`), each built and configured from the request when
    the template first reads it: a cached fragment's tables are not built."""

    def __init__(self, request: HttpRequest, page: DashboardPage) -> None:
        super().__init__()
        self.request, self.page = request, page

    def __missing__(self, name: str) -> tables.BaseTable:
        if name not in TABLES:
            raise KeyError(name)
        table = self.page.table(name)
        RequestConfig(self.request, paginate={"per_page": 20}).configure(table)
        self[name] = table
        return table


def _months(data: YearData | None) -> dict[int, Figure]:
    return data.months if data is not None else _no_months()


def _no_months() -> dict[int, Figure]:
    return {m: Figure() for m in range(1, 13)}


def _charts(
    page: DashboardPage,
    current: Callable[[], YearData | None],
    previous: Callable[[], YearData | None],
) -> dict[str, Callable[[], dict | None]]:
    """The page's figures, each drawn when the template reads it; None for a chart
    without data (the page says why)."""
    scope = page.scope

    def any_region() -> bool:
        # A department is compared with the other departments of its region (their table
        # and tile map), not with the regions.
        return scope.department is None and any(
            p.contracts is not None for _region, p in page.contracts.region_paces
        )

    figures: dict[str, Callable[[], dict | None]] = {
        "chart_cumulative": lambda: charts.cumulative_vs_target(page.series),
        "chart_years": lambda: charts.contracts_by_year(page.contracts.year_rows),
        "chart_regions": lambda: (
            charts.paces_by_region(page.regions_by_gap) if any_region() else None
        ),
        "chart_map": lambda: (
            charts.region_map(page.contracts.region_paces, selected=scope.region)
            if any_region()
            else None
        ),
        "chart_branches": lambda: charts.contracts_by_branch(page.branches_by_gap, year=scope.year),
        "chart_months": lambda: charts.contracts_by_month(
            _months(current()), _months(previous()), year=scope.year
        ),
        "chart_events": lambda: charts.events_by_month(page.events.held, dict(EventKind.choices)),
        "chart_attendance": lambda: charts.attendance_by_month(
            page.events.attendance, dict(ParticipantCategory.choices)
        ),
    }
    return {name: _lazy(partial(_drawable, figure)) for name, figure in figures.items()}


def _drawable(figure: Callable[[], dict | None]) -> dict | None:
    return charts.drawable(figure())


def _render_dashboard(
    request: AuthenticatedRequest, *, region_code: str | None = None
) -> HttpResponse:
    """The page: its figures from the cached page fragments when they are there
    (dashboards.page_cache: nothing is computed then), its personal parts (saved views,
    and the frame: user, messages, CSRF tokens) rendered for this user every time."""
    today = timezone.localdate()
    fragments = page_fragments(request, today)
    filterset = None
    scope = fragments.scope  # a hit: the scope was cached with the fragments
    if scope is None:
        filterset, scope = request_scope(request, region_code=region_code)
        for text in _dropped_messages(filterset, scope):
            messages.warning(request, text)
        if not filterset.dropped:  # a link in error is told so at every request, never a hit
            fragments.store(SCOPE, scope)
    context = {
        "scope": scope,
        "query": scope.query(),
        "saved_views": SavedView.objects.filter(user=request.user),
        "fragments": fragments,
    }
    if filterset is not None:
        page = build_page(scope, filterset, user=request.user, today=today)
        context.update(_figures(request, page, dropped=filterset.dropped))
    return render(request, "dashboards/dashboard.html", context)


def _lazy(compute: Callable[[], Any]) -> Callable[[], Any]:
    """A context value computed when the template first reads it, then kept: a page
    fragment found in the cache reads none of its figures, so they are not computed."""
    return cache(compute)


def _figures(
    request: AuthenticatedRequest,
    page: DashboardPage,
    *,
    dropped: Mapping[str, list[str]] | None = None,
) -> dict:
    """Everything the figures part of the page shows, each computed only if a fragment
    that is not in the cache reads it (dashboards.page_cache: an attendance entry
    re-renders the events and conventions, not the contracts)."""
    scope = page.scope

    def progress() -> list[dict[str, Any]]:
        # Each convention with its chart and table ids (json_script, aria) and figure.
        return [
            {
                **item,
                "chart_id": f"chart-indicators-{number}",
                "table_id": f"table-indicators-{number}",
                "chart": charts.indicators_progress(
                    item["statuses"], elapsed_pct=item["elapsed_pct"]
                ),
            }
            for number, item in enumerate(page.progress, start=1)
        ]

    def year(offset: int) -> Callable[[], YearData | None]:
        return _lazy(lambda: page.contracts.by_year.get(scope.year + offset))

    current, previous = year(0), year(-1)
    context = {
        "form": _lazy(lambda: filter_form(scope, request.GET, dropped)),
        "page": page,
        "dashboard": _lazy(lambda: page.contracts),
        "pace": _lazy(lambda: page.contracts.pace),
        "tables": _TablesOnDemand(request, page),
        "progress": _lazy(progress),
        "events_year": _lazy(lambda: page.events),
        "event_totals": _lazy(lambda: page.totals["events"]),
        "activity": _lazy(lambda: page.activity),
        "market_stats": _lazy(lambda: page.market_stats),
        "market": _lazy(lambda: page.market),
        **_charts(page, current, previous),
        "current": current,
        "previous": previous,
    }
    context.update(_fragments(request, scope, page.today))
    if scope.department is not None:
        context["department_table"] = _lazy(page.department_table)
        context["department_tiles"] = _lazy(lambda: department_tiles(page))
    if scope.region is not None:
        region = scope.region
        context["conventions"] = _lazy(lambda: conventions_for_region(region, user=request.user))
        context["upcoming_events"] = _lazy(
            lambda: upcoming_events(region=region, department=scope.department, today=page.today)
        )
    return context


def _dropped_messages(filterset: DashboardFilter, scope: Scope) -> list[str]:
    """What the page says of each filter value it refused, and what it shows instead."""
    instead = {
        "department": "Toute la région est affichée.",
        "date": f"La date n'est pas appliquée : {scope.year} est affiché "
        + (
            "en entier."
            if scope.as_of.month == 12 and scope.as_of.day == 31
            else f"au {scope.as_of:%d/%m/%Y}."
        ),
    }
    texts = []
    for name, errors in filterset.dropped.items():
        label = filterset.filters[name].label if name in filterset.filters else name
        for error in errors:
            after = instead.get(name, "Ce filtre n'est pas appliqué.")
            texts.append(error if name == "department" else f"{label} : {error}")
            texts[-1] += f" {after}"
    return texts


def _fragments(request: AuthenticatedRequest, scope: Scope, today: datetime.date) -> dict[str, Any]:
    """What the tables cached inside the page's fragments vary on: the data version of
    the families they show, the URL (filters, sorting, page), the scope with defaults
    written down, the day. Shared by every audience (no convention in them)."""
    vary = f"{request.get_full_path()}|{scope.query()}|{today}"
    keys = {
        "figures_key": data_version(),  # a department's table: contracts and events
        "contracts_key": data_version("contracts"),
        "events_key": data_version("events"),
    }
    return {
        "figures_timeout": FIGURES_TIMEOUT if keys["figures_key"] is not None else 0,
        **{name: f"{version}|{vary}" for name, version in keys.items()},
    }


def overview(request: AuthenticatedRequest) -> HttpResponse:
    """The dashboard: France, or the user's region by default, or the region and branch
    the filter names."""
    return _render_dashboard(request)


def region_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    return _render_dashboard(request, region_code=region.code)


def dashboard_export(request: AuthenticatedRequest, name: str, fmt: str) -> HttpResponseBase:
    """A dashboard table as CSV or XLSX, or every table of the dashboard as one XLSX:
    the page model of the same scope, every row, the page's totals."""
    if fmt not in ("csv", "xlsx") or (name not in EXPORTABLE and name != "tableau"):
        raise Http404
    if name == "tableau" and fmt != "xlsx":
        raise Http404
    _filterset, page = page_for_request(request)
    scope = page.scope
    built = _tables(request, page, paginate=False)
    slug = f"{scope.slug}-{scope.year}"
    url = request.build_absolute_uri(f"{reverse('overview')}?{scope.query()}")
    if name == "tableau":
        sheets = [(title, built[key]) for title, key in WORKBOOK]
        if scope.department is not None:  # compared with its region's departments
            sheets[0] = ("Départements", page.department_table())
        elif scope.region is not None:
            sheets.insert(1, ("Départements", page.department_table()))
        about = exports.about(page, title="Tableau de bord : tous les tableaux", url=url)
        return exports.xlsx_response(sheets, f"tableau-de-bord-{slug}", about=about)
    title = {key: title for title, key in WORKBOOK}[name]
    about = exports.about(page, title=title, url=url)
    if fmt == "csv":
        return exports.csv_response(built[name], f"{name}-{slug}", about=about)
    return exports.xlsx_response([(title, built[name])], f"{name}-{slug}", about=about)


def indicator_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An indicator and the data that computes it."""
    try:
        indicator = indicator_for_page(pk)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc
    if not can_view_convention(request.user, indicator.convention):
        raise Http404
    inputs = indicator_inputs(indicator, today=timezone.localdate())
    events_table = None
    if inputs["kind"] == "events":
        events_table = tables.IndicatorEventTable(cast(EventInputs, inputs)["events"])
        RequestConfig(request, paginate={"per_page": 25}).configure(events_table)
    return render(
        request,
        "dashboards/indicator.html",
        {"indicator": indicator, "inputs": inputs, "events_table": events_table},
    )


@require_POST
def saved_view_create(request: AuthenticatedRequest) -> HttpResponse:
    """Name the dashboard view the user is looking at (its filters, defaults included)."""
    _filterset, scope = request_scope(request, data=QueryDict(request.POST.get("query", "")))
    try:
        view = saved_view_save(
            user=request.user, name=request.POST.get("name"), query=scope.query()
        )
    except SavedViewError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('overview')}?{scope.query()}")
    messages.success(request, f"Vue « {view.name} » enregistrée.")
    return redirect(view.get_absolute_url())


@require_POST
def saved_view_delete_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        saved_view_delete(user=request.user, view_id=pk)
    except SavedView.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, "Vue supprimée.")
    return redirect(f"{reverse('overview')}?{request.POST.get('query', '')}")
