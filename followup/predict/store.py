"""`followup predict`: fit and score D's customers on PostgreSQL or Spark, write the rows back.

dbt has Python models only on DuckDB, where the build fits and scores by itself
(int_prediction_fit_python, int_prediction_scores_python). On PostgreSQL and Spark the
build runs in two halves around this step (``staged_build_commands``): the models up to
int_customer_purchase_summary, then this step, which reads the summary, runs the same
Python (followup.predict.score) and writes the state tables prediction_fits (D's row
replaced, other days kept) and prediction_scores (replaced by D's rows), then the whole
build, whose int_prediction_fit and int_prediction_scores read those rows.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from followup import PROJECT_DIR
from followup.errors import PredictError
from followup.predict.score import Settings, fit_frame, score_frame

SUMMARY_MODEL = "int_customer_purchase_summary"
STATE_SUFFIX = "_state"
Log = Callable[[str], None]


def project_vars(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """dbt_project.yml's vars with ``overrides`` (what `--vars` gives dbt) on top."""
    document = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return {**document["vars"], **(overrides or {})}


def needs_predict_step(settings: dict[str, Any]) -> bool:
    """True where the build cannot fit by itself (no dbt Python models: PostgreSQL, Spark)."""
    return settings.get("type") != "duckdb"


def staged_build_commands(
    bin_dir: Path, build_args: list[str], day: dt.date | None
) -> list[list[str]]:
    """dbt run up to the summary (no tests), `followup predict`, then the whole dbt build.

    Each is its own process: on Spark one process at a time may open the local
    metastore.
    """
    args = _without_selection(build_args)
    first = [str(bin_dir / "dbt"), "run", "--select", f"+{SUMMARY_MODEL}", *args]
    predict = [str(bin_dir / "followup"), "predict", *_passed_on(args)]
    if day:
        predict += ["--as-of", day.isoformat()]
    return [first, predict, [str(bin_dir / "dbt"), "build", *build_args]]


def _passed_on(args: list[str]) -> list[str]:
    """The --target and --vars of dbt's arguments, which `followup predict` takes too."""
    out: list[str] = []
    for flag in ("--target", "--vars"):
        if flag in args and args.index(flag) + 1 < len(args):
            out += [flag, args[args.index(flag) + 1]]
    return out


def _without_selection(args: list[str]) -> list[str]:
    """The build's arguments without node selection (--select/--exclude and their values)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            if arg.startswith("-"):
                skip = False
            else:
                continue
        if arg in ("--select", "-s", "--exclude", "--exclude-resource-type", "--resource-type"):
            skip = True
            continue
        out.append(arg)
    return out


@dataclass(frozen=True)
class PredictResult:
    day: dt.date
    customers: int
    fit: dict[str, Any]
    seconds: float


def predict(
    settings: dict[str, Any], day: dt.date | None, variables: dict[str, Any], log: Log
) -> PredictResult:
    """Fit and score the summary of ``day`` in the target's warehouse and store the rows.

    Without ``day``, the day the summary was built for.
    """
    started = time.monotonic()
    model_settings = Settings.from_vars(project_vars(variables))
    store = _store(settings)
    try:
        summary = store.read_summary()
        built_for = _built_for(summary)
        day = day or built_for
        if day is None:
            raise PredictError(f"{SUMMARY_MODEL} is empty: give the day (--as-of)")
        if built_for is not None and built_for != day:
            raise PredictError(
                f"{SUMMARY_MODEL} was built for {built_for}, not {day}: build it for {day} first"
            )
        log(f"Fitting the purchase and spend models on {len(summary):,} customers for {day}")
        fit = fit_frame(summary, model_settings)
        scores = score_frame(summary, fit, model_settings)
        fit.insert(0, "fit_date", day)
        scores.insert(0, "fit_date", day)
        store.write(day, fit, scores)
    finally:
        store.close()
    row = fit.iloc[0].to_dict()
    return PredictResult(day, len(scores), row, time.monotonic() - started)


def _built_for(summary: pd.DataFrame) -> dt.date | None:
    if summary.empty:
        return None
    value = summary["as_of_date"].iloc[0]
    return pd.Timestamp(value).date()


def _store(settings: dict[str, Any]) -> _Store:
    kind = settings.get("type")
    if kind == "postgres":
        return _PostgresStore(settings)
    if kind == "spark":
        return _SparkStore(settings)
    raise PredictError(
        f"target {settings.get('name')}: on {kind} the build predicts by itself (dbt Python "
        "models); `followup predict` is for PostgreSQL and Spark"
    )


class _Store:
    schema: str

    def read_summary(self) -> pd.DataFrame:
        raise NotImplementedError

    def write(self, day: dt.date, fit: pd.DataFrame, scores: pd.DataFrame) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release the connection."""


class _PostgresStore(_Store):
    def __init__(self, settings: dict[str, Any]) -> None:
        from followup.export.state import ExportState
        from followup.export.warehouse import open_warehouse

        self.warehouse = open_warehouse(settings, read_only=False)
        self.state = ExportState(self.warehouse)
        self.schema = self.warehouse.schema

    def read_summary(self) -> pd.DataFrame:
        if not self.warehouse.table_columns(SUMMARY_MODEL):
            raise PredictError(
                f"{self.warehouse.description} has no {self.schema}.{SUMMARY_MODEL}: build it "
                f"first (dbt run --select +{SUMMARY_MODEL})"
            )
        return self.warehouse.fetch(
            f'select * from "{self.schema}"."{SUMMARY_MODEL}" order by contact_id'
        )

    def write(self, day: dt.date, fit: pd.DataFrame, scores: pd.DataFrame) -> None:
        self.state.ensure()
        with self.warehouse.transaction():
            fits = self.state.table("prediction_fits")
            self.warehouse.execute(f"delete from {fits} where fit_date = %s", (day,))
            self.warehouse.insert_frame(fits, fit)
            table = self.state.table("prediction_scores")
            self.warehouse.execute(f"delete from {table}")
            self.warehouse.insert_frame(table, scores)

    def close(self) -> None:
        self.warehouse.close()


class _SparkStore(_Store):
    def __init__(self, settings: dict[str, Any]) -> None:
        from followup.spark import spark_session

        self.spark = spark_session(settings)
        self.schema = str(settings.get("schema") or "analytics")

    def read_summary(self) -> pd.DataFrame:
        if not self.spark.catalog.tableExists(f"{self.schema}.{SUMMARY_MODEL}"):
            raise PredictError(
                f"Spark has no {self.schema}.{SUMMARY_MODEL}: build it first "
                f"(dbt run --select +{SUMMARY_MODEL})"
            )
        frame = self.spark.table(f"{self.schema}.{SUMMARY_MODEL}").toPandas()
        return frame.sort_values("contact_id", kind="stable").reset_index(drop=True)

    def write(self, day: dt.date, fit: pd.DataFrame, scores: pd.DataFrame) -> None:
        state = f"`{self.schema}{STATE_SUFFIX}`"
        fits_table = f"{state}.`prediction_fits`"
        scores_table = f"{state}.`prediction_scores`"
        for table in (fits_table, scores_table):
            if not self.spark.catalog.tableExists(table.replace("`", "")):
                raise PredictError(f"Spark has no {table}: run a dbt build first (on-run-start)")
        kept = self.spark.table(fits_table).where(f"fit_date <> date'{day}'").toPandas()
        self._overwrite(fits_table, pd.concat([kept, fit], ignore_index=True))
        self._overwrite(scores_table, scores)

    def _overwrite(self, table: str, frame: pd.DataFrame) -> None:
        """Replace the table's rows by the frame's (through Arrow: missing values stay null)."""
        self.spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
        schema = self.spark.table(table).schema
        if frame.empty:  # nothing to infer types from: the table's own
            data = self.spark.createDataFrame([], schema)
        else:
            data = self.spark.createDataFrame(frame.loc[:, [f.name for f in schema.fields]])
        data.write.insertInto(table, overwrite=True)
