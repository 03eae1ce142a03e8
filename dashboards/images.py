"""Charts drawn on the server as PNG images, for mails and printed reports (no remote
image, no JavaScript): the same figures as the page's Plotly charts (dashboards.charts),
drawn with matplotlib's Agg backend, numbers the French way ("12 345")."""

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from contracts.models import MONTHS_FR  # noqa: E402
from contracts.pace import Pace, YearData  # noqa: E402

BLUE, GREY, ORANGE = "#1f4e8c", "#8a8f98", "#d9822b"
NNBSP = "\u202f"  # the thin no-break space of French thousands


def french_number(value: float) -> str:
    """12345.0 -> "12 345" (thin no-break space), as on the portal's charts."""
    return f"{round(value):,d}".replace(",", NNBSP).replace("-", "−")


def _running(values: list[int]) -> list[int]:
    total, out = 0, []
    for value in values:
        total += value
        out.append(total)
    return out


def cumulative_png(
    pace: Pace, current: YearData | None, previous: YearData | None, *, title: str = ""
) -> bytes | None:
    """Cumulative contracts of the year against the target pace (the annual target spread
    with past years' seasonality) and last year's cumulative: the page's "Cumul" chart as
    a PNG. The same inputs as dashboards.charts.cumulative_vs_target (the page model's
    pace and years); None when there is nothing to draw."""
    series = []
    through = pace.through
    if current is not None and not current.unbroken.known and through:
        months = [current.months[m].value for m in range(1, through + 1)]
        series.append((f"Cumul {pace.year}", MONTHS_FR[:through], _running(months), BLUE, "-"))
    if previous is not None and not previous.unbroken.known and previous.last_month == 12:
        months = [previous.months[m].value for m in range(1, 13)]
        series.append((f"Cumul {pace.year - 1}", MONTHS_FR, _running(months), GREY, ":"))
    if pace.target is not None and pace.shares:
        target = pace.target.value
        expected, running = [], 0.0
        for share in pace.shares:
            running += share
            expected.append(round(target * running))
        series.append(("Rythme de l'objectif", MONTHS_FR, expected, ORANGE, "--"))
    if not series:
        return None
    figure = MplFigure(figsize=(6.4, 3.2), dpi=150)
    axes = figure.add_subplot()
    for label, x, y, color, style in series:
        axes.plot(x, y, style, color=color, linewidth=2.2, label=label, marker="o", markersize=3)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: french_number(value)))
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
