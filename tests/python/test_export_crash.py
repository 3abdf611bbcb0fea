"""Exactly once, whatever happens: a crash at every step boundary, two exports at once.

The export runs as a real process and is killed (SIGKILL, through the testing hook
FOLLOWUP_EXPORT_FAULT) at each step of writing a batch; the next run must end in the
state of one clean run: the same files with the same bytes, the same manifests, every
recipient in the send log exactly once, no file without its manifest, no temporaries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from followup import PROJECT_DIR
from tests.python.fixtures.export.warehouse import build_warehouse

# Every step boundary of the write phase (followup/export/writer.py), in order.
FAULTS = [
    "after_read_log",
    "after_write_files",
    "after_commit",
    "after_rename",  # back_in_stock has two files for braze: killed between them
    "after_publish",
    "after_manifest",
    "after_complete",
]
# Manifest keys that name the run, not the export.
RUN_KEYS = {"exported_at", "batch_id", "send_log", "git_commit", "git_dirty"}
FLOWS = ("--flow", "back_in_stock", "--flow", "abandoned_cart", "--flow", "welcome")


def run_export(
    warehouse: Path, out: Path, *extra: str, fault: str | None = None, wait: bool = True
) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    env = {**os.environ, "FOLLOWUP_DUCKDB_PATH": str(warehouse), "GX_ANALYTICS_ENABLED": "false"}
    env.pop("FOLLOWUP_TARGET", None)
    env.pop("FOLLOWUP_EXPORT_FAULT", None)
    if fault:
        env["FOLLOWUP_EXPORT_FAULT"] = fault
    command = [sys.executable, str(PROJECT_DIR / "scripts" / "export_send_lists.py"), *FLOWS,
               "--esp", "braze", "--out", str(out), *extra]  # fmt: skip
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=PROJECT_DIR)  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_DIR)


def snapshot(out: Path) -> dict[str, object]:
    """Every file under ``out``: data files by content, manifests without run keys."""
    files: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        if path.is_dir():
            continue
        name = str(path.relative_to(out))
        if name.endswith(".manifest.json"):
            document = json.loads(path.read_text(encoding="utf-8"))
            files[name] = {k: v for k, v in document.items() if k not in RUN_KEYS}
        else:
            files[name] = path.read_bytes()
    return files


def send_log(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select flow_id, flow_step, channel, email_sha256, count(*) "
            "from analytics_state.send_log group by all order by all"
        ).fetchall()


def statuses(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select flow_id, batch_number, status, row_count from analytics_state.export_batches "
            "order by flow_id"
        ).fetchall()


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list]:
    tmp = tmp_path_factory.mktemp("clean")
    template = build_warehouse(tmp / "template.duckdb")
    warehouse = tmp / "clean.duckdb"
    shutil.copy(template, warehouse)
    result = run_export(warehouse, tmp / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    return template, snapshot(tmp / "out"), send_log(warehouse)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_crash_at_any_step_then_a_rerun_equals_one_clean_run(
    clean_run: tuple[Path, dict, list], tmp_path: Path, fault: str
) -> None:
    template, clean_files, clean_log = clean_run
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(template, warehouse)
    out = tmp_path / "out"
    crashed = run_export(warehouse, out, fault=fault)
    assert crashed.returncode == -9, crashed.stdout + crashed.stderr  # killed at that step
    rerun = run_export(warehouse, out)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    if fault in ("after_commit", "after_rename", "after_publish"):
        assert "finished an interrupted export of back_in_stock" in rerun.stdout
    assert snapshot(out) == clean_files
    assert send_log(warehouse) == clean_log  # every recipient once
    assert all(count == 1 for *_, count in send_log(warehouse))
    assert {status for _, _, status, _ in statuses(warehouse)} == {"complete"}
    leftovers = [p.name for p in out.rglob(".*")]
    assert leftovers == []


def test_a_batch_that_can_no_longer_be_finished_is_removed_and_never_resent(
    clean_run: tuple[Path, dict, list], tmp_path: Path
) -> None:
    template, _, _ = clean_run
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(template, warehouse)
    out = tmp_path / "out"
    assert run_export(warehouse, out, fault="after_rename").returncode == -9
    partial = out / "2026-06-15" / "braze" / "back_in_stock.csv"
    assert partial.exists() and not partial.with_name("back_in_stock.manifest.json").exists()
    # the warehouse is rebuilt for the next day before anyone exports again
    with duckdb.connect(str(warehouse)) as con:
        for table in ("dim_contacts", "audience_back_in_stock", "audience_abandoned_cart",
                      "audience_welcome"):  # fmt: skip
            con.execute(f"update analytics.{table} set as_of_date = date '2026-06-16'")
    rerun = run_export(warehouse, out)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert (
        "WARNING: an interrupted export of back_in_stock for 2026-06-15 (braze, 2 recipients) "
        "cannot be finished: the warehouse is now built for 2026-06-16. Its 1 incomplete "
        "file(s) were removed; its recipients count as exported (they are never sent twice)"
    ) in rerun.stdout
    assert not partial.exists()
    assert ("back_in_stock", 1, "abandoned", 2) in statuses(warehouse)


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
"""


def test_an_export_while_another_holds_the_warehouse_stops_and_writes_nothing(
    clean_run: tuple, tmp_path: Path
) -> None:
    template, _, clean_log = clean_run
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(template, warehouse)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        busy = run_export(warehouse, tmp_path / "out")
    finally:
        holder.communicate("\n", timeout=30)
    assert busy.returncode == 1, busy.stdout + busy.stderr
    assert busy.stderr.startswith(f"error: the warehouse {warehouse} is in use by another process")
    assert "nothing was written" in busy.stderr and "Traceback" not in busy.stderr
    assert not (tmp_path / "out").exists()
    again = run_export(warehouse, tmp_path / "out")
    assert again.returncode == 0, again.stdout + again.stderr
    assert send_log(warehouse) == clean_log


def test_with_wait_the_second_export_waits_and_exports_nothing_new(
    clean_run: tuple, tmp_path: Path
) -> None:
    template, _, clean_log = clean_run
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(template, warehouse)
    first = run_export(warehouse, tmp_path / "one", "--wait", "120", wait=False)
    second = run_export(warehouse, tmp_path / "two", "--wait", "120", wait=False)
    outputs = [p.communicate(timeout=240) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert sum("nothing new" in out for out, _ in outputs) == 1
    assert send_log(warehouse) == clean_log
