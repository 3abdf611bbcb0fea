"""``followup daily``: the whole morning in one command, safe to rerun and to kill.

Under the job lock: mark what a dead run left ``running`` as interrupted, plan the
steps from the run ledger (followup/daily/plan.py), do them in order while recording
each in the ledger, and summarise. Any failure stops the run at once: what is done
stays done (the next run skips it), nothing later runs, and BI tools keep reading the
previous published day.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followup import PROJECT_DIR
from followup import flows as registry
from followup.daily import publish, steps
from followup.daily.ledger import DONE, FAILED, REFUSED, SKIPPED, RunLedger, new_run_id, utc_now
from followup.daily.lock import duckdb_job_lock, postgres_job_lock
from followup.daily.plan import PlannedStep, plan_run
from followup.errors import ExitCode, RegistryError, exit_code_of
from followup.faults import fault_point
from followup.profiles import ProfileError, read_target

Log = Callable[[str], None]
ENGINES = ("duckdb", "postgres")


@dataclass
class DailyOptions:
    """What the command line decides."""

    as_of: dt.date
    folder: Path | None = None
    profiles: tuple[str, ...] = ()
    out: Path = Path("exports")
    target: str | None = None
    catch_up: bool = True
    max_catch_up_days: int = 31
    wait: float = 0.0
    published_path: Path | None = None
    grant_to: tuple[str, ...] = ()
    allow_spike: bool = False  # the export's spike guard is off (an operator's decision)


@dataclass
class StepResult:
    as_of_date: dt.date
    step: str
    status: str
    seconds: float
    rows: int | None = None
    message: str = ""


@dataclass
class DailyResult:
    """What the run did: the human summary and the --json document are made from it."""

    run_id: str
    as_of_date: dt.date
    status: str = "running"
    exit_code: int = 0
    message: str = ""
    missed_days: list[dt.date] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)
    published: str | None = None
    seconds: float = 0.0

    def document(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "as_of_date": self.as_of_date.isoformat(),
            "status": self.status,
            "exit_code": self.exit_code,
            "message": self.message,
            "missed_days": [d.isoformat() for d in self.missed_days],
            "sent": self.sent,
            "sent_total": sum(self.sent.values()),
            "published": self.published,
            "seconds": round(self.seconds, 1),
            "steps": [
                {
                    "as_of_date": s.as_of_date.isoformat(),
                    "step": s.step,
                    "status": s.status,
                    "seconds": round(s.seconds, 1),
                    "rows": s.rows,
                    "message": s.message,
                }
                for s in self.steps
            ],
        }


def _settings(options: DailyOptions) -> dict[str, Any]:
    try:
        settings = read_target(options.target)
    except FileNotFoundError as exc:
        raise ProfileError(str(exc)) from exc
    if settings.get("type") not in ENGINES:
        raise ProfileError(
            f"target {settings.get('name')!r} is {settings.get('type')!r}: the daily job runs "
            f"on {' and '.join(ENGINES)} (on Spark, run load, dbt build and publish yourself)"
        )
    stale = registry.stale_files()
    if stale:
        raise RegistryError(
            f"{len(stale)} generated flow file(s) are out of date (e.g. "
            f"{stale[0].relative_to(PROJECT_DIR)}): run `followup flows generate` and commit"
        )
    return settings


def published_location(options: DailyOptions, settings: dict[str, Any]) -> str:
    if settings["type"] == "duckdb":
        path = options.published_path or publish.default_published_path(Path(settings["path"]))
        return str(path)
    schema = str(settings.get("schema") or "analytics") + publish.PUBLISHED_SUFFIX
    where = f"{settings.get('host')}:{settings.get('port')}/{settings.get('dbname')}"
    return f"postgresql://{where} schema {schema}"


def run_daily(options: DailyOptions, log: Log) -> DailyResult:
    """Run the day; never raises (the result carries the status and exit code)."""
    started = time.monotonic()
    result = DailyResult(new_run_id(utc_now()), options.as_of)
    try:
        settings = _settings(options)
        result.published = published_location(options, settings)
        delivery = steps.delivery_sha256(options.folder) if options.folder else None
        with _lock(settings, result.run_id, options.wait):
            _run_locked(options, settings, delivery, result, log)
    except Exception as exc:  # every failure ends as a status, a message and an exit code
        result.exit_code = int(getattr(exc, "exit_code", None) or exit_code_of(exc))
        result.status = "refused" if result.exit_code == ExitCode.REFUSED else "failed"
        if result.exit_code == ExitCode.USAGE:
            result.status = "usage_error"
        result.message = _first_line(exc)
    result.seconds = time.monotonic() - started
    return result


def _lock(settings: dict[str, Any], run_id: str, wait: float) -> AbstractContextManager[None]:
    if settings["type"] == "duckdb":
        return duckdb_job_lock(Path(settings["path"]), run_id, wait)
    return postgres_job_lock(settings, str(settings.get("schema") or "analytics"), wait)


def _run_locked(
    options: DailyOptions,
    settings: dict[str, Any],
    delivery: str | None,
    result: DailyResult,
    log: Log,
) -> None:
    duckdb_file = Path(settings["path"]) if settings["type"] == "duckdb" else None
    if options.folder is None and duckdb_file is not None and not duckdb_file.is_file():
        raise ProfileError(
            f"warehouse not found: {settings['path']}; give --from DIR to load a delivery"
        )
    if duckdb_file is not None and not duckdb_file.is_file():  # a first run with --from
        import duckdb

        duckdb_file.parent.mkdir(parents=True, exist_ok=True)
        duckdb.connect(str(duckdb_file)).close()
    ledger = RunLedger(settings, result.run_id, delivery)
    interrupted = ledger.mark_interrupted()
    if interrupted:
        log(f"An earlier run was interrupted ({interrupted} step(s)); this run finishes it.")
    ledger.start(options.as_of, "run", "planning")
    try:
        plan = plan_run(
            ledger.done_rows(),
            options.as_of,
            delivery=delivery,
            last_delivery=ledger.last_delivery(),
            profiles=options.profiles,
            catch_up=options.catch_up,
            max_catch_up_days=options.max_catch_up_days,
        )
        result.missed_days = plan.missed_days
        if plan.missed_days:
            days = ", ".join(str(d) for d in plan.missed_days)
            log(f"Catching up {len(plan.missed_days)} missed day(s) first: {days} (not sent).")
        for planned in plan.steps:
            result.steps.append(_do(planned, options, settings, ledger, result, log))
    except BaseException as exc:
        code = int(getattr(exc, "exit_code", None) or exit_code_of(exc))
        status = REFUSED if code == ExitCode.REFUSED else FAILED
        ledger.finish(options.as_of, "run", status, message=_first_line(exc))
        raise
    result.sent = steps.sent_per_flow_of(
        options.target, options.as_of, steps.channels_of(options.profiles)
    )
    result.status = "done"
    result.message = (
        f"{options.as_of} was already done; nothing changed" if plan.nothing_to_do else "done"
    )
    ledger.finish(
        options.as_of, "run", DONE, rows=sum(result.sent.values()), message=result.message
    )


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def _do(
    planned: PlannedStep,
    options: DailyOptions,
    settings: dict[str, Any],
    ledger: RunLedger,
    result: DailyResult,
    log: Log,
) -> StepResult:
    day, step = planned.as_of_date, planned.step
    if not planned.needed:
        ledger.record(day, step, SKIPPED, planned.reason)
        log(f"  {step:<18} {day}  skipped: {planned.reason}")
        return StepResult(day, step, SKIPPED, 0.0, message=planned.reason)
    log(f"  {step:<18} {day}  {planned.reason} ...")
    ledger.start(day, step, planned.reason)
    started = time.monotonic()
    try:
        rows, message = _execute(step, day, options, settings, result, log)
    except BaseException as exc:
        code = int(getattr(exc, "exit_code", None) or exit_code_of(exc))
        status = REFUSED if code == ExitCode.REFUSED else FAILED
        ledger.finish(day, step, status, message=_first_line(exc))
        raise
    fault_point(f"daily.finished.{step.split(':')[0]}")  # done, not yet in the ledger
    ledger.finish(day, step, DONE, rows, message)
    seconds = time.monotonic() - started
    log(f"  {step:<18} {day}  done in {seconds:.1f} s{f': {message}' if message else ''}")
    return StepResult(day, step, DONE, seconds, rows, message)


def _execute(
    step: str,
    day: dt.date,
    options: DailyOptions,
    settings: dict[str, Any],
    result: DailyResult,
    log: Log,
) -> tuple[int | None, str]:
    indent: Log = lambda line: log(f"    {line}")  # noqa: E731
    if step == "load":
        assert options.folder is not None
        rows = steps.load(options.folder, settings, indent)
        return rows, f"{rows:,} rows from {options.folder}"
    if step == "build":
        log_file = PROJECT_DIR / "logs" / "daily" / f"{result.run_id}-build-{day}.log"
        steps.build(day, options.target, log_file, indent)
        return None, ""
    if step.startswith("export:"):
        profile = step.split(":", 1)[1]
        rows = steps.export(
            day, profile, options.out, options.target, options.wait, log, options.allow_spike
        )
        return rows, f"{rows:,} recipient(s) exported to {options.out}"
    if step == "publish":
        schema = str(settings.get("schema") or "analytics")
        if settings["type"] == "duckdb":
            published = publish.publish_duckdb(
                Path(settings["path"]), Path(str(result.published)), schema, result.run_id
            )
        else:
            published = publish.publish_postgres(settings, schema, result.run_id, options.grant_to)
        return published.tables, f"{published.tables} tables at {published.where}"
    raise ValueError(f"unknown step {step}")
