"""Charts of mails, as PNG images (no remote image, no JavaScript): the page's own
figures (dashboards.charts) drawn by the server renderer (dashboards.svg.sized) and
rasterised."""

from contracts.pace import CumulativeSeries
from dashboards.charts import cumulative_vs_target, drawable
from dashboards.svg.sized import png, sized_svg

WIDTH, HEIGHT = 640, 340  # px, drawn at 1.5 times for sharp text on high-density screens


def cumulative_png(series: CumulativeSeries, *, title: str = "") -> bytes | None:
    """Cumulative contracts of the year against the target pace and last year's
    cumulative: the page's "Cumul" chart as a PNG, drawn from the same series
    (DashboardPage.series); None when there is nothing to draw."""
    figure = drawable(cumulative_vs_target(series))
    if figure is None:
        return None
    figure = {**figure, "layout": {**figure["layout"], "title": {"text": title}}}
    svg = sized_svg(figure, width=WIDTH, height=HEIGHT, name="cumulative")
    return None if svg is None else png(svg)
