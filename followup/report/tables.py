"""The page's HTML tables, as plain data for the template: rows of cells of tagged spans.

Rows are selected and ordered here (by flow, step, segment); no value is computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from followup.report.charts import FUNNEL_PARTS
from followup.report.data import Row
from followup.report.values import (
    count,
    decimal,
    money,
    p_value,
    percent,
    plain,
    points,
    signed_percent,
    tag,
    yes_no,
)

Format = Callable[[Any], str]


@dataclass(frozen=True)
class Span:
    """Text on the page; ``attrs`` tag it with its warehouse cell (None: a label)."""

    text: str
    attrs: dict[str, str] | None = None


@dataclass(frozen=True)
class Cell:
    """A table cell: spans, right-aligned when numeric."""

    spans: tuple[Span, ...]
    numeric: bool = True


@dataclass(frozen=True)
class Table:
    """Headers and rows of cells; ``row_classes`` style whole rows (e.g. greyed)."""

    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    row_classes: list[str] = field(default_factory=list)
    groups: tuple[tuple[str, int], ...] = ()  # a header row above: (label, columns spanned)


def label(content: str) -> Cell:
    """A cell of words (not a warehouse number)."""
    return Cell((Span(content),), numeric=False)


def value(table: str, column: str, row: Row, fmt: Format, numeric: bool = True) -> Cell:
    """A cell showing one warehouse value."""
    return Cell((Span(fmt(row[column]), tag(table, column, row)),), numeric)


def interval(table: str, low: str, high: str, row: Row, fmt: Format) -> Cell:
    """``[low, high]`` from two columns, each tagged."""
    return Cell(
        (
            Span("["),
            Span(fmt(row[low]), tag(table, low, row)),
            Span(", "),
            Span(fmt(row[high]), tag(table, high, row)),
            Span("]"),
        )
    )


def sentence(table: str, parts: Sequence[str], row: Row) -> Cell:
    """Words with the row's values in between: parts alternate text and column names."""
    spans = tuple(
        Span(part) if index % 2 == 0 else Span(count(row[part]), tag(table, part, row))
        for index, part in enumerate(parts)
    )
    return Cell(spans, numeric=False)


def by_flow(rows: Sequence[Row], flows: Sequence[str], *also: str) -> list[Row]:
    """Rows in the funnel's flow order (then by the other columns)."""
    rank = {flow: index for index, flow in enumerate(flows)}
    return sorted(
        rows, key=lambda r: (rank.get(r["flow_id"], len(rank)), r["flow_id"], *(r[c] for c in also))
    )


def funnel_table(rows: list[Row]) -> Table:
    """triggered → excluded by reason → held out → sent, per flow."""
    t = "flow_daily_summary"
    parts = {column: name for column, name, _ in FUNNEL_PARTS}
    reasons = [column for column, _, _ in FUNNEL_PARTS if column.startswith("excluded_")]
    headers = (
        "flow",
        "category",
        "priority",
        "enabled",
        "triggered",
        *(parts[c] for c in reasons),
        "all",
        "held out",
        "sent",
    )
    groups = (("", 5), ("excluded because", len(reasons) + 1), ("", 2))
    body = [
        (
            value(t, "flow_id", row, plain, numeric=False),
            value(t, "category", row, plain, numeric=False),
            value(t, "priority", row, count),
            value(t, "enabled", row, yes_no, numeric=False),
            value(t, "triggered", row, count),
            *(value(t, column, row, count) for column in reasons),
            value(t, "excluded", row, count),
            value(t, "held_out", row, count),
            value(t, "sent", row, count),
        )
        for row in rows
    ]
    return Table(headers, body, groups=groups)


def _period(t: str, row: Row) -> Cell:
    return Cell(
        (
            Span(plain(row["period_start"]), tag(t, "period_start", row)),
            Span(" to "),
            Span(plain(row["period_end"]), tag(t, "period_end", row)),
        )
    )


def _rate(v: Any) -> str:
    return percent(v, 2)


def conversion_table(rows: list[Row]) -> Table:
    """Per flow: who was measured, and how many converted in each group."""
    t = "flow_uplift"
    group = ("recipients", "converted", "rate", "revenue", "per recipient")
    headers = ("flow", "decisions from", "window (days)", *group, *group)
    groups = (("", 1), ("orders counted", 2), ("sent the mail", 5), ("held out", 5))
    body = [
        (
            value(t, "flow_id", row, plain, numeric=False),
            _period(t, row),
            value(t, "attribution_window_days", row, count),
            *(
                cell
                for side in ("send", "holdout")
                for cell in (
                    value(t, f"{side}_recipients", row, count),
                    value(t, f"{side}_conversions", row, count),
                    value(t, f"{side}_conversion_rate", row, _rate),
                    value(t, f"{side}_revenue", row, money),
                    value(t, f"{side}_revenue_per_recipient", row, money),
                )
            ),
        )
        for row in rows
    ]
    classes = ["too-small" if row["is_too_small"] else "" for row in rows]
    return Table(headers, body, classes, groups)


def effect_table(rows: list[Row]) -> Table:
    """Per flow: the uplift, its interval, the test and what it adds up to."""
    t = "flow_uplift"
    headers = (
        "flow",
        "uplift",
        "95 % interval",
        "relative uplift",
        "95 % interval",
        "p-value",
        "extra orders",
        "extra revenue",
        "significant",
        "too small",
    )
    body = [
        (
            value(t, "flow_id", row, plain, numeric=False),
            value(t, "uplift", row, points),
            interval(t, "uplift_ci_low", "uplift_ci_high", row, points),
            value(t, "relative_uplift", row, signed_percent),
            interval(t, "relative_uplift_ci_low", "relative_uplift_ci_high", row, signed_percent),
            value(t, "p_value", row, p_value),
            value(t, "incremental_conversions", row, decimal),
            value(t, "incremental_revenue", row, money),
            value(t, "is_significant", row, yes_no, numeric=False),
            value(t, "is_too_small", row, yes_no, numeric=False),
        )
        for row in rows
    ]
    classes = ["too-small" if row["is_too_small"] else "" for row in rows]
    return Table(headers, body, classes)


ENGAGEMENT_COLUMNS = (
    "sent",
    "delivered",
    "bounced",
    "opened",
    "clicked",
    "unsubscribed",
    "complained",
)
RATE_COLUMNS = ("open_rate", "click_rate", "click_to_open_rate")
RATE_HEADERS = ("open rate", "click rate", "click-to-open")


def _engagement_table(table: str, key: tuple[str, str], rows: list[Row]) -> Table:
    """Per flow and `key` (column, header): the mails' counts and rates, as stored."""
    column, header = key
    body = [
        (
            value(table, "flow_id", row, plain, numeric=False),
            value(table, column, row, count),
            *(value(table, name, row, count) for name in ENGAGEMENT_COLUMNS),
            *(value(table, name, row, percent) for name in RATE_COLUMNS),
        )
        for row in rows
    ]
    return Table(("flow", header, *ENGAGEMENT_COLUMNS, *RATE_HEADERS), body)


def engagement_period_table(rows: list[Row]) -> Table:
    """Per flow, the totals over the last period_days up to the day."""
    return _engagement_table("flow_engagement_period", ("period_days", "days"), rows)


def engagement_day_table(rows: list[Row]) -> Table:
    """Per flow and step, the mails sent on the day."""
    return _engagement_table("flow_engagement_daily", ("flow_step", "step"), rows)


def segment_table(rows: list[Row]) -> Table:
    """One segmentation's segments on the day: contacts and share."""
    t = "segment_size_history"
    body = [
        (
            value(t, "segment", row, plain, numeric=False),
            value(t, "contacts", row, count),
            value(t, "share", row, percent),
        )
        for row in rows
    ]
    return Table(("segment", "contacts", "share"), body)


def segment_order(segmentation: str, rows: list[Row], stages: list[str], day: dt.date) -> list[str]:
    """Lifecycle stages in the seed's order; other segments by the day's contacts, largest first."""
    names = sorted({row["segment"] for row in rows if row["segment"] is not None})
    if segmentation == "lifecycle_stage":
        rank = {stage: index for index, stage in enumerate(stages)}
        return sorted(names, key=lambda s: (rank.get(s, len(rank)), s))
    today = {row["segment"]: row["contacts"] or 0 for row in rows if row["as_of_date"] == day}
    return sorted(names, key=lambda s: (s not in today, -today.get(s, 0), s))
