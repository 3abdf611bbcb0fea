"""The same data set, built on DuckDB and on PostgreSQL, gives identical audiences and segments.

`make test` builds the fixed test data set on DuckDB (make build-test) and runs pytest
inside scripts/with_postgres.sh, which starts a throwaway PostgreSQL server. This test
loads the same files into PostgreSQL, runs the whole build there (`followup build`:
models, data tests, unit tests, and the predictions fitted between its two halves) for
the same as_of_date, and compares the tables row for row.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from followup import PROJECT_DIR
from followup.compare import compare_engines, duckdb_reader, postgres_reader
from followup.profiles import read_target

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def postgres_settings() -> dict:
    if not os.environ.get("PGHOST"):
        if os.environ.get("FOLLOWUP_REQUIRE_POSTGRES"):
            pytest.fail("PGHOST is not set: run the tests through scripts/with_postgres.sh")
        pytest.skip("no PostgreSQL server (run through scripts/with_postgres.sh)")
    return read_target("postgres")


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        pytest.fail(f"{' '.join(command)} failed:\n{tail}")


def test_postgres_builds_the_same_audiences_as_duckdb(
    postgres_settings: dict, tmp_path: Path
) -> None:
    duckdb_path = PROJECT_DIR / os.environ.get("FOLLOWUP_TEST_DUCKDB", "warehouse/test.duckdb")
    data = PROJECT_DIR / os.environ.get("FOLLOWUP_TEST_DATA", "data/test")
    as_of = os.environ.get("FOLLOWUP_TEST_AS_OF", "2026-06-15")
    if not duckdb_path.exists() or not data.exists():
        pytest.fail(f"{duckdb_path} or {data} is missing: run `make build-test` first")
    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    bin_dir = Path(sys.executable).parent
    run([sys.executable, "scripts/load_raw.py", "--from", str(data), "--target", "postgres"], env)
    # followup build: on PostgreSQL the models up to the customer summary, `followup
    # predict` (fit and scores written back), then the whole dbt build
    run(
        [
            str(bin_dir / "followup"),
            "build",
            "--as-of",
            as_of,
            "--target",
            "postgres",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env,
    )
    differences = compare_engines(
        duckdb_reader(str(duckdb_path)), postgres_reader(postgres_settings), ("duckdb", "postgres")
    )
    report = "\n".join(f"{d.table}: " + "\n  ".join(d.problems[:20]) for d in differences)
    assert differences == [], f"DuckDB and PostgreSQL differ:\n{report}"
