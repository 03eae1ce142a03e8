"""Plotly figures as plain dicts: rows in, figure out. No query, no Plotly object.

Bars built from synthetic demo data are hatched, so a reader tells them from real ones.
"""

MONTHS_FR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
BLUE, ORANGE, GREY = "#1f4e8c", "#e07b00", "#9aa5b1"
LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 30, "b": 60},
    "separators": ", ",
    "legend": {"orientation": "h", "y": -0.2},
    "font": {"family": "system-ui, sans-serif", "size": 13},
    "hovermode": "x unified",
}


def _pattern(figures):
    return {"shape": ["/" if f.synthetic else "" for f in figures]}


def _layout(**extra):
    return {**LAYOUT, **extra}


def contracts_by_year(rows):
    """rows: YearRow list. Contracts per year with the target of each year."""
    years = [str(r.year) for r in rows]
    data = [
        {
            "type": "bar",
            "name": "Contrats",
            "x": years,
            "y": [r.contracts.value if r.contracts.known else None for r in rows],
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


def contracts_by_region(region_rows):
    """region_rows: [(Region, YearRow)]. Contracts and target for each region."""
    names = [region.name for region, _ in region_rows]
    rows = [row for _, row in region_rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Contrats",
                "y": names,
                "x": [r.contracts.value for r in rows],
                "marker": {"color": BLUE, "pattern": _pattern([r.contracts for r in rows])},
                "hovertemplate": "%{x:,.0f} contrats<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Objectif",
                "y": names,
                "x": [r.target.value if r.target else None for r in rows],
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
            height=560,
            margin={"l": 200, "r": 20, "t": 30, "b": 60},
            yaxis={"autorange": "reversed"},
            xaxis={"tickformat": ",.0f"},
            hovermode="closest",
        ),
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
