"""`followup daily` on the test data set: three mornings, a BI tool reading throughout,
a rerun, a missed-day catch-up, a second job at the same time, and a job killed
(SIGKILL) at 21 moments of load, build, export and publish, then run again.

The deliveries are the test data set (D = 2026-06-15) cut at the end of D - 2, D - 1 and
D (followup/day_before.py). "Three mornings": a fresh warehouse gets D - 2 and D - 1
without an ESP, then D with the generic ESP profile, while a reader queries the
published copy every 100 ms and another keeps one read-only connection open. "Catch-up":
the warehouse of D - 2 is run for D directly; it must build D - 1 on the way and end
with the same history, the same send log and the same send lists.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from followup import PROJECT_DIR
from tests.python.fixtures.daily import (
    DAYS,
    D,
    daily,
    daily_command,
    deliveries,
    environment,
    export_snapshot,
    ledger,
    ok,
    published_digests,
    send_log,
    warehouse_digests,
)

pytestmark = pytest.mark.slow
READER = Path(__file__).parent / "fixtures" / "bi_reader.py"

ANSWER_SQL = """
    select
        (select max(as_of_date) from analytics.dim_contacts),
        (select count(*) from analytics.dim_contacts),
        (select max(as_of_date) from analytics.contact_rfm),
        (select count(*) from analytics.contact_rfm),
        (select max(as_of_date) from analytics.audience_decisions),
        (select count(*) from analytics.audience_decisions),
        (select max(as_of_date) from analytics.flow_daily_summary),
        (select count(*) from analytics.flow_daily_summary)
"""
HISTORY = ("analytics.audience_decisions", "analytics.contact_lifecycle_history",
           "analytics.lifecycle_transitions", "analytics.flow_daily_summary")  # fmt: skip


@dataclass
class Readers:
    """BI tools in their own processes (tests/python/fixtures/bi_reader.py)."""

    where: str
    folder: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def __enter__(self) -> Readers:
        self.folder.mkdir(parents=True, exist_ok=True)
        for mode in ("reconnect", "hold"):
            self.processes.append(subprocess.Popen(
                [sys.executable, str(READER), mode, self.where, str(self.folder / mode),
                 str(self.folder / "stop")], env=os.environ.copy(),
            ))  # fmt: skip
        deadline = time.monotonic() + 60
        while not all(self.answers(m) or self.errors(m) for m in ("reconnect", "hold")):
            assert time.monotonic() < deadline, "the readers did not start"
            time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        (self.folder / "stop").touch()
        for process in self.processes:
            process.wait(timeout=60)

    def records(self, mode: str) -> list[dict]:
        path = self.folder / mode
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def answers(self, mode: str) -> list[tuple]:
        return [tuple(r["answer"]) for r in self.records(mode) if "answer" in r]

    def errors(self, mode: str) -> list[str]:
        return [r["error"] for r in self.records(mode) if "error" in r]


def answer(path: Path) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        return tuple(str(value) for value in con.execute(ANSWER_SQL).fetchone())


@dataclass
class Mornings:
    tmp: Path
    folders: dict[dt.date, Path]
    warehouse: Path  # after the three mornings
    after_first: Path  # a copy after D - 2
    after_second: Path  # a copy after D - 1
    summary: dict
    readers: Readers
    before: tuple  # the published answer of D - 1
    after: tuple  # the published answer of D

    @property
    def published(self) -> Path:
        return self.warehouse.parent / "published" / self.warehouse.name


@pytest.fixture(scope="module")
def mornings(tmp_path_factory: pytest.TempPathFactory) -> Mornings:
    tmp = tmp_path_factory.mktemp("daily")
    folders = deliveries(tmp)
    warehouse = tmp / "w" / "followup.duckdb"
    ok(daily(warehouse, DAYS[0], "--from", str(folders[DAYS[0]])))
    after_first = tmp / "after_first" / "followup.duckdb"
    shutil.copytree(warehouse.parent, after_first.parent)
    ok(daily(warehouse, DAYS[1], "--from", str(folders[DAYS[1]])))
    after_second = tmp / "after_second" / "followup.duckdb"
    shutil.copytree(warehouse.parent, after_second.parent)
    published = warehouse.parent / "published" / warehouse.name
    before = answer(published)
    with Readers(str(published), tmp / "readers") as readers:
        result = daily(warehouse, D, "--from", str(folders[D]), "--esp", "generic",
                       "--out", str(tmp / "out"))  # fmt: skip
        time.sleep(1)  # a few answers after the swap
    summary = ok(result)
    return Mornings(tmp, folders, warehouse, after_first, after_second, summary, readers,
                    before, answer(published))  # fmt: skip


def test_the_morning_run_reports_what_it_sent_and_where_bi_tools_read(mornings: Mornings) -> None:
    summary = mornings.summary
    assert summary["status"] == "done"
    assert summary["exit_code"] == 0
    assert summary["as_of_date"] == "2026-06-15"
    assert summary["published"] == str(mornings.published)
    assert summary["missed_days"] == []
    assert summary["sent_total"] == 354
    assert summary["sent"]["reminder_non_open"] == 75
    assert summary["sent"]["welcome"] == 4
    assert [(s["step"], s["status"]) for s in summary["steps"]] == [
        ("load", "done"), ("build", "done"), ("export:generic", "done"), ("publish", "done"),
    ]  # fmt: skip


def test_the_run_ledger_records_every_run_and_step(mornings: Mornings) -> None:
    day2, day1 = DAYS[0], DAYS[1]
    assert ledger(mornings.warehouse) == [
        (day2, "run", "done"), (day2, "load", "done"), (day2, "build", "done"),
        (day2, "publish", "done"),
        (day1, "run", "done"), (day1, "load", "done"), (day1, "build", "done"),
        (day1, "publish", "done"),
        (D, "run", "done"), (D, "load", "done"), (D, "build", "done"),
        (D, "export:generic", "done"), (D, "publish", "done"),
    ]  # fmt: skip
    with duckdb.connect(str(mornings.published), read_only=True) as con:
        published = con.execute(
            "select as_of_date, step, status from analytics.daily_runs order by started_at, step"
        ).fetchall()
    assert published == ledger(mornings.warehouse)  # BI tools see the run as done


def test_a_bi_reader_never_fails_and_sees_one_whole_day(mornings: Mornings) -> None:
    answers = mornings.readers.answers("reconnect")
    assert mornings.readers.errors("reconnect") == []
    assert mornings.before[0] == str(DAYS[1]) and mornings.after[0] == str(D)
    assert mornings.before[4] == str(DAYS[1]) and mornings.after[4] == str(D)
    assert set(answers) == {mornings.before, mornings.after}
    assert len(answers) >= 50  # it really read all along (about 10 a second)
    first_new = answers.index(mornings.after)
    assert all(a == mornings.after for a in answers[first_new:])  # never back to D - 1


def test_an_open_bi_connection_keeps_its_day_and_does_not_stop_the_job(
    mornings: Mornings,
) -> None:
    answers = mornings.readers.answers("hold")
    assert mornings.readers.errors("hold") == []
    assert len(answers) >= 50
    assert set(answers) == {mornings.before}


def test_a_rerun_after_success_changes_nothing_and_sends_nothing(mornings: Mornings) -> None:
    warehouse, out = mornings.warehouse, mornings.tmp / "out"
    before = warehouse_digests(warehouse), published_digests(mornings.published)
    files, log = export_snapshot(out), send_log(warehouse)
    summary = ok(daily(warehouse, D, "--from", str(mornings.folders[D]), "--esp", "generic",
                       "--out", str(out)))  # fmt: skip
    assert summary["message"] == "2026-06-15 was already done; nothing changed"
    assert [s["status"] for s in summary["steps"]] == ["skipped"] * 4
    assert summary["sent_total"] == 354  # the day's sends, none of them new
    assert (warehouse_digests(warehouse), published_digests(mornings.published)) == before
    assert export_snapshot(out) == files
    assert send_log(warehouse) == log


def test_missed_days_are_built_in_order_and_only_today_is_sent(mornings: Mornings) -> None:
    warehouse, out = mornings.after_first, mornings.tmp / "out-catch-up"
    summary = ok(daily(warehouse, D, "--from", str(mornings.folders[D]), "--esp", "generic",
                       "--out", str(out)))  # fmt: skip
    assert summary["missed_days"] == ["2026-06-14"]
    assert [(s["as_of_date"], s["step"]) for s in summary["steps"]] == [
        ("2026-06-15", "load"), ("2026-06-14", "build"), ("2026-06-15", "build"),
        ("2026-06-15", "export:generic"), ("2026-06-15", "publish"),
    ]  # fmt: skip
    caught_up, consecutive = warehouse_digests(warehouse), warehouse_digests(mornings.warehouse)
    for table in HISTORY:
        assert caught_up[table] == consecutive[table], table
    # The whole warehouse, not only the history; but for two columns: the protective
    # ledgers record the delivery and the build day that first had a row, and D - 1's
    # delivery was never loaded (its build saw D's delivery, so D's opt-outs already).
    skip = frozenset({"first_delivered_for", "first_seen_for"})
    assert warehouse_digests(warehouse, skip) == warehouse_digests(mornings.warehouse, skip)
    assert (
        caught_up["analytics.int_esp_suppression_ledger"]
        != (consecutive["analytics.int_esp_suppression_ledger"])
    )
    assert send_log(warehouse) == send_log(mornings.warehouse)
    assert {row[0] for row in send_log(warehouse)} == {D}  # nothing sent late for D - 1
    assert export_snapshot(out) == export_snapshot(mornings.tmp / "out")


def test_without_catch_up_only_the_day_is_built(mornings: Mornings, tmp_path: Path) -> None:
    warehouse = tmp_path / "w" / "followup.duckdb"
    shutil.copytree(mornings.after_first.parent, warehouse.parent)
    summary = ok(daily(warehouse, D, "--no-catch-up"))
    assert summary["missed_days"] == []
    assert [(s["as_of_date"], s["step"]) for s in summary["steps"]] == [
        ("2026-06-15", "build"), ("2026-06-15", "publish"),
    ]  # fmt: skip


def test_an_earlier_day_is_refused(mornings: Mornings) -> None:
    result = daily(mornings.after_second, DAYS[0])
    assert result.returncode == 1
    assert "last built for 2026-06-14; 2026-06-13 is an earlier day" in result.stdout


def test_a_second_job_at_the_same_time_stops_and_does_nothing(mornings: Mornings) -> None:
    warehouse = mornings.after_second
    before = ledger(warehouse)
    lock = warehouse.with_name(warehouse.name + ".daily.lock")
    with lock.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("run 20261203T060000Z-abcd, process 1\n")
        handle.flush()
        started = time.monotonic()
        result = daily(warehouse, D, "--wait", "1")
        waited = time.monotonic() - started
        fcntl.flock(handle, fcntl.LOCK_UN)
    assert result.returncode == 1
    assert "another followup daily of" in result.stderr + result.stdout
    assert "(run 20261203T060000Z-abcd, process 1)" in result.stdout
    assert 1 <= waited < 15
    assert ledger(warehouse) == before


# ---------------------------------------------------------------- killed at any moment

# Killed before the build is done: the rerun loads and builds again.
FAULTS_BEFORE_BUILD = [
    "load.before_commit", "daily.after_load", "daily.finished.load", "daily.before_dbt",
    "build@10s", "build@25s", "build@40s", "daily.after_dbt", "daily.finished.build",
]  # fmt: skip
# Killed after the build: the run starts from a warehouse built for D (without an ESP).
FAULTS_AFTER_BUILD = [
    "export.after_read_log", "export.after_write_files", "export.after_commit",
    "export.after_rename", "export.after_publish", "export.after_manifest",
    "export.after_complete", "daily.finished.export",
    "publish.after_copy", "publish.before_rename", "publish.after_rename",
    "daily.finished.publish",
]  # fmt: skip
# `make test` kills at one moment of each step; `make test-daily-faults` at all 21.
QUICK = {"load.before_commit", "build@25s", "export.after_commit", "export.after_rename",
         "publish.before_rename", "daily.finished.publish"}  # fmt: skip
ALL = os.environ.get("FOLLOWUP_DAILY_FAULTS") == "all"


def _selected(faults: list[str]) -> list[str]:
    return [f for f in faults if ALL or f in QUICK]


@dataclass
class Reference:
    warehouse: dict
    published: dict
    files: dict
    send_log: list


@pytest.fixture(scope="module")
def reference(mornings: Mornings) -> Reference:
    """One uninterrupted run of D: the third morning."""
    return Reference(
        warehouse_digests(mornings.warehouse),
        published_digests(mornings.published),
        export_snapshot(mornings.tmp / "out"),
        send_log(mornings.warehouse),
    )


@pytest.fixture(scope="module")
def built_for_d(mornings: Mornings) -> Path:
    """The warehouse of D - 1 after a run of D without an ESP: built, published, not sent."""
    warehouse = mornings.tmp / "built_for_d" / "followup.duckdb"
    shutil.copytree(mornings.after_second.parent, warehouse.parent)
    ok(daily(warehouse, D, "--from", str(mornings.folders[D])))
    return warehouse


def _killed_run(warehouse: Path, args: list[str], fault: str) -> int:
    if fault.startswith("build@"):  # a moment inside dbt: kill the job's process group
        seconds = float(fault.removeprefix("build@").removesuffix("s"))
        quiet = subprocess.DEVNULL
        process = subprocess.Popen(daily_command(D, *args), cwd=PROJECT_DIR, stdout=quiet,
                                   env=environment(warehouse), start_new_session=True,
                                   stderr=quiet)  # fmt: skip
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait()
    return daily(warehouse, D, *args, fault=fault).returncode


def _check_kill_then_rerun(
    start: Path, tmp_path: Path, mornings: Mornings, reference: Reference, fault: str
) -> None:
    warehouse = tmp_path / "w" / "followup.duckdb"
    shutil.copytree(start.parent, warehouse.parent)
    out = tmp_path / "out"
    args = ["--from", str(mornings.folders[D]), "--esp", "generic", "--out", str(out)]
    code = _killed_run(warehouse, args, fault)
    if not fault.startswith("build@"):
        assert code == -signal.SIGKILL, f"the run was not killed at {fault}"
    summary = ok(daily(warehouse, D, *args))
    assert summary["sent_total"] == 354
    assert warehouse_digests(warehouse) == reference.warehouse
    assert published_digests(warehouse.parent / "published" / warehouse.name) == (
        reference.published
    )
    assert export_snapshot(out) == reference.files
    log = send_log(warehouse)
    assert log == reference.send_log
    assert {row[-1] for row in log} == {1}  # every recipient exported once
    assert not list((warehouse.parent / "published").glob(".*"))  # no half-written copy left
    statuses = {(s, st) for (_, s, st) in ledger(warehouse)}
    assert ("run", "done") in statuses


@pytest.mark.parametrize("fault", _selected(FAULTS_BEFORE_BUILD))
def test_killed_before_the_build_is_done_a_rerun_equals_one_run(
    mornings: Mornings, reference: Reference, tmp_path: Path, fault: str
) -> None:
    _check_kill_then_rerun(mornings.after_second, tmp_path, mornings, reference, fault)


@pytest.mark.parametrize("fault", _selected(FAULTS_AFTER_BUILD))
def test_killed_while_exporting_or_publishing_a_rerun_equals_one_run(
    mornings: Mornings, built_for_d: Path, reference: Reference, tmp_path: Path, fault: str
) -> None:
    _check_kill_then_rerun(built_for_d, tmp_path, mornings, reference, fault)
