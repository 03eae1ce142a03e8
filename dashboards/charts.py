"""Plotly figures as plain dicts: rows in, figure out. No query, no Plotly object.

Bars built from synthetic demo data are hatched, so a reader tells them from real ones.
"""

from contracts.figures import Figure
from contracts.models import MONTHS_FR

BLUE, ORANGE, GREY = "#1f4e8c", "#e07b00", "#9aa5b1"
LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 30, "b": 60},
    "separators": ", ",
    "legend": {"orientation": "h", "y": -0.2},
    "font": {"family": "system-ui, sans-serif", "size": 13},
    "hovermode": "x unified",
}


def _pattern(figures):
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


def _flat(values):
    for value in values:
        if isinstance(value, list):
            yield from _flat(value)
        else:
            yield value


def _layout(**extra):
    return {**LAYOUT, **extra}


def contracts_by_year(rows):
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
        "layout": _layout(yaxis={"title": {"text": "Contrats"}, "tickformat": ",.0f"}),
    }


def contracts_by_month(months, previous_months, *, year):
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
                "x": MONTHS_FR,
                "y": [f.value if f.known else None for f in figures],
                "marker": {"color": color, "pattern": _pattern(figures)},
                "hovertemplate": f"{label} : %{{y:,.0f}}<extra></extra>",
            }
        )
    return {"data": data, "layout": _layout(barmode="group", yaxis={"title": {"text": "Contrats"}})}


def _hatch(flags):
    return {"shape": ["/" if flag else "" for flag in flags]}


def cumulative_vs_target(pace, current, previous):
    """Cumulative contracts month by month against the target pace (the annual target
    spread with past years' seasonality) and against last year's cumulative."""
    data = []
    through = pace.through
    if current is not None and not current.unbroken.known and through:
        months = [current.months[m] for m in range(1, through + 1)]
        data.append(
            {
                "type": "bar",
                "name": f"Contrats du mois {pace.year}",
                "x": MONTHS_FR[:through],
                "y": [f.value for f in months],
                "marker": {"color": "#9fb7d9", "pattern": _pattern(months)},
                "hovertemplate": "%{y:,.0f} contrats dans le mois<extra></extra>",
            }
        )
        running, cumulative = 0, []
        for f in months:
            running += f.value
            cumulative.append(running)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"Cumul {pace.year}",
                "x": MONTHS_FR[:through],
                "y": cumulative,
                "line": {"color": BLUE, "width": 3},
                "hovertemplate": "cumul %{y:,.0f}<extra></extra>",
            }
        )
    if previous is not None and not previous.unbroken.known and previous.last_month == 12:
        running, cumulative = 0, []
        for m in range(1, 13):
            running += previous.months[m].value
            cumulative.append(running)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"Cumul {pace.year - 1}",
                "x": MONTHS_FR,
                "y": cumulative,
                "line": {"color": GREY, "dash": "dot"},
                "hovertemplate": f"{pace.year - 1} : %{{y:,.0f}}<extra></extra>",
            }
        )
    if pace.target is not None and pace.shares:
        share_so_far, expected = 0.0, []
        for share in pace.shares:
            share_so_far += share
            expected.append(round(pace.target.value * share_so_far))
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Rythme de l'objectif (saisonnalité des années passées)",
                "x": MONTHS_FR,
                "y": expected,
                "line": {"color": ORANGE, "dash": "dash", "width": 2},
                "hovertemplate": "attendu %{y:,.0f}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(yaxis={"title": {"text": "Contrats (cumul)"}, "tickformat": ",.0f"}),
    }


def paces_by_region(region_paces):
    """[(Region, Pace)]: contracts to date of each region, its expected level at the date
    and its annual target."""
    names = [region.name for region, _ in region_paces]
    paces = [p for _, p in region_paces]
    actual = [p.actual or Figure() for p in paces]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Contrats à date",
                "y": names,
                "x": [p.contracts for p in paces],
                "marker": {"color": BLUE, "pattern": _pattern(actual)},
                "hovertemplate": "%{x:,.0f} contrats<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Attendu à date",
                "y": names,
                "x": [p.expected for p in paces],
                "marker": {"color": ORANGE, "symbol": "diamond", "size": 9},
                "hovertemplate": "attendu %{x:,.0f}<extra></extra>",
            },
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
            },
        ],
        "layout": _layout(
            height=600,
            margin={"l": 200, "r": 20, "t": 30, "b": 60},
            yaxis={"autorange": "reversed"},
            xaxis={"tickformat": ",.0f"},
            hovermode="closest",
        ),
    }


def contracts_by_branch(branch_rows, *, year):
    rows = branch_rows[:15]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": f"{year - 1} (même période)",
                "y": [r["name"] for r in rows],
                "x": [r["previous"] for r in rows],
                "marker": {"color": GREY},
                "hovertemplate": "%{x:,.0f}<extra></extra>",
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": str(year),
                "y": [r["name"] for r in rows],
                "x": [r["contracts"] for r in rows],
                "marker": {"color": BLUE, "pattern": _hatch([r["synthetic"] for r in rows])},
                "hovertemplate": "%{x:,.0f}<extra></extra>",
            },
        ],
        "layout": _layout(
            barmode="group",
            height=max(320, 34 * len(rows) + 120),
            margin={"l": 20, "r": 20, "t": 30, "b": 60},
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"tickformat": ",.0f"},
            hovermode="closest",
        ),
    }


def region_map(region_paces, *, selected=None):
    """Tile-grid map of the 18 regions (the overseas ones in their own row), each tile
    coloured by the growth on the same period last year."""
    cols = max(r.map_col for r, _ in region_paces) + 1
    rows = max(r.map_row for r, _ in region_paces) + 1
    z = [[None] * cols for _ in range(rows)]
    text = [[""] * cols for _ in range(rows)]
    hover = [[""] * cols for _ in range(rows)]
    for region, p in region_paces:
        growth = p.growth
        z[region.map_row][region.map_col] = growth
        value = "—" if p.contracts is None else f"{p.contracts:,d}".replace(",", "\u202f")
        mark = "▶ " if selected is not None and region.pk == selected.pk else ""
        text[region.map_row][region.map_col] = f"{mark}{region.code}<br>{value}"
        evolution = "—" if growth is None else f"{growth:+.1f} %".replace(".", ",")
        hover[region.map_row][region.map_col] = f"{region.name} : {value} ({evolution})"
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "text": text,
                "customdata": hover,
                "texttemplate": "%{text}",
                "hovertemplate": "%{customdata}<extra></extra>",
                "colorscale": [[0, "#b2182b"], [0.5, "#f7f7f7"], [1, "#2166ac"]],
                "zmid": 0,
                "xgap": 4,
                "ygap": 4,
                "colorbar": {"title": {"text": "Évolution"}, "ticksuffix": " %"},
                "hoverongaps": False,
            }
        ],
        "layout": _layout(
            height=480,
            margin={"l": 90, "r": 20, "t": 20, "b": 20},
            xaxis={"visible": False, "range": [-0.5, cols - 0.5]},
            yaxis={"visible": False, "range": [rows - 0.5, -0.5]},
            hovermode="closest",
        ),
    }


def indicators_progress(statuses, *, elapsed_pct):
    """Each indicator's share of its target reached, against the share of the
    convention's period already elapsed."""
    rows = [s for s in statuses if s.target_pct is not None]
    names = [s.indicator.name[:60] for s in rows]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "Réalisé / objectif",
            "y": names,
            "x": [s.target_pct for s in rows],
            "marker": {"color": BLUE, "pattern": _hatch([s.synthetic for s in rows])},
            "hovertemplate": "%{x:.0f} % de l'objectif<extra></extra>",
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
            height=max(260, 40 * len(rows) + 120),
            margin={"l": 20, "r": 20, "t": 40, "b": 60},
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={
                "ticksuffix": " %",
                "range": [0, max([100, *(s.target_pct for s in rows)]) * 1.05],
            },
            shapes=shapes,
            annotations=[
                {
                    "x": elapsed_pct,
                    "yref": "paper",
                    "y": 1.05,
                    "text": f"période écoulée : {elapsed_pct:.0f} %".replace(".", ","),
                    "showarrow": False,
                    "font": {"color": ORANGE},
                }
            ]
            if elapsed_pct is not None
            else [],
            hovermode="closest",
        ),
    }


REPORTED_SLOT = "Total déclaré"


def _event_slots(rows):
    """The twelve months, and a last bar for reported yearly totals (no month)."""
    if any(r["month"] > 12 for r in rows):
        return [*MONTHS_FR, REPORTED_SLOT]
    return list(MONTHS_FR)


def events_by_month(held, kind_labels):
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
                "hovertemplate": "%{y} événements<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(barmode="stack", yaxis={"title": {"text": "Événements"}}),
    }


def attendance_by_month(attendance, category_labels):
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
        "layout": _layout(barmode="stack", yaxis={"title": {"text": "Participants"}}),
    }
