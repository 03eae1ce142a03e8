"""The first charts of a dashboard are drawn on the server as SVG (dashboards.svg.fluid)
from the same figure plotly.js draws, so the reader sees them before plotly.js has
loaded: real values, readable labels; charts.js then swaps in the interactive chart."""

import re

import pytest

from dashboards.svg.fluid import chart_svg
from tests.mail_server import AS_OF

MONTHS = ["janv.", "févr.", "mars"]
FIGURE = {
    "data": [
        {
            "type": "bar",
            "name": "Contrats du mois 2024",
            "x": MONTHS,
            "y": [100, None, 300],
            "marker": {"color": "#9fb7d9", "pattern": {"shape": ["/", "", ""]}},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Cumul 2023",
            "x": MONTHS,
            "y": [150, 400, 700],
            "line": {"color": "#9aa5b1", "dash": "dot"},
        },
    ],
    "layout": {"yaxis": {"title": {"text": "Contrats (cumul)"}}},
}


def _bars(svg):
    """(x, top, height) of each bar, in the plot's units (0..1000, 0 at the top)."""
    return [
        tuple(float(v) for v in m)
        for m in re.findall(
            r'<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', svg
        )
    ]


def test_bars_and_lines_are_drawn_to_scale_with_french_ticks_and_a_legend():
    svg = chart_svg(FIGURE, "Cumul des contrats", name="chart-cumulative")

    assert svg.startswith("<svg") and 'aria-label="Cumul des contrats"' in svg
    bars = _bars(svg)
    assert len(bars) == 2  # the unknown month has no bar (not a bar of 0)
    (_x1, top1, height1), (_x2, top2, height2) = bars
    assert height2 == pytest.approx(3 * height1)  # 300 is three times 100
    assert top1 + height1 == pytest.approx(1000)  # bars stand on the zero line
    # Ticks up to 700 at most one step above: 0, 200, ..., 800 with French spacing.
    assert ">0</text>" in svg and ">800</text>" in svg and ">1\xa0000<" not in svg
    for month in MONTHS:
        assert f">{month}</text>" in svg
    assert "Contrats du mois 2024" in svg and "Cumul 2023" in svg and "Contrats (cumul)" in svg
    assert 'stroke-dasharray="2 4"' in svg  # the dotted line stays dotted
    assert 'fill="url(#chart-cumulative-hatch-0)"' in svg  # the synthetic month is hatched
    line = re.search(r'<path d="M([\d. L]+)" fill="none"', svg)[1]
    assert len(line.split("L")) == 3  # one point per month


def test_figures_it_cannot_draw_are_left_to_plotly():
    heatmap = {"data": [{"type": "heatmap", "z": [[1, 2]]}], "layout": {}}
    ranked = {"data": [{"type": "bar", "orientation": "h", "x": [1], "y": ["a"]}]}
    assert chart_svg(heatmap) == "" and chart_svg(ranked) == "" and chart_svg(None) == ""


@pytest.mark.django_db
def test_the_first_charts_of_a_dashboard_come_drawn(client, director, normandie_figures):
    client.force_login(director)
    html = client.get("/", {"region": "28", "date": AS_OF.isoformat()}).content.decode()

    for chart in ("chart-cumulative", "chart-months"):
        block = re.search(rf'<div class="chart" data-figure="{chart}"[^>]*>(.*?)</div>', html, re.S)
        assert 'data-drawn="true" data-static="true"' in block[0]
        assert block[1].startswith("<svg") and "févr." in block[1]
    # The cumulative chart: 2025 month by month (970 at the end of October) under a
    # ticked axis reaching past it.
    cumulative = re.search(r'data-figure="chart-cumulative".*?</svg></div>', html, re.S)[0]
    assert "Cumul 2025" in cumulative and ">1\xa0000</text>" in cumulative
    # The other charts wait for plotly.js, and every chart keeps its figure for it.
    assert re.search(r'data-figure="chart-years"[^>]*></div>', html)
    assert html.count('type="application/json"') >= 3
