"""dbt and the scripts, as subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from followup import PROJECT_DIR
from followup.bench.processes import Ran, run_process, tail
from followup.bench.report import format_bytes
from followup.bench.settings import BenchmarkError, Context
from followup.bench.stats import _round


def base_env(database: Path | None = None) -> dict[str, str]:
    """The environment of every subprocess: the repository's profile, the dev target."""
    env = dict(os.environ)
    env.pop("FOLLOWUP_TARGET", None)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_USE_COLORS="false",
        GX_ANALYTICS_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    if database is not None:
        env["FOLLOWUP_DUCKDB_PATH"] = str(database)
    return env


def dbt_executable() -> str:
    """The dbt of this virtualenv."""
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise BenchmarkError("dbt is not installed in this environment")
    return found


def summarise_run_results(path: Path) -> dict[str, Any]:
    """Status counts, elapsed time and per-model execution times of a run_results.json."""
    document = json.loads(path.read_text(encoding="utf-8"))
    statuses: dict[str, int] = {}
    models: list[dict[str, Any]] = []
    failures: list[str] = []
    for result in document.get("results", []):
        status = str(result.get("status"))
        statuses[status] = statuses.get(status, 0) + 1
        unique_id = result.get("unique_id", "")
        if status not in ("success", "pass", "warn", "skipped"):
            failures.append(f"{unique_id}: {status}")
        if unique_id.startswith("model."):
            models.append(
                {
                    "model": unique_id.split(".", 2)[-1],
                    "seconds": round(float(result.get("execution_time") or 0.0), 3),
                    "status": status,
                }
            )
    models.sort(key=lambda item: item["seconds"], reverse=True)
    return {
        "elapsed_s": _round(document.get("elapsed_time")),
        "statuses": statuses,
        "failures": failures,
        "models": models,
    }


def only_test_failures(summary: Mapping[str, Any]) -> bool:
    """True when everything that did not succeed is a data or unit test that failed."""
    failures = summary.get("failures", [])
    return bool(failures) and all(
        item.startswith(("test.", "unit_test.")) and item.endswith(": fail") for item in failures
    )


def dbt_command(ctx: Context, args: Sequence[str], target_dir: Path) -> list[str]:
    """A dbt command line with this benchmark's own target and log paths."""
    command = [
        dbt_executable(),
        "--no-use-colors",
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target_dir / "target"),
        "--log-path",
        str(target_dir / "logs"),
    ]
    if ctx.threads and args and args[0] in ("run", "build", "seed", "compile"):
        command += ["--threads", str(ctx.threads)]
    return command


def timed_step(
    ctx: Context,
    label: str,
    command: Sequence[str],
    database: Path,
    log_name: str,
    *,
    allow_test_failures: bool = False,
    run_results_dir: Path | None = None,
) -> tuple[Ran, dict[str, Any] | None]:
    """Run one step, print its progress, check it; return it and its dbt run results."""
    ctx.say(f"    {label} ...")
    ran = run_process(
        command,
        env=base_env(database),
        log_file=ctx.work / "logs" / f"{log_name}.log",
        check=not allow_test_failures,
    )
    summary = None
    if run_results_dir is not None:
        results_file = run_results_dir / "target" / "run_results.json"
        if results_file.is_file():
            summary = summarise_run_results(results_file)
            shutil.copyfile(results_file, ctx.work / "logs" / f"{log_name}.run_results.json")
    if ran.returncode != 0:
        if not (summary and only_test_failures(summary)):
            raise BenchmarkError(
                f"command failed with exit code {ran.returncode}:\n  {' '.join(command)}\n"
                f"--- last lines of its output ---\n{tail(ran.output)}"
            )
        ctx.say(f"    !! {len(summary['failures'])} test(s) failed (recorded, not fatal)")
    ctx.say(
        f"    {label}: {ran.seconds:.1f} s, peak {format_bytes(ran.peak_rss_bytes)}"
        f"  [elapsed {ctx.elapsed()}]"
    )
    return ran, summary


def worker_command(*args: str) -> list[str]:
    """The command line of a worker of this package (floor, pandas)."""
    return [sys.executable, "-m", "followup.bench.worker", *args]
