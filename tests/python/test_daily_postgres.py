"""BI tools on PostgreSQL read one consistent day while `followup daily` builds the next.

The daily job runs on the `postgres` target in a database of its own (so it never meets
the cross-engine test's tables): D - 1, then D while two readers (in their own
processes, tests/python/fixtures/bi_reader.py) query analytics_published every 100 ms,
one reconnecting each time, one on a connection held open. Every answer must be wholly
D - 1 or wholly D, no reader may get an error, and the job must succeed.
Needs a PostgreSQL server: run through scripts/with_postgres.sh, as `make test` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from followup import PROJECT_DIR
from tests.python.fixtures.daily import DAYS, D, daily_command, deliveries

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
]
READER = Path(__file__).parent / "fixtures" / "bi_reader.py"
DATABASE = "followup_daily_test"


@pytest.fixture(scope="module")
def pg_env() -> dict[str, str]:
    if not os.environ.get("PGHOST"):
        if os.environ.get("FOLLOWUP_REQUIRE_POSTGRES"):
            pytest.fail("PGHOST is not set: run the tests through scripts/with_postgres.sh")
        pytest.skip("no PostgreSQL server (run through scripts/with_postgres.sh)")
    import psycopg2

    connection = psycopg2.connect(connect_timeout=10)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"drop database if exists {DATABASE}")
        cursor.execute(f"create database {DATABASE}")
    connection.close()
    env = {**os.environ, "PGDATABASE": DATABASE, "FOLLOWUP_TARGET": "postgres",
           "DBT_PROFILES_DIR": str(PROJECT_DIR), "GX_ANALYTICS_ENABLED": "false"}  # fmt: skip
    env.pop("FOLLOWUP_FAULT", None)
    return env


def run_daily(env: dict[str, str], *args: str) -> dict:
    result = subprocess.run(daily_command(*args, "--json"), cwd=PROJECT_DIR, env=env,
                            capture_output=True, text=True, timeout=1800)  # fmt: skip
    assert result.returncode == 0, result.stdout + "\n".join(result.stderr.splitlines()[-30:])
    return json.loads(result.stdout)


def answers(path: Path) -> tuple[list[tuple], list[str]]:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return ([tuple(r["answer"]) for r in records if "answer" in r],
            [r["error"] for r in records if "error" in r])  # fmt: skip


def one_answer(env: dict[str, str]) -> tuple:
    import psycopg2

    from tests.python.fixtures.bi_reader import SQL

    with psycopg2.connect(dbname=DATABASE, connect_timeout=10) as connection:
        cursor = connection.cursor()
        cursor.execute(SQL.format(s="analytics_published"))
        return tuple(str(v) for v in cursor.fetchone())


def test_bi_readers_on_postgres_see_one_whole_day(pg_env: dict[str, str], tmp_path: Path) -> None:
    folders = deliveries(tmp_path)
    first = run_daily(pg_env, DAYS[1], "--from", str(folders[DAYS[1]]))
    assert first["published"].endswith(f"/{DATABASE} schema analytics_published")
    before = one_answer(pg_env)
    assert before[0] == str(DAYS[1])
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, str(READER), mode, "postgres", str(tmp_path / mode), str(stop)],
            env=pg_env,
        )
        for mode in ("reconnect", "hold")
    ]
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / m).exists() for m in ("reconnect", "hold")):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        summary = run_daily(pg_env, D, "--from", str(folders[D]), "--esp", "generic",
                            "--out", str(tmp_path / "out"))  # fmt: skip
        time.sleep(1)
    finally:
        stop.touch()
        for process in readers:
            process.wait(timeout=60)
    after = one_answer(pg_env)
    assert after[0] == str(D) and after[4] == str(D)
    assert summary["sent_total"] == 354
    for mode in ("reconnect", "hold"):
        seen, errors = answers(tmp_path / mode)
        assert errors == [], mode
        assert len(seen) >= 50, mode
        assert set(seen) == {before, after}, mode
        first_new = seen.index(after)
        assert all(a == after for a in seen[first_new:]), mode
