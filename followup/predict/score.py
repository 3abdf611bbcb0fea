"""Fit both models on the customers of day D and score every customer: the predictions.

The input is one row per customer (model int_customer_purchase_summary): repeat
transactions (days with a valid order after the first), the days from the first to the
last transaction and to D, and the total value of the repeat transactions. The fit and
the scores are functions of those numbers and of ``Settings`` only, so every engine
that hands over the same rows gets the same numbers.

``fit_day`` returns the model-fit row of D; ``score_customers`` the scores of each
customer (P(alive), expected orders over two horizons, churn probability, expected
spend per order, CLV, days until one order is expected). Both run on whole arrays,
and on the distinct (x, t_x, T) of the customers where a special function is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from followup.predict import bgnbd, gammagamma
from followup.predict.bgnbd import BgNbdParams
from followup.predict.gammagamma import GammaGammaParams

Array = NDArray[np.float64]
UNIT_DAYS = {"days": 1, "weeks": 7}
FLOAT_COLUMNS = ("r", "alpha", "a", "b", "log_likelihood", "max_gradient", "p", "q", "gamma",
                 "gg_log_likelihood", "gg_max_gradient", "population_mean_spend")  # fmt: skip
SUMMARY_COLUMNS = ("contact_id", "repeat_transactions", "recency_days", "age_days",
                   "repeat_value_total")  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """The vars of the predictions (dbt_project.yml documents each)."""

    time_unit: str = "days"
    short_horizon_days: int = 90
    long_horizon_days: int = 365
    clv_months: int = 12
    annual_discount_rate: float = 0.10
    min_customers: int = 500
    min_repeat_buyers: int = 100
    min_history_days: int = 180

    def __post_init__(self) -> None:
        if self.time_unit not in UNIT_DAYS:
            raise ValueError(f"prediction_time_unit {self.time_unit!r}: use days or weeks")
        if min(self.short_horizon_days, self.long_horizon_days, self.clv_months) < 1:
            raise ValueError("prediction horizons and clv months must be at least 1")

    @property
    def unit_days(self) -> int:
        return UNIT_DAYS[self.time_unit]

    @classmethod
    def from_vars(cls, values: dict[str, Any]) -> Settings:
        """Settings from the dbt vars ``prediction_*`` (strings or numbers)."""
        return cls(
            time_unit=str(values["prediction_time_unit"]),
            short_horizon_days=int(values["prediction_short_horizon_days"]),
            long_horizon_days=int(values["prediction_long_horizon_days"]),
            clv_months=int(values["prediction_clv_months"]),
            annual_discount_rate=float(values["prediction_annual_discount_rate"]),
            min_customers=int(values["prediction_min_customers"]),
            min_repeat_buyers=int(values["prediction_min_repeat_buyers"]),
            min_history_days=int(values["prediction_min_history_days"]),
        )


@dataclass(frozen=True)
class Customers:
    """The summary as arrays in the model's time unit, sorted by contact_id."""

    contact_id: NDArray[np.object_]
    x: Array
    t_x: Array
    T: Array
    m: Array  # mean value of the repeat transactions (nan without any)

    @classmethod
    def from_frame(cls, summary: pd.DataFrame, unit_days: int) -> Customers:
        frame = summary.loc[:, list(SUMMARY_COLUMNS)].sort_values("contact_id", kind="stable")
        x = frame["repeat_transactions"].to_numpy(dtype=np.float64)
        total = pd.to_numeric(frame["repeat_value_total"]).to_numpy(dtype=np.float64)
        with np.errstate(all="ignore"):
            m = np.where(x > 0, total / np.maximum(x, 1.0), np.nan)
        return cls(
            contact_id=frame["contact_id"].astype(str).to_numpy(dtype=object),
            x=x,
            t_x=np.where(x > 0, frame["recency_days"].to_numpy(dtype=np.float64), 0.0) / unit_days,
            T=frame["age_days"].to_numpy(dtype=np.float64) / unit_days,
            m=m,
        )

    @property
    def size(self) -> int:
        return int(self.x.size)


@dataclass(frozen=True)
class DayFit:
    """Both fits of day D (None where a model could not be fitted) and the confidence rule."""

    purchases: bgnbd.BgNbdFit | None
    spend: gammagamma.GammaGammaFit | None
    customers: int
    repeat_buyers: int
    history_days: int
    fallback_spend: float | None  # mean transaction value, when Gamma-Gamma has no fit
    low_confidence_reasons: tuple[str, ...]


def fit_day(customers: Customers, history_days: int, mean_value: float | None,
            settings: Settings) -> DayFit:  # fmt: skip
    """Fit BG/NBD on every customer and Gamma-Gamma on repeat buyers with spend > 0.

    Never refuses: a model without the data it needs (no customer, no repeat buyer) has
    no fit, and the reasons for low confidence say so.
    """
    repeat = (customers.x > 0) & np.isfinite(customers.m) & (customers.m > 0)
    purchases = bgnbd.fit(customers.x, customers.t_x, customers.T) if customers.size else None
    spend = gammagamma.fit(customers.x[repeat], customers.m[repeat]) if np.any(repeat) else None
    reasons = []
    if customers.size < settings.min_customers:
        reasons.append(f"fewer than {settings.min_customers} customers")
    if int(np.sum(customers.x > 0)) < settings.min_repeat_buyers:
        reasons.append(f"fewer than {settings.min_repeat_buyers} repeat buyers")
    if history_days < settings.min_history_days:
        reasons.append(f"less than {settings.min_history_days} days of order history")
    if purchases is None or not purchases.converged:
        reasons.append("the purchase model did not converge" if purchases else "no customers")
    if spend is None or not spend.converged:
        reasons.append("the spend model did not converge" if spend else
                       "no spend model (no repeat purchase with a value)")  # fmt: skip
    return DayFit(
        purchases=purchases,
        spend=spend,
        customers=customers.size,
        repeat_buyers=int(np.sum(customers.x > 0)),
        history_days=history_days,
        fallback_spend=mean_value,
        low_confidence_reasons=tuple(reasons),
    )


def fit_row(fit: DayFit, settings: Settings) -> dict[str, Any]:
    """The model-fit table's row of D (the models add the date)."""
    purchases, spend = fit.purchases, fit.spend
    bg = purchases.params if purchases else None
    gg = spend.params if spend else None
    return {
        "time_unit": settings.time_unit,
        "customers": fit.customers,
        "repeat_buyers": fit.repeat_buyers,
        "spend_customers": spend.customers if spend else 0,
        "history_days": fit.history_days,
        "r": bg.r if bg else None,
        "alpha": bg.alpha if bg else None,
        "a": bg.a if bg else None,
        "b": bg.b if bg else None,
        "log_likelihood": purchases.log_likelihood if purchases else None,
        "is_converged": bool(purchases.converged) if purchases else False,
        "max_gradient": purchases.max_gradient if purchases else None,
        "p": gg.p if gg else None,
        "q": gg.q if gg else None,
        "gamma": gg.gamma if gg else None,
        "gg_log_likelihood": spend.log_likelihood if spend else None,
        "gg_is_converged": bool(spend.converged) if spend else False,
        "gg_max_gradient": spend.max_gradient if spend else None,
        "population_mean_spend": _population_spend(fit),
        "is_low_confidence": bool(fit.low_confidence_reasons),
        "low_confidence_reason": "; ".join(fit.low_confidence_reasons) or None,
    }


def _population_spend(fit: DayFit) -> float | None:
    if fit.spend is not None and fit.spend.params.q > 1:
        return fit.spend.params.population_mean
    return fit.fallback_spend


def _expected_orders(params: BgNbdParams, t: float, x: Array, t_x: Array, T: Array) -> Array:
    """E[Y(t) | x, t_x, T] (t in the model's unit); 0 for t = 0."""
    if t <= 0:
        return np.zeros_like(x)
    a = params.a if abs(params.a - 1.0) > 1e-9 else 1.0 + 1e-9  # the formula divides by a - 1
    safe = BgNbdParams(params.r, params.alpha, a, params.b)
    return bgnbd.conditional_expected_transactions(safe, t, x, t_x, T)


def _days_until_one_order(params: BgNbdParams, unit: int, limit: int, x: Array, t_x: Array,
                          T: Array) -> Array:  # fmt: skip
    """The first whole day n in 1 .. limit with E[Y(n days)] >= 1; nan if there is none.

    E[Y(t)] grows with t, so a bisection on whole days finds it.
    """
    low = np.zeros_like(x)  # E[Y(low)] < 1
    high = np.full_like(x, float(limit))
    reaches = _expected_orders(params, limit / unit, x, t_x, T) >= 1.0
    while True:
        middle = np.floor((low + high) / 2)
        open_ = reaches & (high - low > 1)
        if not np.any(open_):
            break
        values = np.zeros_like(x)
        idx = np.flatnonzero(open_)
        for days in np.unique(middle[idx]):  # one call per distinct day count
            sel = idx[middle[idx] == days]
            values[sel] = _expected_orders(params, days / unit, x[sel], t_x[sel], T[sel])
        up = open_ & (values >= 1.0)
        down = open_ & ~up
        high = np.where(up, middle, high)
        low = np.where(down, middle, low)
    return np.where(reaches, high, np.nan)


def _triple_scores(params: BgNbdParams, settings: Settings, x: Array, t_x: Array,
                   T: Array) -> dict[str, Array]:  # fmt: skip
    """The scores that depend only on (x, t_x, T): computed once per distinct triple."""
    unit = settings.unit_days
    short = _expected_orders(params, settings.short_horizon_days / unit, x, t_x, T)
    long = _expected_orders(params, settings.long_horizon_days / unit, x, t_x, T)
    alive = bgnbd.probability_alive(params, x, t_x, T)
    # No order in (D, D + t]: dead, or alive and Poisson-silent: E[exp(-lambda t)] over the
    # posterior Gamma(r + x, alpha + T) of the rate.
    long_t = settings.long_horizon_days / unit
    silent = ((params.alpha + T) / (params.alpha + T + long_t)) ** (params.r + x)
    month = 365.0 / 12.0 / unit
    monthly_rate = (1.0 + settings.annual_discount_rate) ** (1.0 / 12.0) - 1.0
    discounted = np.zeros_like(x)
    before = np.zeros_like(x)
    for i in range(1, settings.clv_months + 1):
        upto = _expected_orders(params, i * month, x, t_x, T)
        discounted += (upto - before) / (1.0 + monthly_rate) ** i
        before = upto
    return {
        "probability_alive": alive,
        "expected_orders_short_horizon": short,
        "expected_orders_long_horizon": long,
        "churn_probability": 1.0 - alive * (1.0 - silent),
        "discounted_orders": discounted,
        "days_until_expected_order": _days_until_one_order(
            params, unit, settings.long_horizon_days, x, t_x, T
        ),
    }


@dataclass(frozen=True)
class Params:
    """What scoring needs from a fit row."""

    purchases: BgNbdParams | None
    spend: GammaGammaParams | None  # None also when q <= 1 (no finite population mean)
    population_spend: float | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Params:
        def number(name: str) -> float | None:
            value = row.get(name)
            return None if value is None or pd.isna(value) else float(value)

        bg = [number(k) for k in ("r", "alpha", "a", "b")]
        gg = [number(k) for k in ("p", "q", "gamma")]
        purchases = BgNbdParams(*bg) if None not in bg else None  # type: ignore[arg-type]
        spend = GammaGammaParams(*gg) if None not in gg and gg[1] > 1 else None  # type: ignore
        return cls(purchases, spend, number("population_mean_spend"))


def score_customers(customers: Customers, params: Params, settings: Settings) -> pd.DataFrame:
    """One row per customer: the predictions of D (nan where the fit has no value)."""
    n = customers.size
    columns: dict[str, Any] = {"contact_id": customers.contact_id}
    names = ("probability_alive", "expected_orders_short_horizon", "expected_orders_long_horizon",
             "churn_probability", "discounted_orders", "days_until_expected_order")  # fmt: skip
    if params.purchases is not None and n:
        stacked = np.column_stack([customers.x, customers.t_x, customers.T])
        triples, index = np.unique(stacked, axis=0, return_inverse=True)
        index = index.ravel()
        x, t_x, T = (triples[:, k].copy() for k in range(3))
        scores = _triple_scores(params.purchases, settings, x, t_x, T)
        for name in names:
            columns[name] = scores[name][index]
    else:
        for name in names:
            columns[name] = np.full(n, np.nan)
    columns["expected_spend_per_order"] = _expected_spend(customers, params)
    columns["predicted_clv"] = columns["discounted_orders"] * columns["expected_spend_per_order"]
    del columns["discounted_orders"]
    return pd.DataFrame(columns)


def _expected_spend(customers: Customers, params: Params) -> Array:
    """Gamma-Gamma's E[spend per order | x, m]; the population's for non-repeaters."""
    if params.spend is not None:
        spenders = (customers.x > 0) & np.isfinite(customers.m) & (customers.m > 0)
        m = np.where(spenders, customers.m, 0.0)
        x = np.where(spenders, customers.x, 0.0)
        return gammagamma.conditional_expected_spend(params.spend, x, m)
    fallback = params.population_spend if params.population_spend is not None else np.nan
    return np.full(customers.size, float(fallback))


def _in_key_order(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary by contact_id: every sum runs in one order, whatever the engine gave."""
    return summary.sort_values("contact_id", kind="stable").reset_index(drop=True)


def fit_frame(summary: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The fit of the summary's day, as a one-row frame (the model-fit table's row)."""
    summary = _in_key_order(summary)
    customers = Customers.from_frame(summary, settings.unit_days)
    history = int(summary["age_days"].max()) if len(summary) else 0
    transactions = float(summary["transactions"].sum()) if len(summary) else 0.0
    total = float(pd.to_numeric(summary["value_total"]).sum()) if len(summary) else 0.0
    mean_value = total / transactions if transactions else None
    row = fit_row(fit_day(customers, history, mean_value, settings), settings)
    return pd.DataFrame([row]).astype({k: "Float64" for k in FLOAT_COLUMNS})  # NaN -> null


def score_frame(summary: pd.DataFrame, fit: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The scores of every customer of the summary with the fit's parameters."""
    customers = Customers.from_frame(summary, settings.unit_days)
    params = Params.from_row(fit.iloc[0].to_dict()) if len(fit) else Params(None, None, None)
    scores = score_customers(customers, params, settings)
    return scores.astype({c: "Float64" for c in scores.columns if c != "contact_id"})  # NaN -> null
