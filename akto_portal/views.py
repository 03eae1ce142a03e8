"""The dashboards (France or a region, optionally one branch), their exports, the
indicator drill-down and the personal API tokens page."""

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from akto_portal import charts, exports, tables
from akto_portal.cache import TIMEOUT as FIGURES_TIMEOUT
from akto_portal.cache import data_version
from akto_portal.filters import DashboardFilter, scope_data, scope_from
from akto_portal.models import ApiToken, Region, SavedView
from akto_portal.permissions import can_view_convention
from akto_portal.selectors import contracts_dashboard, conventions_progress, events_by_month
from akto_portal.services import (
    SavedViewError,
    TokenError,
    api_token_create,
    api_token_revoke,
    saved_view_delete,
    saved_view_save,
)
from contracts import selectors as contracts
from contracts.models import ContractCount
from conventions.models import Indicator
from conventions.selectors import conventions_for_region, indicator_for_page, indicator_inputs
from events import selectors as events
from events.models import EventKind, ParticipantCategory

EXPORTABLE = {"regions", "branches", "months", "events", "event_months"}


def dashboard_scope(request, *, region=None, data=None):
    """Bind the URL's filters and read the scope. Invalid values are dropped (the page
    shows the defaults for them) rather than failing the page."""
    data = (request.GET if data is None else data).copy()
    if region is not None:
        data["region"] = region.code
    filterset = DashboardFilter(data, queryset=ContractCount.objects.all())
    if not filterset.is_valid():
        for name in filterset.errors:
            data.pop(name, None)
        filterset = DashboardFilter(data, queryset=ContractCount.objects.all())
        filterset.is_valid()
    today = timezone.localdate()
    default_region = request.user.region if request.user.region_id else None
    scope = scope_from(filterset, today=today, default_region=default_region)
    return filterset, scope


def _events(scope):
    held, attendance = events_by_month(
        region=scope.region, year=scope.year, today=timezone.localdate()
    )
    return held, attendance


def _tables(request, dashboard, held, attendance, *, paginate=True):
    built = {
        "regions": tables.RegionTable(tables.region_rows(dashboard)),
        "branches": tables.BranchTable(tables.branch_rows(dashboard)),
        "months": tables.MonthTable(tables.month_rows(dashboard)),
        "events": tables.EventTable(tables.event_rows(held, attendance)),
        "event_months": tables.EventMonthTable(tables.event_month_rows(held, attendance)),
    }
    config = RequestConfig(request, paginate={"per_page": 20} if paginate else False)
    for table in built.values():
        config.configure(table)
    return built


def _render_dashboard(request, *, region=None):
    filterset, scope = dashboard_scope(request, region=region)
    today = timezone.localdate()
    dashboard = contracts_dashboard(filterset.qs, scope)
    held, attendance = _events(scope)
    built = _tables(request, dashboard, held, attendance)
    progress = conventions_progress(scope.region, today=today, user=request.user)
    for number, item in enumerate(progress, start=1):
        item["chart_id"] = f"chart-indicators-{number}"
        item["chart"] = charts.indicators_progress(
            item["statuses"], elapsed_pct=item["elapsed_pct"]
        )
    current = dashboard.by_year.get(scope.year)
    previous = dashboard.by_year.get(scope.year - 1)
    context = {
        "form": DashboardFilter(scope_data(scope)).form,
        "scope": scope,
        "dashboard": dashboard,
        "pace": dashboard.pace,
        "query": scope.query(),
        "tables": built,
        "progress": progress,
        "activity": events.activity_summary(region=scope.region),
        "market_stats": contracts.market_stats(region=None) if scope.region is None else [],
        "market": (
            contracts.market_summaries(year=scope.year)
            if scope.region is None
            else [contracts.market_summary(region=scope.region, year=scope.year)]
        ),
        "chart_cumulative": charts.cumulative_vs_target(dashboard.pace, current, previous),
        "chart_years": charts.contracts_by_year(dashboard.year_rows),
        "chart_regions": charts.paces_by_region(dashboard.region_paces),
        "chart_map": charts.region_map(dashboard.region_paces, selected=scope.region),
        "chart_branches": charts.contracts_by_branch(dashboard.branch_rows, year=scope.year),
        "chart_months": charts.contracts_by_month(
            current.months if current else {m: contracts.Figure() for m in range(1, 13)},
            previous.months if previous else {m: contracts.Figure() for m in range(1, 13)},
            year=scope.year,
        ),
        "chart_events": charts.events_by_month(held, dict(EventKind.choices)),
        "chart_attendance": charts.attendance_by_month(
            attendance, dict(ParticipantCategory.choices)
        ),
        "current": current,
        "previous": previous,
    }
    context["saved_views"] = SavedView.objects.filter(user=request.user)
    context.update(_fragments(request, scope, today))
    if scope.region is not None:
        context["conventions"] = conventions_for_region(scope.region, user=request.user)
        context["upcoming_events"] = events.upcoming_events(region=scope.region, today=today)
    return render(request, "akto_portal/dashboard.html", context)


def _fragments(request, scope, today):
    """What the page's cached fragments (its rendered tables) vary on: the data version,
    the URL (filters, sorting, page), the scope with defaults written down, the day."""
    version = data_version()
    return {
        "figures_timeout": FIGURES_TIMEOUT if version is not None else 0,
        "figures_key": f"{version}|{request.get_full_path()}|{scope.query()}|{today}",
    }


def overview(request):
    """The dashboard: France, or the user's region by default, or the region and branch
    the filter names."""
    return _render_dashboard(request)


def region_detail(request, code):
    return _render_dashboard(request, region=get_object_or_404(Region, code=code))


def dashboard_export(request, name, fmt):
    """A dashboard table as CSV or XLSX, or every table of the dashboard as one XLSX."""
    if fmt not in ("csv", "xlsx") or (name not in EXPORTABLE and name != "tableau"):
        raise Http404
    filterset, scope = dashboard_scope(request)
    dashboard = contracts_dashboard(filterset.qs, scope)
    held, attendance = _events(scope)
    built = _tables(request, dashboard, held, attendance, paginate=False)
    slug = f"{scope.region.code if scope.region else 'france'}-{scope.year}"
    if name == "tableau":
        if fmt != "xlsx":
            raise Http404
        sheets = [
            ("Régions", built["regions"]),
            ("Mois", built["months"]),
            ("Branches", built["branches"]),
            ("Événements", built["events"]),
            ("Événements par mois", built["event_months"]),
        ]
        return exports.xlsx_response(sheets, f"tableau-de-bord-{slug}")
    if fmt == "csv":
        return exports.csv_response(built[name], f"{name}-{slug}")
    return exports.xlsx_response([(name, built[name])], f"{name}-{slug}")


def indicator_detail(request, pk):
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
        events_table = tables.IndicatorEventTable(inputs["events"])
        RequestConfig(request, paginate={"per_page": 25}).configure(events_table)
    return render(
        request,
        "akto_portal/indicator.html",
        {"indicator": indicator, "inputs": inputs, "events_table": events_table},
    )


def api_tokens(request):
    """The user's own API tokens: create one (its key is shown once), revoke one."""
    new_key = None
    if request.method == "POST":
        try:
            token, new_key = api_token_create(user=request.user, name=request.POST.get("name"))
        except TokenError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Jeton « {token.name} » créé.")
    return render(
        request,
        "akto_portal/tokens.html",
        {"tokens": ApiToken.objects.filter(user=request.user), "new_key": new_key},
    )


@require_POST
def api_token_revoke_view(request, pk):
    try:
        token = api_token_revoke(user=request.user, token_id=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, f"Jeton « {token.name} » révoqué.")
    return redirect("api-tokens")


@require_POST
def saved_view_create(request):
    """Name the dashboard view the user is looking at (its filters, defaults included)."""
    _filterset, scope = dashboard_scope(request, data=QueryDict(request.POST.get("query", "")))
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
def saved_view_delete_view(request, pk):
    try:
        saved_view_delete(user=request.user, view_id=pk)
    except SavedView.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, "Vue supprimée.")
    return redirect(f"{reverse('overview')}?{request.POST.get('query', '')}")
