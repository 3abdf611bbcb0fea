"""The page: every section's charts and tables, put into one Jinja2 template.

The template and its CSS are inline in one file (templates/report.html.j2); the page
loads nothing from anywhere (no CDN, no fonts, no script).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from followup.report import grids, lines, svg, texts
from followup.report.charts import funnel_chart, uplift_chart
from followup.report.data import ReportData, Row
from followup.report.tables import (
    Span,
    Table,
    by_flow,
    conversion_table,
    effect_table,
    engagement_day_table,
    engagement_period_table,
    funnel_table,
    segment_order,
    segment_table,
    sentence,
)
from followup.report.values import tag

TEMPLATES = Path(__file__).parent / "templates"
SEGMENTATIONS = ("lifecycle_stage", "rfm_segment", "lead_band", "churn_risk_band")
PERIODS = ("day", "period")


@dataclass(frozen=True)
class Segmentation:
    """One segmentation's trend chart and the day's table."""

    name: str
    chart: Markup
    table: Table | None


@dataclass(frozen=True)
class Transitions:
    """One period's heatmap and the day it starts from (a tagged cell, if any row)."""

    period: str
    chart: Markup
    from_date: Span | None


def _flows(data: ReportData) -> list[str]:
    """The funnel's flows in its order, then any other flow with engagement rows."""
    flows = [str(row["flow_id"]) for row in data.funnel]
    others = {row["flow_id"] for row in (data.engagement_daily or [])} - set(flows)
    return flows + sorted(others)


def _engagement_charts(data: ReportData, flows: list[str]) -> list[tuple[str, Markup]]:
    """(flow, chart) per flow: its mails per day over the window."""
    start, end = data.windows["engagement"]
    charts = []
    for flow in flows:
        if data.engagement_daily is None:
            chart = svg.empty(
                f"engagement-{flow}",
                f"{flow}: engagement",
                texts.not_built("flow_engagement_daily"),
                420,
            )
        else:
            rows = [r for r in data.engagement_daily if r["flow_id"] == flow]
            chart = lines.engagement_chart(flow, rows, start, end)
        charts.append((flow, Markup(chart)))
    return charts


def _segmentations(data: ReportData, stages: list[str]) -> list[Segmentation]:
    start, end = data.windows["segments"]
    result = []
    for name in SEGMENTATIONS:
        rows = (
            None
            if data.segments is None
            else [r for r in data.segments if r["segmentation"] == name]
        )
        order = segment_order(name, rows or [], stages, data.day)
        chart = Markup(lines.trend_chart(name, rows, order, start, end))
        rank = {segment: index for index, segment in enumerate(order)}
        today = sorted(
            (r for r in rows or [] if r["as_of_date"] == data.day and r["segment"] in rank),
            key=lambda r: rank[r["segment"]],
        )
        result.append(Segmentation(name, chart, segment_table(today) if today else None))
    return result


def _transitions(data: ReportData, stages: list[str]) -> list[Transitions]:
    result = []
    for period in PERIODS:
        rows: list[Row] | None = None
        if data.transitions is not None:
            rows = [r for r in data.transitions if r["period"] == period]
        chart = Markup(grids.transitions_chart(period, rows, stages))
        first = rows[0] if rows else None
        from_date = None
        if first is not None:
            from_date = Span(
                str(first["from_date"]), tag(grids.TRANSITIONS_TABLE, "from_date", first)
            )
        result.append(Transitions(period, chart, from_date))
    return result


def context(data: ReportData) -> dict[str, Any]:
    """Everything the template shows."""
    flows = _flows(data)
    stages = [str(row["stage"]) for row in data.stages or []]
    uplift = by_flow(data.uplift or [], flows)
    period = by_flow(data.engagement_period or [], flows)
    today = by_flow(
        [r for r in data.engagement_daily or [] if r["send_date"] == data.day], flows, "flow_step"
    )
    return {
        "texts": texts,
        "day": data.day.isoformat(),
        "warehouse": str(data.warehouse.resolve()),
        "built_at": None if data.built_at is None else f"{data.built_at:%Y-%m-%d %H:%M:%S} UTC",
        "funnel_chart": Markup(funnel_chart(data.funnel)),
        "funnel_table": funnel_table(data.funnel),
        "uplift_chart": Markup(uplift_chart(None if data.uplift is None else uplift)),
        "uplift_tables": [effect_table(uplift), conversion_table(uplift)] if uplift else [],
        "uplift_built": data.uplift is not None,
        "too_small_rule": sentence("flow_uplift", texts.TOO_SMALL_PARTS, uplift[0])
        if uplift
        else None,
        "engagement_charts": _engagement_charts(data, flows),
        "engagement_period": engagement_period_table(period) if period else None,
        "engagement_period_built": data.engagement_period is not None,
        "engagement_today": engagement_day_table(today) if today else None,
        "engagement_window": [d.isoformat() for d in data.windows["engagement"]],
        "segment_window": [d.isoformat() for d in data.windows["segments"]],
        "segmentations": _segmentations(data, stages),
        "transitions": _transitions(data, stages),
        "rfm_chart": Markup(grids.rfm_chart(data.rfm)),
    }


def render_page(data: ReportData) -> str:
    """The whole HTML page."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("report.html.j2").render(**context(data))
