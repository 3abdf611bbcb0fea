"""The BG/NBD and Gamma-Gamma functions against hand values and independent computations.

The hand values write each published formula out term by term with math.gamma, without
the log-space rearrangements of followup.predict. The CDNOW fit itself is checked in
test_backtest_cdnow.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import hyp2f1

from followup.predict import bgnbd, gammagamma
from followup.predict.bgnbd import BgNbdParams
from followup.predict.gammagamma import GammaGammaParams

# The published CDNOW estimates (weeks).
CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


def beta_function(a: float, b: float) -> float:
    return math.gamma(a) * math.gamma(b) / math.gamma(a + b)


def bgnbd_likelihood_by_hand(p: BgNbdParams, x: int, t_x: float, T: float) -> float:
    """FHL (2005) eq. 6: the likelihood of one customer, written out."""
    r, alpha, a, b = p.r, p.alpha, p.a, p.b
    nbd = math.gamma(r + x) * alpha**r / math.gamma(r)
    alive = beta_function(a, b + x) / beta_function(a, b) * nbd / (alpha + T) ** (r + x)
    if x == 0:
        return alive
    dropped = beta_function(a + 1, b + x - 1) / beta_function(a, b) * nbd / (alpha + t_x) ** (r + x)
    return alive + dropped


@pytest.mark.parametrize(
    ("x", "t_x", "T"), [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 29.43, 38.86), (1, 0.5, 1.0)]
)
def test_bgnbd_log_likelihood_of_one_customer_equals_the_formula(x, t_x, T) -> None:
    expected = math.log(bgnbd_likelihood_by_hand(CDNOW, x, t_x, T))
    assert bgnbd.log_likelihood(CDNOW, [x], [t_x], [T]) == pytest.approx(expected, rel=1e-12)


def test_bgnbd_log_likelihood_matches_the_published_spreadsheet_rows() -> None:
    # FHL's Excel note, customers 0001 (x=2, t_x=30.43, T=38.86) and 0003 (x=0): ln L.
    terms = bgnbd.log_likelihood_terms(CDNOW, [2, 0], [30.43, 0.0], [38.86, 38.86])
    assert terms == pytest.approx([-9.46, -0.554], abs=0.005)
    # x = 0: L = (alpha / (alpha + T))^r exactly.
    assert terms[1] == pytest.approx(CDNOW.r * math.log(CDNOW.alpha / (CDNOW.alpha + 38.86)))


def test_bgnbd_total_is_the_sum_and_many_repeat_purchases_stay_finite() -> None:
    x, t_x, T = np.array([0, 3, 250]), np.array([0.0, 10.0, 38.0]), np.array([20.0, 38.0, 38.5])
    terms = bgnbd.log_likelihood_terms(CDNOW, x, t_x, T)
    assert np.all(np.isfinite(terms))
    assert bgnbd.log_likelihood(CDNOW, x, t_x, T) == pytest.approx(terms.sum())


def test_probability_alive_is_one_without_repeat_purchases() -> None:
    T = np.array([0.0, 1.0, 38.86, 500.0])
    assert np.array_equal(bgnbd.probability_alive(CDNOW, np.zeros(4), np.zeros(4), T), np.ones(4))


def test_probability_alive_equals_the_formula() -> None:
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    x, t_x, T = 2, 30.43, 38.86
    expected = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    assert bgnbd.probability_alive(CDNOW, [x], [t_x], [T])[0] == pytest.approx(expected)
    assert expected == pytest.approx(0.73, abs=0.005)  # the spreadsheet's customer 0001


def test_expected_transactions_equals_the_published_form_and_an_integral() -> None:
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    for t in (0.5, 39.0, 78.0):
        published = (
            (a + b - 1)
            / (a - 1)
            * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
        )

        # E[X(t) | lambda, p] = (1 - exp(-lambda p t)) / p (FHL eq. 7); lambda integrated
        # out analytically, p ~ Beta(a, b) numerically (quad's algebraic weight).
        def given_p(p: float, t: float = t) -> float:
            if p == 0:
                return r * t / alpha / beta_function(a, b)  # the limit as p -> 0
            return -math.expm1(-r * math.log1p(p * t / alpha)) / p / beta_function(a, b)

        integral, _ = quad(given_p, 0, 1, weight="alg", wvar=(a - 1, b - 1))
        value = bgnbd.expected_transactions(CDNOW, [t])[0]
        assert value == pytest.approx(published, rel=1e-10)
        assert value == pytest.approx(integral, rel=1e-7)
    # At the start purchases come at the mean rate r / alpha.
    assert bgnbd.expected_transactions(CDNOW, [1e-6])[0] / 1e-6 == pytest.approx(
        r / alpha, rel=1e-5
    )


def test_conditional_expectation_equals_the_published_form() -> None:
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    t = 39.0
    for x, t_x, T in [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 29.43, 38.86)]:
        z = t / (alpha + T + t)
        numerator = (
            (a + b + x - 1)
            / (a - 1)
            * (
                1
                - ((alpha + T) / (alpha + T + t)) ** (r + x)
                * hyp2f1(r + x, b + x, a + b + x - 1, z)
            )
        )
        denominator = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        value = bgnbd.conditional_expected_transactions(CDNOW, t, [x], [t_x], [T])[0]
        assert value == pytest.approx(numerator / denominator, rel=1e-9)
    # A new customer (x = 0, T = 0) expects what E[X(t)] says.
    assert bgnbd.conditional_expected_transactions(CDNOW, t, [0], [0.0], [0.0])[0] == (
        pytest.approx(bgnbd.expected_transactions(CDNOW, [t])[0])
    )


def test_conditional_expectation_stays_finite_for_heavy_buyers() -> None:
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    t, T = 39.0, 38.5
    x = np.array([10.0, 200.0, 1000.0, 5000.0])
    z = t / (alpha + T + t)
    with np.errstate(all="ignore"):
        published = (
            (a + b + x - 1)
            / (a - 1)
            * (
                1
                - ((alpha + T) / (alpha + T + t)) ** (r + x)
                * hyp2f1(r + x, b + x, a + b + x - 1, z)
            )
        )
    value = bgnbd.conditional_expected_transactions(CDNOW, t, x, np.full(4, T), np.full(4, T))
    alive = bgnbd.probability_alive(CDNOW, x, np.full(4, T), np.full(4, T))
    assert value[:3] == pytest.approx(published[:3] * alive[:3], rel=1e-9)
    assert np.isnan(published[3])  # the published form breaks down here; ours does not
    assert np.all(np.isfinite(value)) and np.all(np.diff(value) > 0)


def simulate_bgnbd(p: BgNbdParams, customers: int, T: float, seed: int) -> tuple[np.ndarray, ...]:
    """x, t_x, T of customers drawn from the model: one loop per purchase, not per customer."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(p.r, 1 / p.alpha, customers)
    drop = rng.beta(p.a, p.b, customers)
    x, t_x, clock = np.zeros(customers), np.zeros(customers), np.zeros(customers)
    active = np.ones(customers, dtype=bool)
    while active.any():
        clock[active] += rng.exponential(1 / rate[active])
        active &= clock <= T
        x[active] += 1
        t_x[active] = clock[active]
        active &= rng.random(customers) >= drop
    return x, t_x, np.full(customers, T)


def test_fit_recovers_the_parameters_of_simulated_customers_in_any_time_unit() -> None:
    truth = BgNbdParams(r=0.5, alpha=6.0, a=0.8, b=2.5)
    x, t_x, T = simulate_bgnbd(truth, 6_000, 52.0, seed=7)
    weeks = bgnbd.fit(x, t_x, T)
    assert weeks.converged
    fitted = weeks.params
    assert fitted.r == pytest.approx(truth.r, rel=0.15)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.15)
    assert fitted.a == pytest.approx(truth.a, rel=0.25)
    assert fitted.b == pytest.approx(truth.b, rel=0.25)
    # In days alpha is 7 times larger; the log-likelihood differs by sum(x) ln 7.
    days = bgnbd.fit(x, t_x * 7, T * 7)
    assert days.params.alpha == pytest.approx(fitted.alpha * 7, rel=1e-5)
    assert days.params.r == pytest.approx(fitted.r, rel=1e-5)
    assert days.log_likelihood == pytest.approx(
        weeks.log_likelihood - x.sum() * math.log(7), abs=1e-4
    )


def test_fit_refuses_impossible_summaries() -> None:
    with pytest.raises(ValueError, match="t_x"):
        bgnbd.fit([1, 0], [5.0, 0.0], [4.0, 4.0])
    with pytest.raises(ValueError, match="whole"):
        bgnbd.fit([1.5], [1.0], [4.0])
    with pytest.raises(ValueError, match="repeat buyers"):
        gammagamma.fit([0, 2], [0.0, 10.0])


GG = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)


@pytest.mark.parametrize(("x", "m"), [(1, 35.0), (2, 12.5), (7, 80.25)])
def test_gamma_gamma_log_likelihood_of_one_customer_equals_the_formula(x, m) -> None:
    p, q, gamma = GG.p, GG.q, GG.gamma
    density = (
        math.gamma(p * x + q) / (math.gamma(p * x) * math.gamma(q))
        * gamma**q * m ** (p * x - 1) * x ** (p * x) / (gamma + m * x) ** (p * x + q)
    )  # fmt: skip
    assert gammagamma.log_likelihood(GG, [x], [m]) == pytest.approx(math.log(density), rel=1e-12)


def test_gamma_gamma_density_of_the_mean_integrates_to_one() -> None:
    for x in (1, 3):
        total, _ = quad(lambda m, x=x: math.exp(gammagamma.log_likelihood(GG, [x], [m])), 0, np.inf)
        assert total == pytest.approx(1.0, rel=1e-6)


def test_conditional_expected_spend_weighs_own_mean_against_the_population() -> None:
    p, q, gamma = GG.p, GG.q, GG.gamma
    population = p * gamma / (q - 1)
    x, m = 3, 50.0
    weight = p * x / (p * x + q - 1)
    expected = (1 - weight) * population + weight * m
    values = gammagamma.conditional_expected_spend(GG, [x, 0], [m, np.nan])
    assert values == pytest.approx([expected, population])
    assert GG.population_mean == pytest.approx(population)


def test_gamma_gamma_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(11)
    truth = GammaGammaParams(p=6.0, q=4.0, gamma=15.0)
    customers = 5_000
    nu = rng.gamma(truth.q, 1 / truth.gamma, customers)
    x = rng.integers(1, 8, customers).astype(float)
    m = rng.gamma(truth.p * x, 1 / nu) / x  # the mean of x Gamma(p, nu) values
    fit = gammagamma.fit(x, m)
    assert fit.converged
    assert fit.params.p == pytest.approx(truth.p, rel=0.1)
    assert fit.params.q == pytest.approx(truth.q, rel=0.1)
    assert fit.params.gamma == pytest.approx(truth.gamma, rel=0.15)


def test_the_fits_fast_totals_equal_the_sum_of_the_published_terms() -> None:
    rng = np.random.default_rng(4)
    x = rng.integers(0, 9, size=500).astype(float)
    T = rng.integers(1, 60, size=500).astype(float)
    t_x = np.where(x > 0, np.floor(T * rng.random(500)), 0.0)
    counts = rng.integers(1, 5, size=500).astype(float)
    params = np.array([CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b])
    fast = bgnbd._total_log_likelihood(x, t_x, T, counts)(params)
    assert fast == pytest.approx(counts @ bgnbd.log_likelihood_terms(CDNOW, x, t_x, T), rel=1e-13)
    spend = GammaGammaParams(6.25, 3.74, 15.44)
    repeat = x > 0
    m = rng.gamma(6.0, 6.0, size=500)[repeat]
    fast = gammagamma._total_log_likelihood(x[repeat], m, counts[repeat])(
        np.array([6.25, 3.74, 15.44])
    )
    expected = counts[repeat] @ gammagamma.log_likelihood_terms(spend, x[repeat], m)
    assert fast == pytest.approx(expected, rel=1e-13)


def test_a_large_fit_starts_from_a_sample_and_ends_at_the_full_optimum(monkeypatch) -> None:
    from followup.predict import optimize

    assert optimize.systematic_sample(2 * optimize.SAMPLE_ROWS) is None
    rows = optimize.systematic_sample(100_001)
    assert rows is not None and rows[0] == 0 and rows[1] == 6 and len(rows) == 16_667
    rng = np.random.default_rng(9)
    x, t_x, T = np.zeros(3000), np.zeros(3000), rng.integers(10, 400, size=3000).astype(float)
    for k in range(3000):  # BG/NBD customers: Poisson purchases, a drop-out after each
        rate, drop, day = rng.gamma(0.5, 1 / 20.0), rng.beta(1.0, 3.0), 0.0
        while True:
            day += rng.exponential(1 / rate)
            if day > T[k]:
                break
            x[k], t_x[k] = x[k] + 1, day
            if rng.random() < drop:
                break
    whole = bgnbd.fit(x, t_x, T)
    monkeypatch.setattr(optimize, "SAMPLE_ROWS", 100)  # Nelder-Mead on ~100 rows only
    sampled = bgnbd.fit(x, t_x, T)
    assert sampled.converged and whole.converged
    assert sampled.log_likelihood == pytest.approx(whole.log_likelihood, rel=1e-10)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(sampled.params, name) == pytest.approx(getattr(whole.params, name), rel=1e-4)


def spend_sample(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """600 repeat buyers with spend on a large scale (p 2, q 8, gamma 700: about 200 a purchase)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=600).astype(float)
    nu = rng.gamma(8.0, 1 / 700.0, size=600)
    m = np.array([rng.gamma(2.0, 1 / v, size=int(k)).mean() for v, k in zip(nu, x, strict=True)])
    return x, m.round(2)


@pytest.mark.parametrize("seed", [2, 4, 5, 6])
def test_the_spend_fit_does_not_stall_on_the_ridge_towards_an_infinite_p(seed: int) -> None:
    # From 1.0 alone, Nelder-Mead ran off towards p -> inf (gamma -> 0) on these samples
    # (and, beyond exp(20), into rounding noise that looked like a huge likelihood); the
    # fit also starts on the data's scale and keeps the parameters within exp(+-20).
    from followup.predict import optimize

    x, m = spend_sample(seed)
    (xs, ms), counts = optimize.distinct_rows(x, m)
    from_one = optimize.maximise_distinct(gammagamma._total_log_likelihood, [xs, ms], counts, 3,
                                          [np.ones(3)])  # fmt: skip
    assert not from_one.converged
    fit = gammagamma.fit(x, m)
    assert fit.converged
    assert fit.log_likelihood > from_one.log_likelihood + 30
    assert 1.5 < fit.params.p < 2.6 and 6 < fit.params.q < 11
    truth = gammagamma.log_likelihood(GammaGammaParams(2.0, 8.0, 700.0), x, m)
    assert fit.log_likelihood >= truth
