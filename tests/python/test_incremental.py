"""An incremental daily run gives exactly what a full refresh gives.

Build day D - 1 from the raw data as it was then, load day D's data and run
incrementally for D; then build D from scratch with --full-refresh in another
warehouse. Every table of the warehouse must be identical (the history tables on
the rows of D).

To exercise the incremental paths that change old rows, day D also brings every
erasure request (old rows of erased contacts must become tombstones, recognition
levels attributed to them must be recomputed, history rows must go) and the
contacts created on D (their earlier events turn from unknown_contact to staged).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from followup import PROJECT_DIR
from followup.day_before import write_day_before

pytestmark = pytest.mark.slow

# History tables (and what summarises them) keep other days' rows: compare day D only.
HISTORY_TABLES = {
    "audience_decisions": "as_of_date",
    "contact_lifecycle_history": "as_of_date",
    "flow_daily_summary": "as_of_date",
    "flow_uplift": "as_of_date",
    "flow_engagement_period": "as_of_date",
    "segment_size_history": "as_of_date",
    "rfm_grid_history": "as_of_date",
    "contact_prediction_fits": "as_of_date",
}
# Stage changes between run dates: a warehouse built for D alone has none to compare.
NOT_COMPARED = {"lifecycle_transitions", "lifecycle_transition_matrix"}
# Columns that name the run that wrote a row, not data (the ledgers record when they
# first saw a fact: the incremental warehouse saw some of them on D - 1).
RUN_COLUMNS = {
    "processed_by",
    "recorded_at",
    "first_erased_for",
    "first_delivered_for",
    "first_seen_for",
}


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        pytest.fail(f"{' '.join(command)} failed:\n{tail}")


def dbt(args: list[str], env: dict[str, str], tmp: Path) -> list[str]:
    bin_dir = Path(sys.executable).parent
    return [
        str(bin_dir / "dbt"),
        *args,
        "--target-path",
        str(tmp / "target"),
        "--log-path",
        str(tmp / "logs"),
    ]


def write_day_before_delivery(data: Path, target: Path, as_of: dt.date) -> None:
    """The raw data of D - 1, without any erasure request and without D's new contacts."""
    write_day_before(data, target, as_of)
    with duckdb.connect() as con:
        erasures = target / "erasure_requests.parquet"
        con.execute(
            f"copy (select * from read_parquet('{erasures}') where false) "
            f"to '{erasures}.new' (format parquet)"
        )
        Path(f"{erasures}.new").replace(erasures)
        contacts = target / "contacts.parquet"
        con.execute(
            f"copy (select * from read_parquet('{contacts}') "
            f"where created_at is null or cast(created_at as date) < date '{as_of}') "
            f"to '{contacts}.new' (format parquet)"
        )
        Path(f"{contacts}.new").replace(contacts)


def table_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        f"where table_catalog = '{catalog}' and table_schema = 'analytics' "
        "order by table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def differences(incremental: Path, full: Path, as_of: dt.date) -> dict[str, str]:
    """Per table, the rows that only one of the two warehouses has (as text)."""
    found: dict[str, str] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{full}' as full_refresh (read_only)")
        incremental_tables = table_columns(con, "incremental")
        full_tables = table_columns(con, "full_refresh")
        for table in sorted((set(incremental_tables) | set(full_tables)) - NOT_COMPARED):
            if incremental_tables.get(table) != full_tables.get(table):
                found[table] = "the table or its columns differ"
                continue
            expressions = [
                f"round({name}, 9) as {name}" if data_type == "DOUBLE" else name
                for name, data_type in full_tables[table]
                if name not in RUN_COLUMNS
            ]
            where = (
                f"where {HISTORY_TABLES[table]} = date '{as_of}'" if table in HISTORY_TABLES else ""
            )
            select = f"select {', '.join(expressions)} from {{db}}.analytics.{table} {where}"
            left, right = select.format(db="incremental"), select.format(db="full_refresh")
            diff = con.execute(
                f"({left} except all {right}) union all ({right} except all {left}) limit 5"
            ).fetchall()
            if diff:
                found[table] = "\n    ".join(str(row) for row in diff)
    return found


def test_incremental_run_equals_full_refresh(tmp_path: Path) -> None:
    data = PROJECT_DIR / os.environ.get("FOLLOWUP_TEST_DATA", "data/test")
    as_of = dt.date.fromisoformat(os.environ.get("FOLLOWUP_TEST_AS_OF", "2026-06-15"))
    if not (data / "contacts.parquet").exists():
        pytest.fail(f"{data} is missing: run `make build-test` first")
    day_before = tmp_path / "day_before"
    write_day_before_delivery(data, day_before, as_of)
    yesterday = as_of - dt.timedelta(days=1)

    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), "FOLLOWUP_TARGET": "dev"}
    incremental = tmp_path / "incremental.duckdb"
    full = tmp_path / "full.duckdb"
    load = [sys.executable, "scripts/load_raw.py", "--from"]

    # D - 1 from scratch, then D's delivery and an incremental run (with all tests).
    env_incremental = {**env, "FOLLOWUP_DUCKDB_PATH": str(incremental)}
    run([*load, str(day_before)], env_incremental)
    run(dbt(["seed"], env_incremental, tmp_path), env_incremental)
    run(
        dbt(["run", "--full-refresh", "--vars", f'{{as_of_date: "{yesterday}"}}'], env, tmp_path),
        env_incremental,
    )
    run([*load, str(data)], env_incremental)
    run(dbt(["build", "--vars", f'{{as_of_date: "{as_of}"}}'], env, tmp_path), env_incremental)

    # D from scratch.
    env_full = {**env, "FOLLOWUP_DUCKDB_PATH": str(full)}
    run([*load, str(data)], env_full)
    run(dbt(["seed"], env_full, tmp_path), env_full)
    run(
        dbt(["run", "--full-refresh", "--vars", f'{{as_of_date: "{as_of}"}}'], env, tmp_path),
        env_full,
    )

    found = differences(incremental, full, as_of)
    report = "\n".join(f"{table}:\n    {rows}" for table, rows in found.items())
    assert found == {}, f"the incremental run differs from a full refresh:\n{report}"
