"""The whole benchmark: every size, the machine, the results files."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from followup import PROJECT_DIR
from followup.bench.datasets import ensure_dataset
from followup.bench.dbt import base_env
from followup.bench.report import render_markdown
from followup.bench.settings import STEPS, Context
from followup.bench.stats import SizeResult, runs_for_size
from followup.bench.steps import benchmark_size


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU model and the versions that matter."""
    import psutil

    cpu_model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {
        "cores_logical": os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "memory_bytes": psutil.virtual_memory().total,
        "cpu_model": cpu_model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "dbt_core": version("dbt-core"),
        "dbt_duckdb": version("dbt-duckdb"),
        "pandas": version("pandas"),
        "pyarrow": version("pyarrow"),
    }


def git_state() -> dict[str, Any]:
    """The commit measured and whether the models differ from it (read-only git calls)."""

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(
                ["git", "--no-optional-locks", *args],
                cwd=PROJECT_DIR,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.rstrip("\n")
        except (OSError, subprocess.CalledProcessError):
            return None

    changed = git("status", "--porcelain", "--", "models", "macros", "seeds", "dbt_project.yml")
    return {
        "commit": git("rev-parse", "HEAD"),
        "models_changed_since_commit": sorted(
            line[3:] for line in (changed or "").splitlines() if line.strip()
        ),
    }


def run_benchmark(
    sizes: Sequence[int],
    *,
    runs: int,
    runs_large: int | None,
    seed: int,
    as_of: dt.date,
    out: Path,
    cache: Path,
    skip_pandas: bool,
    skip_floor: bool,
    threads: int | None,
    work_dir: Path | None = None,
    merge: bool = True,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Measure every size, write results.json and results.md into `out`, return the results."""
    out.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    work_parent = work_dir or Path(tempfile.gettempdir())
    work_parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="followup-benchmark-", dir=work_parent))
    ctx = Context(as_of=as_of, threads=threads, work=work, say=say)
    settings = {
        "sizes": list(sizes),
        "runs": runs,
        "runs_large": runs_large,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "threads": threads,
        "skip_pandas": skip_pandas,
        "skip_floor": skip_floor,
        "duckdb_memory_limit": os.environ.get("FOLLOWUP_DUCKDB_MEMORY_LIMIT", "6GB"),
    }
    document = _new_document(settings)
    say(f"benchmark: sizes {', '.join(f'{s:,}' for s in sizes)}; work dir {work}")
    try:
        for size in sizes:
            size_runs = runs_for_size(size, runs, runs_large)
            say(f"[{size:,} contacts] {size_runs} run(s)  [elapsed {ctx.elapsed()}]")
            dataset = ensure_dataset(cache, size, seed, as_of, env=base_env(), say=say)
            result = benchmark_size(
                ctx, dataset, size, size_runs, skip_floor=skip_floor, skip_pandas=skip_pandas
            )
            document["sizes"][str(size)] = _size_entry(result)
            write_results(document, out, merge=merge)  # after every size: nothing is lost
    except BaseException:
        # keep the logs to look at; the warehouses of the failed run are already gone
        say(f"the logs of every step are kept in {work / 'logs'}")
        raise
    shutil.rmtree(work, ignore_errors=True)
    document["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    document["total_seconds"] = round(time.perf_counter() - ctx.started, 1)
    return write_results(document, out, merge=merge)


def _new_document(settings: dict[str, Any]) -> dict[str, Any]:
    """The results document before any size: when, the machine, the commit, the settings."""
    started_at = dt.datetime.now(dt.UTC)
    return {
        "benchmark": "followup scale benchmark",
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_state(),
        "settings": settings,
        "steps": {key: {"label": label, "what": what} for key, (label, what) in STEPS.items()},
        "sizes": {},
    }


def _size_entry(result: SizeResult) -> dict[str, Any]:
    """The results of one size, with when they were measured and at which commit."""
    entry = result.to_json()
    entry["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    state = git_state()
    entry["git_commit"] = state["commit"]
    entry["models_changed_since_commit"] = state["models_changed_since_commit"]
    return entry


def write_results(document: dict[str, Any], out: Path, *, merge: bool) -> dict[str, Any]:
    """Write results.json and results.md; with `merge`, keep other sizes of an earlier file.

    Earlier sizes are kept only if they were measured with the same seed and as-of day.
    """
    merged = json.loads(json.dumps(document))
    path = out / "results.json"
    if merge and path.is_file():
        try:
            earlier = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            earlier = {}
        same = all(
            earlier.get("settings", {}).get(key) == document["settings"][key]
            for key in ("seed", "as_of")
        )
        if same:
            kept = {
                size: entry
                for size, entry in earlier.get("sizes", {}).items()
                if size not in document["sizes"]
            }
            for entry in kept.values():
                entry.setdefault("from_earlier_invocation", earlier.get("started_at"))
            merged["sizes"] = dict(
                sorted({**kept, **merged["sizes"]}.items(), key=lambda item: int(item[0]))
            )
    path.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    (out / "results.md").write_text(render_markdown(merged), encoding="utf-8")
    return merged
