"""Compare the tables that one data set builds on two engines, row for row.

Used by the cross-engine equality test: the same raw data, built with the same
as_of_date on DuckDB, PostgreSQL and Spark, must give identical audiences and
segments. Numbers are compared exactly, except the decayed (floating point)
scores, which may differ in the last bits between engines: those are compared
to an absolute tolerance of 1e-9.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from followup import PROJECT_DIR

FLOAT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class TableSpec:
    """A table to compare: its key columns and its floating point columns."""

    name: str
    key: tuple[str, ...]
    float_columns: tuple[str, ...] = ()
    relative: bool = False  # floats within FLOAT_TOLERANCE x max(1, |value|)


UPLIFT_FLOAT_COLUMNS = (
    "send_conversion_rate",
    "send_revenue",
    "send_revenue_per_recipient",
    "holdout_conversion_rate",
    "holdout_revenue",
    "holdout_revenue_per_recipient",
    "uplift",
    "uplift_ci_low",
    "uplift_ci_high",
    "relative_uplift",
    "relative_uplift_ci_low",
    "relative_uplift_ci_high",
    "p_value",
    "incremental_conversions",
    "incremental_revenue",
)


PREDICTION_FLOAT_COLUMNS = (
    "probability_alive",
    "expected_orders_short_horizon",
    "expected_orders_long_horizon",
    "churn_probability",
    "expected_spend_per_order",
    "predicted_clv",
    "clv_top_share",
)
FIT_FLOAT_COLUMNS = ("r", "alpha", "a", "b", "log_likelihood", "max_gradient", "p", "q", "gamma",
                     "gg_log_likelihood", "gg_max_gradient", "population_mean_spend")  # fmt: skip


def registry_flow_ids() -> list[str]:
    """The flow ids of the registry seed (seeds/flows.csv)."""
    with (PROJECT_DIR / "seeds" / "flows.csv").open(newline="", encoding="utf-8") as handle:
        return [row["flow_id"] for row in csv.DictReader(handle)]


def tables_to_compare() -> list[TableSpec]:
    """The tables the cross-engine test compares."""
    specs = [
        TableSpec("audience_decisions", ("as_of_date", "flow_id", "contact_id", "email")),
        TableSpec("contact_rfm", ("contact_id",)),
        TableSpec("contact_lifecycle", ("contact_id",)),
        TableSpec("contact_lead_scores", ("contact_id",), ("behaviour_score", "lead_score")),
        # results: did the flows work, how do the segments move
        TableSpec(
            "flow_engagement_daily",
            ("send_date", "flow_id", "flow_step"),
            ("open_rate", "click_rate", "click_to_open_rate"),
        ),
        TableSpec(
            "flow_engagement_period",
            ("as_of_date", "flow_id"),
            ("open_rate", "click_rate", "click_to_open_rate"),
        ),
        TableSpec("flow_uplift", ("as_of_date", "flow_id"), UPLIFT_FLOAT_COLUMNS),
        TableSpec("segment_size_history", ("as_of_date", "segmentation", "segment"), ("share",)),
        TableSpec(
            "lifecycle_transition_matrix",
            ("as_of_date", "period", "from_stage", "to_stage"),
            ("share_of_from_stage",),
        ),
        TableSpec("rfm_grid_history", ("as_of_date", "r_score", "f_score"), ("avg_monetary",)),
        # predictions: the same fit and scores on every engine, to 1e-9 relative
        TableSpec("contact_predictions", ("contact_id",), PREDICTION_FLOAT_COLUMNS, True),
        TableSpec("contact_prediction_fits", ("as_of_date",), FIT_FLOAT_COLUMNS, True),
    ]
    specs += [
        TableSpec(f"audience_{flow_id}", ("flow_id", "contact_id", "email"))
        for flow_id in registry_flow_ids()
    ]
    return specs


Row = dict[str, Any]
Reader = Callable[[str], tuple[list[str], list[tuple[Any, ...]]]]


def duckdb_reader(path: str, schema: str = "analytics") -> Reader:
    """Read tables from a DuckDB file (read-only)."""

    def read(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with duckdb.connect(path, read_only=True) as con:
            cursor = con.execute(f'select * from "{schema}"."{table}"')
            columns = [d[0] for d in cursor.description]
            return columns, cursor.fetchall()

    return read


def postgres_reader(settings: dict[str, Any], schema: str = "analytics") -> Reader:
    """Read tables from PostgreSQL (settings as in profiles.yml)."""
    import psycopg2

    def read(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        con = psycopg2.connect(
            host=settings.get("host"),
            port=settings.get("port"),
            user=settings.get("user"),
            password=settings.get("password") or None,
            dbname=settings.get("dbname"),
        )
        try:
            with con.cursor() as cursor:
                cursor.execute(f'select * from "{schema}"."{table}"')
                columns = [d[0] for d in cursor.description]
                return columns, cursor.fetchall()
        finally:
            con.close()

    return read


def parquet_reader(folder: str) -> Reader:
    """Read tables exported as <folder>/<table>.parquet (how the Spark build is compared)."""

    def read(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with duckdb.connect() as con:
            cursor = con.execute(f"select * from read_parquet('{folder}/{table}.parquet')")
            columns = [d[0] for d in cursor.description]
            return columns, cursor.fetchall()

    return read


def spark_reader(settings: dict[str, Any], schema: str = "analytics") -> Reader:
    """Read tables from the Spark metastore of the dbt `spark` target (session method).

    Timestamps are read as text and parsed here, so that the Python process's time
    zone cannot shift them.
    """
    from followup.spark import spark_session

    spark = spark_session(settings)

    def read(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = spark.table(f"`{schema}`.`{table}`")
        timestamps = {f.name for f in frame.schema.fields if f.dataType.typeName() == "timestamp"}
        frame = frame.selectExpr(
            *[
                f"cast(`{c}` as string) as `{c}`" if c in timestamps else f"`{c}`"
                for c in frame.columns
            ]
        )
        rows = [
            tuple(
                dt.datetime.fromisoformat(value)
                if name in timestamps and value is not None
                else value
                for name, value in zip(frame.columns, row, strict=True)
            )
            for row in frame.collect()
        ]
        return list(frame.columns), rows

    return read


def normalise(value: Any) -> Any:
    """One representation per value, whatever the engine's driver returned."""
    if isinstance(value, decimal.Decimal):
        return value.normalize() if value == value.to_integral_value() else value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    return value


def _key(row: Row, key: Iterable[str]) -> tuple[str, ...]:
    return tuple("" if row[k] is None else str(row[k]) for k in key)


def _by_key(
    columns: list[str], rows: list[tuple[Any, ...]], key: tuple[str, ...]
) -> dict[tuple[str, ...], Row]:
    by_key = {}
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        by_key[_key(row, key)] = row
    return by_key


def _equal(a: Any, b: Any, is_float: bool, relative: bool = False) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if is_float:
        scale = max(1.0, abs(float(a)), abs(float(b))) if relative else 1.0
        return abs(float(a) - float(b)) <= FLOAT_TOLERANCE * scale
    if isinstance(a, decimal.Decimal) or isinstance(b, decimal.Decimal):
        return decimal.Decimal(str(a)) == decimal.Decimal(str(b))
    return normalise(a) == normalise(b)


@dataclass
class Difference:
    """What differs in one table between two engines."""

    table: str
    problems: list[str]


def compare_table(
    spec: TableSpec, left: Reader, right: Reader, names: tuple[str, str]
) -> Difference:
    """Compare one table; return the differing rows (empty problems when identical)."""
    left_columns, left_rows = left(spec.name)
    right_columns, right_rows = right(spec.name)
    problems: list[str] = []
    if sorted(left_columns) != sorted(right_columns):
        problems.append(f"columns differ: {names[0]} {left_columns} vs {names[1]} {right_columns}")
        return Difference(spec.name, problems)
    left_by_key = _by_key(left_columns, left_rows, spec.key)
    right_by_key = _by_key(right_columns, right_rows, spec.key)
    if len(left_by_key) != len(left_rows) or len(right_by_key) != len(right_rows):
        problems.append(f"key {spec.key} is not unique")
    for key in sorted(left_by_key.keys() - right_by_key.keys()):
        problems.append(f"only on {names[0]}: {left_by_key[key]}")
    for key in sorted(right_by_key.keys() - left_by_key.keys()):
        problems.append(f"only on {names[1]}: {right_by_key[key]}")
    for key in sorted(left_by_key.keys() & right_by_key.keys()):
        a, b = left_by_key[key], right_by_key[key]
        differing = [
            column
            for column in left_columns
            if not _equal(a[column], b[column], column in spec.float_columns, spec.relative)
        ]
        if differing:
            detail = ", ".join(f"{c}: {a[c]!r} vs {b[c]!r}" for c in differing)
            problems.append(f"row {dict(zip(spec.key, key, strict=True))} differs: {detail}")
    return Difference(spec.name, problems)


def compare_engines(left: Reader, right: Reader, names: tuple[str, str]) -> list[Difference]:
    """Compare every table of tables_to_compare(); return the tables that differ."""
    differences = []
    for spec in tables_to_compare():
        difference = compare_table(spec, left, right, names)
        if difference.problems:
            differences.append(difference)
    return differences
