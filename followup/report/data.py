"""The report's read-only queries: rows of the warehouse, selected by day and flow.

This is the only module that names tables and columns. It selects rows (by date, by
flow) and orders them; it never sums, averages or divides: every number on the page is
a cell of one of these tables.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from followup.daily.publish import default_published_path
from followup.errors import Refused, ReportError

SCHEMA = "analytics"
ENGAGEMENT_DAYS = 30  # the engagement charts: the last 30 days up to the day
TREND_DAYS = 90  # the segment trends: the last 90 days up to the day

Row = dict[str, Any]

EXCLUSION_REASONS = (
    "invalid_email",
    "duplicate_email",
    "suppressed",
    "no_consent",
    "cooldown",
    "contact_pressure",
    "lower_priority",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "flow_daily_summary": (
        "as_of_date", "flow_id", "category", "priority", "enabled", "triggered", "sent",
        "held_out", *(f"excluded_{reason}" for reason in EXCLUSION_REASONS), "excluded",
    ),
    "flow_uplift": (
        "as_of_date", "flow_id", "category", "period_start", "period_end",
        "attribution_window_days", "uplift_min_group_size", "uplift_min_outcomes",
        "send_recipients", "send_conversions",
        "send_conversion_rate", "send_revenue", "send_revenue_per_recipient",
        "holdout_recipients", "holdout_conversions", "holdout_conversion_rate",
        "holdout_revenue", "holdout_revenue_per_recipient", "uplift", "uplift_ci_low",
        "uplift_ci_high", "relative_uplift", "relative_uplift_ci_low",
        "relative_uplift_ci_high", "p_value", "incremental_conversions",
        "incremental_revenue", "is_too_small", "is_significant",
    ),
    "flow_engagement_daily": (
        "send_date", "flow_id", "flow_step", "sent", "delivered", "bounced", "opened",
        "clicked", "unsubscribed", "complained", "open_rate", "click_rate",
        "click_to_open_rate",
    ),
    "flow_engagement_period": (
        "as_of_date", "flow_id", "period_days", "sent", "delivered", "bounced", "opened",
        "clicked", "unsubscribed", "complained", "open_rate", "click_rate",
        "click_to_open_rate",
    ),
    "segment_size_history": ("as_of_date", "segmentation", "segment", "contacts", "share"),
    "lifecycle_transition_matrix": (
        "as_of_date", "period", "from_date", "from_stage", "to_stage", "contacts",
        "share_of_from_stage",
    ),
    "lifecycle_stages": ("stage", "stage_order", "is_customer_stage", "description"),
    "rfm_grid_history": (
        "as_of_date", "r_score", "f_score", "contacts", "avg_monetary", "rfm_segment",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class ReportData:
    """Everything the page shows, as warehouse rows. ``None``: the table is not there."""

    day: dt.date
    warehouse: Path
    built_at: dt.datetime | None
    funnel: list[Row]
    uplift: list[Row] | None
    engagement_period: list[Row] | None
    engagement_daily: list[Row] | None
    segments: list[Row] | None
    transitions: list[Row] | None
    stages: list[Row] | None
    rfm: list[Row] | None
    windows: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)


def default_warehouse() -> Path:
    """The published copy beside $FOLLOWUP_DUCKDB_PATH, else that warehouse file itself."""
    warehouse = Path(os.environ.get("FOLLOWUP_DUCKDB_PATH", "warehouse/followup.duckdb"))
    published = default_published_path(warehouse)
    return published if published.exists() else warehouse


@contextmanager
def open_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a DuckDB file, closed afterwards."""
    if not path.is_file():
        raise ReportError(
            f"no DuckDB warehouse at {path} (give --warehouse FILE or set FOLLOWUP_DUCKDB_PATH)"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise Refused(f"{path} is being written (a build holds it); try again later") from None
        raise ReportError(f"{path} cannot be opened as a DuckDB file: {exc}") from None
    try:
        yield con
    finally:
        con.close()


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
    ).fetchall()
    return {row[0] for row in rows}


def _select(
    con: duckdb.DuckDBPyConnection, table: str, where: str, params: list[Any], order: str
) -> list[Row]:
    columns = COLUMNS[table]
    sql = f"select {', '.join(columns)} from {SCHEMA}.{table} where {where} order by {order}"
    return [dict(zip(columns, row, strict=True)) for row in con.execute(sql, params).fetchall()]


def _built_at(con: duckdb.DuckDBPyConnection, day: dt.date, tables: set[str]) -> dt.datetime | None:
    """When the day's build finished, from the run ledger, if the warehouse has one."""
    if "daily_runs" not in tables:
        return None
    row = con.execute(
        f"select max(finished_at) from {SCHEMA}.daily_runs "
        "where as_of_date = ? and step = 'build' and status = 'done'",
        [day],
    ).fetchone()
    return row[0] if row else None


def read_report(con: duckdb.DuckDBPyConnection, day: dt.date, warehouse: Path) -> ReportData:
    """The rows of every section for ``day``; ReportError if the day was not built."""
    tables = _tables(con)
    if "flow_daily_summary" not in tables:
        raise ReportError(f"{warehouse} has no table {SCHEMA}.flow_daily_summary: not built")
    funnel = _select(con, "flow_daily_summary", "as_of_date = ?", [day], "priority, flow_id")
    if not funnel:
        raise ReportError(
            f"{day} was not built in {warehouse} (no rows in {SCHEMA}.flow_daily_summary); "
            f"build it first (followup daily --as-of {day})"
        )
    engagement_start = day - dt.timedelta(days=ENGAGEMENT_DAYS - 1)
    trend_start = day - dt.timedelta(days=TREND_DAYS - 1)

    def rows(table: str, where: str, params: list[Any], order: str) -> list[Row] | None:
        return _select(con, table, where, params, order) if table in tables else None

    return ReportData(
        day=day,
        warehouse=warehouse,
        built_at=_built_at(con, day, tables),
        funnel=funnel,
        uplift=rows("flow_uplift", "as_of_date = ?", [day], "flow_id"),
        engagement_period=rows("flow_engagement_period", "as_of_date = ?", [day], "flow_id"),
        engagement_daily=rows(
            "flow_engagement_daily",
            "send_date between ? and ?",
            [engagement_start, day],
            "flow_id, flow_step, send_date",
        ),
        segments=rows(
            "segment_size_history",
            "as_of_date between ? and ?",
            [trend_start, day],
            "segmentation, segment, as_of_date",
        ),
        transitions=rows(
            "lifecycle_transition_matrix",
            "as_of_date = ?",
            [day],
            "period, from_stage, to_stage",
        ),
        stages=rows("lifecycle_stages", "true", [], "stage_order"),
        rfm=rows("rfm_grid_history", "as_of_date = ?", [day], "r_score, f_score"),
        windows={
            "engagement": (engagement_start, day),
            "segments": (trend_start, day),
        },
    )
