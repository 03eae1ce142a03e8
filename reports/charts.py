"""Charts of the PDF report, drawn on the server with matplotlib (Agg) as SVG: vector,
small, sized in centimetres for the A4 landscape page they go on, French number
formats ("25 000", "14,7 %"). Each function takes the page model's figures and returns
the SVG text, or None when there is nothing to draw (the report says why).

Synthetic figures are hatched, as on the dashboard.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from akto_portal.formats import MONTHS, number, percent, signed_percent  # noqa: E402
from contracts.pace import CumulativeSeries  # noqa: E402

if TYPE_CHECKING:
    from dashboards.page import Ranked

BLUE, LIGHT_BLUE, ORANGE, GREY, RED = "#1f4e8c", "#9fb7d9", "#e07b00", "#9aa5b1", "#b2182b"
PALETTE = ["#1f4e8c", "#e07b00", "#3a8f5c", "#8c3b8f", "#c9a400", "#5a6b7d", "#b2182b"]
HATCH = "///"
CM = 1 / 2.54  # inches per centimetre

STYLE: Any = {  # matplotlib's rc parameters (typed by name in its stubs)
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",  # text as outlines: the PDF looks the same everywhere
    "hatch.linewidth": 0.6,
}


_numbers = FuncFormatter(lambda value, _pos: number(value, 0))
_percents = FuncFormatter(lambda value, _pos: percent(value, 0 if float(value).is_integer() else 1))


def _figure(width_cm: float, height_cm: float) -> tuple[MplFigure, plt.Axes]:
    with plt.rc_context(STYLE):
        figure = MplFigure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")
        axes = figure.add_subplot()
    return figure, axes


def _svg(figure: MplFigure) -> str:
    with plt.rc_context(STYLE):
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _legend_below(axes: plt.Axes, ncols: int) -> None:
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=ncols, frameon=False)


def cumulative_chart(
    series: CumulativeSeries,
    *,
    width_cm: float = 25.0,
    height_cm: float = 10.5,
) -> str | None:
    """Contracts of each month and their running total against the target pace (the
    annual target spread with past years' seasonality) and last year's running total,
    as the dashboard's "Cumul mensuel et rythme de l'objectif": the page model's series
    (DashboardPage.series), drawn."""
    if series.empty:
        return None
    through, year = series.through, series.year
    with plt.rc_context(STYLE):
        figure, axes = _figure(width_cm, height_cm)
        x = list(range(12))
        if series.months:
            totals = series.cumulative
            axes.bar(
                x[:through],
                [f.value for f in series.months],
                color=LIGHT_BLUE,
                hatch=[HATCH if f.synthetic else "" for f in series.months],
                edgecolor="white",
                linewidth=0,
                label=f"Contrats du mois {year}",
            )
            axes.plot(
                x[:through], totals, color=BLUE, linewidth=2.2, marker="o", markersize=3.5,
                label=f"Cumul {year}",
            )  # fmt: skip
            axes.annotate(
                number(totals[-1]),
                (x[through - 1], totals[-1]),
                xytext=(-6, 9),
                textcoords="offset points",
                ha="right",
                color=BLUE,
                fontweight="bold",
            )
        if series.previous_cumulative is not None:
            axes.plot(x, series.previous_cumulative, color=GREY, linestyle=":", linewidth=1.6,
                      label=f"Cumul {year - 1}")  # fmt: skip
        if series.expected_cumulative:
            axes.plot(
                x, series.expected_cumulative, color=ORANGE, linestyle="--", linewidth=1.6,
                label=f"Rythme de l'objectif ({number(series.target_value)} fin {year})",
            )  # fmt: skip
        axes.set_xticks(x, MONTHS)
        axes.set_xlim(-0.6, 11.6)
        axes.yaxis.set_major_formatter(_numbers)
        axes.yaxis.set_major_locator(MaxNLocator(6))
        axes.set_ylabel("Contrats (cumul)")
        axes.grid(axis="y", color="#dde3ea", linewidth=0.6)
        axes.set_axisbelow(True)
        _legend_below(axes, 4)
        return _svg(figure)


def ranking_chart(
    rows: Sequence["Ranked"],
    *,
    yardstick: str,
    highlight: str | None = None,
    width_cm: float = 12.5,
    height_cm: float | None = None,
) -> str | None:
    """Horizontal bars of each row's gap to its yardstick in percent, most behind on top:
    red behind, blue ahead."""
    ranked = [r for r in rows if r.gap is not None and r.gap.diff_pct is not None]
    if not ranked:
        return None
    height = height_cm or max(5.0, 0.62 * len(ranked) + 2.2)
    with plt.rc_context(STYLE):
        figure, axes = _figure(width_cm, height)
        y = list(range(len(ranked)))
        values = [r.gap.diff_pct for r in ranked if r.gap and r.gap.diff_pct is not None]
        axes.barh(
            y,
            values,
            color=[BLUE if v >= 0 else RED for v in values],
            hatch=[HATCH if r.synthetic else "" for r in ranked],
            edgecolor="white",
            linewidth=0,
            height=0.7,
        )
        labels = [r.name if len(r.name) <= 38 else r.name[:36] + "…" for r in ranked]
        axes.set_yticks(y, labels)
        for tick, row in zip(axes.get_yticklabels(), ranked, strict=True):
            if row.name == highlight:
                tick.set_fontweight("bold")
        axes.invert_yaxis()
        axes.axvline(0, color="#333333", linewidth=0.8)
        span = max(abs(v) for v in values) or 1.0
        axes.set_xlim(-span * 1.6, span * 1.6)
        for position, value in zip(y, values, strict=True):
            axes.annotate(
                signed_percent(value, 1),
                (value, position),
                xytext=(3 if value >= 0 else -3, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=7.5,
            )
        axes.xaxis.set_major_formatter(_percents)
        axes.xaxis.set_major_locator(MaxNLocator(5, symmetric=True))
        axes.set_xlabel(f"Écart {yardstick}, en %")
        axes.grid(axis="x", color="#dde3ea", linewidth=0.6)
        axes.set_axisbelow(True)
        return _svg(figure)


@dataclass
class IndicatorBar:
    """A convention indicator's achieved share of its target."""

    name: str
    target_pct: float
    synthetic: bool = False


def _wrap(text: str, width: int = 46, lines: int = 2) -> str:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "\n".join(out)


def indicators_chart(
    bars: Sequence[IndicatorBar],
    *,
    elapsed_pct: float | None,
    width_cm: float = 12.5,
) -> str | None:
    """Each indicator's achieved share of its target, against the share of the
    convention's period elapsed (dashed line)."""
    if not bars:
        return None
    height = max(4.0, 1.0 * len(bars) + 2.0)
    with plt.rc_context(STYLE):
        figure, axes = _figure(width_cm, height)
        y = list(range(len(bars)))
        values = [b.target_pct for b in bars]
        axes.barh(
            y, values, color=BLUE, height=0.6, edgecolor="white", linewidth=0,
            hatch=[HATCH if b.synthetic else "" for b in bars],
        )  # fmt: skip
        axes.set_yticks(y, [_wrap(b.name) for b in bars])
        axes.invert_yaxis()
        top = max([100.0, *values]) * 1.15
        axes.set_xlim(0, top)
        for position, value in zip(y, values, strict=True):
            axes.annotate(percent(value, 1), (value, position), xytext=(3, 0),
                          textcoords="offset points", va="center", fontsize=7.5)  # fmt: skip
        title = "Réalisé / objectif"
        if elapsed_pct is not None:
            axes.axvline(elapsed_pct, color=ORANGE, linestyle="--", linewidth=1.4)
            title += f"\ntirets orange : période écoulée ({percent(elapsed_pct, 1)})"
        axes.set_title(title, loc="left", fontsize=8)
        axes.xaxis.set_major_formatter(_percents)
        axes.grid(axis="x", color="#dde3ea", linewidth=0.6)
        axes.set_axisbelow(True)
        return _svg(figure)


@dataclass
class MonthlySeries:
    """One stacked series of a month-by-month chart: a value per slot (None: nothing)."""

    label: str
    values: list[int | None]
    synthetic: list[bool]


def monthly_stacked_chart(
    slots: Sequence[str],
    series: Sequence[MonthlySeries],
    *,
    ylabel: str,
    width_cm: float = 12.5,
    height_cm: float = 6.5,
) -> str | None:
    """Month-by-month stacked bars (events by kind, participants by category); a last
    slot (akto_portal.formats.REPORTED_MONTH) holds yearly totals reported without a month."""
    if not any(v for s in series for v in s.values):
        return None
    with plt.rc_context(STYLE):
        figure, axes = _figure(width_cm, height_cm)
        x = list(range(len(slots)))
        bottom = [0] * len(slots)
        for index, item in enumerate(series):
            values = [v or 0 for v in item.values]
            axes.bar(
                x, values, bottom=bottom, color=PALETTE[index % len(PALETTE)],
                hatch=[HATCH if s else "" for s in item.synthetic], edgecolor="white",
                linewidth=0, label=item.label,
            )  # fmt: skip
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_xticks(x, [s if len(s) <= 6 else _wrap(s, 14, 3) for s in slots])
        axes.tick_params(axis="x", labelsize=7)
        axes.yaxis.set_major_formatter(_numbers)
        axes.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        axes.set_ylabel(ylabel)
        axes.grid(axis="y", color="#dde3ea", linewidth=0.6)
        axes.set_axisbelow(True)
        _legend_below(axes, min(3, len(series)))
        return _svg(figure)
