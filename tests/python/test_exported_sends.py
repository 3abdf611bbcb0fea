"""What was exported counts as sent, even before the ESP reports it.

On the test warehouse (2,000 contacts, D = 2026-06-15): export every flow for D, then
build D + 1 from the same raw data, that is without the ESP's 'sent' events of D's
mails (a late ESP feed). The cooldowns and the contact pressure must see D's exports:
no (contact, flow) exported on D is sent again on D + 1 within its cooldown, and every
marketing recipient of D counts one marketing send. Rebuilding D after its export gives
the same decisions as before (an export never holds back its own day).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from followup import PROJECT_DIR

pytestmark = pytest.mark.slow

D = "2026-06-15"
NEXT = "2026-06-16"
BIN = Path(sys.executable).parent


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        pytest.fail(f"{' '.join(command)} failed ({result.returncode}):\n{tail}")


def build(day: str, env: dict[str, str], tmp: Path) -> None:
    run([str(BIN / "dbt"), "run", "--target-path", str(tmp / "target"),
         "--log-path", str(tmp / "logs"), "--vars", f'{{as_of_date: "{day}"}}'], env)  # fmt: skip


def decisions(path: Path, day: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select flow_id, flow_step, coalesce(contact_id, email), decision, "
            "exclusion_reason from analytics.audience_decisions "
            f"where as_of_date = date '{day}' order by all"
        ).fetchall()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple]]:
    source = os.environ.get("FOLLOWUP_TEST_DUCKDB")
    if not source or not Path(source).exists():
        pytest.skip("FOLLOWUP_TEST_DUCKDB is not set (make test sets it)")
    tmp = tmp_path_factory.mktemp("exported_sends")
    path = tmp / "warehouse.duckdb"
    shutil.copy(source, path)
    env = {**os.environ, "FOLLOWUP_DUCKDB_PATH": str(path), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    env.pop("FOLLOWUP_TARGET", None)
    before = decisions(path, D)
    run([str(BIN / "followup"), "export", "--all", "--esp", "generic", "--out",
         str(tmp / "out"), "--as-of", D, "--no-progress"], env)  # fmt: skip
    build(D, env, tmp)
    rebuilt = decisions(path, D)
    assert rebuilt == before, "an export must not change its own day's decisions"
    build(NEXT, env, tmp)
    return path, before


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


EXPORTED = f"""
    select log.contact_id, log.flow_id, flows.category, flows.cooldown_days
    from analytics_state.send_log as log
    join analytics.flows as flows using (flow_id)
    where log.as_of_date = date '{D}' and log.channel = 'email' and log.contact_id is not null
"""


def test_the_day_is_exported(warehouse: tuple[Path, list[tuple]]) -> None:
    path, _ = warehouse
    assert query(path, f"select count(*) from ({EXPORTED})") == [(353,)]


def test_no_flow_is_sent_again_within_its_cooldown(warehouse: tuple[Path, list[tuple]]) -> None:
    path, _ = warehouse
    again = query(
        path,
        f"""
        select count(*) from analytics.audience_decisions as d
        join ({EXPORTED}) as e on d.contact_id = e.contact_id and d.flow_id = e.flow_id
        where d.as_of_date = date '{NEXT}' and d.decision = 'send' and e.cooldown_days >= 1
        """,
    )
    assert again == [(0,)]
    held = query(
        path,
        "select count(*) from analytics.audience_decisions "
        f"where as_of_date = date '{NEXT}' and exclusion_reason = 'cooldown'",
    )
    assert held == [(195,)]


def test_every_marketing_export_counts_as_a_send(warehouse: tuple[Path, list[tuple]]) -> None:
    path, _ = warehouse
    uncounted = query(
        path,
        f"""
        select count(*) from ({EXPORTED}) as e
        left join analytics.int_contact_marketing_pressure as p using (contact_id)
        where e.category = 'marketing' and coalesce(p.marketing_sends_window, 0) < 1
        """,
    )
    assert uncounted == [(0,)]
    assert query(
        path,
        f"select count(*) from analytics.int_exported_sends where as_of_date = date '{D}'",
    ) == [(353,)]
