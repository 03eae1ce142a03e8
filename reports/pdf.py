"""The steering committee's report: a scope's dashboard as at most four A4 landscape
pages of PDF, made on the server (WeasyPrint; charts drawn by dashboards.svg.sized from
the figures the page draws with plotly.js).

It reads the page model of the same scope as the dashboard (`page_for_request`, the
same query string), never a figure of its own: the headline, the regions' paces, the
branches, the conventions' indicators and the events are the page's. What the report
adds is presentation: the gaps (actual minus expected, actual minus target) and the order
of the ranking.

No network at run time: the stylesheet is read from the static files on disk, the
charts are inline SVG (data: URLs), and any other URL is refused (`StaticFilesFetcher`).

Drawing one costs 0.4–0.7 s of CPU (Normandie or France, 4–5 pages; it was 1.5–2.1 s):
the charts are the page's figures drawn by the server renderer (25–35 ms for the four;
matplotlib took ~0.25 s), the layout uses table cells where it used flex boxes (laid out
several times each), the stylesheet is parsed once per process and the fonts are
configured once per thread, and the cyclic garbage collector is paused while a report
is drawn (its collections, triggered by the layout's short-lived objects, went over
every object of the process: ~15 % of WeasyPrint's time). WeasyPrint subsets the fonts
with HarfBuzz (`libharfbuzz-subset0`, in the image; without it, fontTools takes ~0.35 s
more). `bench/run.py` measures it.

Its bytes are cached under the data version and what determines its scope (the query
string, the day, the audience: as the dashboard's fragments, dashboards.page_cache), so
a report is drawn once per change of the data.
At most REPORT_MAX_DRAWING are drawn at once (slots in the shared cache: across
processes when REDIS_URL is set); a request finding them all taken waits up to
REPORT_WAIT_SECONDS, then gets a French 503 with `Retry-After`.
"""

import base64
import contextlib
import gc
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from akto_portal.cache import TIMEOUT, data_version
from akto_portal.models import Source
from contracts.models import ContractType, Public
from contracts.pace import Pace
from dashboards import charts
from dashboards.page import DashboardPage, page_for_request
from dashboards.page_cache import audience
from dashboards.svg.sized import sized_svg
from events.models import EventKind, ParticipantCategory

RANKED_ROWS = 18  # rows of the ranking on its page (the rest: "… et N autres")
# The charts' printed sizes, in px at 96 per inch (report.css: 250 mm and 125 mm wide).
WIDE, HALF = 945, 472
CUMULATIVE_HEIGHT, EVENTS_HEIGHT = 400, 300


# --- context --------------------------------------------------------------------------


def _filters(page: DashboardPage) -> list[str]:
    scope = page.scope
    return [
        f"Branche : {scope.branch.name}" if scope.branch else "toutes branches",
        f"Type : {ContractType(scope.contract_type).label}"
        if scope.contract_type
        else "tous types de contrat",
        f"Public : {Public(scope.public).label}" if scope.public != Public.ALL else "tous publics",
    ]


def _ranking(page: DashboardPage) -> dict[str, Any]:
    """The page model's ranking (DashboardPage.ranking), most behind first: France, the
    regions by gap to their expected level at the date; a region, its branches by gap to
    the same period last year (targets are set for all branches together, so a branch
    has no expected level). When no row has a gap (no target that year, no previous
    year), the rows come by number of contracts, and the title says so."""
    scope = page.scope
    ranked = page.ranking
    known = [r for r in ranked if r.gap is not None and r.gap.diff_pct is not None]
    if scope.region is None:
        yardstick, reference_label = "à l'attendu", "Attendu à date"
        if known:
            title = "Régions classées par écart à l'attendu à date"
            order = (
                "Écart entre les contrats à date et le niveau attendu à date (objectif annuel "
                "réparti selon la saisonnalité des années passées), en % de l'attendu ; les "
                "plus en retard en tête."
            )
        else:
            title = "Régions par nombre de contrats"
            order = (
                f"Aucun objectif régional n'est connu pour {scope.year} : pas d'attendu à "
                "date, les régions sont rangées par nombre de contrats."
            )
    else:
        yardstick = f"à la même période de {scope.year - 1}"
        where = scope.department.name if scope.department else scope.region.name
        reference_label = f"{scope.year - 1} (même période)"
        order = (
            "Les objectifs sont fixés toutes branches confondues : une branche se compare à "
            "la même période de l'année précédente"
        )
        if known:
            title = f"Branches en {where} classées par écart à {scope.year - 1}"
            order += "."
        else:
            title = f"Branches en {where} par nombre de contrats"
            order += (
                f", qui n'est connue pour aucune branche en {scope.year - 1} : pas d'écart, "
                "les branches sont rangées par nombre de contrats."
            )
    return {
        "title": title,
        "order": order,
        "yardstick": yardstick,
        "reference_label": reference_label,
        "rows": ranked[:RANKED_ROWS],
        "more": max(0, len(ranked) - RANKED_ROWS),
        "behind": page.most_behind,
        "chart": _chart(
            charts.gaps_ranking(known[:RANKED_ROWS], yardstick=yardstick),
            HALF,
            height=min(28 * len(known[:RANKED_ROWS]) + 70, 560),  # what a page holds
            name="ranking",
        ),
    }


def _conventions(page: DashboardPage) -> dict[str, Any]:
    """The page's conventions whose period meets the report's year, each with its chart;
    the others are only named (a 2022 report does not show the 2025-2027 convention)."""
    shown = []
    for number, item in enumerate(page.progress, start=1):
        figure = charts.indicators_progress(item["statuses"], elapsed_pct=item["elapsed_pct"])
        shown.append({**item, "chart": _chart(figure, HALF, name=f"indicators-{number}")})
    return {"shown": shown, "elsewhere": page.conventions_elsewhere}


def event_figures(page: DashboardPage) -> dict[str, dict[str, Any]]:
    """The events held by kind and the participants by category, month by month (and
    the yearly totals reported without a month): the page's own figures."""
    events = page.events
    return {
        "held": charts.events_by_month(events.held, dict(EventKind.choices)),
        "attendance": charts.attendance_by_month(
            events.attendance, dict(ParticipantCategory.choices)
        ),
    }


def _events(page: DashboardPage) -> dict[str, Any]:
    drawn = {
        name: _chart(figure, HALF, height=EVENTS_HEIGHT, name=f"events-{name}")
        for name, figure in event_figures(page).items()
    }
    return {
        "year": page.events,
        "totals": page.totals["events"],
        "rows": page.rows["events"][:8],
        "more_rows": max(0, len(page.rows["events"]) - 8),
        "chart_held": drawn["held"],
        "chart_attendance": drawn["attendance"],
    }


def _sources(page: DashboardPage) -> list[Source]:
    """The sources of the figures in the report: the contract counts of the year and the
    year before (one query), the target, the indicators' values and targets, the reported
    event totals, and the synthetic set when any figure is synthetic."""
    scope = page.scope
    counts = page.counts.filter(year__in=[scope.year, scope.year - 1])
    if scope.region is not None:
        counts = counts.filter(region=scope.region)
    if scope.department is not None:
        counts = counts.filter(department=scope.department)
    found = {s.pk: s for s in Source.objects.filter(pk__in=counts.values("source"))}
    target = page.contracts.pace.target
    if target is not None:
        found.setdefault(target.source.pk, target.source)
    for item in page.progress:
        for s in item["statuses"]:
            for source in (s.source, s.indicator.target_source):
                if source is not None:
                    found.setdefault(source.pk, source)
    reported = {r["source"] for r in page.events.held + page.events.attendance if r.get("source")}
    synthetic_events = any(r["synthetic"] for r in page.events.held + page.events.attendance)
    if reported or synthetic_events:
        extra = Source.objects.filter(title__in=reported)
        if synthetic_events:
            extra = extra | Source.objects.filter(kind=Source.Kind.SYNTHETIC)
        for source in extra:
            found.setdefault(source.pk, source)
    return sorted(found.values(), key=lambda s: (s.kind, s.title))


def _source_summary(sources: list[Source]) -> str:
    """ "Document publié (2) · Données synthétiques (démo) (1)" for the running footer."""
    kinds: dict[str, int] = {}
    for source in sources:
        label = source.get_kind_display()
        kinds[label] = kinds.get(label, 0) + 1
    return " · ".join(f"{label} ({n})" for label, n in kinds.items()) or "aucune"


def report_context(page: DashboardPage) -> dict[str, Any]:
    scope, dashboard = page.scope, page.contracts
    pace: Pace = dashboard.pace
    current = dashboard.by_year.get(scope.year)
    previous = dashboard.by_year.get(scope.year - 1)  # their yearly-only parts are noted
    sources = _sources(page)
    conventions = _conventions(page)
    return {
        "page": page,
        "scope": scope,
        "pace": pace,
        "filters": _filters(page),
        "as_of": page.as_of,
        "gap_expected": page.gap_to_expected,
        "gap_target": page.gap_to_target,
        "chart_cumulative": _chart(
            charts.cumulative_vs_target(page.series),
            WIDE,
            height=CUMULATIVE_HEIGHT,
            name="cumulative",
        ),
        "cumulative_title": "Cumul mensuel et rythme de l'objectif"
        if page.series.expected_cumulative
        else "Cumul mensuel des contrats",
        "current": current,
        "previous": previous,
        "ranking": _ranking(page),
        "conventions": conventions["shown"],
        "conventions_elsewhere": conventions["elsewhere"],
        "any_synthetic": pace.synthetic or any(s.kind == Source.Kind.SYNTHETIC for s in sources),
        "events": _events(page),
        "sources": sources,
        "source_summary": _source_summary(sources),
        "generated_at": timezone.localtime(),
    }


def _chart(
    figure: dict[str, Any], width: float, *, height: float | None = None, name: str
) -> str | None:
    """The figure drawn at its printed size, as a data: URL (None: nothing to draw)."""
    svg = sized_svg(charts.drawable(figure), width=width, height=height, name=name)
    if svg is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


# --- rendering ------------------------------------------------------------------------


class StaticFilesFetcher(URLFetcher):
    """Reads the report's own static files from disk and data: URLs; refuses anything
    else, so rendering never touches the network."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols={"data", "file"}, **kwargs)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        prefix = f"{BASE_URL}{settings.STATIC_URL.lstrip('/')}"
        if not url.startswith(prefix):
            raise ValueError(f"Le rapport ne charge que des fichiers statiques : {url}")
        name = url[len(prefix) :].split("?")[0]
        path = finders.find(name) or _collected(name)
        if path is None:
            raise ValueError(f"Fichier statique introuvable : {name}")
        with open(path, "rb") as file:
            body = file.read()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": _mime(name)})


BASE_URL = "https://report.invalid/"  # never fetched: only the page's static URLs resolve


def _collected(name: str) -> str | None:
    """A hashed name of the manifest storage (production), read from STATIC_ROOT."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
    except (NotImplementedError, ValueError):
        return None
    return None


def _mime(name: str) -> str:
    return "text/css" if name.endswith(".css") else "application/octet-stream"


STYLESHEET = "css/report.css"
_stylesheets: dict[tuple[str, float], CSS] = {}
_thread = threading.local()


def _stylesheet() -> CSS:
    """The report's stylesheet, parsed once per process (again when the file changes)."""
    path = finders.find(STYLESHEET) or _collected(STYLESHEET)
    if not isinstance(path, str):
        raise ValueError(f"Fichier statique introuvable : {STYLESHEET}")
    key = (path, os.stat(path).st_mtime)
    css = _stylesheets.get(key)
    if css is None:
        base = f"{BASE_URL}{settings.STATIC_URL.lstrip('/')}{STYLESHEET}"
        css = CSS(filename=path, base_url=base, url_fetcher=StaticFilesFetcher())
        _stylesheets.clear()
        _stylesheets[key] = css
    return css


def _font_config() -> FontConfiguration:
    """One font configuration per thread (Pango's font map is not shared across threads),
    kept from one report to the next: the fonts are looked up once."""
    config: FontConfiguration | None = getattr(_thread, "font_config", None)
    if config is None:
        config = _thread.font_config = FontConfiguration()
    return config


_collector_lock = threading.Lock()
_collector_holds = 0  # reports being drawn in this process
_collector_was_enabled = True


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a report is drawn: the layout makes
    hundreds of thousands of short-lived objects, and the collections they triggered
    went over every object of the process (a sixth of the drawing time). Reference
    counting still frees them; the collector is switched back on (if it was on) when
    the last report being drawn in the process is done."""
    global _collector_holds, _collector_was_enabled
    with _collector_lock:
        if _collector_holds == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_holds += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_holds -= 1
            if _collector_holds == 0 and _collector_was_enabled:
                gc.enable()


def report_document(page: DashboardPage, request: HttpRequest | None = None) -> Document:
    """The laid-out report (its `pages` carry the boxes, `write_pdf()` gives the file)."""
    html = render_to_string("reports/report.html", report_context(page), request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render(
        stylesheets=[_stylesheet()], font_config=_font_config()
    )


def _filename(page: DashboardPage) -> str:
    scope = page.scope
    return f"rapport-{scope.slug}-{scope.year}-{scope.as_of:%Y%m%d}.pdf"


SLOT_TIMEOUT = 120  # seconds a drawing slot is held at most (its process may die)
RETRY_AFTER_SECONDS = 10  # sent with the 503 when every slot stays taken


class ReportBusy(Exception):
    """Every drawing slot stayed taken for REPORT_WAIT_SECONDS."""


@contextlib.contextmanager
def drawing_slot() -> Iterator[None]:
    """One of the REPORT_MAX_DRAWING slots, waited for up to REPORT_WAIT_SECONDS."""
    deadline = time.monotonic() + settings.REPORT_WAIT_SECONDS
    while True:
        for number in range(settings.REPORT_MAX_DRAWING):
            key = f"akto:report-slot:{number}"
            if cache.add(key, 1, SLOT_TIMEOUT):
                try:
                    yield
                finally:
                    cache.delete(key)
                return
        if time.monotonic() >= deadline:
            raise ReportBusy
        time.sleep(0.1)


def _cache_key(request: HttpRequest) -> str | None:
    """The key of this request's report: data version, URL, day and audience (what
    determines its scope and its figures), or None when nothing may be cached."""
    version = data_version()
    if version is None:
        return None
    vary = "|".join(
        [
            str(version),
            request.get_full_path(),
            str(timezone.localdate()),
            audience(request.user),
        ]
    )
    return f"akto:{version}:report:{hashlib.sha256(vary.encode()).hexdigest()[:32]}"


def _draw(request: HttpRequest) -> tuple[str, bytes]:
    _filterset, page = page_for_request(request)
    with collector_paused():
        return _filename(page), report_document(page, request).write_pdf()


def dashboard_report(request: HttpRequest) -> HttpResponse:
    """The report of the dashboard's scope (same query string), as a PDF download."""
    key = _cache_key(request)
    drawn = cache.get(key) if key else None
    if drawn is None:
        try:
            with drawing_slot():
                # Another request may have drawn it while this one waited.
                drawn = (cache.get(key) if key else None) or _draw(request)
        except ReportBusy:
            response = render(request, "reports/report_busy.html", status=503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if key:
            cache.set(key, drawn, TIMEOUT)
    filename, pdf = drawn
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
