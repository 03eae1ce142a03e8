"""The PDF report's month-by-month events charts have a proper box: the axes keep the
width of the figure, the month labels ("janv." … "déc.", and the reported yearly total)
stand apart, and the legend is under the axes, inside the figure (Normandie 2026 and
Mayotte 2025 had a 3 cm wide chart, labels on top of each other and a legend cut at
both sides)."""

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox

from akto_portal.formats import MONTHS, REPORTED_MONTH
from dashboards.page import page_for_request
from reports import charts as report_charts
from reports.pdf import event_charts

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--force", verbosity=0)


def _page(user, query):
    request = RequestFactory().get("/rapport.pdf?" + query)
    request.user = user
    return page_for_request(request)[1]


def _inside(inner: Bbox, outer: Bbox) -> bool:
    return (
        outer.x0 - 0.5 <= inner.x0
        and inner.x1 <= outer.x1 + 0.5
        and outer.y0 - 0.5 <= inner.y0
        and inner.y1 <= outer.y1 + 0.5
    )


def test_the_events_charts_have_a_proper_box(admin_user, demo):
    checked = []
    for query, slots in [
        ("region=28&year=2026", MONTHS),
        ("region=06&year=2025", MONTHS),
        ("region=28&year=2021", [*MONTHS, REPORTED_MONTH]),  # reported yearly totals
    ]:
        for name, chart in event_charts(_page(admin_user, query)).items():
            figure = report_charts.monthly_stacked_figure(
                chart.slots, chart.series, ylabel=chart.ylabel
            )
            assert figure is not None, (query, name)
            canvas = FigureCanvasAgg(figure)
            canvas.draw()
            renderer = canvas.get_renderer()
            box = figure.bbox
            axes = figure.axes[0].get_window_extent(renderer)
            # A proper box: 12,5 cm wide, the axes take most of it (they had a quarter).
            assert round(box.width / figure.dpi * 2.54, 1) == 12.5
            assert axes.width >= 0.75 * box.width, (query, name, axes.width / box.width)
            assert axes.height >= 0.5 * box.height, (query, name, axes.height / box.height)

            ticks = [t for t in figure.axes[0].get_xticklabels() if t.get_text()]
            assert [t.get_text().replace("\n", " ") for t in ticks] == slots
            extents = [t.get_window_extent(renderer) for t in ticks]
            for left, right in zip(extents, extents[1:], strict=False):
                assert left.x1 + 1 < right.x0, (query, name, "month labels overlap")
            assert all(_inside(e, box) for e in extents)

            (legend,) = figure.legends
            legend_box = legend.get_window_extent(renderer)
            assert _inside(legend_box, box), (query, name, "legend cut")
            assert legend_box.y1 <= min(e.y0 for e in extents) + 0.5  # under the labels
            labels = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
            assert labels == [s.label for s in chart.series if any(s.values)]
            checked.append((query, name))
    assert len(checked) == 6
