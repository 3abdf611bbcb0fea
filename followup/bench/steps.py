"""One size: every step, --runs times (the full path, the incremental path, the checks)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followup import PROJECT_DIR
from followup.bench.datasets import Dataset
from followup.bench.dbt import dbt_command, timed_step, worker_command
from followup.bench.manifest import history_dependent_models, upstream_models
from followup.bench.pandas_baseline import compare_with_dbt
from followup.bench.processes import Ran
from followup.bench.settings import LARGE_SIZE, PANDAS_EQUIVALENT_MODELS, Context
from followup.bench.stats import Sample, SizeResult

if TYPE_CHECKING:
    import duckdb


# Columns that record which run wrote a row: they differ by design.
BOOKKEEPING_COLUMNS = frozenset({"processed_by", "invocation_id", "dbt_invocation_id"})


def compare_incremental(
    full_db: Path, daily_db: Path, as_of: dt.date, skip: Iterable[str] = ()
) -> dict[str, Any]:
    """Rows that differ between the full build for D and the incremental run for D.

    Every table of the analytics schema (not views) is compared but those in `skip`
    (built on the history of earlier runs); a table with an as_of_date column is compared
    on the rows of D (history tables keep D-1 in the daily path). Doubles are compared
    rounded to 6 decimals: a sum of doubles differs in its last bits with the order the
    engine adds it up in, and rounding to 9 decimals still splits such a pair now and then
    at a million rows. Bookkeeping columns (which run wrote a row) are left out.
    """
    skip = set(skip)
    import duckdb

    con = duckdb.connect()
    con.execute("set memory_limit = '4GB'")
    con.execute("set preserve_insertion_order = false")
    con.execute(f"attach '{full_db}' as full_db (read_only)")
    con.execute(f"attach '{daily_db}' as daily_db (read_only)")
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = 'full_db' "
            "and schema_name = 'analytics' order by table_name"
        ).fetchall()
    ]
    differing: dict[str, dict[str, int]] = {}
    skipped = sorted(table for table in tables if table in skip)
    tables = [table for table in tables if table not in skip]
    for table in tables:
        difference = _compare_table(con, table, as_of)
        if difference is not None:
            differing[table] = difference
    con.close()
    return {"tables_compared": len(tables), "skipped": skipped, "differing": differing}


def _compare_table(
    con: duckdb.DuckDBPyConnection, table: str, as_of: dt.date
) -> dict[str, int] | None:
    """The rows of one table only in the full build or only in the daily run (None: equal)."""
    import duckdb

    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = "
        "'full_db' and schema_name = 'analytics' and table_name = ? order by column_index",
        [table],
    ).fetchall()
    columns = [(name, kind) for name, kind in columns if name not in BOOKKEEPING_COLUMNS]
    select = ", ".join(
        f'round("{name}", 6)' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, kind in columns
    )
    where = (
        f"where as_of_date = date '{as_of.isoformat()}'"
        if any(name == "as_of_date" for name, _ in columns)
        else ""
    )
    try:
        only_full, only_daily = con.execute(
            f"""
            select
                (select count(*) from (select {select} from full_db.analytics."{table}" {where}
                    except all select {select} from daily_db.analytics."{table}" {where})),
                (select count(*) from (select {select} from daily_db.analytics."{table}" {where}
                    except all select {select} from full_db.analytics."{table}" {where}))
            """
        ).fetchone()
    except duckdb.Error as exc:
        return {"error": str(exc).splitlines()[0]}  # type: ignore[dict-item]
    if only_full or only_daily:
        return {"only_full_build": only_full, "only_daily_run": only_daily}
    return None


def benchmark_size(
    ctx: Context,
    dataset: Dataset,
    size: int,
    runs: int,
    *,
    skip_floor: bool,
    skip_pandas: bool,
) -> SizeResult:
    """Measure every step of one size, `runs` times."""
    result = SizeResult(size, runs, dataset.meta)
    tag = f"{size:,}"
    for run in range(1, runs + 1):
        ctx.say(f"  [{tag} contacts] run {run}/{runs}  [elapsed {ctx.elapsed()}]")
        run_dir = ctx.work / f"size{size}_run{run}"
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
        try:
            full_db = _full_path(ctx, result, dataset, run_dir, run, skip_floor, skip_pandas)
            _incremental_path(ctx, result, dataset, full_db, run_dir, run)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)  # the warehouses of this run
    return result


def _record(result: SizeResult, step: str, ran: Ran, setup: bool = False) -> None:
    result.stats(step, setup).add(Sample(ran.seconds, ran.peak_rss_bytes))


def dbt_step(
    ctx: Context,
    result: SizeResult,
    label: str,
    args: Sequence[str],
    *,
    dbt_vars: str,
    dbt_dir: Path,
    database: Path,
    log_name: str,
    allow_test_failures: bool = False,
) -> tuple[Ran, dict[str, Any] | None]:
    """Run one dbt command for `database`, with dbt's parse cache warm.

    dbt re-parses the whole project when the vars or the profile (the DuckDB path)
    changed since the last command in the same target folder. So that every timed command
    starts alike, an untimed `dbt parse` with the same vars runs first when needed; its
    time is recorded as the setup step `parse` (what a cold start adds).
    """
    if ctx.parsed.get(dbt_dir) != (dbt_vars, str(database)):
        ran, _ = timed_step(
            ctx,
            "setup: dbt parse",
            dbt_command(ctx, ["parse", "--vars", dbt_vars], dbt_dir),
            database,
            f"{log_name}-parse",
        )
        _record(result, "parse", ran, setup=True)
        ctx.parsed[dbt_dir] = (dbt_vars, str(database))
    return timed_step(
        ctx,
        label,
        dbt_command(ctx, [*args, "--vars", dbt_vars], dbt_dir),
        database,
        log_name,
        allow_test_failures=allow_test_failures,
        run_results_dir=dbt_dir,
    )


def _full_path(
    ctx: Context,
    result: SizeResult,
    dataset: Dataset,
    run_dir: Path,
    run: int,
    skip_floor: bool,
    skip_pandas: bool,
) -> Path:
    """Load, seed, full run, full build, export, floor and pandas; returns the warehouse."""
    database = run_dir / "full" / "bench.duckdb"
    database.parent.mkdir()
    dbt_dir = run_dir / "dbt-full"
    name = f"{result.size}-{run}"
    _load_and_seed(ctx, result, dataset, database, dbt_dir, name)

    floor_db = run_dir / "floor" / database.name
    if not skip_floor:  # the loaded and seeded warehouse, before any model
        floor_db.parent.mkdir()
        shutil.copyfile(database, floor_db)

    _run_full(ctx, result, database, dbt_dir, name)
    _build_full(ctx, result, database, dbt_dir, name)
    _export(ctx, result, database, run_dir, name)

    if not skip_floor:
        _floor(ctx, result, floor_db, run_dir, run)

    if not skip_pandas:
        _pandas(ctx, result, dataset, database, dbt_dir, run_dir, run)
    return database


def _load_and_seed(
    ctx: Context, result: SizeResult, dataset: Dataset, database: Path, dbt_dir: Path, name: str
) -> None:
    """Full path: load day D into a fresh warehouse, then dbt seed."""
    python = sys.executable
    scripts = PROJECT_DIR / "scripts"
    ran, _ = timed_step(
        ctx,
        "load D",
        [python, str(scripts / "load_raw.py"), "--from", str(dataset.day)],
        database,
        f"{name}-load",
    )
    _record(result, "load", ran)
    ran, _ = dbt_step(
        ctx,
        result,
        "dbt seed",
        ["seed", "--full-refresh"],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-seed",
    )
    _record(result, "seed", ran)


def _run_full(ctx: Context, result: SizeResult, database: Path, dbt_dir: Path, name: str) -> None:
    """Full path: dbt run --full-refresh, and the time dbt spent on pandas' models."""
    ran, summary = dbt_step(
        ctx,
        result,
        "dbt run --full-refresh",
        ["run", "--full-refresh"],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-run_full",
    )
    _record(result, "run_full", ran)
    if summary:
        result.details.setdefault("run_results", {}).setdefault("run_full", []).append(summary)
        manifest_file = dbt_dir / "target" / "manifest.json"
        if manifest_file.is_file():
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
            same = {
                unique_id.split(".", 2)[-1]
                for unique_id in upstream_models(manifest, PANDAS_EQUIVALENT_MODELS)
            }
            seconds = sum(item["seconds"] for item in summary["models"] if item["model"] in same)
            result.details.setdefault("same_models_in_dbt_samples_s", []).append(round(seconds, 3))
            result.details["same_models"] = sorted(same)


def _build_full(ctx: Context, result: SizeResult, database: Path, dbt_dir: Path, name: str) -> None:
    """Full path: dbt build --full-refresh (failing tests are recorded, not fatal)."""
    ran, summary = dbt_step(
        ctx,
        result,
        "dbt build --full-refresh",
        ["build", "--full-refresh"],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-build_full",
        allow_test_failures=True,
    )
    _record(result, "build_full", ran)
    if summary:
        summary_short = {key: summary[key] for key in ("elapsed_s", "statuses", "failures")}
        result.details.setdefault("run_results", {}).setdefault("build_full", []).append(
            summary_short
        )


def _export(ctx: Context, result: SizeResult, database: Path, run_dir: Path, name: str) -> None:
    """Full path: the send lists of every flow, generic ESP, after the build."""
    python = sys.executable
    scripts = PROJECT_DIR / "scripts"
    exports = run_dir / "exports"
    ran, _ = timed_step(
        ctx,
        "export (all flows, generic)",
        [
            python,
            str(scripts / "export_send_lists.py"),
            "--all",
            "--esp",
            "generic",
            "--out",
            str(exports),
            "--allow-spike",
            "--as-of",
            ctx.as_of.isoformat(),
            "--no-progress",
        ],
        database,
        f"{name}-export",
    )
    _record(result, "export", ran)


def _pandas(
    ctx: Context,
    result: SizeResult,
    dataset: Dataset,
    database: Path,
    dbt_dir: Path,
    run_dir: Path,
    run: int,
) -> None:
    """Full path: dbt on the models pandas replicates, then pandas (compared on run 1)."""
    name = f"{result.size}-{run}"
    selection = " ".join(f"+{model}" for model in PANDAS_EQUIVALENT_MODELS)
    ran, _ = dbt_step(
        ctx,
        result,
        "dbt run --full-refresh of the models pandas replicates",
        ["run", "--full-refresh", "--select", selection],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-run_same",
    )
    _record(result, "run_same", ran)
    pandas_dir = run_dir / "pandas"
    result_file = pandas_dir / "result.json"
    ran, _ = timed_step(
        ctx,
        "pandas RFM + abandoned cart",
        worker_command(
            "pandas",
            str(dataset.day),
            ctx.as_of.isoformat(),
            str(pandas_dir),
            str(result_file),
        ),
        database,
        f"{name}-pandas",
    )
    inside = json.loads(result_file.read_text(encoding="utf-8"))
    result.stats("pandas").add(Sample(inside["seconds"], ran.peak_rss_bytes, ran.seconds))
    result.details.setdefault("pandas_timings", []).append(inside)
    if run == 1:
        _compare_pandas(ctx, result, database, pandas_dir)


def _compare_pandas(ctx: Context, result: SizeResult, database: Path, pandas_dir: Path) -> None:
    """Record how far pandas' results equal dbt's (a failure is recorded, not fatal)."""
    try:
        comparison = compare_with_dbt(database, pandas_dir)
    except Exception as exc:  # a renamed model must not cost the whole benchmark
        result.details["pandas_vs_dbt_error"] = str(exc).splitlines()[0]
        ctx.say(f"    !! pandas vs dbt: could not compare: {exc}")
        return
    result.details["pandas_vs_dbt"] = comparison
    ctx.say(
        "    pandas vs dbt: identical RFM scores for "
        f"{comparison['rfm']['identical_scores_share']:.2%} of customers, identical "
        f"abandoned-cart rows {comparison['abandoned_cart']['identical_share']:.2%}"
    )


def _floor(ctx: Context, result: SizeResult, floor_db: Path, run_dir: Path, run: int) -> None:
    """Compile for D against the seeded copy (untimed), then time the SQL without dbt."""
    compile_dir = run_dir / "dbt-compile"
    timed_step(
        ctx,
        "setup: dbt compile --full-refresh (for the floor)",
        dbt_command(ctx, ["compile", "--full-refresh", "--vars", ctx.vars_d], compile_dir),
        floor_db,
        f"{result.size}-{run}-compile",
    )
    result_file = run_dir / "floor.json"
    ran, _ = timed_step(
        ctx,
        "floor: compiled SQL in one DuckDB connection",
        worker_command(
            "floor",
            str(floor_db),
            str(compile_dir / "target" / "manifest.json"),
            str(result_file),
        ),
        floor_db,
        f"{result.size}-{run}-floor",
    )
    inside = json.loads(result_file.read_text(encoding="utf-8"))
    result.stats("floor").add(Sample(inside["seconds"], ran.peak_rss_bytes, ran.seconds))
    models = sorted(inside["models"].items(), key=lambda item: item[1], reverse=True)
    result.details.setdefault("floor_models", []).append(
        [{"model": key.split(".", 2)[-1], "seconds": value} for key, value in models]
    )
    manifest = json.loads((compile_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    same = upstream_models(manifest, PANDAS_EQUIVALENT_MODELS)
    result.details.setdefault("same_models_in_floor_samples_s", []).append(
        round(sum(value for key, value in inside["models"].items() if key in same), 3)
    )
    shutil.rmtree(floor_db.parent, ignore_errors=True)


def _incremental_path(
    ctx: Context,
    result: SizeResult,
    dataset: Dataset,
    full_db: Path,
    run_dir: Path,
    run: int,
) -> None:
    """Build D-1 (setup), then time loading D and the incremental dbt run for D."""
    python = sys.executable
    load = str(PROJECT_DIR / "scripts" / "load_raw.py")
    database = run_dir / "daily" / "bench.duckdb"
    database.parent.mkdir()
    dbt_dir = run_dir / "dbt-daily"
    name = f"{result.size}-{run}"
    _prior_day(ctx, result, dataset, database, dbt_dir, name)
    ran, _ = timed_step(
        ctx,
        "daily load: D into the warehouse of D-1",
        [python, load, "--from", str(dataset.day)],
        database,
        f"{name}-daily_load",
    )
    _record(result, "daily_load", ran)
    ran, summary = dbt_step(
        ctx,
        result,
        "daily run: dbt run for D (incremental)",
        ["run"],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-daily_run",
    )
    _record(result, "daily_run", ran)
    if summary:
        result.details.setdefault("run_results", {}).setdefault("daily_run", []).append(summary)
    if run == 1:
        _check_incremental(ctx, result, full_db, database, dbt_dir)


def _prior_day(
    ctx: Context, result: SizeResult, dataset: Dataset, database: Path, dbt_dir: Path, name: str
) -> None:
    """Incremental path, setup: load D-1 into a fresh file, dbt seed, full run for D-1."""
    python = sys.executable
    load = str(PROJECT_DIR / "scripts" / "load_raw.py")
    ran, _ = timed_step(
        ctx,
        "setup: load D-1",
        [python, load, "--from", str(dataset.day_before)],
        database,
        f"{name}-prior_load",
    )
    _record(result, "prior_load", ran, setup=True)
    ran, _ = dbt_step(
        ctx,
        result,
        "setup: dbt seed",
        ["seed", "--full-refresh"],
        dbt_vars=ctx.vars_before,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-prior_seed",
    )
    _record(result, "prior_seed", ran, setup=True)
    ran, _ = dbt_step(
        ctx,
        result,
        "setup: dbt run --full-refresh for D-1",
        ["run", "--full-refresh"],
        dbt_vars=ctx.vars_before,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-prior_run",
    )
    _record(result, "prior_run", ran, setup=True)


def _check_incremental(
    ctx: Context, result: SizeResult, full_db: Path, database: Path, dbt_dir: Path
) -> None:
    """Compare the daily run's warehouse with the full build's and record the result."""
    started = time.perf_counter()
    manifest = json.loads((dbt_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    skip = history_dependent_models(manifest)
    if result.size >= LARGE_SIZE:  # the big event tables take minutes to compare
        skip |= {
            node["name"]
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["fqn"][1:2] not in (["marts"], ["flows"])
        }
    check = compare_incremental(full_db, database, ctx.as_of, skip=skip)
    check["seconds"] = round(time.perf_counter() - started, 1)
    result.details["incremental_vs_full"] = check
    if check["differing"]:
        ctx.say(
            f"    !! the daily run differs from the full build in "
            f"{len(check['differing'])} table(s): {', '.join(sorted(check['differing']))}"
        )
    else:
        ctx.say(
            f"    daily run = full build: {check['tables_compared']} tables identical "
            f"(checked in {check['seconds']} s; {len(check['skipped'])} not compared)"
        )
