"""End to end: generate -> load -> dbt build -> export, on a small data set (about a minute)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from followup import PROJECT_DIR
from followup.export.esp_profiles import available_profiles
from tests.python.fixtures.export.helpers import bodies, read_json, run_cli

pytestmark = pytest.mark.slow

AS_OF = "2026-06-15"
FLOWS = sorted(
    line.split(",")[0]
    for line in (PROJECT_DIR / "seeds" / "flows.csv").read_text().splitlines()[1:]
)


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900
    )
    if result.returncode not in (0,):
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        pytest.fail(f"{' '.join(command)} failed ({result.returncode}):\n{tail}")
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "FOLLOWUP_DUCKDB_PATH": str(tmp / "warehouse.duckdb"),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "false",
    }
    env.pop("FOLLOWUP_TARGET", None)
    python = sys.executable
    dbt = str(Path(python).parent / "dbt")
    run([python, "scripts/generate_data.py", "--contacts", "400", "--seed", "42",
         "--as-of", AS_OF, "--out", str(tmp / "data")], env)  # fmt: skip
    run([python, "scripts/load_raw.py", "--from", str(tmp / "data")], env)
    run([dbt, "build", "--profiles-dir", str(PROJECT_DIR), "--target-path", str(tmp / "target"),
         "--log-path", str(tmp / "logs"), "--vars", f'{{as_of_date: "{AS_OF}"}}',
         "--exclude", "test_type:unit"], env)  # fmt: skip
    return tmp, env


def export(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    script = str(PROJECT_DIR / "scripts" / "export_send_lists.py")
    return subprocess.run(
        [sys.executable, script, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )


def test_every_flow_of_the_day_exported_then_nothing_new(
    built: tuple[Path, dict[str, str]],
) -> None:
    tmp, env = built
    out = tmp / "exports"
    first = export(env, "--all", "--esp", "generic", "--out", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    folder = out / AS_OF / "generic"
    exported = {p.name.removesuffix(".manifest.json") for p in folder.glob("*.manifest.json")}
    assert exported, first.stdout
    for flow in FLOWS:
        if flow in exported:
            manifest = read_json(folder / f"{flow}.manifest.json")
            assert isinstance(manifest, dict)
            rows = list(csv.DictReader((folder / f"{flow}.csv").open(encoding="utf-8")))
            assert len(rows) == manifest["row_count"] > 0
            assert {r["flow_id"] for r in rows} == {flow}
            assert all(r["salutation"] and r["subject"] for r in rows)
        else:
            assert f"{flow}" in first.stdout and "no recipients today" in first.stdout
    # the persona with the messy name gets a clean salutation
    carts = list(csv.DictReader((folder / "abandoned_cart.csv").open(encoding="utf-8")))
    assert {"Beste meneer De Vries"} <= {r["salutation"] for r in carts}

    second = export(env, "--all", "--esp", "generic", "--out", str(out))
    assert second.returncode == 0
    assert "0 rows written" in second.stdout
    assert second.stdout.count("nothing new") == len(exported)


def test_every_profile_passes_a_dry_run(built: tuple[Path, dict[str, str]]) -> None:
    tmp, env = built
    with pytest.MonkeyPatch.context() as monkeypatch:  # in-process: one import of GX
        monkeypatch.setenv("FOLLOWUP_DUCKDB_PATH", env["FOLLOWUP_DUCKDB_PATH"])
        monkeypatch.delenv("FOLLOWUP_TARGET", raising=False)
        flows = ("--flow", "abandoned_cart", "--flow", "cross_sell_accessory")
        for profile in available_profiles():
            # --force: the first test exported these recipients already (one send log)
            result = run_cli(
                *flows, "--esp", profile, "--out", str(tmp / "dry"), "--dry-run", "--force"
            )
            assert result.code == 0, f"{profile}: {result.output}"
            assert "would be exported" in result.stdout
        for profile in ("klaviyo", "sendgrid"):
            result = run_cli(*flows, "--esp", profile, "--out", str(tmp / "json"), "--force")
            assert result.code == 0, result.output
            assert bodies(tmp / "json" / AS_OF / profile)
    assert not (tmp / "dry").exists()
