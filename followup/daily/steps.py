"""The steps of the daily job, each one call: load, build (dbt), export, publish."""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from followup import PROJECT_DIR
from followup.cli.build import dbt_exit_code
from followup.errors import ExitCode, Refused
from followup.export.esp_profiles import get_profile
from followup.export.exporter import EXPORT_DIR, ExportOptions, run_export
from followup.export.state import ExportState
from followup.export.warehouse import open_warehouse
from followup.faults import fault_point
from followup.loader import load_folder

Log = Callable[[str], None]


class BuildFailed(Exception):
    """dbt build failed; ``exit_code`` is 1 when only data tests failed (a gate)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ExportRefused(Refused):
    """The export's checks refused a list (exit code 1)."""


def delivery_sha256(folder: Path) -> str:
    """SHA-256 over the names and bytes of the delivery's files, in name order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def load(folder: Path, settings: dict[str, Any], log: Log) -> int:
    """Load the delivery (all tables or none); the rows loaded."""
    rows = load_folder(folder, settings, "raw", log=log)
    fault_point("daily.after_load")
    return rows


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """A dbt child dies with the job: a killed job never leaves a build holding the file."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def build(day: dt.date, target: str | None, log_file: Path, log: Log) -> None:
    """``dbt build`` for ``day`` (models and data tests; unit tests run in CI, not daily).

    On PostgreSQL and Spark the build runs in two halves around `followup predict`
    (dbt has no Python models there): the models up to the customer summary, the
    fit and scores written back, then the whole build.
    """
    from followup.predict.store import needs_predict_step, staged_build_commands
    from followup.profiles import read_target

    bin_dir = Path(sys.executable).parent
    args = ["--exclude-resource-type", "unit_test", "--vars", f'{{as_of_date: "{day}"}}']
    if target:
        args += ["--target", target]
    commands = [[str(bin_dir / "dbt"), "build", *args]]
    if needs_predict_step(read_target(target)):
        commands = staged_build_commands(bin_dir, args, day)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    fault_point("daily.before_dbt")
    with log_file.open("w", encoding="utf-8") as output:
        for command in commands:
            output.flush()
            _run_dbt(command, output, day, log_file, log)
    fault_point("daily.after_dbt")


def _run_dbt(command: list[str], output: Any, day: dt.date, log_file: Path, log: Log) -> None:
    env = {**os.environ, "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(PROJECT_DIR))}
    code = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    ).returncode
    if code == 0:
        return
    if Path(command[0]).name == "followup":  # the predict step: its error is in the log
        raise BuildFailed(
            f"predicting customer value failed for {day}; nothing was exported or published; "
            f"the full log is {log_file}",
            ExitCode.FAILED if code == ExitCode.FAILED else ExitCode.USAGE,
        )
    exit_code = dbt_exit_code(code, PROJECT_DIR / "target" / "run_results.json")
    problems = _dbt_problems(PROJECT_DIR / "target" / "run_results.json")
    for problem in problems[:10]:
        log(f"    {problem}")
    kind = "data tests failed" if exit_code == ExitCode.REFUSED else "dbt build failed"
    raise BuildFailed(
        f"{kind} for {day} ({len(problems)} problem(s)); nothing was exported or published; "
        f"the full log is {log_file}",
        exit_code,
    )


def _dbt_problems(run_results: Path) -> list[str]:
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [
        f"{r['status']}: {r['unique_id']}: {str(r.get('message') or '').splitlines()[0:1]}"
        for r in results
        if r["status"] in ("error", "fail")
    ]


def export(
    day: dt.date,
    profile: str,
    out: Path,
    target: str | None,
    wait: float,
    log: Log,
    allow_spike: bool = False,
) -> int:
    """Export every flow of ``day`` with ``profile``; the recipients newly exported."""
    settings_channel = get_profile(profile, EXPORT_DIR / "profiles").send_log_channel
    before = sent_per_flow_of(target, day, (settings_channel,))
    options = ExportOptions(
        esp=profile, out=out, all_flows=True, as_of=day, target=target, wait=wait,
        progress=False, show=0, allow_spike=allow_spike,
    )  # fmt: skip
    code = run_export(options, echo=lambda line: log(f"    {line}"))
    if code != 0:
        raise ExportRefused(
            f"the export checks refused a send list for {profile} (see above); nothing more "
            "was exported and nothing was published"
        )
    after = sent_per_flow_of(target, day, (settings_channel,))
    return sum(after.values()) - sum(before.values())


def sent_per_flow_of(target: str | None, day: dt.date, channels: tuple[str, ...]) -> dict:
    """Recipients in the send log for ``day`` per flow, over ``channels``."""
    from followup.profiles import read_target

    if not channels:
        return {}
    with open_warehouse(read_target(target), read_only=True, wait_seconds=30) as warehouse:
        state = ExportState(warehouse)
        if not state.exists():
            return {}
        marks = ", ".join(["%s"] * len(channels))
        frame = warehouse.fetch(
            f"select flow_id, count(*) as n from {state.table('send_log')} "
            f"where as_of_date = %s and channel in ({marks}) group by flow_id order by flow_id",
            (day, *channels),
        )
    return {str(r["flow_id"]): int(r["n"]) for r in frame.to_dict("records")}


def channels_of(profiles: tuple[str, ...]) -> tuple[str, ...]:
    """The send-log channels the profiles write."""
    return tuple(
        dict.fromkeys(get_profile(p, EXPORT_DIR / "profiles").send_log_channel for p in profiles)
    )
