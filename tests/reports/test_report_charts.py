"""The PDF report's charts are the page's own figures drawn at their printed size by the
server renderer (dashboards.svg.sized), and each has a proper box: the plot keeps the
width of the figure, the category labels stand apart, values and ticks stay inside, the
legend is under the plot, inside the figure. (Normandie 2026 and Mayotte 2025 once had a
3 cm wide events chart, labels on top of each other and a legend cut at both sides.)

Boxes are measured on the SVG itself: each text's width in DejaVu Sans, placed by its
anchor."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from django.test import RequestFactory

from akto_portal.formats import MONTHS, REPORTED_MONTH
from dashboards import charts
from dashboards.page import page_for_request
from dashboards.svg.common import text_width
from dashboards.svg.sized import sized_svg
from reports.pdf import EVENTS_HEIGHT, HALF, event_figures

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Text:
    part: str
    text: str
    left: float
    right: float
    y: float


def _page(user, query):
    request = RequestFactory().get("/rapport.pdf?" + query)
    request.user = user
    return page_for_request(request)[1]


def _texts(svg: str) -> tuple[float, float, list[Text]]:
    root = ET.fromstring(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    texts = []
    for node in root.iter(f"{SVG}text"):
        if node.get("transform"):  # the rotated axis title
            continue
        size = float(node.get("font-size") or root.get("font-size"))
        span = text_width(node.text or "", size)
        x = float(node.get("x"))
        left = {"start": x, "middle": x - span / 2, "end": x - span}[node.get("text-anchor")]
        texts.append(
            Text(node.get("class") or "", node.text or "", left, left + span, float(node.get("y")))
        )
    return width, height, texts


def _inside(texts: list[Text], width: float, height: float) -> bool:
    return all(t.left >= -0.5 and t.right <= width + 0.5 and 0 < t.y <= height for t in texts)


def test_the_events_charts_have_a_proper_box(admin_user, demo):
    checked = []
    for query, slots in [
        ("region=28&year=2026", MONTHS),
        ("region=06&year=2025", MONTHS),
        ("region=28&year=2021", [*MONTHS, REPORTED_MONTH]),  # reported yearly totals
    ]:
        for name, figure in event_figures(_page(admin_user, query)).items():
            svg = sized_svg(charts.drawable(figure), width=HALF, height=EVENTS_HEIGHT)
            assert svg is not None, (query, name)
            width, height, texts = _texts(svg)
            assert (width, height) == (HALF, EVENTS_HEIGHT)  # 12,5 cm wide, as printed
            assert _inside(texts, width, height), (query, name, "a text leaves the box")

            labels = [t for t in texts if t.part == "category"]
            first_row = [t for t in labels if t.y == labels[0].y]
            # One label a slot, the reported total on as many lines as it takes.
            assert [t.text for t in first_row][:12] == MONTHS
            assert " ".join(t.text for t in labels[12:]) == " ".join(slots[12:])
            for left, right in zip(first_row, first_row[1:], strict=False):
                assert left.right + 1 < right.left, (query, name, "month labels overlap")
            # The plot takes the figure's width (it had a quarter of it).
            assert first_row[-1].right - first_row[0].left >= 0.75 * width

            legend = [t for t in texts if t.part == "legend"]
            assert [t.text for t in legend] == [trace["name"] for trace in figure["data"]]
            assert min(t.y for t in legend) > max(t.y for t in labels)  # under the labels
            checked.append((query, name))
    assert len(checked) == 6


def test_the_ranking_writes_each_gap_clear_of_the_names(admin_user, demo):
    """Normandie 2026's branches by gap to 2025: the most behind on top, each gap written
    at the end of its bar, none over a branch's name, all inside the chart."""
    page = _page(admin_user, "region=28&year=2026")
    figure = charts.gaps_ranking(page.ranking, yardstick="à la même période de 2025")
    svg = sized_svg(figure, width=HALF, height=560)
    width, height, texts = _texts(svg)
    assert _inside(texts, width, height)
    names = [t for t in texts if t.part == "category"]
    values = [t for t in texts if t.part == "value"]
    assert names[0].text.startswith("Restauration rapide") and values[0].text == "−14,6\xa0%"
    assert max(t.right for t in names) < min(t.left for t in values)
    red = re.findall(r'fill="(#b2182b|url\(#[^)]*\))"', svg)
    assert red  # the branches behind are red (hatched where synthetic)


def test_the_indicators_chart_marks_the_period_and_keeps_its_last_tick(admin_user, demo):
    page = _page(admin_user, "region=28&year=2026")
    item = next(i for i in page.progress if any(s.target_pct for s in i["statuses"]))
    figure = charts.indicators_progress(item["statuses"], elapsed_pct=item["elapsed_pct"])
    svg = sized_svg(figure, width=HALF)
    width, height, texts = _texts(svg)
    assert _inside(texts, width, height)  # "125 %" was cut at the right edge
    (note,) = [t for t in texts if t.part == "note"]
    assert note.text == "période écoulée : 64\xa0%"
    assert 'stroke-dasharray="8 5"' in svg  # the period's dashed line


def test_the_mail_chart_is_the_same_drawing_as_a_png(admin_user, demo):
    from reports.images import HEIGHT, WIDTH, cumulative_png

    page = _page(admin_user, "region=28&year=2026")
    png = cumulative_png(page.series, title="Normandie — contrats cumulés 2026")
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (WIDTH * 1.5, HEIGHT * 1.5)  # drawn at 1.5x for sharp text
    assert text_width("Normandie", 11) > 0
