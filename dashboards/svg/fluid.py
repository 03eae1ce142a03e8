"""A chart drawn on the server, as SVG, from the same figure dict plotly.js draws
(dashboards/charts.py), filling its box: the page shows it at once, readable, and
charts.js replaces it with the interactive chart when plotly.js has loaded (progressive
enhancement).

Bars (vertical, grouped) and lines or markers over categories (months, years) — the
charts at the top of a dashboard. Any other figure gives "" (the page waits for
plotly.js). The SVG fills its container at any width without stretching its text: text
is placed in percent of the width, shapes in a nested SVG scaled to the plot area, with
strokes that keep their width. Y ticks are French numbers ("25 000"), as on the axis of
the interactive chart; synthetic bars are hatched.
"""

import math
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from akto_portal import formats
from dashboards.svg.common import DASHES, hatch_pattern, nice_step

TOP, PLOT, LEGEND_ROW = 36, 250, 18  # px: the title line, the plot area, a legend row
FONT = 'font-family="system-ui, sans-serif" font-size="12" fill="#333"'
HALO = 'stroke="#fff" stroke-width="3" paint-order="stroke"'  # readable over a bar


def _number(value: float) -> str:
    return formats.number(value, 0)


def _pct(value: float) -> str:
    return f"{value:.3f}%"


def _drawable(figure: dict[str, Any] | None) -> bool:
    data = (figure or {}).get("data") or []
    return bool(data) and all(
        (trace.get("type") == "bar" and trace.get("orientation") != "h")
        or trace.get("type") == "scatter"
        for trace in data
    )


def chart_svg(figure: dict | None, label: str = "", *, name: str = "chart") -> SafeString:
    """The figure as an SVG, or "" when it has traces this drawing does not know.
    `name`: unique in the page (its patterns' ids)."""
    if not _drawable(figure):
        return mark_safe("")
    assert figure is not None
    data = figure["data"]
    categories: list = []
    for trace in data:
        for x in trace.get("x") or []:
            if x not in categories:
                categories.append(x)
    values = [y for trace in data for y in trace.get("y") or [] if y is not None]
    if not categories or not values:
        return mark_safe("")
    top = max(max(values), 1)
    step = nice_step(top)
    top = math.ceil(top / step) * step
    n = len(categories)
    height = TOP + PLOT + 24 + LEGEND_ROW * len(data) + 6

    def y_of(value: float) -> float:  # in the plot's own units: 0 (top) .. 1000 (bottom)
        return 1000 - value / top * 1000

    shapes, defs = [], []
    ticks = []
    for i in range(int(round(top / step)) + 1):
        tick = i * step
        y = y_of(tick)
        shapes.append(
            f'<path d="M0 {y:.1f}H1000" stroke="#e3e7ec" stroke-width="1" '
            'vector-effect="non-scaling-stroke"/>'
        )
        ticks.append(
            f'<text x="0.5%" y="{TOP + PLOT * y / 1000 - 3:.1f}" {FONT} {HALO}>'
            f"{_number(tick)}</text>"
        )
    bars = [t for t in data if t.get("type") == "bar"]
    band = 1000 / n
    width = band * 0.8 / max(len(bars), 1)
    for b, trace in enumerate(bars):
        marker = trace.get("marker") or {}
        color = marker.get("color") or "#1f4e8c"
        hatched = (marker.get("pattern") or {}).get("shape") or []
        pattern_id = f"{name}-hatch-{b}"
        if any(hatched):
            defs.append(hatch_pattern(pattern_id, color))
        for x, y, shape in zip(
            trace.get("x") or [], trace.get("y") or [], hatched or [""] * n, strict=False
        ):
            if y is None:
                continue
            left = categories.index(x) * band + band * 0.1 + b * width
            fill = f"url(#{pattern_id})" if shape else color
            shapes.append(
                f'<rect x="{left:.1f}" y="{y_of(y):.1f}" width="{width:.1f}" '
                f'height="{1000 - y_of(y):.1f}" fill={quoteattr(fill)}/>'
            )
    for trace in data:
        if trace.get("type") != "scatter":
            continue
        line = trace.get("line") or {}
        marker = trace.get("marker") or {}
        color = line.get("color") or marker.get("color") or "#1f4e8c"
        mode = trace.get("mode") or "lines+markers"
        points = [
            (categories.index(x) * band + band / 2, y_of(y))
            for x, y in zip(trace.get("x") or [], trace.get("y") or [], strict=False)
            if y is not None
        ]
        if "lines" in mode and len(points) > 1:
            path = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)
            dash = DASHES.get(line.get("dash") or "")
            shapes.append(
                f'<path d="{path}" fill="none" stroke={quoteattr(color)} '
                f'stroke-width="{line.get("width") or 2}" vector-effect="non-scaling-stroke"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
        if "markers" in mode:
            size = 6 if "lines" in mode else 10
            dots = "".join(f"M{x:.1f} {y:.1f}h0" for x, y in points)
            shapes.append(
                f'<path d="{dots}" stroke={quoteattr(color)} stroke-width="{size}" '
                'stroke-linecap="round" vector-effect="non-scaling-stroke"/>'
            )
    labels = [
        f'<text x="{_pct(0.5 + 99 * (i + 0.5) / n)}" y="{TOP + PLOT + 16}" {FONT} '
        f'text-anchor="middle">{escape(str(x))}</text>'
        for i, x in enumerate(categories)
    ]
    legend = []
    for i, trace in enumerate(data):
        y = TOP + PLOT + 24 + LEGEND_ROW * i
        marker = trace.get("marker") or {}
        color = (trace.get("line") or {}).get("color") or marker.get("color") or "#1f4e8c"
        if trace.get("type") == "bar":
            swatch = f'<rect x="0.5%" y="{y + 4}" width="14" height="10" fill={quoteattr(color)}/>'
        else:  # a line sample, dashed as the line
            dash = DASHES.get((trace.get("line") or {}).get("dash") or "")
            swatch = (
                f'<svg x="0.5%" y="{y + 4}" width="16" height="10"><path d="M0 5H16" '
                f'stroke={quoteattr(color)} stroke-width="2.5"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/></svg>"
            )
        name = escape(trace.get("name") or "")
        legend.append(f'{swatch}<text x="0.5%" dx="22" y="{y + 13}" {FONT}>{name}</text>')
    title = ((figure.get("layout") or {}).get("yaxis") or {}).get("title") or {}
    title_text = title.get("text") if isinstance(title, dict) else title
    head = (
        f'<text x="0.5%" y="14" {FONT} font-weight="600">{escape(title_text)}</text>'
        if title_text
        else ""
    )
    svg = (
        f'<svg class="chart-static" xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'height="{height}" role="img" aria-label={quoteattr(label)}>'
        f'{head}<svg x="0.5%" y="{TOP}" width="99%" height="{PLOT}" viewBox="0 0 1000 1000" '
        f'preserveAspectRatio="none" overflow="visible"><defs>{"".join(defs)}</defs>'
        f"{''.join(shapes)}</svg>{''.join(ticks)}{''.join(labels)}{''.join(legend)}</svg>"
    )
    return mark_safe(svg)
