"""`followup backtest` on a tiny hand-made warehouse: the per-customer summary and exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from followup.cli import main
from followup.predict.backtest import Periods, read_customers

CALIBRATION_END = dt.date(2024, 3, 31)
HOLDOUT_END = dt.date(2024, 6, 30)
AS_OF = dt.date(2024, 7, 31)

# contact, day, amount: A buys twice on 2024-01-10 (one transaction of 30), then in
# calibration and holdout; B buys once; C's first purchase is after the calibration
# (not in the cohort); D's last order is after the holdout end (ignored); a guest order
# without contact is ignored.
ORDERS = [
    ("A", "2024-01-01", 10),
    ("A", "2024-01-10", 10),
    ("A", "2024-01-10", 20),
    ("A", "2024-03-31", 50),
    ("A", "2024-04-01", 5),
    ("A", "2024-06-30", 5),
    ("B", "2024-02-15", 99),
    ("C", "2024-04-02", 10),
    ("C", "2024-04-03", 10),
    ("D", "2024-03-01", 10),
    ("D", "2024-03-08", 40),
    ("D", "2024-07-01", 10),
    (None, "2024-02-01", 10),
]  # fmt: skip


def make_warehouse(path: Path, orders: list[tuple] | None = None, as_of: dt.date = AS_OF) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema analytics")
    con.execute(
        "create table analytics.int_valid_orders (order_id varchar, contact_id varchar, "
        "order_date date, days_ago integer, total_amount decimal(18, 2))"
    )
    for number, (contact, day, amount) in enumerate(orders if orders is not None else ORDERS):
        days_ago = (as_of - dt.date.fromisoformat(day)).days
        con.execute(
            "insert into analytics.int_valid_orders values (?, ?, ?, ?, ?)",
            [f"O{number}", contact, day, days_ago, amount],
        )
    con.close()
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["backtest", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_each_customer_is_summarised_in_the_papers_terms(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = read_customers(con, Periods(CALIBRATION_END, HOLDOUT_END, "days"))
    by_contact = {
        contact: {name: rows[name][i] for name in rows}
        for i, contact in enumerate(rows["contact_id"])
    }
    assert sorted(by_contact) == ["A", "B", "D"]
    a = by_contact["A"]
    assert (a["x"], a["recency_days"], a["age_days"], a["holdout"]) == (2, 90, 90, 2)
    assert a["mean_repeat_value"] == pytest.approx((30 + 50) / 2)  # same-day orders merged
    assert a["orders"] == 6
    b = by_contact["B"]
    assert (b["x"], b["age_days"], b["holdout"]) == (0, 45, 0)  # 2024 is a leap year
    d = by_contact["D"]
    assert (d["x"], d["recency_days"], d["holdout"], d["orders"]) == (1, 7, 0, 2)


def test_backtest_prints_text_and_json(tmp_path: Path) -> None:
    warehouse = str(make_warehouse(tmp_path / "w.duckdb"))
    dates = ["--calibration-end", str(CALIBRATION_END), "--holdout-end", str(HOLDOUT_END)]
    code, out, err = invoke(*dates, "--warehouse", warehouse, "--json")
    result = json.loads(out)
    # Three customers cannot pin four parameters down: the figures are printed, and the
    # exit code and one line say not to trust them.
    assert (code, result["converged"]) == (1, False)
    assert "did not converge" in err
    assert result["customers"] == 3
    assert result["transactions"] == 5 + 1 + 2  # A on 5 days, B on 1, D on 2
    assert result["holdout_actual"] == 2
    assert result["cumulative_by_week"][-1]["end_date"] == str(HOLDOUT_END)
    assert result["cumulative_repeat_actual_end"] == 4 + 1  # A's 4 repeat days, D's 1
    code, out, _ = invoke(*dates, "--warehouse", warehouse)
    assert code == 1
    assert "How often customers buy (BG/NBD, time in weeks)" in out
    assert "DID NOT CONVERGE" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calibration-end", "2024-06-30", "--holdout-end", "2024-03-31"], "must come after"),
        (["--calibration-end", "2024-02-30", "--holdout-end", "2024-06-30"], "not a date"),
        (["--calibration-end", "2024-03-31", "--holdout-end", "2024-09-30"], "was built for"),
        (["--calibration-end", "2024-03-31", "--holdout-end", "2024-06-30", "--time-unit",
          "months"], "months"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    warehouse = str(make_warehouse(tmp_path / "w.duckdb"))
    code, _, err = invoke(*args, "--warehouse", warehouse)
    assert code == 2
    assert message in err


def test_a_missing_or_unbuilt_warehouse_exits_2(tmp_path: Path) -> None:
    dates = ["--calibration-end", "2024-03-31", "--holdout-end", "2024-06-30"]
    code, _, err = invoke(*dates, "--warehouse", str(tmp_path / "none.duckdb"))
    assert (code, "no DuckDB warehouse" in err) == (2, True)
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    code, _, err = invoke(*dates, "--warehouse", str(tmp_path / "empty.duckdb"))
    assert (code, "build the warehouse first" in err) == (2, True)


def test_nobody_to_fit_exits_1(tmp_path: Path) -> None:
    only_first_purchases = [("A", "2024-01-01", 10), ("B", "2024-02-01", 10)]
    warehouse = str(make_warehouse(tmp_path / "w.duckdb", only_first_purchases))
    code, _, err = invoke("--calibration-end", "2024-03-31", "--holdout-end", "2024-06-30",
                          "--warehouse", warehouse)  # fmt: skip
    assert code == 1
    assert "bought again" in err
    code, _, err = invoke("--calibration-end", "2023-03-31", "--holdout-end", "2024-06-30",
                          "--warehouse", warehouse)  # fmt: skip
    assert (code, "no customer" in err) == (1, True)
