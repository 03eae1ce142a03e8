"""The portal reads well everywhere: charts hold their shape when the window is resized,
staff pages fit a phone (390 px) without horizontal scrolling, and axe-core finds no
serious or critical accessibility violation on the pages staff and directors use.

axe-core comes from npm (package.json, `make install` runs `npm ci`); it is injected by
these tests only, never served by the portal.
"""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from demo import documents, synthetic
from events.models import Event
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHART_KINDS = 8  # charts of a national dashboard with demo data (without conventions')


@pytest.fixture
def demo():
    documents.load_all()
    synthetic.load_all(today=timezone.localdate())


@pytest.fixture
def axe_script():
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{AXE} missing: run `make install` (npm ci)")
        pytest.skip(f"{AXE} missing: run `make install` (npm ci)")
    return AXE


def _charts_drawn(page):
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart[data-figure]')]"
        ".every(el => el.dataset.interactive === 'true')"
    )


# For each chart: its container's box, the drawn SVG's box, and the top of the element
# that follows the container in the page.
CHART_BOXES = """() => [...document.querySelectorAll('.chart[data-figure]')].map(el => {
  const box = el.getBoundingClientRect();
  const svg = el.querySelector('.main-svg').getBoundingClientRect();
  let next = el.nextElementSibling;
  while (next && (next.tagName === 'SCRIPT' || next.offsetParent === null)) {
    next = next.nextElementSibling;
  }
  return {id: el.dataset.figure, left: box.left, right: box.right, top: box.top,
          bottom: box.bottom, height: box.height, svgLeft: svg.left, svgRight: svg.right,
          svgTop: svg.top, svgBottom: svg.bottom,
          nextTop: next ? next.getBoundingClientRect().top : null};
})"""


def _overflowing(page):
    problems = []
    for c in page.evaluate(CHART_BOXES):
        if c["svgRight"] > c["right"] + 1 or c["svgLeft"] < c["left"] - 1:
            problems.append(f"{c['id']}: {c['svgLeft']}–{c['svgRight']} wider than its box")
        if c["svgBottom"] > c["bottom"] + 1:
            problems.append(f"{c['id']}: drawn to {c['svgBottom']}, its box ends at {c['bottom']}")
        if c["nextTop"] is not None and c["bottom"] > c["nextTop"] + 1:
            problems.append(f"{c['id']}: spills over the next block ({c['nextTop']})")
        if c["height"] < 200:
            problems.append(f"{c['id']}: collapsed to {c['height']} px")
    return problems


def _resize(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(400)  # the ResizeObserver redraws on the next frames


def test_charts_follow_their_container_when_the_window_is_resized(
    login, live_server, admin_user, demo
):
    page = login(admin_user, PASSWORD)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/?region=FR")
    _charts_drawn(page)
    assert page.locator(".chart[data-figure]").count() >= CHART_KINDS
    widths = {}
    for width in (1440, 1000, 1440):
        _resize(page, width)
        assert _overflowing(page) == [], width
        widths[width] = page.evaluate(
            "() => document.querySelector('.chart[data-figure=chart-cumulative] .main-svg')"
            ".getBoundingClientRect().width"
        )
    # The chart shrank with the window, then grew back.
    assert widths[1000] < 1000 < widths[1440]


# The deepest elements that reach past the right edge of the screen (what to fix).
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
    && ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .filter(el => !(el instanceof SVGElement)).slice(0, 6)
  .map(el => el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className
    + ' ' + Math.round(el.getBoundingClientRect().right))"""


def _staff_pages(live_server):
    event = (
        Event.objects.filter(region__code="28", date__lt=timezone.localdate())
        .order_by("-date")
        .first()
    )
    base = live_server.url
    return {
        "dashboard": f"{base}/",
        "events": f"{base}/evenements/",
        "event": f"{base}/evenements/{event.pk}/",
        "attendance": f"{base}/evenements/{event.pk}/participation/",
        "grid": f"{base}/evenements/saisie-groupee/?region=28",
        "new event": f"{base}/evenements/nouveau/",
    }


def test_staff_pages_fit_a_phone_without_horizontal_scrolling(login, live_server, staff, demo):
    page = login(staff, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    too_wide = {}
    for name, url in _staff_pages(live_server).items():
        page.goto(url)
        if name == "dashboard":
            _charts_drawn(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            too_wide[name] = (width, page.evaluate(WIDEST))
    assert too_wide == {}


def _serious_violations(page, axe_script):
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.length + ' × '"
        " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
    )
    return result


def _login(browser, live_server, user):
    """A page of a context that lets the test inject axe-core's script (the portal's CSP
    forbids inline scripts, as it should)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/connexion/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_staff_and_admin_pages_have_no_serious_accessibility_violation(
    live_server, staff, admin_user, demo, axe_script, browser
):
    page = _login(browser, live_server, staff)
    found = {}
    for name, url in _staff_pages(live_server).items():
        page.goto(url)
        if name == "dashboard":
            _charts_drawn(page)
        if violations := _serious_violations(page, axe_script):
            found[name] = violations
    page.context.close()
    page = _login(browser, live_server, admin_user)
    for name, url in {
        "national dashboard": f"{live_server.url}/?region=FR",
        "imports": f"{live_server.url}/imports/",
    }.items():
        page.goto(url)
        if "dashboard" in name:
            _charts_drawn(page)
        if violations := _serious_violations(page, axe_script):
            found[name] = violations
    page.context.close()
    assert found == {}


SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "/tmp/akto-screenshots"))

# A table's box against the box it sits in (the page's content column).
TABLE_IN_BOX = """(selector) => {
  const table = document.querySelector(selector);
  const box = table.closest('section, main').getBoundingClientRect();
  const rect = table.getBoundingClientRect();
  const lastHeader = [...table.querySelectorAll('thead th')].pop().getBoundingClientRect();
  return {table: Math.round(rect.width), scroll: table.scrollWidth, box: Math.round(box.width),
          right: Math.round(rect.right), boxRight: Math.round(box.right),
          lastHeaderRight: Math.round(lastHeader.right)};
}"""


def test_the_departments_page_fits_1440_px_and_has_its_filter_form(
    login, live_server, director, demo
):
    page = login(director, PASSWORD)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/regions/28/departements/?year=2025")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "departments-1440.png"), full_page=True)

    sizes = page.evaluate(TABLE_IN_BOX, "#departements table.data")

    # Every column, the events' last one included, is inside the content box.
    assert sizes["table"] <= sizes["box"], sizes
    assert sizes["lastHeaderRight"] <= sizes["boxRight"], sizes
    assert sizes["scroll"] <= sizes["table"] + 1, sizes
    form = page.locator("form#filters")
    assert form.is_visible()
    assert form.locator("select[name=branch]").is_visible()
    assert form.locator("[name=region]").count() == 0  # the URL names the region
    page.select_option("form#filters select[name=public]", "rqth")
    page.wait_for_url("**public=rqth**")
    assert "/regions/28/departements/" in page.url


# Per chart: its y tick labels, its x axis title's box and its x tick labels' boxes, the
# font size of the labels drawn in a heatmap (the tile map).
CHART_TEXT = """() => [...document.querySelectorAll('.chart[data-figure]')].map(el => {
  const box = e => { const b = e.getBoundingClientRect();
                     return {left: b.left, top: b.top, right: b.right, bottom: b.bottom}; };
  return {id: el.dataset.figure,
    yticks: [...el.querySelectorAll('.ytick text')].map(t => t.textContent),
    xtitle: [...el.querySelectorAll('.g-xtitle text')].map(box),
    xticks: [...el.querySelectorAll('.xtick text')].map(box),
    tileFonts: [...el.querySelectorAll('.heatmaplayer text')]
      .map(t => parseFloat(getComputedStyle(t).fontSize))};
})"""


def _overlap(a, b):
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and (a["top"] < b["bottom"] and b["top"] < a["bottom"])
    )


def _chart_text_problems(page):
    problems = []
    for c in page.evaluate(CHART_TEXT):
        if len(set(c["yticks"])) != len(c["yticks"]):
            problems.append(f"{c['id']}: repeated y ticks {c['yticks']}")
        for title in c["xtitle"]:
            if any(_overlap(title, tick) for tick in c["xticks"]):
                problems.append(f"{c['id']}: x tick labels over the axis title")
        if c["tileFonts"] and min(c["tileFonts"]) < 10:
            problems.append(f"{c['id']}: tile labels {min(c['tileFonts'])} px high")
    return problems


@pytest.mark.parametrize("width", [1440, 390])
def test_chart_labels_are_readable_and_distinct(login, live_server, director, demo, width):
    """Tile-map labels at least 10 px high, no x tick label over an axis title, no y
    tick printed twice — on the national page and on a department's (few events: the
    events charts once read "0, 1, 1, 2, 2")."""
    page = login(director, PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for name, query in {
        "france": "region=FR&year=2025",
        "calvados": "region=28&department=14&year=2025",
    }.items():
        page.goto(f"{live_server.url}/?{query}")
        _charts_drawn(page)
        page.screenshot(path=str(SHOTS / f"charts-{name}-{width}.png"), full_page=True)
        if name == "france":
            page.locator(".chart[data-figure=chart-map]").screenshot(
                path=str(SHOTS / f"tile-map-{width}.png")
            )
        else:
            page.locator("#events .two-cols").screenshot(path=str(SHOTS / f"events-{width}.png"))
        if problems := _chart_text_problems(page):
            found[name] = problems
    assert found == {}


ON_SCREEN = """(selector) => [...document.querySelectorAll(selector)].slice(0, 5).map(el => {
  const b = el.getBoundingClientRect();
  return {text: el.textContent.trim().slice(0, 60), left: Math.round(b.left),
          right: Math.round(b.right), width: Math.round(b.width)};
})"""


def test_actions_and_errors_stay_on_a_phone_screen(login, live_server, staff, demo):
    """At 390 px the events list's "Modifier la participation" links and the attendance
    preview's "Contrôle" column (the line's error) are on screen, not in a column
    scrolled out of sight."""
    page = login(staff, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = _staff_pages(live_server)

    page.goto(pages["events"])
    page.screenshot(path=str(SHOTS / "events-list-390.png"), full_page=True)
    links = page.evaluate(ON_SCREEN, "#table-events a.row-action")
    assert links, "no attendance link in the staff's events list"
    assert [x for x in links if x["left"] < 0 or x["right"] > 390 or x["width"] == 0] == []

    page.goto(pages["attendance"])
    page.fill("#id_attendees", "siret;nom\n12345;Entreprise au SIRET trop court\n")
    page.click("button[value=preview]")
    page.wait_for_selector("#preview-rows")
    page.screenshot(path=str(SHOTS / "attendance-preview-390.png"), full_page=True)
    checks = page.evaluate(ON_SCREEN, "#preview-rows td.check")
    assert checks and checks[0]["text"].startswith("Ligne 2 : ")
    assert [x for x in checks if x["left"] < 0 or x["right"] > 390 or x["width"] == 0] == []
