"""CDNOW acceptance: our fits and formulas reproduce the published BTYD values.

Sources and tolerances: /work/shared/notes/analytics-references.md §1 (Fader, Hardie & Lee
2005; Hardie's notes 025/027 and Excel sheets; the R package BTYD walkthrough), asserted to the
precision the lifetimes test-suite uses. Inputs: the published 39-week calibration summaries
in weeks (../shared/data/cdnow_clv), read here by hand.
"""

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from pharmacrm.analytics.clv import (
    BgNbdParams,
    GammaGammaParams,
    ParetoNbdParams,
    bgnbd_expected_purchases,
    bgnbd_expected_purchases_new_customer,
    bgnbd_log_likelihood,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    gamma_gamma_expected_spend,
    pareto_nbd_expected_purchases,
    pareto_nbd_expected_purchases_new_customer,
    pareto_nbd_p_alive,
)

# "To 2 decimals" as lifetimes asserts it: numpy's assert_array_almost_equal(decimal=2), i.e.
# |fitted − published| < 1.5e-2. The published values are themselves rounded (the exact MLE of
# v is 15.4478, published 15.44).
TWO_DECIMALS = 0.015

CDNOW_DIR = Path(os.environ.get("PHARMACRM_SHARED_DATA", "/work/shared/data")) / "cdnow_clv"


@pytest.fixture(scope="module")
def cdnow():
    """x, t_x, T (weeks) and zbar of the 2,357 sample customers, in file order."""
    with (CDNOW_DIR / "cdnow_customers_summary_with_transactions.csv").open() as f:
        rows = list(csv.DictReader(f))
    return {
        name: np.array([float(row[name]) for row in rows]) for name in ("x", "t_x", "T", "zbar")
    }


def test_bgnbd_fit_reproduces_fader_hardie_lee_parameters(cdnow):
    params = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])

    assert params.fit.converged
    assert params.fit.n_customers == 2357
    assert (params.r, params.alpha, params.a, params.b) == pytest.approx(
        (0.243, 4.414, 0.793, 2.426), abs=TWO_DECIMALS
    )


def test_pareto_nbd_fit_reproduces_published_parameters(cdnow):
    params = fit_pareto_nbd(cdnow["x"], cdnow["t_x"], cdnow["T"])

    assert params.fit.converged
    assert (params.r, params.alpha, params.s, params.beta) == pytest.approx(
        (0.553, 10.578, 0.606, 11.669), abs=TWO_DECIMALS
    )


def test_gamma_gamma_fit_reproduces_published_parameters_on_946_repeat_buyers(cdnow):
    params = fit_gamma_gamma(cdnow["x"], cdnow["zbar"])

    assert params.fit.converged
    assert params.fit.n_customers == 946
    assert params.n_excluded == 0
    assert (params.p, params.q, params.v) == pytest.approx((6.25, 3.74, 15.44), abs=TWO_DECIMALS)


def test_bgnbd_conditional_expectation_matches_hardie_excel_sheet():
    params = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)

    expected = bgnbd_expected_purchases(params, 39.0, 2, 30.43, 38.86)

    assert float(expected) == pytest.approx(1.226, abs=0.001)


def test_bgnbd_unconditional_expectation_matches_hardie_excel_sheet(cdnow):
    # lifetimes checks these on its own tight fit of CDNOW, as we do.
    params = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])

    expected = bgnbd_expected_purchases_new_customer(params, [0.1429, 1, 3, 31.8571, 32, 78])

    assert expected == pytest.approx([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576], abs=0.0005)


def test_bgnbd_log_likelihood_matches_hardie_note_027_stable_values():
    values = bgnbd_log_likelihood((0.25, 4.0, 0.8, 2.5), [0, 200], [0, 38], [40, 40])

    assert values == pytest.approx([-0.59947382, 100.7957], abs=1e-5)


def test_gamma_gamma_expected_spend_matches_hardie_note_025_first_ten_customers(cdnow):
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44)

    spend = gamma_gamma_expected_spend(params, cdnow["x"][:10], cdnow["zbar"][:10])

    assert spend == pytest.approx(
        [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17], abs=0.1
    )


BTYD_WALKTHROUGH = ParetoNbdParams(r=0.5534, alpha=10.5802, s=0.6061, beta=11.6562)


def test_pareto_nbd_p_alive_matches_btyd_walkthrough():
    assert float(pareto_nbd_p_alive(BTYD_WALKTHROUGH, 26, 30.86, 31)) == pytest.approx(
        0.9979, abs=0.001
    )


def test_pareto_nbd_conditional_expectation_matches_btyd_walkthrough():
    expected = pareto_nbd_expected_purchases(BTYD_WALKTHROUGH, 52.0, 26, 30.86, 31)

    assert float(expected) == pytest.approx(25.46, abs=0.01)


def test_pareto_nbd_unconditional_expectation_matches_btyd_manual():
    expected = pareto_nbd_expected_purchases_new_customer(BTYD_WALKTHROUGH, np.arange(10))

    assert expected == pytest.approx(
        [
            0,
            0.05077821,
            0.09916088,
            0.14542507,
            0.18979930,
            0.23247466,
            0.27361274,
            0.31335159,
            0.35181024,
            0.38909211,
        ],
        abs=0.01,
    )
