"""A figure dict (dashboards/charts.py) drawn as SVG at a fixed size: the charts of the
PDF report (WeasyPrint draws the SVG: text stays text, in the report's font) and of
mails (`png`, the same SVG rasterised by resvg).

Draws what the portal's figures hold: bars, vertical or horizontal (`orientation`
"h"), grouped or stacked (`layout.barmode` "stack"), one colour a trace or one a bar
(`marker.color` as a list), hatched where synthetic; lines and markers; a value at the
end of each bar (`text` with `textposition` "outside"); vertical lines across the plot
(`layout.shapes`) and notes above it (`layout.annotations`); axis titles, ranges, tick
steps and suffixes; the legend under the plot, in as many rows as it takes. The first
category is on top in a horizontal chart, as the page's charts show it (reversed).

Every label is measured in DejaVu Sans (common.text_width): margins are made for the
widest label, the legend wraps, a category label wraps to its slot, so nothing
overlaps or leaves the box (tests/reports/test_report_charts.py measures it).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from dashboards.svg.common import (
    DASHES,
    Trace,
    categories,
    hatch_pattern,
    hatched,
    lines_of,
    point_colors,
    tick_text,
    ticks,
    title_of,
    trace_color,
    widest,
    wrap,
)

FONT_FAMILY = "DejaVu Sans, sans-serif"
GRID, AXIS_LINE, TEXT = "#dde3ea", "#333333", "#222222"
SWATCH, GAP = 14, 16  # px: a legend swatch, the space between two legend items


@dataclass
class _Box:
    """The plot area inside the figure, in px."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass
class _Svg:
    """The parts of the drawing, in painting order."""

    size: float
    defs: list[str] = field(default_factory=list)
    grid: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def label(
        self,
        x: float,
        y: float,
        text: str,
        *,
        anchor: str = "start",
        part: str = "",
        **attrs: Any,
    ) -> None:
        """A text; `part` (its class): "tick", "category", "legend", "value", "note"."""
        extra = f' class="{part}"' if part else ""
        extra += "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
        self.text.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'
        )


def _drawable(figure: dict[str, Any] | None) -> bool:
    data = (figure or {}).get("data") or []
    return bool(data) and all(t.get("type") in ("bar", "scatter") for t in data)


def sized_svg(
    figure: dict[str, Any] | None,
    *,
    width: float,
    height: float | None = None,
    font_size: float = 11,
    name: str = "chart",
) -> str | None:
    """The figure as an SVG document `width` px wide (`height`: given, or what the
    categories need), or None when it has no value to draw or traces of another kind
    (a heatmap). `name`: unique in the document it goes in (its patterns' ids)."""
    if not _drawable(figure):
        return None
    assert figure is not None
    traces: list[Trace] = figure["data"]
    layout: dict[str, Any] = figure.get("layout") or {}
    horizontal = any(t.get("orientation") == "h" for t in traces if t.get("type") == "bar")
    cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
    cats = categories(traces, cat_key)
    if not cats or not any(v is not None for t in traces for v in t.get(val_key) or []):
        return None
    stacked = layout.get("barmode") == "stack"
    value_axis = layout.get("xaxis" if horizontal else "yaxis") or {}
    low, high = _value_range(traces, cats, layout, cat_key, val_key, stacked, horizontal)
    step = value_axis.get("dtick") if high - low < 10 and value_axis.get("dtick") else None
    given = value_axis.get("range")
    if given:  # the axis' own range: its ticks, those inside it
        low, high = float(given[0]), float(given[1])
        marks = [m for m in ticks(low, high, 5, step=step) if low - 1e-9 <= m <= high + 1e-9]
    else:
        marks = ticks(low, high, 5, step=step)
        low, high = marks[0], marks[-1]
    step = marks[1] - marks[0] if len(marks) > 1 else 1.0
    suffix = value_axis.get("ticksuffix") or ""
    tick_labels = [tick_text(m, step, suffix) for m in marks]

    size, line = font_size, font_size * 1.25
    svg = _Svg(size)
    legend = _legend_items(traces, layout)
    legend_rows = _legend_rows(legend, width - 12, size)
    legend_height = len(legend_rows) * (line + 4)
    heading = title_of({"title": layout.get("title")})
    above = (line + 6 if _notes_above(layout) else 6) + (line + 6 if heading else 0)
    value_title, cat_title = (
        title_of(value_axis),
        title_of(layout.get("yaxis" if horizontal else "xaxis")),
    )
    outside = max(
        (widest([str(v) for v in t.get("text") or []], size * 0.92) for t in traces), default=0
    )
    if horizontal:
        # Plotly's own line breaks are for the page's width: wrapped again for this one.
        cat_lines = [wrap(" ".join(lines_of(c)), max(width * 0.38, 60), size) for c in cats]
        left = 6 + widest([row for c in cat_lines for row in c], size) + 8
        band = max(len(c) for c in cat_lines) * line + 8
        plot_height = height - above - legend_height - 2 * line - 14 if height else band * len(cats)
        bottom_room = line + 4 + (line + 2 if value_title else 0) + legend_height + 8
        right = max(10, outside + 8, widest(tick_labels[-1:], size) / 2 + 4)
        box = _Box(left, above, width - left - right, plot_height)
        total = box.bottom + bottom_room
    else:
        left = 6 + (line + 4 if value_title else 0) + widest(tick_labels, size) + 6
        plot_width = width - left - 10
        slot = plot_width / len(cats)
        cat_lines = [wrap(str(c), slot - 2, size * 0.92) for c in cats]
        label_rows = max(len(c) for c in cat_lines)
        bottom_room = label_rows * line + 6 + (line + 2 if cat_title else 0) + legend_height + 8
        plot_height = (height - above - bottom_room) if height else 230
        box = _Box(left, above, plot_width, plot_height)
        total = box.bottom + bottom_room
    total = height or total

    def value_at(value: float) -> float:  # px along the value axis
        share = (value - low) / ((high - low) or 1)
        return box.left + share * box.width if horizontal else box.bottom - share * box.height

    def band_of(index: int) -> tuple[float, float]:  # (start, size) of a category's band
        if horizontal:
            size_ = box.height / len(cats)
            return box.top + index * size_, size_
        size_ = box.width / len(cats)
        return box.left + index * size_, size_

    # Grid and value ticks.
    for mark, text in zip(marks, tick_labels, strict=True):
        at = value_at(mark)
        if horizontal:
            svg.grid.append(_line(at, box.top, at, box.bottom, GRID))
            svg.label(at, box.bottom + line, text, anchor="middle", part="tick")
        else:
            svg.grid.append(_line(box.left, at, box.right, at, GRID))
            svg.label(box.left - 5, at + size * 0.35, text, anchor="end", part="tick")
    if low < 0 < high:  # the zero line of signed values
        at = value_at(0)
        svg.marks.append(
            _line(at, box.top, at, box.bottom, AXIS_LINE)
            if horizontal
            else _line(box.left, at, box.right, at, AXIS_LINE)
        )
    # Category labels.
    for index, rows in enumerate(cat_lines):
        start, band_size = band_of(index)
        if horizontal:
            first = start + band_size / 2 - (len(rows) - 1) * line / 2 + size * 0.35
            for row_index, row in enumerate(rows):
                svg.label(
                    box.left - 8, first + row_index * line, row, anchor="end", part="category"
                )
        else:
            for row_index, row in enumerate(rows):
                svg.label(
                    start + band_size / 2,
                    box.bottom + line + row_index * line,
                    row,
                    anchor="middle",
                    part="category",
                    font_size=f"{size * 0.92:.1f}",
                )
    # Axis titles.
    if horizontal and value_title:
        svg.label(box.left + box.width / 2, box.bottom + 2 * line + 4, value_title, anchor="middle")
    if not horizontal and value_title:
        x, y = 6 + size, box.top + box.height / 2
        svg.label(x, y, value_title, anchor="middle", transform=f"rotate(-90 {x:.1f} {y:.1f})")
    # Bars, then lines and markers over them.
    bars = [(i, t) for i, t in enumerate(traces) if t.get("type") == "bar"]
    stack_top: dict[int, float] = {}
    for rank, (index, trace) in enumerate(bars):
        names = trace.get(cat_key) or []
        values = trace.get(val_key) or []
        colors = point_colors(trace, len(values), index)
        hatches = hatched(trace, len(values))
        texts = trace.get("text") or []
        for point, (category, value) in enumerate(zip(names, values, strict=False)):
            if value is None or category not in cats:
                continue
            start, band_size = band_of(cats.index(category))
            if stacked:
                thickness, offset = band_size * 0.7, band_size * 0.15
                base = stack_top.get(cats.index(category), 0.0)
                stack_top[cats.index(category)] = base + value
            else:
                thickness = band_size * 0.75 / len(bars)
                offset, base = band_size * 0.125 + rank * thickness, 0.0
            a, b = value_at(base), value_at(base + value)
            fill = colors[point]
            if hatches[point]:
                pattern = f"{name}-hatch-{index}-{point}"
                svg.defs.append(hatch_pattern(pattern, fill))
                fill = f"url(#{pattern})"
            if horizontal:
                x, y, w, h = min(a, b), start + offset, abs(b - a), thickness
            else:
                x, y, w, h = start + offset, min(a, b), thickness, abs(b - a)
            if w > 0 and h > 0:
                svg.marks.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                    f"fill={quoteattr(fill)}/>"
                )
            if point < len(texts) and texts[point] not in (None, ""):
                small = f"{size * 0.92:.1f}"
                if horizontal:
                    ahead = value >= 0
                    svg.label(
                        b + (4 if ahead else -4),
                        y + h / 2 + size * 0.33,
                        str(texts[point]),
                        anchor="start" if ahead else "end",
                        part="value",
                        font_size=small,
                    )
                else:
                    svg.label(
                        x + w / 2,
                        b - 4,
                        str(texts[point]),
                        anchor="middle",
                        part="value",
                        font_size=small,
                    )
    for index, trace in enumerate(traces):
        if trace.get("type") == "scatter":
            svg.marks.extend(_scatter(trace, index, cats, cat_key, val_key, band_of, value_at))
    # Shapes: lines across the plot at a value (the period elapsed).
    for shape in layout.get("shapes") or []:
        if shape.get("type") != "line":
            continue
        style = shape.get("line") or {}
        color, stroke = style.get("color") or AXIS_LINE, float(style.get("width") or 1)
        dash = DASHES.get(style.get("dash") or "")
        at = value_at(float(shape.get("x0" if horizontal else "y0") or 0))
        svg.marks.append(
            _line(at, box.top, at, box.bottom, color, stroke, dash)
            if horizontal
            else _line(box.left, at, box.right, at, color, stroke, dash)
        )
    for note in _notes_above(layout):
        at = value_at(float(note["x"])) if horizontal and note.get("x") is not None else box.left
        color = (note.get("font") or {}).get("color") or TEXT
        half = widest([note["text"]], size) / 2
        x = min(max(at, box.left + half), width - half - 2)
        svg.label(x, box.top - 5, note["text"], anchor="middle", part="note", fill=color)
    if heading:
        svg.label(6, size + 2, heading, font_weight="bold")
    # The legend, under everything.
    y = total - legend_height + line * 0.2
    for entries in legend_rows:
        x = 6.0
        for entry in entries:
            svg.marks.append(_swatch(entry, x, y, svg.size))
            svg.label(x + SWATCH + 5, y + size * 0.85, entry["name"], part="legend")
            x += entry["width"]
        y += line + 4
    return _document(svg, width, total, size)


def _value_range(
    traces: list[Trace],
    cats: list[Any],
    layout: dict[str, Any],
    cat_key: str,
    val_key: str,
    stacked: bool,
    horizontal: bool,
) -> tuple[float, float]:
    values: list[float] = [0.0]
    sums: dict[Any, float] = {}
    for trace in traces:
        for category, value in zip(
            trace.get(cat_key) or [], trace.get(val_key) or [], strict=False
        ):
            if value is None:
                continue
            if stacked and trace.get("type") == "bar":
                sums[category] = sums.get(category, 0.0) + float(value)
            else:
                values.append(float(value))
    values.extend(sums.values())
    for shape in layout.get("shapes") or []:
        at = shape.get("x0" if horizontal else "y0")
        if isinstance(at, int | float):
            values.append(float(at))
    return min(values), max(values)


def _notes_above(layout: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a
        for a in layout.get("annotations") or []
        if a.get("yref") == "paper" and float(a.get("y") or 0) >= 1 and a.get("text")
    ]


def _legend_items(traces: list[Trace], layout: dict[str, Any]) -> list[dict[str, Any]]:
    # As plotly: a legend for two traces or more; and for a stack (its colours say what
    # each part is), even of one.
    if layout.get("showlegend") is False or (len(traces) < 2 and layout.get("barmode") != "stack"):
        return []
    items = []
    for index, trace in enumerate(traces):
        if trace.get("showlegend") is False or not trace.get("name"):
            continue
        line = trace.get("line") or {}
        items.append(
            {
                "name": " ".join(lines_of(trace["name"])),
                "color": trace_color(trace, index),
                "bar": trace.get("type") == "bar",
                "dash": DASHES.get(line.get("dash") or ""),
                "hatched": False,
            }
        )
    return items


def _legend_rows(
    items: list[dict[str, Any]], width: float, size: float
) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    used = width
    for item in items:
        item["width"] = SWATCH + 5 + widest([item["name"]], size) + GAP
        if used + item["width"] > width and (used > 0 or not rows):
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += item["width"]
    return rows


def _swatch(item: dict[str, Any], x: float, y: float, size: float) -> str:
    color = quoteattr(item["color"])
    if item["bar"]:
        return (
            f'<rect x="{x:.1f}" y="{y + 1:.1f}" width="{SWATCH}" height="{size - 1:.1f}" '
            f"fill={color}/>"
        )
    dash = f' stroke-dasharray="{item["dash"]}"' if item["dash"] else ""
    middle = y + size * 0.55
    return f'<path d="M{x:.1f} {middle:.1f}h{SWATCH}" stroke={color} stroke-width="2.5"{dash}/>'


def _scatter(
    trace: Trace,
    index: int,
    cats: list[Any],
    cat_key: str,
    val_key: str,
    band_of: Callable[[int], tuple[float, float]],
    value_at: Callable[[float], float],
) -> list[str]:
    line = trace.get("line") or {}
    color = quoteattr(trace_color(trace, index))
    points = []
    for category, value in zip(trace.get(cat_key) or [], trace.get(val_key) or [], strict=False):
        if value is None or category not in cats:
            continue
        start, band_size = band_of(cats.index(category))
        along, at = start + band_size / 2, value_at(float(value))
        points.append((at, along) if cat_key == "y" else (along, at))
    mode = trace.get("mode") or "lines+markers"
    out = []
    if "lines" in mode and len(points) > 1:
        dash = DASHES.get(line.get("dash") or "")
        path = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)
        out.append(
            f'<path d="{path}" fill="none" stroke={color} stroke-width="{line.get("width") or 2}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + ' stroke-linejoin="round"/>'
        )
    if "markers" in mode:
        radius = 2.5 if "lines" in mode else 4
        out.extend(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill={color}/>' for x, y in points
        )
    return out


def _line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    color: str,
    stroke: float = 0.8,
    dash: str | None = None,
) -> str:
    return (
        f'<path d="M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}" stroke={quoteattr(color)} '
        f'stroke-width="{stroke:g}"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
    )


def _document(svg: _Svg, width: float, height: float, size: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT_FAMILY}" '
        f'font-size="{size:g}" fill="{TEXT}">'
        f'<rect width="100%" height="100%" fill="#fff"/><defs>{"".join(svg.defs)}</defs>'
        f"{''.join(svg.grid)}{''.join(svg.marks)}{''.join(svg.text)}</svg>"
    )


def png(svg: str, *, zoom: float = 1.5) -> bytes:
    """The SVG rasterised (resvg, with the system's fonts: DejaVu Sans), for a mail."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="#ffffff"))
