"""Clusters: features worked by hand, planted segments recovered, engine equality, words."""

from datetime import date

import ibis
import numpy as np
import pyarrow as pa
import pytest
from sklearn.metrics import adjusted_rand_score

from pharmacrm.analytics.clusters import (
    ClusterEconomics,
    ClusterModel,
    assign_clusters,
    cluster_features,
    cluster_profiles,
    cluster_stability,
    describe,
    fit_clusters,
    what_if,
)

FEATURES = ("a", "b", "c")


def _tx():
    # Customer 1: document a (medicines 10 on promo, vitamins 30) and b (medicines 20, online).
    # Customer 2: a purchase of 50 and a return document of −50 (ignored entirely).
    return ibis.memtable(
        pa.table(
            {
                "customer_id": [1, 1, 1, 2, 2],
                "doc_id": ["a", "a", "b", "c", "d"],
                "day": [date(2024, 1, 1)] * 3 + [date(2024, 1, 5), date(2024, 1, 9)],
                "amount": [10.0, 30.0, 20.0, 50.0, -50.0],
                "category": [
                    "medicines",
                    "vitamins_supplements",
                    "medicines",
                    "care_cosmetics",
                    "care_cosmetics",
                ],
                "promo": [True, False, False, None, False],
                "channel": ["retail", "retail", "tmall", "retail", "retail"],
                "cost": [5.0, 10.0, None, 20.0, -20.0],
            }
        )
    )


def test_features_match_hand_worked_values():
    rows = {
        row["customer_id"]: row
        for row in cluster_features(_tx(), as_of=date(2024, 1, 10)).to_pyarrow().to_pylist()
    }

    one = rows[1]
    assert one["share_medicines"] == pytest.approx(30 / 60)
    assert one["share_vitamins_supplements"] == pytest.approx(30 / 60)
    assert one["log_frequency"] == pytest.approx(np.log(3))
    assert one["days_since_last"] == 9.0
    assert one["log_monetary"] == pytest.approx(np.log(61))
    assert one["basket_width"] == pytest.approx(1.5)
    assert one["average_check"] == pytest.approx(30.0)
    assert one["promo_share"] == pytest.approx(10 / 60)
    assert one["online_share"] == pytest.approx(0.5)
    assert one["margin"] == pytest.approx(60 - 15)
    two = rows[2]
    assert two["share_care_cosmetics"] == 1.0
    assert two["log_frequency"] == pytest.approx(np.log(2))
    assert two["days_since_last"] == 5.0
    assert two["revenue"] == 50.0


def _blobs(seed=0, per_segment=200):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [0.0, 8.0, 8.0]])
    truth = np.repeat(np.arange(3), per_segment)
    return centres[truth] + rng.normal(0.0, 1.0, (truth.size, 3)), truth


def test_automatic_k_finds_the_three_planted_segments():
    matrix, truth = _blobs()

    model = fit_clusters(matrix, FEATURES, k_range=(2, 6))

    assert model.k == 3
    assert sorted(model.inertia_by_k) == [2, 3, 4, 5, 6]
    assert adjusted_rand_score(truth, model.predict(matrix)) == pytest.approx(1.0)


def test_bootstrap_refits_of_separated_segments_agree():
    matrix, _ = _blobs()
    model = fit_clusters(matrix, FEATURES, k=3)

    stability = cluster_stability(matrix, model, bootstraps=5)

    assert len(stability.ari_by_bootstrap) == 5
    assert stability.mean_ari == pytest.approx(1.0)


def test_too_few_distinct_customers_is_refused():
    with pytest.raises(ValueError, match="only 1 distinct customer profile"):
        fit_clusters(np.ones((10, 3)), FEATURES)


def test_assignment_in_the_engine_equals_nearest_centroid(engine):
    matrix, _ = _blobs(seed=1, per_segment=50)
    model = fit_clusters(matrix, FEATURES, k=3)
    table = ibis.memtable(
        pa.table(
            {"customer_id": np.arange(150), "a": matrix[:, 0], "b": matrix[:, 1], "c": matrix[:, 2]}
        )
    )

    assigned = engine.to_pyarrow(assign_clusters(table, model)).sort_by("customer_id")

    assert assigned["cluster"].to_pylist() == model.predict(matrix).tolist()


HAND_MODEL = ClusterModel(
    feature_names=("share_vitamins_supplements", "log_frequency", "promo_share"),
    means=(0.2, 1.0, 0.1),
    scales=(0.1, 0.5, 0.05),
    centroids=((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)),
    k=2,
    silhouette_by_k={2: 0.5},
    inertia_by_k={2: 1.0},
    seed=0,
)


def test_profiles_compute_shares_and_z_scores_and_name_the_cluster():
    rows = [
        {
            "cluster": 1,
            "customers": 25,
            "revenue": 600.0,
            "margin": 150.0,
            "mean_share_vitamins_supplements": 0.4,
            "mean_log_frequency": 1.6,
            "mean_promo_share": 0.1,
        },
        {
            "cluster": 0,
            "customers": 75,
            "revenue": 400.0,
            "margin": 50.0,
            "mean_share_vitamins_supplements": 0.15,
            "mean_log_frequency": 0.9,
            "mean_promo_share": 0.1,
        },
    ]

    first, second = cluster_profiles(rows, HAND_MODEL)

    assert (second.cluster, second.size_share, second.revenue_share) == (1, 0.25, 0.6)
    assert second.margin_share == pytest.approx(0.75)
    # z = (0.4 − 0.2) / 0.1 = 2; (1.6 − 1.0) / 0.5 = 1.2; promo at the mean: 0.
    assert second.z_scores == pytest.approx(
        {"share_vitamins_supplements": 2.0, "log_frequency": 1.2, "promo_share": 0.0}
    )
    assert second.labels == {
        "en": "vitamin and supplement buyers, frequent buyers",
        "zh-hans": "维生素与保健品顾客，高频购买",
        "ru": "покупатели витаминов и БАД, частые покупки",
    }
    assert second.descriptions["en"] == (
        "25 customers (25% of customers, 60% of revenue, 75% of margin): "
        "vitamin and supplement buyers (+2.0 sd), frequent buyers (+1.2 sd)."
    )
    # Cluster 0: z = −0.5, −0.2, 0 → only "few vitamins" reaches |z| ≥ 0.5.
    assert first.labels["en"] == "few vitamins"


def test_cluster_without_distinguishing_feature_is_typical():
    labels, _ = describe(
        {"log_frequency": 0.3}, customers=10, shares={"size": 1, "revenue": 1, "margin": 1}
    )

    assert labels == {"en": "typical customers", "zh-hans": "普通顾客", "ru": "типичные покупатели"}


def test_what_if_adds_uplift_and_reactivated_members():
    cluster = ClusterEconomics(
        active_members=100,
        inactive_members=50,
        expected_revenue_active=10_000.0,
        expected_revenue_inactive=500.0,
        margin_rate=0.3,
    )

    result = what_if(cluster, frequency_uplift=0.10, reactivated_share=0.20)

    # 10,000 × 1.1 + 500 + (0.2 × 50) × (10,000 / 100) × 1.1 = 11,000 + 500 + 1,100.
    assert result.baseline_revenue == 10_500.0
    assert result.projected_revenue == pytest.approx(12_600.0)
    assert result.revenue_change == pytest.approx(2_100.0)
    assert result.margin_change == pytest.approx(630.0)
    assert len(result.assumptions) == 3


def test_what_if_refuses_impossible_scenarios():
    cluster = ClusterEconomics(1, 1, 1.0, 1.0, 0.1)

    with pytest.raises(ValueError, match="between 0 and 1"):
        what_if(cluster, reactivated_share=1.5)
