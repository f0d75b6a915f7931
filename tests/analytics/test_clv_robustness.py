"""Degenerate samples give a clear message or a flagged fit, never NaN parameters."""

import numpy as np
import pytest

from pharmacrm.analytics.clv import fit_bgnbd, fit_gamma_gamma, fit_pareto_nbd

FITS = [fit_bgnbd, fit_pareto_nbd]


@pytest.mark.parametrize("fit", FITS)
def test_population_without_repeat_buyers_is_refused_with_reason(fit):
    with pytest.raises(ValueError, match="no customer made a repeat purchase"):
        fit([0, 0, 0], [0.0, 0.0, 0.0], [10.0, 20.0, 30.0])


@pytest.mark.parametrize("fit", FITS)
def test_all_purchases_on_the_observation_day_is_refused(fit):
    with pytest.raises(ValueError, match="first seen on the observation date"):
        fit([0, 0], [0.0, 0.0], [0.0, 0.0])


@pytest.mark.parametrize("fit", FITS)
def test_empty_summary_is_refused(fit):
    with pytest.raises(ValueError, match="empty"):
        fit([], [], [])


@pytest.mark.parametrize(
    ("frequency", "recency", "age", "message"),
    [
        ([1.5], [1.0], [2.0], "whole number"),
        ([1], [3.0], [2.0], "recency must lie between 0 and T"),
        ([1], [np.nan], [2.0], "recency holds NaN"),
        ([1, 2], [1.0], [2.0], "same length"),
    ],
)
def test_malformed_summary_names_the_problem(frequency, recency, age, message):
    with pytest.raises(ValueError, match=message):
        fit_bgnbd(frequency, recency, age)


@pytest.mark.parametrize("fit", FITS)
def test_nobody_dropping_out_is_reported_as_not_converged(fit):
    # Every customer buys right up to today: dropout is not identified by these data.
    ages = np.array([10.0, 20.0, 30.0, 5.0])

    params = fit(ages, ages, ages)

    assert params.fit.converged is False
    assert "cannot identify" in params.fit.message


def test_iteration_cap_is_reported_as_not_converged():
    params = fit_bgnbd([1, 0, 3], [1.0, 0.0, 4.0], [5.0, 5.0, 6.0], max_iterations=1)

    assert params.fit.converged is False
    assert "ITERATIONS" in params.fit.message


def test_gamma_gamma_skips_non_positive_spend_and_counts_it():
    frequency = [0, 2, 3, 1, 4, 2]
    monetary = [0.0, 0.0, -4.0, 12.0, 30.0, 18.0]

    params = fit_gamma_gamma(frequency, monetary)

    assert params.n_excluded == 2
    assert params.fit.n_customers == 3
    assert np.isfinite([params.p, params.q, params.v]).all()


def test_gamma_gamma_without_positive_spend_is_refused():
    with pytest.raises(ValueError, match="no repeat buyer with positive spend"):
        fit_gamma_gamma([0, 2, 1], [5.0, 0.0, 0.0])
