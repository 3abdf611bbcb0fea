"""`followup predict` and the build in two halves on engines without dbt Python models."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from followup.cli import main
from followup.predict.store import needs_predict_step, staged_build_commands

BIN = Path("/venv/bin")


def test_the_staged_build_runs_the_summary_then_predict_then_everything() -> None:
    args = ["--exclude-resource-type", "unit_test", "--vars", '{as_of_date: "2026-06-15"}',
            "--target", "postgres", "--select", "marts", "flows"]  # fmt: skip
    first, predict, whole = staged_build_commands(BIN, args, None)
    assert first == ["/venv/bin/dbt", "run", "--select", "+int_customer_purchase_summary",
                     "--vars", '{as_of_date: "2026-06-15"}', "--target", "postgres"]  # fmt: skip
    assert predict == ["/venv/bin/followup", "predict", "--target", "postgres",
                       "--vars", '{as_of_date: "2026-06-15"}']  # fmt: skip
    assert whole == ["/venv/bin/dbt", "build", *args]


def test_the_day_is_passed_to_predict() -> None:
    import datetime as dt

    _, predict, _ = staged_build_commands(BIN, [], dt.date(2026, 6, 15))
    assert predict == ["/venv/bin/followup", "predict", "--as-of", "2026-06-15"]


def test_only_engines_without_python_models_need_the_step() -> None:
    assert needs_predict_step({"type": "postgres"})
    assert needs_predict_step({"type": "spark"})
    assert not needs_predict_step({"type": "duckdb"})


def test_predict_on_duckdb_says_the_build_does_it_and_exits_2() -> None:
    result = CliRunner().invoke(main, ["predict", "--target", "dev"])
    assert result.exit_code == 2
    assert "on duckdb the build predicts by itself" in result.output


def test_predict_refuses_vars_that_are_not_a_mapping() -> None:
    result = CliRunner().invoke(main, ["predict", "--target", "postgres", "--vars", "[1, 2]"])
    assert result.exit_code == 2
    assert "is not a YAML mapping" in result.output


class FakeStore:
    """A warehouse with a built summary, recording what predict writes."""

    def __init__(self, day: str, rows: int) -> None:
        import pandas as pd

        self.summary = pd.DataFrame(
            {
                "contact_id": [f"c{k}" for k in range(rows)],
                "as_of_date": [pd.Timestamp(day)] * rows,
                "transactions": [1 + k % 3 for k in range(rows)],
                "repeat_transactions": [k % 3 for k in range(rows)],
                "recency_days": [(k % 3) * 20 for k in range(rows)],
                "age_days": [100 + k for k in range(rows)],
                "value_total": [30.0 * (1 + k % 3) for k in range(rows)],
                "repeat_value_total": [30.0 * (k % 3) for k in range(rows)],
            }
        )
        self.written: list = []

    def read_summary(self):
        return self.summary

    def write(self, day, fit, scores) -> None:
        self.written.append((day, fit, scores))

    def close(self) -> None:
        pass


def test_predict_refuses_a_summary_of_another_day_and_writes_nothing(monkeypatch) -> None:
    import datetime as dt

    import pytest

    from followup.errors import PredictError
    from followup.predict import store

    fake = FakeStore("2026-06-14", 10)
    monkeypatch.setattr(store, "_store", lambda settings: fake)
    with pytest.raises(PredictError, match="built for 2026-06-14, not 2026-06-15"):
        store.predict({"type": "postgres"}, dt.date(2026, 6, 15), {}, log=lambda _: None)
    assert fake.written == []


def test_predict_writes_the_fit_and_scores_of_the_summary_day(monkeypatch) -> None:
    import datetime as dt

    from followup.predict import store

    fake = FakeStore("2026-06-15", 30)
    monkeypatch.setattr(store, "_store", lambda settings: fake)
    result = store.predict({"type": "postgres"}, None, {}, log=lambda _: None)
    assert result.day == dt.date(2026, 6, 15) and result.customers == 30
    ((day, fit, scores),) = fake.written
    assert day == dt.date(2026, 6, 15)
    assert list(fit["fit_date"]) == [dt.date(2026, 6, 15)]
    assert fit["customers"].iloc[0] == 30 and bool(fit["is_low_confidence"].iloc[0])
    assert list(scores.columns[:2]) == ["fit_date", "contact_id"]
    assert sorted(scores["contact_id"]) == sorted(fake.summary["contact_id"])
