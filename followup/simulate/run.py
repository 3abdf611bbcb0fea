"""``followup simulate``: K days of the real daily job, with a simulated ESP and customers.

The folder ``DIR`` (emptied first; it must be empty or an earlier simulation's) ends up
holding::

    DIR/generated/            the generated data set for END (flow mails from START removed)
    DIR/delivery/             the delivery of the last day (rebuilt every day)
    DIR/simulated/<table>/<day>.parquet   what the ESP and customers wrote after each day
    DIR/simulated/planted/<day>.parquet   the planted orders and the decision each answers
    DIR/exports/<day>/<profile>/          the send lists of every day (followup daily --out)
    DIR/logs/daily-<day>.log              the daily job's progress of every day
    DIR/truth.json                        the planted u_f and the expected uplift per flow

The warehouse is the DuckDB file named by ``FOLLOWUP_DUCKDB_PATH`` (default
``warehouse/followup.duckdb``), published beside it for BI tools as every day. It must be
new or an earlier simulation's (a marker file ``<warehouse>.simulation`` beside it says
so): a simulation replaces it, so it never touches a warehouse with real data. Each day
runs the scheduled command itself, ``python -m followup.cli daily``, as a subprocess on
that warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from followup import PROJECT_DIR
from followup.errors import ExitCode
from followup.flows import load_registry
from followup.generate import generate
from followup.simulate.delivery import strip_flow_events, write_delivery
from followup.simulate.model import (
    ATTRIBUTION_WINDOW_DAYS,
    Catalogue,
    conversion_of,
    respond,
    response_model,
)
from followup.simulate.sendlists import exported_rows, read_send_lists
from followup.simulate.truth import planted_uplift

Log = Callable[[str], None]
MARKER = ".followup-simulate"
WAREHOUSE_MARKER_SUFFIX = ".simulation"
DEFAULT_WAREHOUSE = "warehouse/followup.duckdb"


def warehouse_from_environment() -> Path:
    """The warehouse the simulation builds: $FOLLOWUP_DUCKDB_PATH, as every command."""
    return Path(os.environ.get("FOLLOWUP_DUCKDB_PATH") or DEFAULT_WAREHOUSE).resolve()


# How the export's spike guard names its refusal (followup/export/validation.py).
SPIKE_REFUSAL = "[FAIL] list size at most"


class SimulationFailed(Exception):
    """A day's command failed; ``exit_code`` is the command's, ``log`` its progress."""

    def __init__(self, message: str, exit_code: int, log: Path) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.log = log


@dataclass(frozen=True)
class SimulateOptions:
    contacts: int
    days: int
    start: dt.date
    out: Path
    seed: int = 1
    esp: str = "generic"
    allow_spike: bool = False
    warehouse: Path = field(default_factory=warehouse_from_environment)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)


@dataclass
class DayResult:
    day: dt.date
    sent: int
    answered: int
    planted: int
    spike_allowed: bool
    daily_seconds: float
    simulator_seconds: float


@dataclass
class SimulationResult:
    options: SimulateOptions
    days: list[DayResult] = field(default_factory=list)
    generate_seconds: float = 0.0
    seconds: float = 0.0


def check_folder(out: Path) -> None:
    """Refuse a folder that holds anything but an earlier simulation (ValueError)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file, not a folder")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ValueError(f"{out} is not empty and is not a simulation folder: choose another")


def warehouse_marker(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + WAREHOUSE_MARKER_SUFFIX)


def check_warehouse(warehouse: Path) -> None:
    """Refuse a warehouse file that exists and is not an earlier simulation's (ValueError)."""
    if warehouse.exists() and not warehouse_marker(warehouse).exists():
        raise ValueError(
            f"{warehouse} (FOLLOWUP_DUCKDB_PATH) is a warehouse that a simulation did not "
            "write; a simulation replaces its warehouse, so point FOLLOWUP_DUCKDB_PATH at a "
            "new file"
        )


def fresh_warehouse(warehouse: Path) -> None:
    """Remove an earlier simulation's warehouse and its published copy; mark the new one."""
    check_warehouse(warehouse)
    published = warehouse.parent / "published" / warehouse.name
    for path in (warehouse, published):
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse_marker(warehouse).touch()


def fresh_folder(out: Path) -> None:
    """Empty a simulation folder; refuse a non-empty folder that is not one."""
    check_folder(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).touch()


def simulate(options: SimulateOptions, log: Log) -> SimulationResult:
    """Generate, then run and answer every day in order; write truth.json."""
    started = time.monotonic()
    result = SimulationResult(options)
    out = options.out
    fresh_folder(out)
    fresh_warehouse(options.warehouse)
    generated = out / "generated"
    generate(options.contacts, options.seed, options.end, generated)
    removed = strip_flow_events(generated, options.start)
    result.generate_seconds = time.monotonic() - started
    log(
        f"generated {options.contacts:,} contacts as of {options.end} in "
        f"{result.generate_seconds:.1f} s ({removed:,} flow mail events from {options.start} "
        "on removed: the simulated ESP sends those)"
    )
    catalogue = Catalogue.read(generated / "products.parquet")
    for number in range(options.days):
        day = options.start + dt.timedelta(days=number)
        outcome = _run_day(options, day, first=number == 0, catalogue=catalogue)
        result.days.append(outcome)
        log(
            f"{day}  day {number + 1}/{options.days}  sent {outcome.sent:,}  "
            f"answered {outcome.answered:,}  planted orders {outcome.planted:,}  "
            f"daily {outcome.daily_seconds:.1f} s  simulator {outcome.simulator_seconds:.1f} s"
            + ("  (spike guard overridden: --allow-spike)" if outcome.spike_allowed else "")
        )
    write_truth(options)
    result.seconds = time.monotonic() - started
    return result


def _run_day(
    options: SimulateOptions, day: dt.date, first: bool, catalogue: Catalogue
) -> DayResult:
    out = options.out
    tick = time.monotonic()
    write_delivery(out / "generated", out / "simulated", out / "delivery", day)
    before = time.monotonic() - tick
    tick = time.monotonic()
    _summary, spike_allowed = run_daily_as_operator(options, day, first)
    daily_seconds = time.monotonic() - tick
    sent = exported_rows(out / "exports", day, options.esp)
    tick = time.monotonic()
    sends = read_send_lists(out / "exports", day, options.esp)
    responses = respond(sends, day, options.seed, catalogue)
    for name, table in responses.tables().items():
        write_table(table, out / "simulated" / name / f"{day.isoformat()}.parquet")
    return DayResult(
        day=day,
        sent=sent,
        answered=sends.num_rows,
        planted=responses.planted.num_rows,
        spike_allowed=spike_allowed,
        daily_seconds=daily_seconds,
        simulator_seconds=before + time.monotonic() - tick,
    )


def write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file (same rows, same bytes) under a temporary name, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    pq.write_table(table, scratch)
    scratch.replace(path)


def daily_command(options: SimulateOptions, day: dt.date, first: bool) -> list[str]:
    """The scheduled command for ``day`` (this Python, this package)."""
    command = [sys.executable, "-m", "followup.cli", "daily", "--as-of", day.isoformat(),
               "--from", str(options.out / "delivery"), "--esp", options.esp,
               "--out", str(options.out / "exports"), "--json"]  # fmt: skip
    return command + (["--no-catch-up"] if first else [])


def run_daily_as_operator(
    options: SimulateOptions, day: dt.date, first: bool
) -> tuple[dict[str, Any], bool]:
    """Run the day; with --allow-spike, when the spike guard refused a list, run the day
    again with ``followup daily --allow-spike``, as the refusal tells an operator to: the
    daily job finishes the day (exports, publishes) and sends nothing twice.
    Returns the daily job's JSON summary and whether the guard was overridden."""
    try:
        return run_daily(options, day, first, "daily"), False
    except SimulationFailed as exc:
        spike = exc.exit_code == ExitCode.REFUSED and SPIKE_REFUSAL in exc.log.read_text("utf-8")
        if not spike:
            raise
        if not options.allow_spike:
            raise SimulationFailed(
                f"{exc} The export's spike guard refused a list; to accept it as an operator "
                "would, simulate again with --allow-spike.",
                exc.exit_code,
                exc.log,
            ) from None
    command = [*daily_command(options, day, first), "--allow-spike"]
    log_file = options.out / "logs" / f"daily-allow-spike-{day.isoformat()}.log"
    stdout = _run(command, options, log_file, f"followup daily {day} --allow-spike")
    return dict(json.loads(stdout)), True


def _run(command: list[str], options: SimulateOptions, log_file: Path, what: str) -> str:
    """Run a followup command on the simulation's warehouse; its stdout, or SimulationFailed."""
    env = {**os.environ, "FOLLOWUP_DUCKDB_PATH": str(options.warehouse)}
    env.pop("FOLLOWUP_TARGET", None)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w", encoding="utf-8") as progress:
        completed = subprocess.run(
            command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=progress, text=True
        )
        progress.write(completed.stdout)
    if completed.returncode != 0:
        try:
            message = str(json.loads(completed.stdout).get("message") or "see the log")
        except ValueError:
            message = "see the log"
        raise SimulationFailed(
            f"{what} failed with exit code {completed.returncode}: {message} (log: {log_file}).",
            completed.returncode,
            log_file,
        )
    return completed.stdout


def run_daily(options: SimulateOptions, day: dt.date, first: bool, name: str) -> dict[str, Any]:
    """Run ``followup daily`` for ``day``; its JSON summary, or SimulationFailed."""
    log_file = options.out / "logs" / f"{name}-{day.isoformat()}.log"
    stdout = _run(daily_command(options, day, first), options, log_file, f"followup daily {day}")
    return dict(json.loads(stdout))


def write_truth(options: SimulateOptions) -> dict[str, Any]:
    """DIR/truth.json: the run, the response model, u_f per flow and the expected uplift
    at END over every day whose attribution window is complete."""
    complete_days = options.days - ATTRIBUTION_WINDOW_DAYS + 1
    expected = (
        planted_uplift(options.warehouse, options.end, complete_days, ATTRIBUTION_WINDOW_DAYS)
        if complete_days > 0
        else {}
    )
    document = {
        "contacts": options.contacts,
        "seed": options.seed,
        "start": options.start.isoformat(),
        "end": options.end.isoformat(),
        "days": options.days,
        "esp": options.esp,
        "warehouse": str(options.warehouse),
        "response_model": response_model(),
        "conversion": {f.flow_id: conversion_of(f.flow_id) for f in load_registry()},
        "expected_uplift": {
            "as_of": options.end.isoformat(),
            "period_days": max(complete_days, 0),
            "window_days": ATTRIBUTION_WINDOW_DAYS,
            "flows": expected,
        },
    }
    path = options.out / "truth.json"
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return document
