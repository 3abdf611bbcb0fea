"""The BG/NBD model of repeat purchases (Fader, Hardie and Lee 2005).

"Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model",
Marketing Science 24(2), 275-284, and Hardie's notes 004 (the likelihood, section 7)
and 021 (P(alive)). While alive, a customer buys as a Poisson process with rate
lambda ~ Gamma(r, alpha); after every purchase she drops out with probability
p ~ Beta(a, b). A customer is summarised by three numbers, in one time unit:

- ``x``: repeat purchases in the calibration period (purchases after the first);
- ``t_x``: time of the last purchase since the first (0 if x = 0);
- ``T``: time from the first purchase to the end of the calibration period.

Every function takes numpy arrays (one value per customer) and works on them whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, gammaln, hyp2f1

from followup.predict.optimize import (
    Fit,
    distinct_rows,
    fit_from,
    float_arrays,
    maximise_distinct,
)

Array = NDArray[np.float64]


@dataclass(frozen=True)
class BgNbdParams:
    """r and alpha: the Gamma of purchase rates; a and b: the Beta of drop-out chances.

    alpha is in the time unit of the data (alpha in days = 7 x alpha in weeks).
    """

    r: float
    alpha: float
    a: float
    b: float


BgNbdFit = Fit[BgNbdParams]


def log_likelihood_terms(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """The log-likelihood of each customer (note 004, eq. 6 in logs).

    L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))

    The two terms are added in log space (logaddexp), so neither underflows.
    """
    x, t_x, T = float_arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    still_alive = betaln(a, b + x) - (r + x) * np.log(alpha + T)
    x_at_least_1 = np.maximum(x, 1.0)  # the second term exists only for x > 0
    dropped_out = np.where(
        x > 0,
        betaln(a + 1, b + x_at_least_1 - 1) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return common + np.logaddexp(still_alive, dropped_out)


def log_likelihood(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> float:
    """The total log-likelihood of all customers."""
    return float(np.sum(log_likelihood_terms(params, x, t_x, T)))


def check_summary(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> None:
    """Raise ValueError unless x >= 0 is whole, 0 <= t_x <= T, and t_x = 0 when x = 0."""
    x, t_x, T = float_arrays(x, t_x, T)
    if not (x.shape == t_x.shape == T.shape) or x.size == 0:
        raise ValueError("x, t_x and T must be non-empty arrays of one shape")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("x (repeat purchases) must be whole numbers >= 0")
    if np.any(t_x < 0) or np.any(t_x > T) or np.any((x == 0) & (t_x != 0)):
        raise ValueError("t_x must lie in [0, T], and be 0 for customers without repeat purchases")


def fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BgNbdFit:
    """Fit r, alpha, a, b by maximum likelihood (deterministic; see followup.predict.optimize).

    Customers with the same (x, t_x, T) have the same likelihood, so each distinct
    triple is evaluated once and weighted by its count: the fit is faster on large
    data and does not depend on the order of the customers.
    """
    check_summary(x, t_x, T)
    (x, t_x, T), counts = distinct_rows(*float_arrays(x, t_x, T))
    optimum = maximise_distinct(_total_log_likelihood, [x, t_x, T], counts, 4)
    return fit_from(BgNbdParams(*(float(v) for v in optimum.params)), optimum, int(counts.sum()))


def _total_log_likelihood(
    x: Array, t_x: Array, T: Array, counts: Array
) -> Callable[[NDArray[np.float64]], float]:
    """sum(counts x log_likelihood_terms) as a function of (r, alpha, a, b), made fast.

    The special functions depend on x alone and the logarithms on T or t_x alone, so
    they are computed once per distinct value (a few hundred, a few thousand) and
    indexed; only additions and one logaddexp run over every triple.
    """
    xs, ix = np.unique(x, return_inverse=True)
    Ts, iT = np.unique(T, return_inverse=True)
    ts, it = np.unique(t_x, return_inverse=True)
    xs_at_least_1 = np.maximum(xs, 1.0)

    def total(params: NDArray[np.float64]) -> float:
        r, alpha, a, b = (float(v) for v in params)
        common = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        alive = betaln(a, b + xs)
        dropped = np.where(xs > 0, betaln(a + 1, b + xs_at_least_1 - 1), -np.inf)
        r_x = r + x
        terms = common[ix] + np.logaddexp(
            alive[ix] - r_x * np.log(alpha + Ts)[iT],
            dropped[ix] - r_x * np.log(alpha + ts)[it],
        )
        return float(counts @ terms)

    return total


def probability_alive(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """P(alive | x, t_x, T) at the end of the calibration period (note 021).

    1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)). A customer without
    repeat purchases is alive by the model's definition: a drop-out can only happen
    right after a purchase, and her only purchase was the first.
    """
    x, t_x, T = float_arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    log_odds_dead = (
        np.log(a)
        - np.log(b + np.maximum(x, 1.0) - 1)
        + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds_dead)), 1.0)


def _one_minus_tail(params: BgNbdParams, x: Array, z: Array) -> Array:
    """1 - (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z), through Euler's transformation.

    2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z), so the product equals
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): the same value, but the series no
    longer blows up as z -> 1 or x grows (the published form overflows there).
    """
    r, a, b = params.r, params.a, params.b
    return 1.0 - (1.0 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)


def expected_transactions(params: BgNbdParams, t: ArrayLike) -> Array:
    """E[X(t)]: expected repeat purchases in (0, t] of a customer whose first is at 0 (eq. 9).

    (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]
    """
    (t,) = float_arrays(t)
    a, b = params.a, params.b
    z = t / (params.alpha + t)
    return (a + b - 1) / (a - 1) * _one_minus_tail(params, np.zeros_like(t), z)


def conditional_expected_transactions(
    params: BgNbdParams, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> Array:
    """E[Y(t) | x, t_x, T]: expected purchases in the t after the calibration period (eq. 10).

    (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
    / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
    """
    t, x, t_x, T = float_arrays(t, x, t_x, T)
    a, b = params.a, params.b
    z = t / (params.alpha + T + t)
    expected_if_alive = (a + b + x - 1) / (a - 1) * _one_minus_tail(params, x, z)
    return expected_if_alive * probability_alive(params, x, t_x, T)
