"""Maximum likelihood over log-parameters, the same way for every model.

The parameters of both models are positive, so they are fitted on their logarithms
(no bounds needed). The search is deterministic: it always starts at 1.0 for every
parameter, runs Nelder-Mead (robust far from the optimum), then refines with L-BFGS-B
on central-difference gradients. The fit counts as converged when the final point is
stationary: every derivative of the mean log-likelihood per customer with respect to
the log-parameters is below ``GRADIENT_TOLERANCE``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

GRADIENT_TOLERANCE = 1e-5
# Parameters are searched within exp(-20) .. exp(20) (2e-9 .. 5e8). Far beyond, the
# differences of log-Gamma functions of huge arguments are rounding noise, and noise can
# look like a likelihood higher than any real one.
LOG_PARAM_LIMIT = 20.0
STEP = 1e-6  # central-difference step on the log-parameters

Objective = Callable[[NDArray[np.float64]], float]
P = TypeVar("P")


@dataclass(frozen=True)
class Fit(Generic[P]):
    """A maximum likelihood fit of a model with parameters P."""

    params: P
    log_likelihood: float
    converged: bool
    max_gradient: float
    message: str
    customers: int


def fit_from(params: P, optimum: Optimum, customers: int) -> Fit[P]:
    """The fit a model reports: its parameters and how the search ended."""
    return Fit(
        params=params,
        log_likelihood=optimum.log_likelihood,
        converged=optimum.converged,
        max_gradient=optimum.max_gradient,
        message=optimum.message,
        customers=customers,
    )


def float_arrays(*values: ArrayLike) -> list[NDArray[np.float64]]:
    """Each value as a float64 array (the models' inputs)."""
    return [np.asarray(v, dtype=np.float64) for v in values]


def distinct_rows(
    *columns: NDArray[np.float64],
) -> tuple[list[NDArray[np.float64]], NDArray[np.float64]]:
    """The distinct rows of the columns (sorted), one array per column, and their counts."""
    rows, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return [rows[:, k].copy() for k in range(rows.shape[1])], counts.astype(np.float64)


@dataclass(frozen=True)
class Optimum:
    """The maximum found: parameters, log-likelihood and how the search ended."""

    params: NDArray[np.float64]  # on the natural scale (exp of the log-parameters)
    log_likelihood: float  # the total over all customers
    converged: bool
    max_gradient: float  # of the mean log-likelihood per customer, w.r.t. log-parameters
    message: str


def _gradient(objective: Objective, point: NDArray[np.float64]) -> NDArray[np.float64]:
    steps = np.eye(point.size) * STEP
    return np.array([(objective(point + s) - objective(point - s)) / (2 * STEP) for s in steps])


LogLikelihood = Callable[[NDArray[np.float64]], float]


def _objective(log_likelihood: LogLikelihood, n_customers: int) -> Objective:
    """Minus the mean log-likelihood per customer, over the log-parameters."""

    def objective(log_params: NDArray[np.float64]) -> float:
        if np.any(np.abs(log_params) > LOG_PARAM_LIMIT):
            return np.inf  # out of the box: the special functions lose their precision there
        with np.errstate(all="ignore"):
            value = -log_likelihood(np.exp(log_params)) / n_customers
        return float(value) if np.isfinite(value) else np.inf

    return objective


def maximise(
    log_likelihood: LogLikelihood,
    n_params: int,
    n_customers: int,
    sample: tuple[LogLikelihood, int] | None = None,
    starts: list[NDArray[np.float64]] | None = None,
) -> Optimum:
    """Maximise ``log_likelihood(params)`` (the total) over positive parameters.

    Nelder-Mead runs on ``sample`` (a log-likelihood over a fixed part of the data and
    its customers) when given, which saves most of the time on large data; L-BFGS-B
    then refines on all the data, which decides the optimum and its convergence. Each
    of ``starts`` (natural-scale parameters; default all 1.0) is searched from, in turn,
    and the best end point wins: a search can stall on a ridge, two rarely stall alike.
    """
    objective = _objective(log_likelihood, n_customers)
    coarse_objective = _objective(*sample) if sample else objective
    searches = [
        _search(objective, coarse_objective, start) for start in (starts or [np.ones(n_params)])
    ]
    best_x, message = min(searches, key=lambda found: objective(found[0]))
    best_fun = objective(best_x)
    gradient = _gradient(objective, best_x)
    max_gradient = float(np.max(np.abs(gradient))) if np.all(np.isfinite(gradient)) else np.inf
    converged = bool(np.isfinite(best_fun) and max_gradient < GRADIENT_TOLERANCE)
    params = np.exp(best_x)
    return Optimum(
        params=params,
        log_likelihood=float(log_likelihood(params)),
        converged=converged,
        max_gradient=max_gradient,
        message=message,
    )


def _search(
    objective: Objective, coarse_objective: Objective, start: NDArray[np.float64]
) -> tuple[NDArray[np.float64], str]:
    """Nelder-Mead from ``start`` (natural scale), then L-BFGS-B: the better end point."""
    coarse = minimize(
        coarse_objective,
        np.log(start),
        method="Nelder-Mead",
        options={"xatol": 1e-4, "fatol": 1e-10, "maxiter": 20_000, "maxfev": 40_000},
    )
    fine = minimize(
        objective,
        coarse.x,
        method="L-BFGS-B",
        jac="3-point",
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1_000},
    )
    best_x = fine.x if fine.fun <= objective(coarse.x) else coarse.x
    return best_x, f"Nelder-Mead: {coarse.message}; L-BFGS-B: {fine.message}"


SAMPLE_ROWS = 20_000


def maximise_distinct(
    total_for: Callable[..., LogLikelihood],
    columns: list[NDArray[np.float64]],
    counts: NDArray[np.float64],
    n_params: int,
    starts: list[NDArray[np.float64]] | None = None,
) -> Optimum:
    """``maximise`` over distinct rows (``columns``, each row weighted by its count).

    ``total_for(*columns, counts)`` builds the total log-likelihood of some rows; on large
    data Nelder-Mead searches on a systematic sample of them first.
    """
    rows = systematic_sample(counts.size)
    sample = None
    if rows is not None:
        sample = (total_for(*(c[rows] for c in columns), counts[rows]), int(counts[rows].sum()))
    return maximise(total_for(*columns, counts), n_params, int(counts.sum()), sample, starts)


def systematic_sample(n_rows: int) -> NDArray[np.intp] | None:
    """Every k-th of ``n_rows`` sorted distinct rows, about SAMPLE_ROWS of them (None: all).

    The start of the search only: a fixed choice, so the fit stays deterministic.
    """
    if n_rows <= 2 * SAMPLE_ROWS:
        return None
    return np.arange(0, n_rows, -(-n_rows // SAMPLE_ROWS))
