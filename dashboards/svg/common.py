"""What both drawings of a figure dict share: how its traces are read (categories,
values, colours, hatching), dashes, ticks, French numbers, and the width of a text."""

import math
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any
from xml.sax.saxutils import quoteattr

from akto_portal import formats

DEFAULT_COLOR = "#1f4e8c"
# plotly.js's default colours, in its order: a trace without a colour of its own (the
# events by kind) has the same colour on the page and on paper.
COLORWAY = [
    "#636efa",
    "#ef553b",
    "#00cc96",
    "#ab63fa",
    "#ffa15a",
    "#19d3f3",
    "#ff6692",
    "#b6e880",
    "#ff97ff",
    "#fecb52",
]
DASHES = {"dot": "2 4", "dash": "8 5", "dashdot": "8 4 2 4", "longdash": "14 6"}
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core
Trace = dict[str, Any]


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = max(span, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def ticks(low: float, high: float, count: int = 5, *, step: float | None = None) -> list[float]:
    """Round ticks covering [low, high] (0 included), one step apart."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    step = step or nice_step(high - low, count)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    return [first + i * step for i in range(int(round((last - first) / step)) + 1)]


def tick_text(value: float, step: float, suffix: str = "") -> str:
    """A tick's label the French way ("25 000", "12,5"), with the axis' suffix (" %")."""
    decimals = 0 if float(step).is_integer() else 1
    return formats.number(round(value, decimals), decimals) + (suffix or "")


def title_of(axis: dict[str, Any] | None) -> str:
    title = (axis or {}).get("title") or {}
    return (title.get("text") if isinstance(title, dict) else title) or ""


def lines_of(label: object) -> list[str]:
    """A plotly label as lines of plain text ("<br>" breaks lines, tags dropped)."""
    text = str(label)
    return [re.sub(r"<[^>]+>", "", part) for part in re.split(r"<br\s*/?>", text)]


def trace_color(trace: Trace, index: int) -> str:
    """The trace's colour: its line's, its marker's, else plotly's default for its rank."""
    for part in ("line", "marker"):
        color = (trace.get(part) or {}).get("color")
        if isinstance(color, str):
            return color
    return COLORWAY[index % len(COLORWAY)]


def point_colors(trace: Trace, count: int, index: int) -> list[str]:
    """A colour for each point: the marker's list of colours, or the trace's colour."""
    color = (trace.get("marker") or {}).get("color")
    if isinstance(color, list):
        return [str(c) for c in color] + [trace_color({}, index)] * (count - len(color))
    return [trace_color(trace, index)] * count


def hatched(trace: Trace, count: int) -> list[bool]:
    """Which points are hatched (synthetic figures: `marker.pattern.shape` "/")."""
    shapes = ((trace.get("marker") or {}).get("pattern") or {}).get("shape") or []
    if isinstance(shapes, str):
        return [bool(shapes)] * count
    return [bool(s) for s in shapes] + [False] * (count - len(shapes))


def hatch_pattern(pattern_id: str, color: str) -> str:
    """Diagonal white stripes over the bar's colour, as plotly's "/" pattern."""
    return (
        f'<pattern id="{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="8" height="8" fill={quoteattr(color)}/>'
        '<path d="M0 0V8" stroke="#fff" stroke-width="3"/></pattern>'
    )


def categories(traces: Iterable[Trace], key: str) -> list[Any]:
    """The categories of the traces' `key` axis ("x" or "y"), in their first order."""
    found: list[Any] = []
    seen: set[Any] = set()
    for trace in traces:
        for value in trace.get(key) or []:
            if value not in seen:
                seen.add(value)
                found.append(value)
    return found


@cache
def _font(size: float) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(FONT_FILE, size)
    except OSError:
        return None


def text_width(text: str, size: float) -> float:
    """The width of `text` in DejaVu Sans at `size` px (what WeasyPrint and the mail's
    rasteriser draw it with); an estimate if the font is not installed."""
    font = _font(size)
    return float(font.getlength(text)) if font is not None else 0.6 * size * len(text)


def wrap(text: str, width: float, size: float) -> list[str]:
    """`text` in lines no wider than `width` px where spaces allow."""
    lines: list[str] = []
    for part in lines_of(text):
        line = ""
        for word in part.split():
            candidate = f"{line} {word}".strip()
            if line and text_width(candidate, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def widest(texts: Sequence[str], size: float) -> float:
    return max((text_width(t, size) for t in texts), default=0.0)
