"""The CDNOW backtest reproduces the published BG/NBD and Gamma-Gamma figures.

End to end, as a user runs it: `followup cdnow` (the sample from the lifetimes wheel on
PyPI, cached in data/cdnow/), `followup load` into a fresh DuckDB file, `dbt build
--select +int_valid_orders` for 1998-06-30, then `followup backtest --json` with the
papers' periods: calibration 1997-01-01 .. 1997-09-30 (39 weeks), holdout to 1998-06-30.

Targets: Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way" (BG/NBD
parameters, log-likelihood, conditional expectations, correlation, the tracking plot) and
"RFM and CLV" (Gamma-Gamma on the 946 repeat buyers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from followup import PROJECT_DIR

pytestmark = pytest.mark.slow

AS_OF = "1998-06-30"


def run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        pytest.fail(f"{' '.join(command)} failed ({result.returncode}):\n{tail}")
    return result.stdout


@pytest.fixture(scope="module")
def backtest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("cdnow")
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_DIR),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "FOLLOWUP_TARGET": "dev",
        "FOLLOWUP_DUCKDB_PATH": str(tmp / "cdnow.duckdb"),
    }
    followup = [sys.executable, "-m", "followup.cli"]
    run([*followup, "cdnow", "--out", str(tmp / "raw")], env)
    run([*followup, "load", "--from", str(tmp / "raw")], env)
    dbt = str(Path(sys.executable).parent / "dbt")
    run([dbt, "build", "--select", "+int_valid_orders", "--indirect-selection", "cautious",
         "--vars", f'{{as_of_date: "{AS_OF}"}}', "--target-path", str(tmp / "target"),
         "--log-path", str(tmp / "logs")], env)  # fmt: skip
    output = run([*followup, "backtest", "--calibration-end", "1997-09-30", "--holdout-end",
                  AS_OF, "--time-unit", "weeks", "--json"], env)  # fmt: skip
    return json.loads(output)


def test_the_data_set_is_the_papers(backtest: dict[str, Any]) -> None:
    assert backtest["customers"] == 2_357
    assert backtest["orders"] == 6_919
    assert backtest["transactions"] == 6_696  # same-day orders of a customer merged
    assert backtest["repeat_buyers"] == 946
    assert backtest["gg_customers"] == 946
    assert backtest["calibration_start"] == "1997-01-01"
    assert backtest["holdout_length"] == 39


def test_bgnbd_parameters_and_log_likelihood(backtest: dict[str, Any]) -> None:
    assert backtest["converged"] is True
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert backtest[name] == pytest.approx(value, rel=0.01), name
    assert backtest["log_likelihood"] == pytest.approx(-9_582.4, abs=0.1)


def test_gamma_gamma_parameters_and_log_likelihood(backtest: dict[str, Any]) -> None:
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert backtest[name] == pytest.approx(value, rel=0.01), name
    assert backtest["gg_log_likelihood"] == pytest.approx(-4_055.9, abs=0.1)


def test_holdout_predictions_per_customer(backtest: dict[str, Any]) -> None:
    assert backtest["correlation"] == pytest.approx(0.626, abs=0.005)
    zero = backtest["conditional_expectations"][0]
    assert zero["calibration_repeat_transactions"] == "0"
    assert zero["customers"] == 1_411
    assert round(zero["actual_mean"], 2) == 0.24  # 334 / 1,411
    assert round(zero["predicted_mean"], 2) == 0.23
    groups = backtest["conditional_expectations"]
    assert sum(g["customers"] for g in groups) == 2_357
    assert [g["calibration_repeat_transactions"] for g in groups][-1] == "7+"


def test_cumulative_repeat_transactions_by_week(backtest: dict[str, Any]) -> None:
    weeks = backtest["cumulative_by_week"]
    assert len(weeks) == 78
    assert weeks[38]["actual"] == 2_457  # the calibration period's repeat transactions
    assert weeks[-1]["end_date"] == AS_OF
    assert backtest["cumulative_repeat_actual_end"] == weeks[-1]["actual"] == 4_339
    assert backtest["cumulative_repeat_predicted_end"] == pytest.approx(4_161, rel=0.005)
    assert backtest["holdout_actual"] == 4_339 - 2_457
