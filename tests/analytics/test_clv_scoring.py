"""Scoring: hand-worked values, the robustness rules and engine equality.

Hand values use BG/NBD r = 1, α = 9, a = 1.5, b = 3 and Gamma-Gamma p = 6, q = 4, v = 15 (days),
chosen so the closed forms reduce to fractions (see each customer below).
"""

import os
from datetime import date, timedelta
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
import pytest

from pharmacrm.analytics.btyd import btyd_summary
from pharmacrm.analytics.clv import (
    BgNbdParams,
    ConvergenceError,
    GammaGammaParams,
    ParetoNbdParams,
    ScoringConfig,
    fit_bgnbd,
    fit_gamma_gamma,
    score_batches,
)
from pharmacrm.cli.commands_clv import engine_record_batches

CDNOW_DIR = Path(os.environ.get("PHARMACRM_SHARED_DATA", "/work/shared/data")) / "cdnow_clv"
AS_OF = date(2024, 3, 1)
BGNBD = BgNbdParams(r=1.0, alpha=9.0, a=1.5, b=3.0)
SPEND = GammaGammaParams(p=6.0, q=4.0, v=15.0)


def _summary_batch():
    # A: one-time buyer seen yesterday. B: bought again today (x=1, t_x=T=1).
    # C: bought twice on day 0, 90 days ago, then silence. D: x=2, mean spend 45.
    return pa.record_batch(
        {
            "customer_id": [1, 2, 3, 4],
            "frequency": [0, 1, 1, 2],
            "recency": [0.0, 1.0, 0.0, 50.0],
            "T": [1.0, 1.0, 90.0, 60.0],
            "monetary_value": [None, 20.0, 10.0, 45.0],
        }
    )


def _score(batch, *, purchases=BGNBD, spend=SPEND, **config):
    settings = {"as_of": AS_OF, "churn_window_days": 30.0} | config
    out = list(
        score_batches([batch], purchases=purchases, spend=spend, config=ScoringConfig(**settings))
    )
    return pa.Table.from_batches(out).to_pydict()


def test_scores_have_the_design_columns_in_order():
    scores = _score(_summary_batch())

    assert list(scores) == [
        "customer_id",
        "p_alive",
        "expected_purchases",
        "expected_spend",
        "clv",
        "churn_band",
        "next_purchase_day",
    ]


def test_p_alive_matches_hand_worked_values():
    # A: no repeat purchase, cannot have dropped out → 1.
    # B: 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) = 1 / (1 + 1.5/3 · 1) = 2/3.
    # C: 1 / (1 + 0.5 · (99/9)^2) = 1 / 61.5.
    scores = _score(_summary_batch())

    assert scores["p_alive"][:3] == pytest.approx([1.0, 2 / 3, 1 / 61.5], rel=1e-12)


def test_churn_band_follows_p_no_purchase_in_window_and_thresholds():
    # P(no purchase in 30 days) = 1 − P(alive) + P(alive) · ((α+T)/(α+T+30))^(r+x):
    # A: (10/40)^1 = 0.25; B: 1/3 + 2/3 · (10/40)^2 = 0.375;
    # C: 1 − (1/61.5) · (1 − (99/129)^2) = 0.99332…
    scores = _score(_summary_batch(), churn_medium_from=0.3, churn_high_from=0.9)

    assert scores["churn_band"][:3] == ["low", "medium", "high"]


def test_churn_thresholds_are_inclusive_lower_bounds():
    scores = _score(_summary_batch(), churn_medium_from=0.25, churn_high_from=0.375)

    assert scores["churn_band"][:3] == ["medium", "high", "high"]


def test_expected_spend_shrinks_towards_population_mean():
    # x = 0 (and a null monetary value): p v / (q − 1) = 6 · 15 / 3 = 30.
    # D: p (v + x z̄) / (p x + q − 1) = 6 (15 + 90) / (12 + 3) = 42.
    scores = _score(_summary_batch())

    assert scores["expected_spend"][0] == pytest.approx(30.0, rel=1e-12)
    assert scores["expected_spend"][3] == pytest.approx(42.0, rel=1e-12)


def test_next_purchase_day_is_median_wait_of_an_active_customer():
    # Median wait (α+T)(2^(1/(r+x)) − 1): A: 10 · 1 = 10 days; B: 10 · (√2 − 1) = 4.14 → 5 days
    # (rounded up). C: P(alive) = 1/61.5 < 0.5 → no date.
    scores = _score(_summary_batch())

    assert scores["next_purchase_day"][:3] == [
        AS_OF + timedelta(days=10),
        AS_OF + timedelta(days=5),
        None,
    ]


def test_next_purchase_day_is_empty_beyond_the_horizon():
    scores = _score(_summary_batch(), horizon_days=7.0)

    assert scores["next_purchase_day"][:3] == [None, AS_OF + timedelta(days=5), None]


def test_undiscounted_clv_is_expected_purchases_times_expected_spend():
    scores = _score(_summary_batch(), annual_discount_rate=0.0)

    expected = np.array(scores["expected_purchases"]) * np.array(scores["expected_spend"])
    assert scores["clv"] == pytest.approx(expected.tolist(), rel=1e-12)


def test_discounting_lowers_clv_by_at_most_one_year_of_interest():
    plain = _score(_summary_batch(), annual_discount_rate=0.0)["clv"]

    discounted = _score(_summary_batch(), annual_discount_rate=0.10)["clv"]

    for value, undiscounted in zip(discounted, plain, strict=True):
        assert undiscounted / 1.10 < value < undiscounted


def test_weeks_and_days_give_the_same_scores():
    days = _score(_summary_batch())
    weekly = pa.record_batch(
        {
            "customer_id": [1, 2, 3, 4],
            "frequency": [0, 1, 1, 2],
            "recency": [0.0, 1 / 7, 0.0, 50 / 7],
            "T": [1 / 7, 1 / 7, 90 / 7, 60 / 7],
            "monetary_value": [None, 20.0, 10.0, 45.0],
        }
    )
    in_weeks = BgNbdParams(r=1.0, alpha=9.0 / 7, a=1.5, b=3.0)

    weeks = _score(weekly, purchases=in_weeks, unit="weeks")

    for column in ("p_alive", "expected_purchases", "clv"):
        assert weeks[column] == pytest.approx(days[column], rel=1e-9)
    assert weeks["churn_band"] == days["churn_band"]
    assert weeks["next_purchase_day"] == days["next_purchase_day"]


def test_pareto_nbd_scores_without_nan_for_one_time_and_heavy_buyers():
    batch = pa.record_batch(
        {
            "customer_id": [1, 2, 3],
            "frequency": [0, 5000, 1],
            "recency": [0.0, 2999.0, 1.0],
            "T": [0.0, 3000.0, 1.0],
            "monetary_value": [0.0, 10.0, -5.0],
        }
    )
    params = ParetoNbdParams(r=0.5534, alpha=10.5802, s=0.6061, beta=11.6562)

    scores = _score(batch, purchases=params)

    for column in ("p_alive", "expected_purchases", "expected_spend", "clv"):
        assert all(np.isfinite(scores[column])), column
    # A refund-only repeat day (z̄ = −5) counts as spend 0: p v / (p + q − 1) = 90 / 9.
    assert scores["expected_spend"][2] == pytest.approx(10.0, rel=1e-12)


def test_scoring_refuses_a_fit_that_did_not_converge():
    stopped = fit_bgnbd([1, 0, 3], [1.0, 0.0, 4.0], [5.0, 5.0, 6.0], max_iterations=1)

    assert stopped.fit.converged is False
    with pytest.raises(ConvergenceError, match="did not converge"):
        _score(_summary_batch(), purchases=stopped)


def test_scoring_refuses_spend_model_with_infinite_mean():
    with pytest.raises(ConvergenceError, match="q = 0.8 <= 1"):
        _score(_summary_batch(), spend=GammaGammaParams(p=2.0, q=0.8, v=10.0))


def test_null_frequency_is_named():
    batch = pa.record_batch(
        {
            "customer_id": [1],
            "frequency": pa.array([None], pa.int64()),
            "recency": [0.0],
            "T": [3.0],
            "monetary_value": [0.0],
        }
    )

    with pytest.raises(ValueError, match="column 'frequency' holds 1 null"):
        _score(batch)


def test_missing_column_is_named():
    batch = pa.record_batch({"customer_id": [1], "frequency": [0], "recency": [0.0]})

    with pytest.raises(ValueError, match="no column.*T, monetary_value"):
        _score(batch)


def _cdnow_transactions(max_sample_id):
    rows = []
    for line in (CDNOW_DIR / "CDNOW_sample.txt").read_text().splitlines():
        if not line.strip():
            continue
        _master, sample_id, ymd, _cds, dollars = line.split()
        if int(sample_id) <= max_sample_id:
            day = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
            rows.append((int(sample_id), day, float(dollars)))
    return pa.table(
        {
            "customer_id": [r[0] for r in rows],
            "doc_id": [str(i) for i in range(len(rows))],
            "day": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
        }
    )


def test_scores_are_equal_on_duckdb_and_spark(engine, duckdb_con):
    tx = ibis.memtable(_cdnow_transactions(400))
    as_of = date(1997, 9, 30)
    summary = btyd_summary(tx, as_of=as_of, unit="weeks")
    reference = duckdb_con.to_pyarrow(summary)
    purchases = fit_bgnbd(
        reference["frequency"].to_numpy(), reference["recency"].to_numpy(), reference["T"]
    )
    spend = fit_gamma_gamma(reference["frequency"].to_numpy(), reference["monetary_value"])
    config = ScoringConfig(as_of=as_of, unit="weeks")
    expected = pa.Table.from_batches(
        list(score_batches(reference.to_batches(), purchases=purchases, spend=spend, config=config))
    ).sort_by("customer_id")

    batches = engine_record_batches(engine, summary, rows_per_batch=97)
    got = pa.Table.from_batches(
        list(score_batches(batches, purchases=purchases, spend=spend, config=config))
    ).sort_by("customer_id")

    assert got.num_rows == expected.num_rows == 400
    assert got["customer_id"].to_pylist() == expected["customer_id"].to_pylist()
    for column in ("p_alive", "expected_purchases", "expected_spend", "clv"):
        np.testing.assert_allclose(
            got[column].to_numpy(), expected[column].to_numpy(), rtol=1e-9, atol=0
        )
    assert got["churn_band"].to_pylist() == expected["churn_band"].to_pylist()
    assert got["next_purchase_day"].to_pylist() == expected["next_purchase_day"].to_pylist()
