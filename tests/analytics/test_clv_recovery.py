"""Parameter recovery: fits on data simulated with known parameters land near the truth.

The band is three asymptotic standard errors, each from the inverse observed information
matrix of the fit itself (``fit.standard_errors``); for a consistent MLE the estimate lies
within it with probability ≈ 99.7 % per parameter. The simulation is seeded, so the test is
deterministic; the truth is ours, not the code's output.
"""

import numpy as np
import pytest

from pharmacrm.analytics.clv import fit_bgnbd, fit_gamma_gamma, fit_pareto_nbd

TRUE_BGNBD = {"r": 0.9, "alpha": 30.0, "a": 0.6, "b": 5.0}  # days, as in the notes' benchmark
TRUE_GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "v": 15.0}


def _simulate_bgnbd(n, *, r, alpha, a, b, seed):
    """BG/NBD by its story: λ ~ Gamma(r, α), p ~ Beta(a, b); after each purchase drop out w.p. p.

    Customers are acquired uniformly over the first 200 days of a 365-day window, so T varies.
    """
    rng = np.random.default_rng(seed)
    rates = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    ages = rng.uniform(165.0, 365.0, n)
    frequency = np.zeros(n)
    recency = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1.0 / rates[i])
            if t > ages[i]:
                break
            frequency[i] += 1
            recency[i] = t
            if rng.random() < dropout[i]:
                break
    return frequency, recency, ages, rng


def test_bgnbd_fit_recovers_planted_parameters_within_three_standard_errors():
    frequency, recency, ages, _ = _simulate_bgnbd(4000, **TRUE_BGNBD, seed=20260101)

    params = fit_bgnbd(frequency, recency, ages)

    assert params.fit.converged
    fitted = (params.r, params.alpha, params.a, params.b)
    for name, value, se in zip(TRUE_BGNBD, fitted, params.fit.standard_errors, strict=True):
        assert abs(value - TRUE_BGNBD[name]) <= 3 * se, (name, value, se)


def test_gamma_gamma_fit_recovers_planted_parameters_within_three_standard_errors():
    frequency, _, _, rng = _simulate_bgnbd(4000, **TRUE_BGNBD, seed=7)
    p, q, v = TRUE_GAMMA_GAMMA.values()
    repeat = frequency > 0
    spend_rates = rng.gamma(q, 1.0 / v, int(repeat.sum()))
    means = np.array(
        [
            rng.gamma(p, 1.0 / rate, int(count)).mean()
            for rate, count in zip(spend_rates, frequency[repeat], strict=True)
        ]
    )

    params = fit_gamma_gamma(frequency[repeat], means)

    assert params.fit.converged
    fitted = (params.p, params.q, params.v)
    for name, value, se in zip(TRUE_GAMMA_GAMMA, fitted, params.fit.standard_errors, strict=True):
        assert abs(value - TRUE_GAMMA_GAMMA[name]) <= 3 * se, (name, value, se)


def test_pareto_nbd_fit_recovers_planted_parameters_within_three_standard_errors():
    truth = {"r": 0.8, "alpha": 20.0, "s": 0.7, "beta": 150.0}
    rng = np.random.default_rng(99)
    n = 4000
    rates = rng.gamma(truth["r"], 1.0 / truth["alpha"], n)
    lifetimes = rng.exponential(1.0 / rng.gamma(truth["s"], 1.0 / truth["beta"], n))
    ages = rng.uniform(165.0, 365.0, n)
    frequency = np.zeros(n)
    recency = np.zeros(n)
    for i in range(n):
        end = min(ages[i], lifetimes[i])
        t = rng.exponential(1.0 / rates[i])
        while t <= end:
            frequency[i] += 1
            recency[i] = t
            t += rng.exponential(1.0 / rates[i])

    params = fit_pareto_nbd(frequency, recency, ages)

    assert params.fit.converged
    fitted = (params.r, params.alpha, params.s, params.beta)
    for name, value, se in zip(truth, fitted, params.fit.standard_errors, strict=True):
        assert abs(value - truth[name]) <= 3 * se, (name, value, se)


def test_weighted_rows_fit_like_the_repeated_customers_they_stand_for():
    # Whole days make many customers identical; one weighted row per distinct profile must give
    # the same likelihood, hence the same fit, as the expanded sample.
    frequency, recency, ages, _ = _simulate_bgnbd(2000, **TRUE_BGNBD, seed=3)
    rows = np.column_stack([frequency, np.floor(recency), np.floor(ages)])
    profiles, counts = np.unique(rows, axis=0, return_counts=True)

    expanded = fit_bgnbd(rows[:, 0], rows[:, 1], rows[:, 2])
    grouped = fit_bgnbd(profiles[:, 0], profiles[:, 1], profiles[:, 2], weights=counts)

    assert profiles.shape[0] < 2000
    assert grouped.fit.converged
    assert grouped.fit.n_customers == 2000
    assert (grouped.r, grouped.alpha, grouped.a, grouped.b) == pytest.approx(
        (expanded.r, expanded.alpha, expanded.a, expanded.b), rel=1e-4
    )
