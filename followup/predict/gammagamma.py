"""The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005).

"RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of
Marketing Research 42(4), 415-430, and Hardie's note 025. The value of each purchase
of a customer is Gamma(p, nu); her nu is Gamma(q, gamma) over customers. The model
is fitted on repeat buyers only, each summarised by:

- ``x``: the number of repeat purchases in the calibration period (x > 0);
- ``m``: the mean value of those repeat purchases (m > 0).

Every function takes numpy arrays (one value per customer) and works on them whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln

from followup.predict.optimize import (
    Fit,
    distinct_rows,
    fit_from,
    float_arrays,
    maximise_distinct,
)

Array = NDArray[np.float64]


@dataclass(frozen=True)
class GammaGammaParams:
    """p: the shape of spend per purchase; q and gamma: the Gamma of its scale nu."""

    p: float
    q: float
    gamma: float

    @property
    def population_mean(self) -> float:
        """The mean spend per purchase over all customers, p gamma / (q - 1) (q > 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")


GammaGammaFit = Fit[GammaGammaParams]


def log_likelihood_terms(params: GammaGammaParams, x: ArrayLike, m: ArrayLike) -> Array:
    """The log density of each customer's mean spend m given x (note 025, eq. 1a).

    f(m | p, q, gamma; x) = G(px+q) / (G(px) G(q)) gamma^q m^(px-1) x^(px) / (gamma+mx)^(px+q)
    """
    x, m = float_arrays(x, m)
    p, q, gamma = params.p, params.q, params.gamma
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + m * x)
    )


def log_likelihood(params: GammaGammaParams, x: ArrayLike, m: ArrayLike) -> float:
    """The total log-likelihood of all repeat buyers."""
    return float(np.sum(log_likelihood_terms(params, x, m)))


def fit(x: ArrayLike, m: ArrayLike) -> GammaGammaFit:
    """Fit p, q, gamma by maximum likelihood on repeat buyers (x > 0, m > 0)."""
    x, m = float_arrays(x, m)
    if x.shape != m.shape or x.size == 0:
        raise ValueError("x and m must be non-empty arrays of one shape")
    if np.any(x <= 0) or np.any(m <= 0) or not np.all(np.isfinite(m)):
        raise ValueError("the Gamma-Gamma model needs repeat buyers: x > 0 and mean spend m > 0")
    (x, m), counts = distinct_rows(x, m)
    # From 1.0, and from a start on the data's scale (p = 1, q = 2: the mean spend is
    # gamma), since the Nelder-Mead search from 1.0 can stall on a ridge towards p -> inf.
    scaled = np.array([1.0, 2.0, float(counts @ m / counts.sum())])
    optimum = maximise_distinct(_total_log_likelihood, [x, m], counts, 3, [np.ones(3), scaled])
    return fit_from(
        GammaGammaParams(*(float(v) for v in optimum.params)), optimum, int(counts.sum())
    )


def _total_log_likelihood(
    x: Array, m: Array, counts: Array
) -> Callable[[NDArray[np.float64]], float]:
    """sum(counts x log_likelihood_terms) as a function of (p, q, gamma), made fast.

    The Gamma functions depend on x alone: computed once per distinct x and indexed.
    """
    xs, ix = np.unique(x, return_inverse=True)
    log_m, x_log_x = np.log(m), x * np.log(x)

    def total(params: NDArray[np.float64]) -> float:
        p, q, gamma = (float(v) for v in params)
        by_x = gammaln(p * xs + q) - gammaln(p * xs)
        terms = (
            by_x[ix]
            - gammaln(q)
            + q * np.log(gamma)
            + (p * x - 1) * log_m
            + p * x_log_x
            - (p * x + q) * np.log(gamma + m * x)
        )
        return float(counts @ terms)

    return total


def conditional_expected_spend(params: GammaGammaParams, x: ArrayLike, m: ArrayLike) -> Array:
    """E[spend per purchase | x, m]: the customer's mean pulled towards the population's.

    (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * m = p (gamma + m x) / (px + q - 1).
    A customer without repeat purchases (x = 0) gets the population mean.
    """
    x, m = float_arrays(x, m)
    p, q, gamma = params.p, params.q, params.gamma
    m = np.where(x > 0, m, 0.0)
    return p * (gamma + m * x) / (p * x + q - 1)
