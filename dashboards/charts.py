"""Plotly figures as plain dicts: rows in, figure out. No query, no Plotly object.

Bars built from synthetic demo data are hatched, so a reader tells them from real ones.
Every figure fills its container (charts.js gives the container the figure's height and
redraws on resize and print); numbers are French ("25 000", "14,7 %": `separators` and a
`,` format on every axis and hover, never "25k"); axes push their margins (automargin) so a
title never sits on tick labels; the legend sits at the bottom of the container.
"""

import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from akto_portal.formats import (
    MONTHS,
    PERCENT,
    REPORTED_MONTH,
    THOUSANDS,
    gap,
    number,
    percent,
    signed_percent,
)
from akto_portal.models import Region
from contracts.facts import YearRow
from contracts.figures import Figure
from contracts.pace import CumulativeSeries, Pace
from conventions.selectors import IndicatorStatus

if TYPE_CHECKING:
    from dashboards.page import Ranked

BLUE, ORANGE, GREY, RED = "#1f4e8c", "#e07b00", "#9aa5b1", "#b2182b"
HEIGHT = 400  # px; charts.js sets the container to the figure's height
COUNT = ",.0f"  # 25 000 (with separators ", ")
AXIS = {"automargin": True, "tickformat": COUNT, "title": {"standoff": 12}}
LAYOUT = {
    "height": HEIGHT,
    "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
    "separators": f",{THOUSANDS}",  # akto_portal.formats
    "legend": {
        "orientation": "h",
        "yref": "container",
        "y": 0,
        "yanchor": "bottom",
        "x": 0,
        "xanchor": "left",
    },
    "font": {"family": "system-ui, sans-serif", "size": 13},
    "hovermode": "x unified",
    "xaxis": {"automargin": True},
    "yaxis": AXIS,
}


def wrap(text: str, width: int = 40) -> str:
    """A long label on several lines (Plotly breaks lines at <br>), never cut."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def _pattern(figures: Iterable[Figure | None]) -> dict[str, list[str]]:
    return {"shape": ["/" if f is not None and f.synthetic else "" for f in figures]}


def drawable(figure: dict | None) -> dict | None:
    """The figure, or None when none of its traces has a value: no chart is drawn
    without data (the page says why instead of showing empty axes)."""
    if not figure:
        return None
    for trace in figure.get("data", []):
        values = trace.get("y") if trace.get("type") != "heatmap" else trace.get("z")
        if trace.get("type") == "bar" and trace.get("orientation") == "h":
            values = trace.get("x")
        if values is None and "values" in trace:
            values = trace["values"]
        if values is not None and any(v is not None for v in _flat(values)):
            return figure
    return None


def _flat(values: Iterable[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list):
            yield from _flat(value)
        else:
            yield value


def _layout(**extra: Any) -> dict[str, Any]:
    """The house layout with `extra`; axes are merged with the house axes."""
    layout: dict[str, Any] = {**LAYOUT, **extra}
    for axis in ("xaxis", "yaxis"):
        if axis in extra:
            layout[axis] = {**cast(dict, LAYOUT[axis]), **extra[axis]}
    return layout


def contracts_by_year(rows: Sequence[YearRow]) -> dict[str, Any]:
    """rows: YearRow list. Contracts per year with the target of each year."""
    years = [r.label for r in rows]
    data = [
        {
            "type": "bar",
            "name": "Contrats",
            "x": years,
            "y": [r.contracts.value if r.contracts else None for r in rows],
            "marker": {"color": BLUE, "pattern": _pattern([r.contracts for r in rows])},
            "hovertemplate": "%{y:,.0f} contrats<extra></extra>",
        }
    ]
    if any(r.target for r in rows):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Objectif",
                "x": years,
                "y": [r.target.value if r.target else None for r in rows],
                "marker": {
                    "color": ORANGE,
                    "symbol": "line-ew-open",
                    "size": 40,
                    "line": {"width": 3, "color": ORANGE},
                },
                "hovertemplate": "objectif %{y:,.0f}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(yaxis={"title": {"text": "Contrats"}}),
    }


def contracts_by_month(
    months: Mapping[int, Figure], previous_months: Mapping[int, Figure], *, year: int
) -> dict[str, Any]:
    """months / previous_months: {1..12: Figure} of the year and of the year before."""
    data = []
    for label, series, color in ((str(year - 1), previous_months, GREY), (str(year), months, BLUE)):
        if not any(f.known for f in series.values()):
            continue
        figures = [series[m] for m in range(1, 13)]
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": MONTHS,
                "y": [f.value if f.known else None for f in figures],
                "marker": {"color": color, "pattern": _pattern(figures)},
                "hovertemplate": f"{label} : %{{y:,.0f}}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(barmode="group", yaxis={"title": {"text": "Contrats"}}),
    }


def _hatch(flags: Iterable[bool]) -> dict[str, list[str]]:
    return {"shape": ["/" if flag else "" for flag in flags]}


def cumulative_vs_target(series: CumulativeSeries) -> dict[str, Any]:
    """Cumulative contracts month by month against the target pace (the annual target
    spread with past years' seasonality) and against last year's cumulative: the page
    model's series (DashboardPage.series), drawn."""
    data: list[dict[str, Any]] = []
    through, year = series.through, series.year
    if series.months:
        data.append(
            {
                "type": "bar",
                "name": f"Contrats du mois {year}",
                "x": MONTHS[:through],
                "y": [f.value for f in series.months],
                "marker": {"color": "#9fb7d9", "pattern": _pattern(series.months)},
                "hovertemplate": "%{y:,.0f} contrats dans le mois<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"Cumul {year}",
                "x": MONTHS[:through],
                "y": series.cumulative,
                "line": {"color": BLUE, "width": 3},
                "hovertemplate": "cumul %{y:,.0f}<extra></extra>",
            }
        )
    if series.previous_cumulative is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"Cumul {year - 1}",
                "x": MONTHS,
                "y": series.previous_cumulative,
                "line": {"color": GREY, "dash": "dot"},
                "hovertemplate": f"{year - 1} : %{{y:,.0f}}<extra></extra>",
            }
        )
    if series.expected_cumulative:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                # The target, spread with the seasonality of past years.
                "name": f"Rythme de l'objectif ({number(series.target_value)} fin {year})",
                "x": MONTHS,
                "y": series.expected_cumulative,
                "line": {"color": ORANGE, "dash": "dash", "width": 2},
                "hovertemplate": "attendu %{y:,.0f}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(yaxis={"title": {"text": "Contrats (cumul)"}}),
    }


def paces_by_region(region_paces: Sequence[tuple[Region, Pace]]) -> dict[str, Any]:
    """[(Region, Pace)], ranked (dashboards.page.DashboardPage.regions_by_gap): contracts
    to date of each region, its expected level at the date and its annual target; the
    hover tells the gap to the expected level."""
    names = [wrap(region.name, 16) for region, _ in region_paces]
    paces = [p for _, p in region_paces]
    actual = [p.actual or Figure() for p in paces]
    gaps = []
    for p in paces:
        if p.contracts is None or not p.expected:
            gaps.append("écart à l'attendu inconnu")
        else:
            ratio = round(p.contracts * 100 / p.expected, 1)
            gaps.append(f"{gap(p.contracts - p.expected, ratio)} de l'attendu")
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Contrats à date",
                "y": names,
                "x": [p.contracts for p in paces],
                "customdata": gaps,
                "marker": {"color": BLUE, "pattern": _pattern(actual)},
                "hovertemplate": "%{y} : %{x:,.0f} contrats<br>%{customdata}<extra></extra>",
            },
            *_references(names, paces),
        ],
        "layout": _layout(
            height=max(HEIGHT, 34 * len(names) + 120),
            yaxis={"autorange": "reversed", "tickformat": None, "type": "category"},
            xaxis={"tickformat": COUNT, "title": {"text": "Contrats", "standoff": 12}},
            hovermode="closest",
        ),
    }


def _references(names: list[str], paces: Sequence[Pace]) -> list[dict[str, Any]]:
    """The expected level and the target of each region, when any region has one (no
    legend for a target that does not exist: Normandie 2021)."""
    traces = []
    if any(p.expected is not None for p in paces):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Attendu à date",
                "y": names,
                "x": [p.expected for p in paces],
                "marker": {"color": ORANGE, "symbol": "diamond", "size": 9},
                "hovertemplate": "attendu %{x:,.0f}<extra></extra>",
            }
        )
    if any(p.target_value is not None for p in paces):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Objectif annuel",
                "y": names,
                "x": [p.target_value for p in paces],
                "marker": {
                    "color": ORANGE,
                    "symbol": "line-ns-open",
                    "size": 18,
                    "line": {"width": 3, "color": ORANGE},
                },
                "hovertemplate": "objectif %{x:,.0f}<extra></extra>",
            }
        )
    return traces


def contracts_by_branch(branch_rows: Sequence[Mapping[str, Any]], *, year: int) -> dict[str, Any]:
    """branch_rows: the largest branches ranked by their gap to the same period last year
    (dashboards.page.DashboardPage.branches_by_gap)."""
    rows = branch_rows
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": f"{year - 1} (même période)",
                "y": [wrap(r["name"], 28) for r in rows],
                "x": [r["previous"] for r in rows],
                "marker": {"color": GREY},
                "hovertemplate": f"{year - 1} : %{{x:,.0f}}<extra></extra>",
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": str(year),
                "y": [wrap(r["name"], 28) for r in rows],
                "x": [r["contracts"] for r in rows],
                "customdata": [
                    "" if r["growth"] is None else f" ({signed_percent(r['growth'], 1)})"
                    for r in rows
                ],
                "marker": {"color": BLUE, "pattern": _hatch([r["synthetic"] for r in rows])},
                "hovertemplate": f"{year} : %{{x:,.0f}}%{{customdata}}<extra></extra>",
            },
        ],
        "layout": _layout(
            barmode="group",
            height=max(HEIGHT, 46 * len(rows) + 120),
            yaxis={"autorange": "reversed", "tickformat": None, "type": "category"},
            xaxis={"tickformat": COUNT, "title": {"text": "Contrats", "standoff": 12}},
            hovermode="closest",
        ),
    }


def gaps_ranking(rows: Sequence["Ranked"], *, yardstick: str) -> dict[str, Any]:
    """The page model's ranking (DashboardPage.ranking), most behind on top: each row's
    gap to its yardstick in percent, red behind, blue ahead, the gap written at the end
    of its bar. Rows without a gap are left out."""
    ranked = [r for r in rows if r.gap is not None and r.gap.diff_pct is not None]
    values = [r.gap.diff_pct for r in ranked if r.gap is not None]
    span = max((abs(v) for v in values if v is not None), default=1.0) or 1.0
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": f"Écart {yardstick}",
                "y": [wrap(r.name, 28) for r in ranked],
                "x": values,
                "text": [signed_percent(v, 1) for v in values],
                "textposition": "outside",
                "marker": {
                    "color": [BLUE if (v or 0) >= 0 else RED for v in values],
                    "pattern": _hatch([r.synthetic for r in ranked]),
                },
                "hovertemplate": "%{y} : %{text}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(HEIGHT, 30 * len(ranked) + 120),
            yaxis={"autorange": "reversed", "tickformat": None, "type": "category"},
            xaxis={
                "ticksuffix": PERCENT,
                "tickformat": COUNT,
                "range": [-span * 1.6, span * 1.6],  # room for the gaps written
                "title": {"text": f"Écart {yardstick}, en %", "standoff": 12},
            },
            hovermode="closest",
        ),
    }


def region_map(
    region_paces: Sequence[tuple[Region, Pace]], *, selected: Region | None = None
) -> dict[str, Any]:
    """Tile-grid map of the 18 regions (the overseas ones in their own row), each tile
    coloured by the growth on the same period last year."""
    cols = max(r.map_col for r, _ in region_paces) + 1
    rows = max(r.map_row for r, _ in region_paces) + 1
    z: list[list[float | None]] = [[None] * cols for _ in range(rows)]
    text = [[""] * cols for _ in range(rows)]
    hover = [[""] * cols for _ in range(rows)]
    for region, p in region_paces:
        growth = p.growth
        z[region.map_row][region.map_col] = growth
        value = number(p.contracts)
        mark = "▶ " if selected is not None and region.pk == selected.pk else ""
        text[region.map_row][region.map_col] = f"{mark}<b>{region.abbreviation}</b><br>{value}"
        evolution = "—" if growth is None else signed_percent(growth, 1)
        hover[region.map_row][region.map_col] = f"{region.name} : {value} ({evolution})"
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "text": text,
                "customdata": hover,
                "texttemplate": "%{text}",
                # A fixed size: Plotly's "auto" shrinks the labels to ~4 px on a phone.
                "textfont": {"size": 11},
                "hovertemplate": "%{customdata}<extra></extra>",
                "colorscale": [[0, "#b2182b"], [0.5, "#f7f7f7"], [1, "#2166ac"]],
                "zmid": 0,
                "xgap": 4,
                "ygap": 4,
                "colorbar": {
                    "title": {"text": "Évolution"},
                    "ticksuffix": PERCENT,
                    "tickformat": COUNT,
                    "thickness": 14,
                },
                "hoverongaps": False,
            }
        ],
        "layout": _layout(
            height=480,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis={"visible": False, "range": [-0.5, cols - 0.5], "fixedrange": True},
            yaxis={"visible": False, "range": [rows - 0.5, -0.5], "fixedrange": True},
            hovermode="closest",
        ),
    }


def indicators_progress(
    statuses: Iterable[IndicatorStatus], *, elapsed_pct: float | None
) -> dict[str, Any]:
    """Each indicator's share of its target reached, against the share of the
    convention's period already elapsed."""
    rows = [s for s in statuses if s.target_pct is not None]
    names = [wrap(s.indicator.name, 40) for s in rows]
    lines = sum(name.count("<br>") + 1 for name in names)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "Réalisé / objectif",
            "y": names,
            "x": [s.target_pct for s in rows],
            "text": [percent(s.target_pct, 1) for s in rows],
            "textposition": "outside",
            "marker": {"color": BLUE, "pattern": _hatch([s.synthetic for s in rows])},
            "hovertemplate": "%{x:,.1f} % de l'objectif<extra></extra>",
        }
    ]
    shapes = []
    if elapsed_pct is not None:
        shapes.append(
            {
                "type": "line",
                "x0": elapsed_pct,
                "x1": elapsed_pct,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": ORANGE, "dash": "dash", "width": 2},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=max(260, 20 * lines + 28 * len(rows) + 120),
            margin={"l": 10, "r": 10, "t": 40, "b": 10},
            yaxis={"autorange": "reversed", "tickformat": None, "type": "category"},
            xaxis={
                "ticksuffix": PERCENT,
                "tickformat": COUNT,
                # Room after the longest bar for its value written outside it.
                "range": [0, max([100, *(s.target_pct or 0 for s in rows)]) * 1.15],
            },
            shapes=shapes,
            annotations=[
                {
                    "x": elapsed_pct,
                    "yref": "paper",
                    "y": 1.05,
                    "text": f"période écoulée : {percent(elapsed_pct)}",
                    "showarrow": False,
                    "font": {"color": ORANGE},
                }
            ]
            if elapsed_pct is not None
            else [],
            hovermode="closest",
        ),
    }


def _count_axis(data: Iterable[Mapping[str, Any]], title: str) -> dict[str, Any]:
    """A y axis of counts stacked from `data`: ticks one apart while the tallest bar is
    under ten (Plotly would otherwise put ticks at 0.5 and print "0, 1, 1, 2, 2")."""
    totals: dict[int, float] = {}
    for trace in data:
        for i, y in enumerate(trace["y"]):
            totals[i] = totals.get(i, 0) + (y or 0)
    axis: dict[str, Any] = {"title": {"text": title}, "rangemode": "tozero"}
    if max(totals.values(), default=0) < 10:
        axis.update(tick0=0, dtick=1)
    return axis


def _event_slots(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The twelve months, and a last bar for reported yearly totals (no month)."""
    if any(r["month"] > 12 for r in rows):
        return [*MONTHS, REPORTED_MONTH]
    return list(MONTHS)


def events_by_month(
    held: Sequence[Mapping[str, Any]], kind_labels: Mapping[str, str]
) -> dict[str, Any]:
    """held: rows {month, kind, n, synthetic}. Events held per month, stacked by kind."""
    kinds = sorted({r["kind"] for r in held})
    slots = _event_slots(held)
    data = []
    for kind in kinds:
        counts, synthetic = [None] * len(slots), [False] * len(slots)
        for r in held:
            if r["kind"] == kind:
                counts[r["month"] - 1] = (counts[r["month"] - 1] or 0) + r["n"]
                synthetic[r["month"] - 1] = synthetic[r["month"] - 1] or bool(r["synthetic"])
        data.append(
            {
                "type": "bar",
                "name": kind_labels.get(kind, kind),
                "x": slots,
                "y": counts,
                "marker": {"pattern": _hatch(synthetic)},
                "hovertemplate": "%{y:,.0f} événements<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(barmode="stack", yaxis=_count_axis(data, "Événements")),
    }


def attendance_by_month(
    attendance: Sequence[Mapping[str, Any]], category_labels: Mapping[str, str]
) -> dict[str, Any]:
    """attendance: rows {month, category, n}. Participants per month, stacked by category."""
    categories = sorted({r["category"] for r in attendance})
    slots = _event_slots(attendance)
    data = []
    for category in categories:
        counts, synthetic = [None] * len(slots), [False] * len(slots)
        for r in attendance:
            if r["category"] == category:
                counts[r["month"] - 1] = (counts[r["month"] - 1] or 0) + r["n"]
                synthetic[r["month"] - 1] = synthetic[r["month"] - 1] or bool(r["synthetic"])
        data.append(
            {
                "type": "bar",
                "name": category_labels.get(category, category),
                "x": slots,
                "y": counts,
                "marker": {"pattern": _hatch(synthetic)},
                "hovertemplate": "%{y:,.0f} participants<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(barmode="stack", yaxis=_count_axis(data, "Participants")),
    }
