"""Line charts over days: engagement per flow (small multiples) and segment trends.

Every point is one warehouse row; a day without a row is a gap in the line, never a
zero or an interpolation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from followup.report import svg, texts
from followup.report.data import Row
from followup.report.svg import el, text, title
from followup.report.values import count, percent, tag

ENGAGEMENT_TABLE = "flow_engagement_daily"
SEGMENT_TABLE = "segment_size_history"
METRICS = (("sent", "#332288"), ("opened", "#44aa99"), ("clicked", "#cc6677"))


def _runs(rows: Sequence[Row], date_column: str) -> list[list[Row]]:
    """Rows (sorted by date) cut into runs of consecutive days."""
    runs: list[list[Row]] = []
    for row in rows:
        previous = runs[-1][-1][date_column] if runs else None
        if previous is not None and row[date_column] - previous == dt.timedelta(days=1):
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def _polylines(
    rows: Sequence[Row],
    date_column: str,
    at: Callable[[Row], tuple[float, float]],
    style: dict[str, Any],
) -> list[str]:
    lines = []
    for run in _runs(rows, date_column):
        if len(run) > 1:
            coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(at, run))
            lines.append(el("polyline", {"points": coordinates, "fill": "none", **style}))
    return lines


def _date_axis(start: dt.date, end: dt.date, x: svg.Scale, y: float) -> list[str]:
    return [
        svg.axis_label(x(0), y, start.isoformat(), "start"),
        svg.axis_label(x((end - start).days), y, end.isoformat(), "end"),
    ]


def _value_axis(high: float, y: svg.Scale, left: float, right: float, fmt: str) -> list[str]:
    marks = []
    for tick in svg.nice_ticks(0, high, 3):
        line = {"x1": left, "x2": right, "y1": y(tick), "y2": y(tick), "stroke": svg.GRID}
        marks.append(el("line", line))
        label = f"{round(tick * 100, 6):g} %" if fmt == "percent" else f"{tick:,g}"
        marks.append(svg.axis_label(left - 4, y(tick) + 4, label, "end"))
    return marks


def engagement_chart(
    flow: str, rows: list[Row], start: dt.date, end: dt.date, width: float = 420
) -> str:
    """Sent, opened and clicked per day of one flow (one line per metric and step)."""
    chart = f"engagement-{flow}"
    label = f"{flow}: mails sent, opened and clicked per day, {start} to {end}"
    if not rows:
        return svg.empty(chart, label, "No mails of this flow in these days.", width)
    left, right, top, bottom = 44.0, width - 12, 40.0, 170.0
    high = max(max(row[m] or 0 for row in rows for m, _ in METRICS), 1)
    ticks = svg.nice_ticks(0, high, 3)
    x = svg.Scale(0, (end - start).days, left, right)
    y = svg.Scale(0, ticks[-1], bottom, top)
    steps = sorted({row["flow_step"] for row in rows})
    body = _value_axis(ticks[-1], y, left, right, "count") + _date_axis(start, end, x, bottom + 16)
    entries = []
    for metric, colour in METRICS:
        for index, step in enumerate(steps):
            dash = svg.DASHES[index % len(svg.DASHES)]
            series = [row for row in rows if row["flow_step"] == step and row[metric] is not None]
            entries.append((metric if len(steps) == 1 else f"{metric}, step {step}", colour, dash))

            def at(row: Row, metric: str = metric) -> tuple[float, float]:
                return x((row["send_date"] - start).days), y(row[metric])

            style = {"stroke": colour, "stroke-width": 2, "stroke-dasharray": dash or None}
            body += _polylines(series, "send_date", at, {**style, "class": "mark"})
            for row in series:
                cx, cy = at(row)
                point = {"cx": cx, "cy": cy, "r": 2.5, "fill": colour, "class": "mark"}
                tooltip = f"{row['send_date']} step {step}: {metric} {count(row[metric])}"
                body.append(
                    el("circle", {**point, **tag(ENGAGEMENT_TABLE, metric, row)}, title(tooltip))
                )
    body.append(_inline_legend(entries, left, 14, width))
    return svg.root(chart, width, bottom + 24, label, body)


def _inline_legend(entries: list[tuple[str, str, str]], x: float, y: float, width: float) -> str:
    items, left, top = [], x, y
    for name, colour, dash in entries:
        step = 30 + 6.5 * len(name)
        if left + step > width:
            left, top = x, top + 14
        line = {"x1": left, "x2": left + 16, "y1": top - 4, "y2": top - 4, "stroke": colour}
        items.append(el("line", {**line, "stroke-width": 2.5, "stroke-dasharray": dash or None}))
        items.append(
            text(left + 20, top, name, {"fill": svg.INK, "font-size": 11, "data-label": "true"})
        )
        left += step
    return svg.group(items, {"class": "legend"})


def trend_chart(
    segmentation: str,
    rows: list[Row] | None,
    order: list[str],
    start: dt.date,
    end: dt.date,
    width: float = 820,
) -> str:
    """Each segment's share of contacts per day: one line per segment, with a legend."""
    chart = f"trend-{segmentation}"
    label = f"{segmentation}: share of contacts per segment, {start} to {end}"
    if rows is None:
        return svg.empty(chart, label, texts.not_built(SEGMENT_TABLE))
    if not rows:
        return svg.empty(chart, label, texts.NO_DATA)
    left, right, top = 48.0, width - 190, 16.0
    bottom = max(250.0, top + 17 * len(order) + 10)
    high = max(max(row["share"] or 0 for row in rows), 0.01)
    ticks = svg.nice_ticks(0, high, 4)
    x = svg.Scale(0, (end - start).days, left, right)
    y = svg.Scale(0, ticks[-1], bottom, top)
    body = _value_axis(ticks[-1], y, left, right, "percent") + _date_axis(
        start, end, x, bottom + 16
    )
    entries = []
    for index, segment in enumerate(order):
        colour = svg.SERIES[index % len(svg.SERIES)]
        dash = svg.DASHES[(index // len(svg.SERIES)) % len(svg.DASHES)]
        series = [row for row in rows if row["segment"] == segment and row["share"] is not None]
        entries.append((segment, colour, dash))

        def at(row: Row) -> tuple[float, float]:
            return x((row["as_of_date"] - start).days), y(row["share"])

        style = {"stroke": colour, "stroke-width": 2, "stroke-dasharray": dash or None}
        lines = _polylines(series, "as_of_date", at, {**style, "class": "mark"})
        body.append(svg.group(lines, {"data-series": segment}) if lines else "")
        body += [
            _point(row, at, colour)
            for row in series
            if row["as_of_date"] == end or len(series) == 1
        ]
    body.append(svg.legend(entries, right + 24, top + 4, 17))
    return svg.root(chart, width, bottom + 26, label, body)


def _point(row: Row, at: Callable[[Row], tuple[float, float]], colour: str) -> str:
    cx, cy = at(row)
    tooltip = f"{row['segment']} on {row['as_of_date']}: {percent(row['share'])}"
    point = {"cx": cx, "cy": cy, "r": 3.5, "fill": colour, "class": "mark"}
    return el("circle", {**point, **tag(SEGMENT_TABLE, "share", row)}, title(tooltip))
