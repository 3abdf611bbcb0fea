"""The funnel (stacked bars) and the uplift forest plot, as inline SVG.

Bar lengths and positions are layout; every value drawn or written is a warehouse
cell, tagged with ``values.tag``.
"""

from __future__ import annotations

import math
from typing import Any

from followup.report import svg, texts
from followup.report.data import EXCLUSION_REASONS, Row
from followup.report.svg import el, text, title
from followup.report.values import count, points, tag

FUNNEL_TABLE = "flow_daily_summary"
UPLIFT_TABLE = "flow_uplift"

# The parts of a flow's bar, left to right: (column, label, colour).
FUNNEL_PARTS: tuple[tuple[str, str, str], ...] = (
    ("sent", "sent", "#0072b2"),
    ("held_out", "held out (control group)", "#56b4e9"),
    ("excluded_invalid_email", "invalid email", "#bbbbbb"),
    ("excluded_duplicate_email", "duplicate email", "#8c8c8c"),
    ("excluded_suppressed", "suppressed", "#d55e00"),
    ("excluded_no_consent", "no consent", "#e69f00"),
    ("excluded_cooldown", "cooldown", "#cc79a7"),
    ("excluded_contact_pressure", "contact pressure", "#f0e442"),
    ("excluded_lower_priority", "lower-priority flow", "#8c6d31"),
)
assert len(FUNNEL_PARTS) == 2 + len(EXCLUSION_REASONS)

LABEL_WIDTH = 190.0
ROW = 24.0


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _funnel_legend(width: float) -> tuple[list[str], float]:
    """Swatches in rows across the top; returns the elements and the height used."""
    items, x, y = [], 0.0, 14.0
    for _column, label, colour in FUNNEL_PARTS:
        step = 22 + 7.0 * len(label)
        if x + step > width:
            x, y = 0.0, y + 18
        items.append(
            el("rect", {"x": x, "y": y - 10, "width": 12.0, "height": 12.0, "fill": colour})
        )
        items.append(text(x + 16, y, label, {"fill": svg.INK}))
        x += step
    return [svg.group(items, {"class": "legend"})], y + 14


def funnel_chart(rows: list[Row], width: float = 900) -> str:
    """One stacked horizontal bar per flow: sent, held out, then each exclusion reason."""
    label = "Funnel per flow: who was sent, held out or excluded, and why"
    if not rows:
        return svg.empty("funnel", label, texts.NO_DATA)
    legend, top = _funnel_legend(width)
    bar_width = width - LABEL_WIDTH - 70
    longest = max(max(row["triggered"] or 0 for row in rows), 1)
    scale = svg.Scale(0, longest, LABEL_WIDTH, LABEL_WIDTH + bar_width)
    body = list(legend)
    for index, row in enumerate(rows):
        y = top + 8 + index * ROW
        flow = str(row["flow_id"])
        body.append(text(LABEL_WIDTH - 8, y + 14, flow, {"text-anchor": "end", "fill": svg.INK}))
        start = 0
        for column, part, colour in FUNNEL_PARTS:
            value = row[column] or 0
            if value <= 0:
                continue
            rect = {
                "x": scale(start),
                "y": y + 3,
                "width": max(scale(start + value) - scale(start), 0.5),
                "height": ROW - 6,
                "fill": colour,
                "class": "mark",
                **tag(FUNNEL_TABLE, column, row),
            }
            body.append(el("rect", rect, title(f"{flow}: {part} {count(value)}")))
            start += value
        body.append(
            text(
                scale(start) + 6,
                y + 15,
                count(row["triggered"]),
                {"fill": svg.MUTED, **tag(FUNNEL_TABLE, "triggered", row)},
            )
        )
    axis = {"x1": LABEL_WIDTH, "x2": LABEL_WIDTH, "y1": top, "y2": top + 8 + len(rows) * ROW}
    body.append(el("line", {**axis, "stroke": svg.GRID}))
    return svg.root("funnel", width, top + 16 + len(rows) * ROW, label, body)


def _uplift_domain(rows: list[Row]) -> tuple[float, float]:
    values = [0.0]
    for row in rows:
        values += [row[c] for c in ("uplift", "uplift_ci_low", "uplift_ci_high") if _finite(row[c])]
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 or 0.01
    return low - pad, high + pad


def _uplift_colour(row: Row) -> str:
    if row["is_too_small"]:
        return svg.GREYED
    if row["is_significant"]:
        return "#117733" if (row["uplift"] or 0) > 0 else "#cc6677"
    return "#332288"


def _uplift_row(row: Row, y: float, scale: svg.Scale, right: float) -> list[str]:
    flow = str(row["flow_id"])
    small = bool(row["is_too_small"])
    name = f"{flow} (too small)" if small else flow
    colour = _uplift_colour(row)
    attrs = {"text-anchor": "end", "fill": svg.GREYED if small else svg.INK}
    marks = [
        text(LABEL_WIDTH - 8, y + 4, name, {**attrs, "data-flag": "too-small" if small else None})
    ]
    low, high, point = row["uplift_ci_low"], row["uplift_ci_high"], row["uplift"]
    if _finite(low) and _finite(high):
        line = {"x1": scale(low), "x2": scale(high), "y1": y, "y2": y, "stroke": colour}
        marks.append(el("line", {**line, "stroke-width": 2.5, "class": "mark"}))
        for column, value in (("uplift_ci_low", low), ("uplift_ci_high", high)):
            cap = {"x1": scale(value), "x2": scale(value), "y1": y - 5, "y2": y + 5}
            marks.append(
                el(
                    "line",
                    {
                        **cap,
                        "stroke": colour,
                        "stroke-width": 2,
                        "class": "mark",
                        **tag(UPLIFT_TABLE, column, row),
                    },
                )
            )
    if _finite(point):
        circle = {"cx": scale(point), "cy": y, "r": 5.0, "fill": colour, "class": "mark"}
        tooltip = f"{flow}: uplift {points(point)} [{points(low)}, {points(high)}]"
        marks.append(el("circle", {**circle, **tag(UPLIFT_TABLE, "uplift", row)}, title(tooltip)))
    else:
        marks.append(text(LABEL_WIDTH + 8, y + 4, "no estimate", {"fill": svg.MUTED}))
    spans = [
        el("tspan", tag(UPLIFT_TABLE, "uplift", row), points(point)),
        el("tspan", None, " ["),
        el("tspan", tag(UPLIFT_TABLE, "uplift_ci_low", row), points(low)),
        el("tspan", None, ", "),
        el("tspan", tag(UPLIFT_TABLE, "uplift_ci_high", row), points(high)),
        el("tspan", None, "]"),
    ]
    marks.append(el("text", {"x": right + 10, "y": y + 4, "fill": colour}, *spans))
    return marks


def _pp_tick(tick: float) -> str:
    """An axis tick in percentage points: +5 pp, 0 pp, -2.5 pp."""
    value = round(tick * 100, 6) + 0.0  # + 0.0: no "-0"
    return "0 pp" if value == 0 else f"{value:+g} pp"


def uplift_chart(rows: list[Row] | None, width: float = 900) -> str:
    """A forest plot: each flow's uplift with its 95 % interval and the zero line."""
    label = "Uplift per flow with its 95 % confidence interval"
    if rows is None:
        return svg.empty("uplift", label, texts.not_built(UPLIFT_TABLE))
    if not rows:
        return svg.empty("uplift", label, texts.NO_DATA)
    right = width - 230
    low, high = _uplift_domain(rows)
    scale = svg.Scale(low, high, LABEL_WIDTH, right)
    top, bottom = 16.0, 16.0 + len(rows) * ROW
    body = []
    for tick in svg.nice_ticks(low, high, 6):
        if low <= tick <= high:
            x = scale(tick)
            body.append(
                el("line", {"x1": x, "x2": x, "y1": top - 6, "y2": bottom, "stroke": svg.GRID})
            )
            body.append(svg.axis_label(x, bottom + 16, _pp_tick(tick)))
    zero = {"x1": scale(0), "x2": scale(0), "y1": top - 10, "y2": bottom + 2}
    body.append(el("line", {**zero, "stroke": svg.INK, "stroke-width": 1.5, "class": "zero"}))
    for index, row in enumerate(rows):
        body += _uplift_row(row, top + 6 + index * ROW, scale, right)
    return svg.root("uplift", width, bottom + 26, label, body)
