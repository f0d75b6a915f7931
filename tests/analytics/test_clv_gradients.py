"""The analytic gradients the fits follow agree with the log-likelihoods they differentiate.

The per-customer log-likelihoods are checked against published values elsewhere
(test_clv_cdnow.py: Hardie's note 027 and the CDNOW fits); here central differences of those
same functions are the reference for the gradients, at points away from any optimum (where a
wrong gradient cannot hide behind a zero).
"""

import numpy as np
import pytest

from pharmacrm.analytics.clv import bgnbd as bgnbd_module
from pharmacrm.analytics.clv import (
    bgnbd_log_likelihood,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from pharmacrm.analytics.clv import gamma_gamma as gamma_gamma_module
from pharmacrm.analytics.clv._summary import check_btyd_arrays, compress_btyd_arrays

# Eight customers in weeks: one-time buyers of two ages, repeat buyers light and heavy, two
# identical rows (compressed into one of weight 2) and one whose last purchase is today.
FREQUENCY = np.array([0, 0, 1, 2, 2, 7, 30, 4], dtype=float)
RECENCY = np.array([0.0, 0.0, 3.5, 20.0, 20.0, 31.0, 38.0, 12.0])
AGE = np.array([10.0, 38.0, 30.0, 36.0, 36.0, 38.0, 38.0, 12.0])
SPEND = np.array([0.0, 0.0, 12.5, 30.0, 30.0, 22.0, 18.4, 75.0])


def _central_differences(total, point):
    gradient = np.empty_like(point)
    for i in range(point.size):
        step = 1e-6 * point[i]
        up, down = point.copy(), point.copy()
        up[i] += step
        down[i] -= step
        gradient[i] = (total(up) - total(down)) / (2 * step)
    return gradient


def test_bgnbd_gradient_matches_differences_of_the_log_likelihood():
    point = np.array([0.4, 6.0, 0.7, 2.5])
    sample = compress_btyd_arrays(check_btyd_arrays(FREQUENCY, RECENCY, AGE))

    total, gradient = bgnbd_module._total_and_gradient(sample)(point)

    reference = _central_differences(
        lambda p: float(np.sum(bgnbd_log_likelihood(p, FREQUENCY, RECENCY, AGE))), point
    )
    assert total == pytest.approx(
        float(np.sum(bgnbd_log_likelihood(point, FREQUENCY, RECENCY, AGE)))
    )
    np.testing.assert_allclose(gradient, reference, rtol=1e-6)


def test_gamma_gamma_gradient_matches_differences_of_the_log_likelihood():
    point = np.array([4.0, 2.5, 9.0])
    repeat = FREQUENCY > 0
    x, z = FREQUENCY[repeat], SPEND[repeat]

    total, gradient = gamma_gamma_module._total_and_gradient(x, z, np.ones_like(x))(point)

    reference = _central_differences(
        lambda p: float(np.sum(gamma_gamma_log_likelihood(p, x, z))), point
    )
    assert total == pytest.approx(float(np.sum(gamma_gamma_log_likelihood(point, x, z))))
    np.testing.assert_allclose(gradient, reference, rtol=1e-6)


def test_compression_keeps_every_customer_once():
    sample = compress_btyd_arrays(check_btyd_arrays(FREQUENCY, RECENCY, AGE))

    assert sample.frequency.size == 7
    assert float(sample.weights.sum()) == 8.0
    assert float(sample.weights[(sample.frequency == 2) & (sample.recency == 20.0)][0]) == 2.0


def test_weights_stand_for_repeated_customers():
    # The MLE of a sample and of the same sample twice over coincide; weights of 2 say the same.
    doubled = fit_bgnbd(np.tile(FREQUENCY, 2), np.tile(RECENCY, 2), np.tile(AGE, 2))
    weighted = fit_bgnbd(FREQUENCY, RECENCY, AGE, weights=np.full(FREQUENCY.size, 2.0))
    spend_doubled = fit_gamma_gamma(np.tile(FREQUENCY, 2), np.tile(SPEND, 2))
    spend_weighted = fit_gamma_gamma(FREQUENCY, SPEND, weights=np.full(FREQUENCY.size, 2.0))

    assert (doubled.r, doubled.alpha, doubled.a, doubled.b) == pytest.approx(
        (weighted.r, weighted.alpha, weighted.a, weighted.b), rel=1e-9
    )
    # Gamma-Gamma rows are not compressed (z̄ is continuous), so the two sums differ in their
    # last bits and the optimiser stops at a point within its own tolerance of the other.
    assert (spend_doubled.p, spend_doubled.q, spend_doubled.v) == pytest.approx(
        (spend_weighted.p, spend_weighted.q, spend_weighted.v), rel=1e-5
    )
    assert doubled.fit.n_customers == weighted.fit.n_customers == 16
