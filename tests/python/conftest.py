"""Shared pytest fixtures: small raw data folders built from the data contract."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from followup.contract import load_contract

# One valid value per contract type.
SAMPLE_VALUES = {
    "text": "x",
    "integer": "1",
    "decimal(18,2)": "9.99",
    "boolean": "true",
    "date": "2026-01-31",
    "timestamp": "2026-01-31 10:00:00",
}


def write_raw_csv_folder(folder: Path, rows_per_table: int = 2) -> Path:
    """Write a valid CSV file for every raw table, with `rows_per_table` rows each."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in load_contract().values():
        with (folder / f"{table.name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.column_names)
            for row in range(rows_per_table):
                writer.writerow(
                    f"{SAMPLE_VALUES[c.data_type]}{row}"
                    if c.data_type == "text"
                    else SAMPLE_VALUES[c.data_type]
                    for c in table.columns
                )
    return folder


@pytest.fixture
def raw_csv_folder(tmp_path: Path) -> Path:
    """A folder of valid CSV files, one per raw table."""
    return write_raw_csv_folder(tmp_path / "raw")


@pytest.fixture
def duckdb_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the dev target at a fresh DuckDB file; return its path."""
    path = tmp_path / "warehouse" / "test.duckdb"
    monkeypatch.setenv("FOLLOWUP_DUCKDB_PATH", str(path))
    monkeypatch.delenv("FOLLOWUP_TARGET", raising=False)
    return path


@pytest.fixture
def rewrite_csv() -> Callable[[Path, Callable[[list[list[str]]], list[list[str]]]], None]:
    """Rewrite a CSV file through a function of its rows (header first)."""

    def rewrite(path: Path, change: Callable[[list[list[str]]], list[list[str]]]) -> None:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(change(rows))

    return rewrite


@pytest.fixture(scope="session")
def duckdb_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The project's manifest as `dbt parse` writes it for the DuckDB target.

    Parsed here, not read from target/: the manifest depends on the target (the
    predictions read a Python model on DuckDB and a state table elsewhere), and other
    tests run dbt on PostgreSQL in the project directory.
    """
    import json
    import os
    import subprocess
    import sys

    from followup import PROJECT_DIR

    out = tmp_path_factory.mktemp("manifest")
    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), "FOLLOWUP_DUCKDB_PATH": ":memory:"}
    command = [str(Path(sys.executable).parent / "dbt"), "parse", "--target", "dev",
               "--target-path", str(out), "--log-path", str(out), "--no-partial-parse"]  # fmt: skip
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"dbt parse failed:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
