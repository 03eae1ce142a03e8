"""Charts of the PDF report, drawn on the server with matplotlib as SVG: vector, small,
sized in centimetres for the A4 landscape page they go on, French number formats
("25 000", "14,7 %"). Each `*_figure` function takes the page model's figures and
returns the laid-out matplotlib figure (what the tests measure), or None when there is
nothing to draw (the report says why); each `*_chart` function returns its SVG text.

Synthetic figures are hatched, as on the dashboard.

Cost (the report is drawn in under a second, see reports.pdf): the SVG keeps its
text as text (`svg.fonttype: none`), in the report's own font (DejaVu Sans), which
WeasyPrint draws like the page's text: drawing glyph outlines instead made the charts
two thirds of the report's time. The bars of one colour and hatching are one compound
path (`_bars`), not a patch each: matplotlib handles a few artists instead of a hundred,
and WeasyPrint fills each hatch pattern once per series instead of once per bar. Bars
of zero height are not drawn, and nothing is clipped to its axes (nothing leaves them).
Legends sit under the axes, outside them ("outside lower center"): the constrained
layout gives them their room instead of squeezing the axes.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.patches import Patch, PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402
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
    # Text as SVG text: drawn by WeasyPrint in the report's font (DejaVu Sans, which the
    # image installs), selectable in the PDF; outlines cost a path per glyph.
    "svg.fonttype": "none",
    "hatch.linewidth": 0.6,
}
SVG_METADATA: Any = {"Date": None, "Creator": None, "Format": None, "Type": None}


_numbers = FuncFormatter(lambda value, _pos: number(value, 0))
_percents = FuncFormatter(lambda value, _pos: percent(value, 0 if float(value).is_integer() else 1))


def _figure(width_cm: float, height_cm: float) -> tuple[MplFigure, Axes]:
    """A figure of the printed size, laid out by matplotlib's constrained layout (labels
    and legend inside the box); call it inside `plt.rc_context(STYLE)`."""
    figure = MplFigure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")
    return figure, figure.add_subplot()


def svg(figure: MplFigure) -> str:
    """The figure as SVG text (no date nor creator: the same figures give the same bytes)."""
    with plt.rc_context(STYLE):
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata=SVG_METADATA)
    return out.getvalue()


def _svg_or_none(figure: MplFigure | None) -> str | None:
    return None if figure is None else svg(figure)


@dataclass
class Bar:
    """One bar: its position on the category axis, its length from `base` (negative:
    leftwards or downwards), colour and hatching (synthetic figures)."""

    at: float
    length: float
    color: str
    hatched: bool = False
    base: float = 0.0


_RECTANGLE = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]


def _bars(
    axes: Axes,
    bars: Sequence[Bar],
    *,
    thickness: float,
    horizontal: bool = False,
    label: str | None = None,
) -> None:
    """`bars` drawn as one compound path per colour and hatching: what `axes.bar` draws
    (white hatching, no edge, the value axis from 0), with one artist per group instead
    of one per bar. Bars of length 0 are not drawn. `label` names the group of the
    first bar in the legend."""
    groups: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    for bar in bars:
        if not bar.length:
            continue
        low, high = bar.at - thickness / 2, bar.at + thickness / 2
        start, end = bar.base, bar.base + bar.length
        corners = [(start, low), (end, low), (end, high), (start, high), (start, low)]
        if not horizontal:
            corners = [(x, y) for y, x in corners]
        groups.setdefault((bar.color, bar.hatched), []).extend(corners)
    for (color, hatched), vertices in groups.items():
        patch = PathPatch(
            Path(vertices, _RECTANGLE * (len(vertices) // 5)),
            facecolor=color, edgecolor="white", linewidth=0, hatch=HATCH if hatched else None,
            label=label, clip_on=False,
        )  # fmt: skip
        (patch.sticky_edges.x if horizontal else patch.sticky_edges.y).append(0)
        axes.add_patch(patch)
        label = None
    axes.autoscale_view()


def _legend_below(figure: MplFigure, axes: Axes, ncols: int) -> None:
    """The axes' legend under them, outside (the layout makes room for it): lines
    first, then bars."""
    found = axes.get_legend_handles_labels()
    ordered = sorted(zip(*found, strict=True), key=lambda item: isinstance(item[0], Patch))
    handles, labels = [h for h, _ in ordered], [lab for _, lab in ordered]
    if handles:
        figure.legend(
            handles, labels, loc="outside lower center", ncols=min(ncols, len(handles)),
            frameon=False, handlelength=1.6, columnspacing=1.2,
        )  # fmt: skip


def cumulative_figure(
    series: CumulativeSeries,
    *,
    width_cm: float = 25.0,
    height_cm: float = 10.5,
) -> MplFigure | None:
    """Contracts of each month and their running total against the target pace (the
    annual target spread with past years' seasonality) and last year's running total,
    as the dashboard's "Cumul mensuel et rythme de l'objectif": the page model's series
    (DashboardPage.series), drawn. No target, no target line nor legend."""
    if series.empty:
        return None
    through, year = series.through, series.year
    with plt.rc_context(STYLE):
        figure, axes = _figure(width_cm, height_cm)
        x = list(range(12))
        if series.months:
            totals = series.cumulative
            _bars(
                axes,
                [
                    Bar(i, f.value or 0, LIGHT_BLUE, f.synthetic)
                    for i, f in enumerate(series.months)
                ],
                thickness=0.8,
                label=f"Contrats du mois {year}",
            )
            axes.plot(
                x[:through], totals, color=BLUE, linewidth=2.2, marker="o", markersize=3.5,
                label=f"Cumul {year}", clip_on=False,
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
                      label=f"Cumul {year - 1}", clip_on=False)  # fmt: skip
        if series.expected_cumulative:
            axes.plot(
                x, series.expected_cumulative, color=ORANGE, linestyle="--", linewidth=1.6,
                label=f"Rythme de l'objectif ({number(series.target_value)} fin {year})",
                clip_on=False,
            )  # fmt: skip
        axes.set_xticks(x, MONTHS)
        axes.set_xlim(-0.6, 11.6)
        axes.yaxis.set_major_formatter(_numbers)
        axes.yaxis.set_major_locator(MaxNLocator(6))
        axes.set_ylabel("Contrats (cumul)")
        axes.grid(axis="y", color="#dde3ea", linewidth=0.6)
        axes.set_axisbelow(True)
        _legend_below(figure, axes, 4)
    return figure


def cumulative_chart(series: CumulativeSeries) -> str | None:
    return _svg_or_none(cumulative_figure(series))


def ranking_figure(
    rows: Sequence["Ranked"],
    *,
    yardstick: str,
    highlight: str | None = None,
    width_cm: float = 12.5,
    height_cm: float | None = None,
) -> MplFigure | None:
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
        _bars(
            axes,
            [
                Bar(position, value, BLUE if value >= 0 else RED, r.synthetic)
                for position, value, r in zip(y, values, ranked, strict=True)
            ],
            thickness=0.7,
            horizontal=True,
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
    return figure


def ranking_chart(rows: Sequence["Ranked"], *, yardstick: str) -> str | None:
    return _svg_or_none(ranking_figure(rows, yardstick=yardstick))


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


def indicators_figure(
    bars: Sequence[IndicatorBar],
    *,
    elapsed_pct: float | None,
    width_cm: float = 12.5,
) -> MplFigure | None:
    """Each indicator's achieved share of its target, against the share of the
    convention's period elapsed (dashed line)."""
    if not bars:
        return None
    height = max(4.0, 1.0 * len(bars) + 2.0)
    with plt.rc_context(STYLE):
        figure, axes = _figure(width_cm, height)
        y = list(range(len(bars)))
        values = [b.target_pct for b in bars]
        _bars(
            axes,
            [
                Bar(position, b.target_pct, BLUE, b.synthetic)
                for position, b in zip(y, bars, strict=True)
            ],
            thickness=0.6,
            horizontal=True,
        )
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
        # Over the whole figure from its left edge (over the axes alone, the period's
        # line ran past the figure's right edge and was cut).
        figure.suptitle(title, x=0.01, ha="left", fontsize=8)
        axes.xaxis.set_major_formatter(_percents)
        axes.grid(axis="x", color="#dde3ea", linewidth=0.6)
        axes.set_axisbelow(True)
    return figure


def indicators_chart(bars: Sequence[IndicatorBar], *, elapsed_pct: float | None) -> str | None:
    return _svg_or_none(indicators_figure(bars, elapsed_pct=elapsed_pct))


@dataclass
class MonthlySeries:
    """One stacked series of a month-by-month chart: a value per slot (None: nothing)."""

    label: str
    values: list[int | None]
    synthetic: list[bool]


REPORTED_GAP = 0.9  # extra room before the slot of yearly totals (its label is wider)


def _slot_positions(slots: Sequence[str]) -> list[float]:
    """x of each slot: the months one apart; the slot of yearly totals reported without
    a month (13th) set apart, for its longer label."""
    return [i + (REPORTED_GAP if i == 12 else 0.0) for i in range(len(slots))]


def monthly_stacked_figure(
    slots: Sequence[str],
    series: Sequence[MonthlySeries],
    *,
    ylabel: str,
    width_cm: float = 12.5,
) -> MplFigure | None:
    """Month-by-month stacked bars (events by kind, participants by category); a last
    slot (akto_portal.formats.REPORTED_MONTH) holds yearly totals reported without a
    month. Month labels "janv." … "déc." side by side, the legend under the axes (two
    columns, as many rows as it takes): the axes keep their width whatever the legend."""
    drawn = [s for s in series if any(s.values)]
    if not drawn:
        return None
    legend_rows = (len(drawn) + 1) // 2
    reported_rows = 3 if len(slots) > 12 else 1
    height_cm = 5.6 + 0.42 * legend_rows + 0.3 * (reported_rows - 1)
    with plt.rc_context(STYLE):
        figure, axes = _figure(width_cm, height_cm)
        x = _slot_positions(slots)
        bottom = [0] * len(slots)
        for index, item in enumerate(drawn):
            values = [v or 0 for v in item.values]
            color = PALETTE[index % len(PALETTE)]
            _bars(
                axes,
                [
                    Bar(at, value, color, hatched, base)
                    for at, value, hatched, base in zip(
                        x, values, item.synthetic, bottom, strict=True
                    )
                ],
                thickness=0.75,
                label=_wrap(item.label, 30, 2),
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        labels = [s if i < 12 else _wrap(s, 13, reported_rows) for i, s in enumerate(slots)]
        axes.set_xticks(x, labels)
        axes.tick_params(axis="x", labelsize=7, length=2)
        axes.set_xlim(x[0] - 0.6, x[-1] + 0.6)
        axes.yaxis.set_major_formatter(_numbers)
        axes.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        axes.set_ylabel(ylabel)
        axes.grid(axis="y", color="#dde3ea", linewidth=0.6)
        axes.set_axisbelow(True)
        _legend_below(figure, axes, 2)
    return figure


def monthly_stacked_chart(
    slots: Sequence[str], series: Sequence[MonthlySeries], *, ylabel: str
) -> str | None:
    return _svg_or_none(monthly_stacked_figure(slots, series, ylabel=ylabel))
