"""Heatmaps as inline SVG: the lifecycle transition matrix and the RFM grid.

A cell's colour is a layout of its warehouse value (share of the from-stage, or the
contacts relative to the fullest cell); its texts are warehouse cells, tagged.
"""

from __future__ import annotations

from followup.report import svg, texts
from followup.report.data import Row
from followup.report.svg import el, text, title
from followup.report.values import MISSING, count, money, percent, tag

TRANSITIONS_TABLE = "lifecycle_transition_matrix"
RFM_TABLE = "rfm_grid_history"
EMPTY_CELL = "#f6f8fa"
NONE_STAGE = "(none)"


def stage_order(stages: list[str], rows: list[Row]) -> list[str | None]:
    """The seed's stage order, then any other stage the rows name (a null last)."""
    seen = {row[c] for row in rows for c in ("from_stage", "to_stage")}
    extra = sorted(s for s in seen if s is not None and s not in stages)
    return [*stages, *extra, *([None] if None in seen else [])]


def _stage(stage: str | None) -> str:
    return NONE_STAGE if stage is None else stage


def _transition_cell(row: Row | None, x: float, y: float, w: float, h: float) -> list[str]:
    box = {"x": x, "y": y, "width": w - 2, "height": h - 2}
    if row is None:
        return [el("rect", {**box, "fill": EMPTY_CELL})]
    share = row["share_of_from_stage"]
    fill, ink = svg.shade(share if isinstance(share, int | float) else 0.0)
    tooltip = (
        f"{_stage(row['from_stage'])} → {_stage(row['to_stage'])}: "
        f"{count(row['contacts'])} contacts, {percent(share)} of the stage"
    )
    share_tag = tag(TRANSITIONS_TABLE, "share_of_from_stage", row)
    middle = x + (w - 2) / 2
    return [
        el("rect", {**box, "fill": fill, "class": "mark", **share_tag}, title(tooltip)),
        text(
            middle,
            y + h / 2 - 2,
            percent(share),
            {"text-anchor": "middle", "fill": ink, **share_tag},
        ),
        text(
            middle,
            y + h / 2 + 12,
            count(row["contacts"]),
            {
                "text-anchor": "middle",
                "fill": ink,
                "font-size": 10,
                **tag(TRANSITIONS_TABLE, "contacts", row),
            },
        ),
    ]


def transitions_chart(period: str, rows: list[Row] | None, stages: list[str]) -> str:
    """A from-stage by to-stage heatmap of one period ('day' or 'period') of the day."""
    chart = f"transitions-{period}"
    label = f"Lifecycle transitions ({period}): share of each from-stage moving to each stage"
    if rows is None:
        return svg.empty(chart, label, texts.not_built(TRANSITIONS_TABLE))
    if not rows:
        return svg.empty(chart, label, texts.NO_DATA)
    order = stage_order(stages, rows)
    cells = {(row["from_stage"], row["to_stage"]): row for row in rows}
    left, top, w, h = 120.0, 44.0, 84.0, 38.0
    body = [
        text(left, 14, "to stage →", {"fill": svg.MUTED}),
        text(4, 14, "from stage ↓", {"fill": svg.MUTED}),
    ]
    for index, stage in enumerate(order):
        body.append(
            text(
                left + index * w + (w - 2) / 2,
                top - 8,
                _stage(stage),
                {"text-anchor": "middle", "fill": svg.INK, "font-size": 11},
            )
        )
        body.append(
            text(
                left - 8,
                top + index * h + h / 2 + 4,
                _stage(stage),
                {"text-anchor": "end", "fill": svg.INK, "font-size": 11},
            )
        )
    for i, source in enumerate(order):
        for j, target in enumerate(order):
            row = cells.get((source, target))
            body += _transition_cell(row, left + j * w, top + i * h, w, h)
    width, height = left + len(order) * w + 8, top + len(order) * h + 8
    return svg.root(chart, width, height, label, body)


def _rfm_cell(row: Row | None, x: float, y: float, w: float, h: float, most: int) -> list[str]:
    box = {"x": x, "y": y, "width": w - 3, "height": h - 3}
    if row is None:
        return [el("rect", {**box, "fill": EMPTY_CELL})]
    contacts = row["contacts"] or 0
    fill, ink = svg.shade(0.08 + 0.92 * contacts / most)
    middle = x + (w - 3) / 2
    tooltip = (
        f"R {row['r_score']}, F {row['f_score']}: {count(row['contacts'])} contacts, "
        f"average spend {money(row['avg_monetary'])}, segment {row['rfm_segment'] or MISSING}"
    )
    centred = {"text-anchor": "middle", "fill": ink}
    return [
        el(
            "rect",
            {**box, "fill": fill, "class": "mark", **tag(RFM_TABLE, "contacts", row)},
            title(tooltip),
        ),
        text(
            middle,
            y + 22,
            count(row["contacts"]),
            {**centred, "font-size": 15, "font-weight": "bold", **tag(RFM_TABLE, "contacts", row)},
        ),
        text(
            middle,
            y + 38,
            row["rfm_segment"] or MISSING,
            {**centred, "font-size": 11, **tag(RFM_TABLE, "rfm_segment", row)},
        ),
        el(
            "text",
            {"x": middle, "y": y + 53, **centred, "font-size": 10},
            "avg ",
            el("tspan", tag(RFM_TABLE, "avg_monetary", row), money(row["avg_monetary"])),
        ),
    ]


def rfm_chart(rows: list[Row] | None) -> str:
    """The 5 by 5 grid of recency (x) and frequency (y, 5 at the top) scores."""
    label = "RFM grid: customers per recency and frequency score"
    if rows is None:
        return svg.empty("rfm-grid", label, texts.not_built(RFM_TABLE))
    if not rows:
        return svg.empty("rfm-grid", label, texts.NO_DATA)
    cells = {(row["r_score"], row["f_score"]): row for row in rows}
    most = max(max(row["contacts"] or 0 for row in rows), 1)
    left, top, w, h = 70.0, 10.0, 132.0, 64.0
    body = []
    for f in range(5, 0, -1):
        y = top + (5 - f) * h
        body.append(svg.axis_label(left - 10, y + h / 2, f"F {f}", "end"))
        for r in range(1, 6):
            body += _rfm_cell(cells.get((r, f)), left + (r - 1) * w, y, w, h, most)
    for r in range(1, 6):
        body.append(svg.axis_label(left + (r - 1) * w + w / 2, top + 5 * h + 16, f"R {r}"))
    body.append(
        text(
            left + 2.5 * w,
            top + 5 * h + 36,
            "recency score R (5 = bought most recently) →",
            {"text-anchor": "middle", "fill": svg.MUTED, "data-label": "true"},
        )
    )
    body.append(
        text(
            14,
            top + 2.5 * h,
            "frequency F ↑",
            {
                "fill": svg.MUTED,
                "transform": f"rotate(-90 14 {top + 2.5 * h})",
                "text-anchor": "middle",
            },
        )
    )
    return svg.root("rfm-grid", left + 5 * w + 10, top + 5 * h + 46, label, body)
