"""SVG building blocks: escaped elements, linear scales, ticks, colours, the empty chart.

Pure functions returning strings. Text and attribute values are always escaped.
A drawn mark (bar, point, line of data, cell) has the class ``mark``; axis labels carry
``data-axis`` (they are positions, not warehouse values) and legend or caption words
``data-label``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

Attrs = Mapping[str, object]

FONT = 12
INK = "#1f2328"
MUTED = "#6e7781"
GRID = "#d0d7de"
GREYED = "#a0a7ae"

# Paul Tol's "muted" scheme (colour-blind safe), then the same hues dashed.
SERIES = (
    "#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677",
    "#882255", "#aa4499", "#6e7781",
)  # fmt: skip
DASHES = ("", "6 3", "2 3")


def _number(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def attrs(values: Attrs | None) -> str:
    """`` key="value"`` pairs, escaped; ``None`` values are left out."""
    if not values:
        return ""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        text = _number(value) if isinstance(value, float) else str(value)
        parts.append(f' {key}="{escape(text, quote=True)}"')
    return "".join(parts)


def el(tag: str, values: Attrs | None = None, *children: str) -> str:
    """An element; children are already SVG (use ``text`` for words)."""
    if not children:
        return f"<{tag}{attrs(values)}/>"
    return f"<{tag}{attrs(values)}>{''.join(children)}</{tag}>"


def text(x: float, y: float, content: str, values: Attrs | None = None) -> str:
    """A text element at (x, y), its words escaped."""
    return el("text", {"x": float(x), "y": float(y), **(values or {})}, escape(content))


def title(content: str) -> str:
    """A tooltip (and accessible name) for the enclosing element."""
    return el("title", None, escape(content))


def group(children: Iterable[str], values: Attrs | None = None) -> str:
    """A ``g`` element around the children."""
    return el("g", values, *children)


def root(chart: str, width: float, height: float, label: str, body: Iterable[str]) -> str:
    """The chart's ``svg``: ``data-chart``, a viewBox that scales, an accessible label."""
    values = {
        "data-chart": chart,
        "xmlns": "http://www.w3.org/2000/svg",
        "viewBox": f"0 0 {_number(width)} {_number(height)}",
        "width": float(width),
        "height": float(height),
        "role": "img",
        "aria-label": label,
        "font-size": FONT,
        "class": "chart",
    }
    return el("svg", values, title(label), *body)


def empty(chart: str, label: str, message: str, width: float = 480) -> str:
    """A chart without data: one message element with ``data-empty="true"``."""
    body = [text(12, 28, message, {"data-empty": "true", "fill": MUTED})]
    return root(chart, width, 44, label, body)


@dataclass(frozen=True)
class Scale:
    """A linear map from a domain onto a range of pixels."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return self.r0
        return self.r0 + (value - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (about ``count`` of them)."""
    if high <= low:
        high = low + 1
    raw_step = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 12))
    return ticks


def shade(fraction: float) -> tuple[str, str]:
    """A sequential blue for 0..1 and the text colour readable on it."""
    fraction = min(max(fraction, 0.0), 1.0)
    low, high = (247, 251, 255), (8, 48, 107)
    rgb = tuple(round(a + (b - a) * fraction) for a, b in zip(low, high, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb), "#ffffff" if fraction > 0.45 else INK


def legend(entries: list[tuple[str, str, str]], x: float, y: float, step: float = 18) -> str:
    """A vertical legend: (label, colour, dash) per entry, starting at (x, y)."""
    items = []
    for index, (label, colour, dash) in enumerate(entries):
        top = y + index * step
        line = {"x1": x, "x2": x + 22.0, "y1": top, "y2": top, "stroke": colour}
        items.append(el("line", {**line, "stroke-width": 3, "stroke-dasharray": dash or None}))
        items.append(text(x + 28, top + 4, label, {"fill": INK, "data-label": "true"}))
    return group(items, {"class": "legend"})


def axis_label(x: float, y: float, content: str, anchor: str = "middle") -> str:
    """A tick or axis label (a position on the axis, not a warehouse value)."""
    return text(x, y, content, {"text-anchor": anchor, "fill": MUTED, "data-axis": "true"})
