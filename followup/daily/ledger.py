"""The run ledger (``<schema>_state.daily_runs``): what every daily run did, step by step.

On DuckDB the job cannot keep the warehouse open while dbt builds it, so every ledger
write opens the warehouse, writes one row in a transaction and closes it again. The
ledger answers the two questions a rerun asks: which steps of a day are done (and so
skipped), and which day the warehouse was last brought up to (for catch-up).

A step is done for the current state of the warehouse when its latest ``done`` row is
newer than the latest ``done`` row of every step it depends on (load → build → export →
publish), the way ``make`` compares file times: a new load makes every later build
stale, a new build makes the export and publish stale.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from followup.export.state import ExportState
from followup.export.warehouse import Warehouse, open_warehouse

TABLE = "daily_runs"
RUNNING, DONE, FAILED, REFUSED, INTERRUPTED, SKIPPED = (
    "running",
    "done",
    "failed",
    "refused",
    "interrupted",
    "skipped",
)


def new_run_id(now: dt.datetime) -> str:
    """A run id that sorts by start time: 20261203T060001Z-3f2a."""
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def utc_now() -> dt.datetime:
    """Now in UTC, naive (the warehouse's timestamps are UTC without a zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class StepRow:
    """One row of the ledger."""

    run_id: str
    as_of_date: dt.date
    step: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    rows: int | None
    message: str


class RunLedger:
    """Reads and writes ``daily_runs`` of one dbt target, one short connection each."""

    def __init__(self, settings: dict[str, Any], run_id: str, delivery: str | None) -> None:
        self.settings = settings
        self.run_id = run_id
        self.delivery = delivery

    @contextmanager
    def _open(self) -> Iterator[tuple[Warehouse, str]]:
        with open_warehouse(self.settings, read_only=False, wait_seconds=30) as warehouse:
            state = ExportState(warehouse)
            state.ensure()
            yield warehouse, state.table(TABLE)

    # ------------------------------------------------------------ writing

    def start(self, day: dt.date, step: str, message: str = "") -> dt.datetime:
        """Record a step as running (replacing an earlier row of this run and step)."""
        started = utc_now()
        with self._open() as (warehouse, table), warehouse.transaction():
            warehouse.execute(
                f"delete from {table} where run_id = %s and as_of_date = %s and step = %s",
                (self.run_id, day, step),
            )
            warehouse.execute(
                f"insert into {table} (run_id, as_of_date, step, status, started_at, "
                "finished_at, rows, message, delivery) values (%s, %s, %s, %s, %s, null, "
                "null, %s, %s)",
                (self.run_id, day, step, RUNNING, started, message, self.delivery),
            )
        return started

    def finish(
        self, day: dt.date, step: str, status: str, rows: int | None = None, message: str = ""
    ) -> None:
        """Record how a step ended."""
        with self._open() as (warehouse, table), warehouse.transaction():
            warehouse.execute(
                f"update {table} set status = %s, finished_at = %s, rows = %s, message = %s "
                "where run_id = %s and as_of_date = %s and step = %s",
                (status, utc_now(), rows, message[:1000], self.run_id, day, step),
            )

    def record(self, day: dt.date, step: str, status: str, message: str) -> None:
        """A step that started and ended at once (skipped, or refused before starting)."""
        self.start(day, step, message)
        self.finish(day, step, status, message=message)

    def mark_interrupted(self) -> int:
        """Rows still ``running`` belong to a run that died (the job lock is ours)."""
        with self._open() as (warehouse, table), warehouse.transaction():
            count = int(
                warehouse.fetch(f"select count(*) as n from {table} where status = %s", (RUNNING,))
                .iloc[0]
                .iloc[0]
            )
            warehouse.execute(
                f"update {table} set status = %s, finished_at = %s, message = %s where status = %s",
                (INTERRUPTED, utc_now(), "the run died here (killed or crashed)", RUNNING),
            )
        return count

    # ------------------------------------------------------------ reading

    def done_rows(self) -> list[StepRow]:
        """Every ``done`` row, oldest first."""
        with self._open() as (warehouse, table):
            frame = warehouse.fetch(
                f"select run_id, as_of_date, step, status, started_at, finished_at, rows, "
                f"message from {table} where status = %s and step <> 'run' "
                "order by finished_at, run_id",
                (DONE,),
            )
        return [_row(record) for record in frame.to_dict("records")]

    def run_rows(self) -> list[StepRow]:
        """Every row of this run, in the order the steps started."""
        with self._open() as (warehouse, table):
            frame = warehouse.fetch(
                f"select run_id, as_of_date, step, status, started_at, finished_at, rows, "
                f"message from {table} where run_id = %s order by started_at, step",
                (self.run_id,),
            )
        return [_row(record) for record in frame.to_dict("records")]

    def last_delivery(self) -> str | None:
        """The delivery of the newest finished load."""
        with self._open() as (warehouse, table):
            frame = warehouse.fetch(
                f"select delivery from {table} where step = 'load' and status = %s "
                "order by finished_at desc limit 1",
                (DONE,),
            )
        return None if frame.empty else frame.iloc[0]["delivery"]


def _row(record: dict[str, Any]) -> StepRow:
    def when(value: Any) -> dt.datetime | None:
        if value is None or value != value:  # None or NaT
            return None
        return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value

    day = record["as_of_date"]
    if isinstance(day, dt.datetime):  # a pandas Timestamp is a datetime
        day = day.date()
    elif not isinstance(day, dt.date):
        day = dt.date.fromisoformat(str(day)[:10])
    rows = record["rows"]
    return StepRow(
        run_id=str(record["run_id"]),
        as_of_date=day,
        step=str(record["step"]),
        status=str(record["status"]),
        started_at=when(record["started_at"]),  # type: ignore[arg-type]
        finished_at=when(record["finished_at"]),
        rows=None if rows is None or rows != rows else int(rows),
        message=str(record["message"] or ""),
    )
