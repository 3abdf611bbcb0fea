"""Fit the purchase and spend models on a calibration period, check them on the holdout.

The warehouse's valid orders (``analytics.int_valid_orders``) are summarised per
customer in SQL: the orders of one customer on one day are one transaction (the papers
count days with a purchase); the cohort is every customer whose first transaction is on
or before the calibration end. For each cohort customer, in the chosen time unit
(weeks = days / 7), the time of a day being the days since the first transaction:

- x: repeat transactions up to the calibration end; t_x: the time of the last one;
- T: the time of the calibration end; the holdout count: transactions in
  (calibration end, holdout end];
- m: the mean value of the repeat transactions up to the calibration end (Gamma-Gamma).

BG/NBD is fitted on every cohort customer, Gamma-Gamma on those with x > 0 and m > 0,
and the predictions are compared with the holdout as in Fader, Hardie and Lee (2005):
holdout totals, the per-customer correlation, conditional expectations by x, and the
cumulative repeat transactions week by week (predicted: the sum over customers of
E[X(t - their first transaction)]).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from numpy.typing import NDArray

from followup.errors import PredictError, Refused
from followup.predict import bgnbd, gammagamma

SCHEMA = "analytics"
ORDERS = f"{SCHEMA}.int_valid_orders"
UNIT_DAYS = {"days": 1, "weeks": 7}
GROUPS = 7  # conditional expectations for x = 0 .. 6, then 7+

CUSTOMERS_SQL = f"""
with transactions as (
    select contact_id, order_date as day, sum(total_amount) as value, count(*) as orders
    from {ORDERS}
    where contact_id is not null and order_date <= $holdout_end
    group by contact_id, order_date
),

cohort as (
    select contact_id, min(day) as first_day
    from transactions
    group by contact_id
    having min(day) <= $calibration_end
)

select
    cohort.contact_id,
    cohort.first_day,
    cast(count(*) filter (where t.day <= $calibration_end) - 1 as integer) as x,
    datediff('day', cohort.first_day, max(t.day) filter (where t.day <= $calibration_end))
        as recency_days,
    datediff('day', cohort.first_day, $calibration_end) as age_days,
    cast(count(*) filter (where t.day > $calibration_end) as integer) as holdout,
    cast(avg(t.value) filter (
        where t.day > cohort.first_day and t.day <= $calibration_end
    ) as double) as mean_repeat_value,
    cast(sum(t.orders) as integer) as orders
from cohort
inner join transactions as t on cohort.contact_id = t.contact_id
group by cohort.contact_id, cohort.first_day
order by cohort.contact_id
"""

# The cohort's repeat transactions (after each customer's first) per day since the start.
REPEATS_SQL = f"""
with transactions as (
    select distinct contact_id, order_date as day
    from {ORDERS}
    where contact_id is not null and order_date <= $holdout_end
),

cohort as (
    select contact_id, min(day) as first_day
    from transactions
    group by contact_id
    having min(day) <= $calibration_end
)

select datediff('day', $start, t.day) as offset_days, count(*) as repeats
from transactions as t
inner join cohort on t.contact_id = cohort.contact_id
where t.day > cohort.first_day
group by offset_days
"""


@dataclass(frozen=True)
class Periods:
    """The calibration period ends on calibration_end, the holdout on holdout_end."""

    calibration_end: dt.date
    holdout_end: dt.date
    time_unit: str = "weeks"

    def __post_init__(self) -> None:
        if self.time_unit not in UNIT_DAYS:
            raise PredictError(f"time unit {self.time_unit!r}: use days or weeks")
        if self.holdout_end <= self.calibration_end:
            raise PredictError(
                f"the holdout end {self.holdout_end} must come after the calibration end "
                f"{self.calibration_end}"
            )

    @property
    def unit_days(self) -> int:
        return UNIT_DAYS[self.time_unit]

    @property
    def holdout_length(self) -> float:
        return (self.holdout_end - self.calibration_end).days / self.unit_days


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection; a file a build is writing is refused (exit code 1)."""
    if not path.is_file():
        raise PredictError(f"no DuckDB warehouse at {path} (set FOLLOWUP_DUCKDB_PATH)")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise Refused(f"{path} is being written (a build holds it); try again later") from None
        raise PredictError(f"{path} cannot be opened as a DuckDB file: {exc}") from None


def _check_warehouse(con: duckdb.DuckDBPyConnection, path: Path, periods: Periods) -> None:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'int_valid_orders'",
        [SCHEMA],
    ).fetchone()[0]
    if not found:
        raise PredictError(
            f"{path} has no {ORDERS}: load and build the warehouse first (followup load, "
            "then followup build, or dbt build --select +int_valid_orders)"
        )
    built_for = con.execute(f"select max(order_date + days_ago) from {ORDERS}").fetchone()[0]
    if built_for is not None and built_for < periods.holdout_end:
        raise PredictError(
            f"{path} was built for {built_for}, before the holdout end {periods.holdout_end}: "
            "its valid orders stop there; build it for the holdout end or a later day"
        )


def read_customers(con: duckdb.DuckDBPyConnection, periods: Periods) -> dict[str, NDArray]:
    """One array per column of CUSTOMERS_SQL, one value per cohort customer."""
    parameters = {"calibration_end": periods.calibration_end, "holdout_end": periods.holdout_end}
    return con.execute(CUSTOMERS_SQL, parameters).fetchnumpy()


def read_repeats(
    con: duckdb.DuckDBPyConnection, periods: Periods, start: dt.date
) -> dict[str, NDArray]:
    parameters = {
        "calibration_end": periods.calibration_end,
        "holdout_end": periods.holdout_end,
        "start": start,
    }
    return con.execute(REPEATS_SQL, parameters).fetchnumpy()


def _as_float(values: NDArray) -> NDArray[np.float64]:
    return np.asarray(np.ma.filled(values, np.nan), dtype=np.float64)


def conditional_expectations(x: NDArray, actual: NDArray, predicted: NDArray) -> list[dict]:
    """Mean holdout transactions, actual and predicted, by x = 0 .. 6 and 7+."""
    group = np.minimum(x, GROUPS).astype(int)
    customers = np.bincount(group, minlength=GROUPS + 1)
    actual_sum = np.bincount(group, weights=actual, minlength=GROUPS + 1)
    predicted_sum = np.bincount(group, weights=predicted, minlength=GROUPS + 1)
    return [
        {
            "calibration_repeat_transactions": f"{k}+" if k == GROUPS else str(k),
            "customers": int(customers[k]),
            "actual_mean": float(actual_sum[k] / customers[k]) if customers[k] else None,
            "predicted_mean": float(predicted_sum[k] / customers[k]) if customers[k] else None,
        }
        for k in range(GROUPS + 1)
    ]


def cumulative_by_week(
    params: bgnbd.BgNbdParams,
    periods: Periods,
    start: dt.date,
    first_offsets: NDArray,
    repeats: dict[str, NDArray],
) -> list[dict]:
    """Cumulative repeat transactions at the end of each week from the cohort's start."""
    span = (periods.holdout_end - start).days  # the last day's offset
    week_last = np.minimum(np.arange(1, math.ceil((span + 1) / 7) + 1) * 7 - 1, span)
    per_day = np.zeros(span + 1)
    np.add.at(per_day, repeats["offset_days"].astype(int), repeats["repeats"].astype(float))
    actual = np.cumsum(per_day)[week_last]
    offsets, customers = np.unique(first_offsets.astype(int), return_counts=True)
    elapsed = np.maximum(week_last[:, None] - offsets[None, :], 0) / periods.unit_days
    predicted = bgnbd.expected_transactions(params, elapsed) @ customers
    return [
        {
            "week": int(k + 1),
            "end_date": (start + dt.timedelta(days=int(last))).isoformat(),
            "actual": int(actual[k]),
            "predicted": float(predicted[k]),
        }
        for k, last in enumerate(week_last)
    ]


def _correlation(a: NDArray, b: NDArray) -> float | None:
    if a.size < 2 or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def _fit_status(fit: bgnbd.BgNbdFit | gammagamma.GammaGammaFit) -> dict[str, Any]:
    return {"converged": fit.converged, "max_gradient": fit.max_gradient, "message": fit.message}


def run_backtest(warehouse: Path, periods: Periods) -> dict[str, Any]:
    """Fit on the calibration period of the warehouse, compare with the holdout: a JSON dict."""
    con = _open(warehouse)
    try:
        _check_warehouse(con, warehouse, periods)
        rows = read_customers(con, periods)
        if len(rows["contact_id"]) == 0:
            raise Refused(
                f"no customer made a first valid order on or before {periods.calibration_end}"
            )
        first_day = rows["first_day"].astype("datetime64[D]")
        start = first_day.min().astype(dt.date)
        repeats = read_repeats(con, periods, start)
    finally:
        con.close()

    unit = periods.unit_days
    x = rows["x"].astype(np.float64)
    t_x = _as_float(rows["recency_days"]) / unit
    t_x = np.where(x > 0, t_x, 0.0)
    age = rows["age_days"].astype(np.float64) / unit
    holdout = rows["holdout"].astype(np.float64)
    mean_value = _as_float(rows["mean_repeat_value"])
    if not np.any(x > 0):
        raise Refused("no customer of the cohort bought again in the calibration period")

    purchases = bgnbd.fit(x, t_x, age)
    params = purchases.params
    predicted = bgnbd.conditional_expected_transactions(params, periods.holdout_length, x, t_x, age)
    spenders = (x > 0) & (mean_value > 0)
    spend = gammagamma.fit(x[spenders], mean_value[spenders])
    first_offsets = (first_day - np.datetime64(start, "D")).astype(int)
    weeks = cumulative_by_week(params, periods, start, first_offsets, repeats)
    customers = int(x.size)
    return {
        "calibration_start": start.isoformat(),
        "calibration_end": periods.calibration_end.isoformat(),
        "holdout_end": periods.holdout_end.isoformat(),
        "time_unit": periods.time_unit,
        "holdout_length": periods.holdout_length,
        "customers": customers,
        "orders": int(rows["orders"].sum()),
        "transactions": int(customers + x.sum() + holdout.sum()),
        "repeat_buyers": int(np.sum(x > 0)),
        "r": params.r,
        "alpha": params.alpha,
        "a": params.a,
        "b": params.b,
        "log_likelihood": purchases.log_likelihood,
        "p": spend.params.p,
        "q": spend.params.q,
        "gamma": spend.params.gamma,
        "gg_log_likelihood": spend.log_likelihood,
        "gg_customers": spend.customers,
        "gg_population_mean_spend": spend.params.population_mean,
        "holdout_predicted": float(predicted.sum()),
        "holdout_actual": int(holdout.sum()),
        "holdout_predicted_per_customer": float(predicted.mean()),
        "holdout_actual_per_customer": float(holdout.mean()),
        "correlation": _correlation(predicted, holdout),
        "mean_probability_alive": float(bgnbd.probability_alive(params, x, t_x, age).mean()),
        "conditional_expectations": conditional_expectations(x, holdout, predicted),
        "cumulative_by_week": weeks,
        "cumulative_repeat_predicted_end": weeks[-1]["predicted"],
        "cumulative_repeat_actual_end": weeks[-1]["actual"],
        "converged": purchases.converged and spend.converged,
        "fits": {"bgnbd": _fit_status(purchases), "gammagamma": _fit_status(spend)},
    }
