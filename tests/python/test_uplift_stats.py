"""The uplift arithmetic of flow_uplift against values computed by hand.

flow_uplift is compiled by dbt and run on DuckDB over hand-made groups. The expected
values are written out from the formulas of docs/semantics.md ("Measuring results"),
with the intermediate numbers in the comments, so that a change in a formula fails
here with the number that moved.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from followup import PROJECT_DIR

Z_95 = 1.959963984540054


def compile_flow_uplift(tmp: Path) -> str:
    """flow_uplift's SQL for D = 2026-06-15, reading relations of the database `stats`."""
    env = {**os.environ, "FOLLOWUP_DUCKDB_PATH": str(tmp / "stats.duckdb")}
    env.pop("FOLLOWUP_TARGET", None)
    dbt = str(Path(sys.executable).parent / "dbt")
    command = [
        dbt, "compile", "--select", "flow_uplift", "--vars", '{as_of_date: "2026-06-15"}',
        "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs"),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    compiled = tmp / "target" / "compiled" / "followup" / "models" / "results" / "flow_uplift.sql"
    return compiled.read_text(encoding="utf-8")


def outcome_rows(flow: str, decision: str, recipients: int, conversions: int) -> list[tuple]:
    """`recipients` decisions of one group, the first `conversions` converted (revenue 10)."""
    return [
        (flow, decision, index < conversions, 10.0 if index < conversions else 0.0)
        for index in range(recipients)
    ]


@pytest.fixture(scope="module")
def uplift(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("uplift")
    sql = compile_flow_uplift(tmp)
    groups = {
        # flow: (send recipients, send conversions, holdout recipients, holdout conversions)
        "win_back": (120, 30, 80, 10),
        "reactivation": (1000, 100, 1000, 100),
        "welcome": (50, 50, 50, 50),
        "lead_nurture": (200, 20, 100, 0),
        "birthday": (5000, 1000, 500, 50),
        "cross_sell_accessory": (100, 0, 100, 10),
    }
    rows = []
    for flow, (ns, xs, nh, xh) in groups.items():
        rows += outcome_rows(flow, "send", ns, xs) + outcome_rows(flow, "holdout", nh, xh)
    with duckdb.connect(str(tmp / "stats.duckdb")) as con:
        con.execute("create schema analytics")
        con.execute(
            "create table analytics.int_flow_decision_outcomes "
            "(flow_id varchar, decision varchar, is_converted boolean, revenue_in_window double)"
        )
        con.executemany(
            "insert into analytics.int_flow_decision_outcomes values (?, ?, ?, ?)", rows
        )
        con.execute("create table analytics.flows (flow_id varchar, category varchar)")
        con.executemany(
            "insert into analytics.flows values (?, 'marketing')", [[f] for f in groups]
        )
        result = con.execute(sql)
        columns = [d[0] for d in result.description]
        return {row[1]: dict(zip(columns, row, strict=True)) for row in result.fetchall()}


def test_wald_interval_and_pooled_z_test(uplift: dict[str, dict]) -> None:
    row = uplift["win_back"]
    # ps = 30/120 = 0.25, ph = 10/80 = 0.125, uplift 0.125
    assert row["uplift"] == 0.125
    # se = sqrt(0.25 * 0.75 / 120 + 0.125 * 0.875 / 80) = sqrt(0.0029296875) = 0.0541265877...
    se = math.sqrt(0.0029296875)
    assert row["uplift_ci_low"] == pytest.approx(0.125 - Z_95 * se, abs=1e-12)
    assert row["uplift_ci_low"] == pytest.approx(0.018914, abs=1e-6)
    assert row["uplift_ci_high"] == pytest.approx(0.231086, abs=1e-6)
    # pooled p = 40/200 = 0.2; z = 0.125 / sqrt(0.2 * 0.8 * (1/120 + 1/80)) = 2.1650635...
    z = 0.125 / math.sqrt(0.16 * (1 / 120 + 1 / 80))
    assert z == pytest.approx(2.1650635, abs=1e-7)
    # two-sided p = erfc(z / sqrt 2) = 0.0303827...; the SQL's approximation is within 1.5e-7
    assert row["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), abs=1.5e-7)
    assert row["p_value"] == pytest.approx(0.030383, abs=1e-6)
    # relative: 0.25 / 0.125 - 1 = 1; se(ln ratio) = sqrt(0.75/30 + 0.875/10) = sqrt(0.1125)
    assert row["relative_uplift"] == 1.0
    log_se = math.sqrt(0.1125)
    assert row["relative_uplift_ci_low"] == pytest.approx(
        math.exp(math.log(2) - Z_95 * log_se) - 1, abs=1e-12
    )
    assert row["relative_uplift_ci_low"] == pytest.approx(0.036402, abs=1e-6)
    assert row["relative_uplift_ci_high"] == pytest.approx(2.859506, abs=1e-6)
    # only 80 held out (< 100): too small to conclude, so not significant though p < 0.05
    assert (row["is_too_small"], row["is_significant"]) == (True, False)
    # incremental: 0.125 * 120 = 15 conversions; revenue (300/120 - 100/80) * 120 = 150
    assert row["incremental_conversions"] == 15.0
    assert row["incremental_revenue"] == pytest.approx(150.0, abs=1e-9)


def test_no_difference_gives_p_one_and_an_interval_around_zero(uplift: dict[str, dict]) -> None:
    row = uplift["reactivation"]
    # 0.1 in both groups: uplift 0, z = 0, p = 1
    assert (row["uplift"], row["p_value"], row["relative_uplift"]) == (0.0, 1.0, 0.0)
    # se = sqrt(2 * 0.09 / 1000) = 0.0134164...; interval +-0.026296
    assert row["uplift_ci_high"] == pytest.approx(Z_95 * math.sqrt(0.00018), abs=1e-12)
    assert row["uplift_ci_high"] == pytest.approx(0.026296, abs=1e-6)
    assert row["uplift_ci_low"] == pytest.approx(-row["uplift_ci_high"], abs=1e-15)
    assert (row["is_too_small"], row["is_significant"]) == (False, False)


def test_everyone_converts_in_both_groups(uplift: dict[str, dict]) -> None:
    row = uplift["welcome"]
    # rates 1 and 1: no variance at all; the test cannot reject: p = 1, interval [0, 0]
    assert (row["uplift"], row["uplift_ci_low"], row["uplift_ci_high"]) == (0.0, 0.0, 0.0)
    assert row["p_value"] == 1.0
    # 50 < 100 recipients, and no non-conversions: too small to conclude
    assert (row["is_too_small"], row["is_significant"]) == (True, False)


def test_a_holdout_without_conversions(uplift: dict[str, dict]) -> None:
    row = uplift["lead_nurture"]
    # ps = 0.1, ph = 0: no relative uplift and no log-ratio interval
    assert row["uplift"] == pytest.approx(0.1, abs=1e-15)
    assert (row["relative_uplift"], row["relative_uplift_ci_low"]) == (None, None)
    # pooled p = 20/300; z = 0.1 / sqrt(p (1 - p) (1/200 + 1/100)) = 3.2732683...
    p = 20 / 300
    z = 0.1 / math.sqrt(p * (1 - p) * (1 / 200 + 1 / 100))
    assert z == pytest.approx(3.2732683, abs=1e-7)
    assert row["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), abs=1.5e-7)
    assert row["p_value"] == pytest.approx(0.001063, abs=1e-6)
    # 0 conversions in the holdout (< 5): too small, so not significant despite p
    assert (row["is_too_small"], row["is_significant"]) == (True, False)


def test_a_very_large_z_stays_a_number(uplift: dict[str, dict]) -> None:
    row = uplift["birthday"]
    # ps = 0.2, ph = 0.1 over 5000 / 500: z = 0.1 / sqrt(p(1-p)(1/5000 + 1/500)) = 5.4...
    p = 1050 / 5500
    z = 0.1 / math.sqrt(p * (1 - p) * (1 / 5000 + 1 / 500))
    assert row["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), abs=1.5e-7)
    assert 0 < row["p_value"] < 1e-6
    assert (row["is_too_small"], row["is_significant"]) == (False, True)


def test_a_send_group_without_conversions(uplift: dict[str, dict]) -> None:
    row = uplift["cross_sell_accessory"]
    # ps = 0, ph = 0.1: relative uplift 0 / 0.1 - 1 = -1, but no log-ratio interval
    assert (row["uplift"], row["relative_uplift"]) == (-0.1, -1.0)
    assert (row["relative_uplift_ci_low"], row["relative_uplift_ci_high"]) == (None, None)
    # se = sqrt(0 + 0.1 * 0.9 / 100) = 0.03: the Wald interval -0.1 +- 0.0588
    assert row["uplift_ci_high"] == pytest.approx(-0.1 + Z_95 * 0.03, abs=1e-12)
    assert (row["is_too_small"], row["is_significant"]) == (True, False)
