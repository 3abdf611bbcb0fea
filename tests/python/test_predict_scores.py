"""The predictions of D (followup.predict.score) against independent computations.

Each score is recomputed another way: the churn probability by integrating over the
purchase rate, the expected orders with the published (untransformed) formula, the day
of the first expected order by trying every day, the CLV by its definition. The fit's
confidence rules, the small and empty data sets and the order of the rows are checked
with exact values.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import hyp2f1
from scipy.stats import gamma as gamma_distribution

from followup.predict.bgnbd import BgNbdParams
from followup.predict.gammagamma import GammaGammaParams
from followup.predict.score import (
    Customers,
    Params,
    Settings,
    fit_frame,
    score_customers,
    score_frame,
)

# Plausible parameters in days (CDNOW's in weeks, alpha x 7).
BG = BgNbdParams(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)
GG = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
SETTINGS = Settings()


def summary(rows: list[tuple[str, int, int, int, float]]) -> pd.DataFrame:
    """(contact_id, x, recency_days, age_days, repeat value total) -> a summary frame."""
    frame = pd.DataFrame(
        rows, columns=["contact_id", "repeat_transactions", "recency_days", "age_days",
                       "repeat_value_total"],
    )  # fmt: skip
    frame["as_of_date"] = pd.Timestamp("2026-06-15")
    frame["transactions"] = frame["repeat_transactions"] + 1
    frame["value_total"] = frame["repeat_value_total"] + 20.0  # a first order of 20
    return frame


COLUMNS = ["contact_id", "repeat_transactions", "recency_days", "age_days", "repeat_value_total"]
CUSTOMERS = summary(
    [
        ("c1", 0, 0, 30, 0.0),
        ("c2", 2, 200, 260, 70.0),
        ("c3", 7, 300, 310, 350.0),
        ("c4", 1, 10, 700, 15.0),
        ("c5", 12, 600, 610, 1200.0),
    ]
)


def scores(settings: Settings = SETTINGS) -> pd.DataFrame:
    customers = Customers.from_frame(CUSTOMERS, settings.unit_days)
    return score_customers(customers, Params(BG, GG, 40.0), settings).set_index("contact_id")


def expected_orders_published(t: float, x: float, t_x: float, T: float) -> float:
    """FHL (2005) eq. 10 as printed: no Euler transformation."""
    r, alpha, a, b = BG.r, BG.alpha, BG.a, BG.b
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    alive = 1.0 if x == 0 else 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    return head * tail * alive


def test_expected_orders_equal_the_published_formula() -> None:
    result = scores()
    for contact_id, x, t_x, T, _ in CUSTOMERS[COLUMNS].itertuples(index=False, name=None):
        t_x = t_x if x else 0
        row = result.loc[contact_id]
        assert row["expected_orders_short_horizon"] == pytest.approx(
            expected_orders_published(90, x, t_x, T), rel=1e-10
        )
        assert row["expected_orders_long_horizon"] == pytest.approx(
            expected_orders_published(365, x, t_x, T), rel=1e-10
        )


def test_churn_probability_integrates_the_silence_over_the_purchase_rate() -> None:
    result = scores()
    for contact_id, x, _, T, _ in CUSTOMERS[COLUMNS].itertuples(index=False, name=None):
        alive = result.loc[contact_id, "probability_alive"]
        density = gamma_distribution(a=BG.r + x, scale=1 / (BG.alpha + T)).pdf
        silent, _ = quad(lambda lam, f=density: math.exp(-lam * 365) * f(lam), 0, np.inf,
                         epsabs=1e-13, epsrel=1e-12)  # fmt: skip
        assert result.loc[contact_id, "churn_probability"] == pytest.approx(
            1 - alive * (1 - silent), rel=1e-9
        )


def test_a_customer_without_repeat_purchases_is_alive_and_gets_the_population_spend() -> None:
    row = scores().loc["c1"]
    assert row["probability_alive"] == 1.0
    assert row["expected_spend_per_order"] == pytest.approx(GG.p * GG.gamma / (GG.q - 1))


def test_expected_spend_is_the_gamma_gamma_mean() -> None:
    row = scores().loc["c3"]  # x = 7, m = 50
    assert row["expected_spend_per_order"] == pytest.approx(
        GG.p * (GG.gamma + 50.0 * 7) / (GG.p * 7 + GG.q - 1), rel=1e-12
    )


def test_days_until_the_first_expected_order_is_the_first_day_that_reaches_one() -> None:
    result = scores()
    for contact_id, x, t_x, T, _ in CUSTOMERS[COLUMNS].itertuples(index=False, name=None):
        t_x = t_x if x else 0
        by_day = [expected_orders_published(n, x, t_x, T) for n in range(1, 366)]
        reached = [n for n, value in zip(range(1, 366), by_day, strict=True) if value >= 1]
        value = result.loc[contact_id, "days_until_expected_order"]
        if reached:
            assert value == reached[0], contact_id
        else:
            assert np.isnan(value), contact_id
    # the frequent buyers reach one order; the one-time buyer of 30 days ago does not
    assert not np.isnan(result.loc["c5", "days_until_expected_order"])
    assert np.isnan(result.loc["c1", "days_until_expected_order"])


def test_clv_without_discount_is_spend_times_the_orders_of_a_year() -> None:
    undiscounted = Settings(annual_discount_rate=0.0)
    result = scores(undiscounted)
    expected = result["expected_spend_per_order"] * result["expected_orders_long_horizon"]
    assert np.allclose(result["predicted_clv"], expected, rtol=1e-10)


def test_clv_discounts_each_month() -> None:
    result = scores()
    monthly = 1.1 ** (1 / 12) - 1
    for contact_id, x, t_x, T, _ in CUSTOMERS[COLUMNS].itertuples(index=False, name=None):
        t_x = t_x if x else 0
        month = 365 / 12
        clv = sum(
            (expected_orders_published(i * month, x, t_x, T)
             - (expected_orders_published((i - 1) * month, x, t_x, T) if i > 1 else 0.0))
            / (1 + monthly) ** i
            for i in range(1, 13)
        ) * result.loc[contact_id, "expected_spend_per_order"]  # fmt: skip
        assert result.loc[contact_id, "predicted_clv"] == pytest.approx(clv, rel=1e-10)


def simulated_summary(customers: int, seed: int) -> pd.DataFrame:
    """Customers drawn from the BG/NBD and Gamma-Gamma models themselves, over 730 days."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(customers):
        rate = rng.gamma(BG.r, 1 / BG.alpha)
        drop = rng.beta(BG.a, BG.b)
        age = int(rng.integers(1, 730))
        day, days = 0.0, []
        while True:
            day += rng.exponential(1 / rate) if rate > 0 else np.inf
            if day > age:
                break
            days.append(int(day))
            if rng.random() < drop:
                break
        days = sorted(set(d for d in days if d > 0))
        x = len(days)
        nu = rng.gamma(GG.q, 1 / GG.gamma)
        spend = float(np.round(rng.gamma(GG.p, 1 / nu, size=x).sum(), 2))
        rows.append((f"c{k:05d}", x, days[-1] if x else 0, age, spend))
    return summary(rows)


def test_the_fit_and_scores_do_not_depend_on_the_order_of_the_rows() -> None:
    frame = simulated_summary(600, seed=3)
    fit = fit_frame(frame, SETTINGS)
    shuffled = frame.sample(frac=1.0, random_state=7)
    assert fit.equals(fit_frame(shuffled, SETTINGS))
    assert score_frame(frame, fit, SETTINGS).equals(score_frame(shuffled, fit, SETTINGS))


def test_a_fit_on_enough_data_has_normal_confidence_and_recovers_the_model() -> None:
    frame = simulated_summary(3000, seed=11)
    row = fit_frame(frame, SETTINGS).iloc[0]
    assert row["customers"] == 3000
    assert bool(row["is_converged"]) and bool(row["gg_is_converged"])
    assert not bool(row["is_low_confidence"])
    assert row["low_confidence_reason"] is None
    assert row["r"] == pytest.approx(BG.r, rel=0.25)
    assert row["a"] == pytest.approx(BG.a, rel=0.5)


def test_a_small_data_set_is_predicted_with_low_confidence_and_every_reason() -> None:
    frame = simulated_summary(40, seed=5)
    fit = fit_frame(frame, Settings(min_history_days=800))
    row = fit.iloc[0]
    assert bool(row["is_low_confidence"])
    repeaters = int((frame["repeat_transactions"] > 0).sum())
    assert row["repeat_buyers"] == repeaters
    assert row["low_confidence_reason"].split("; ")[:3] == [
        "fewer than 500 customers",
        "fewer than 100 repeat buyers",
        "less than 800 days of order history",
    ]
    result = score_frame(frame, fit, SETTINGS)
    assert len(result) == 40
    assert result["probability_alive"].notna().all()  # never refuses to predict


def test_nobody_bought_twice_still_predicts_with_the_mean_order_value() -> None:
    frame = summary([("a", 0, 0, 100, 0.0), ("b", 0, 0, 50, 0.0), ("c", 0, 0, 10, 0.0)])
    fit = fit_frame(frame, SETTINGS)
    row = fit.iloc[0]
    assert pd.isna(row["p"]) and row["spend_customers"] == 0
    assert row["population_mean_spend"] == 20.0  # three first orders of 20
    assert "no spend model (no repeat purchase with a value)" in row["low_confidence_reason"]
    result = score_frame(frame, fit, SETTINGS)
    assert list(result["expected_spend_per_order"]) == [20.0, 20.0, 20.0]
    assert list(result["probability_alive"]) == [1.0, 1.0, 1.0]


def test_an_empty_summary_gives_a_fit_row_without_parameters_and_no_scores() -> None:
    frame = summary([])
    fit = fit_frame(frame, SETTINGS)
    row = fit.iloc[0]
    assert row["customers"] == 0 and pd.isna(row["r"]) and pd.isna(row["population_mean_spend"])
    assert row["low_confidence_reason"].startswith("fewer than 500 customers")
    assert "no customers" in row["low_confidence_reason"]
    assert score_frame(frame, fit, SETTINGS).empty


def test_days_and_weeks_give_the_same_predictions() -> None:
    frame = simulated_summary(800, seed=2)
    by_day = score_frame(frame, fit_frame(frame, SETTINGS), SETTINGS)
    weeks = Settings(time_unit="weeks")
    fit_weeks = fit_frame(frame, weeks)
    by_week = score_frame(frame, fit_weeks, weeks)
    assert fit_weeks.iloc[0]["alpha"] * 7 == pytest.approx(
        fit_frame(frame, SETTINGS).iloc[0]["alpha"], rel=1e-4
    )
    for column in ("probability_alive", "expected_orders_long_horizon", "predicted_clv"):
        assert np.allclose(by_day[column].astype(float), by_week[column].astype(float), rtol=1e-4)
