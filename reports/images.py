"""Charts drawn on the server as PNG images, for mails and printed reports (no remote
image, no JavaScript): the same figures as the page's Plotly charts (dashboards.charts),
drawn with matplotlib's Agg backend, numbers the French way (akto_portal.formats)."""

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from akto_portal.formats import MONTHS, integer  # noqa: E402
from contracts.pace import CumulativeSeries  # noqa: E402

BLUE, GREY, ORANGE = "#1f4e8c", "#8a8f98", "#d9822b"


def cumulative_png(series: CumulativeSeries, *, title: str = "") -> bytes | None:
    """Cumulative contracts of the year against the target pace (the annual target spread
    with past years' seasonality) and last year's cumulative: the page's "Cumul" chart as
    a PNG, drawn from the same series (DashboardPage.series); None when there is nothing
    to draw."""
    lines = []
    if series.months:
        lines.append(
            (f"Cumul {series.year}", MONTHS[: series.through], series.cumulative, BLUE, "-")
        )
    if series.previous_cumulative is not None:
        lines.append((f"Cumul {series.year - 1}", MONTHS, series.previous_cumulative, GREY, ":"))
    if series.expected_cumulative:
        lines.append(("Rythme de l'objectif", MONTHS, series.expected_cumulative, ORANGE, "--"))
    if not lines:
        return None
    figure = MplFigure(figsize=(6.4, 3.2), dpi=150)
    axes = figure.add_subplot()
    for label, x, y, color, style in lines:
        axes.plot(x, y, style, color=color, linewidth=2.2, label=label, marker="o", markersize=3)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: integer(value)))
    axes.set_ylabel("Contrats (cumul)")
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", color="#e3e6ea")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="x", labelsize=8)
    axes.legend(fontsize=8, frameon=False, loc="upper left")
    if title:
        axes.set_title(title, fontsize=10, loc="left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
