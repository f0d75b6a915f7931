"""Planted segments of the realistic generated business, recovered by the default clusters.

``pharmacrm generate`` (realistic model) draws every loyalty member from one of five latent
segments and records it in ``truth/members.parquet``. Issue 8's acceptance: with k fixed to the
number of planted segments, the default feature set recovers them with an adjusted Rand index
≥ 0.7, and the automatic choice of k (silhouette) lands within ±1 of it. The ground truth is the
generator's own latent label, drawn before any purchase, never the clustering's output; the
segments differ in ways MODEL.md documents (dominant category, basket size, promotion appetite,
purchase frequency), not in anything the test knows about.
"""

import csv
import json
from dataclasses import replace
from datetime import date

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import adjusted_rand_score

from pharmacrm.analytics.clusters import cluster_features, fit_clusters
from pharmacrm.analytics.clusters.features import ClusterFeatureConfig
from pharmacrm.demo.generator.config import SCALES, SEGMENTS, GenerateOptions
from pharmacrm.demo.generator.run import generate

pytestmark = pytest.mark.slow

PLANTED_SEGMENTS = len(SEGMENTS)
"""The model's configured number of latent segments (five)."""


@pytest.fixture(scope="module")
def realistic_features(tmp_path_factory):
    scale = replace(SCALES["small"], members=3000, anonymous_checks=500, members_per_chunk=2000)
    out = tmp_path_factory.mktemp("realistic")
    generate(GenerateOptions(scale, "en", "realistic", 11), out, workers=1)
    population = json.loads((out / "truth" / "population.json").read_text("utf-8"))
    lines = ds.dataset(out / "warehouse" / "receipt_lines", partitioning="hive").to_table(
        columns=["card_no", "check_id", "day", "amount", "sku_code", "is_promo", "cost"],
        filter=pc.field("card_no").is_valid(),
    )
    with (out / "master" / "products.csv").open(encoding="utf-8") as handle:
        category_of = {row["sku_code"]: row["category"] for row in csv.DictReader(handle)}
    tx = pa.table(
        {
            "customer_id": lines["card_no"],
            "doc_id": lines["check_id"],
            "day": lines["day"],
            "amount": lines["amount"],
            "category": [category_of[sku] for sku in lines["sku_code"].to_pylist()],
            "promo": lines["is_promo"],
            "cost": lines["cost"],
            "channel": ["retail"] * lines.num_rows,
        }
    )
    features = cluster_features(
        ibis.memtable(tx), as_of=date.fromisoformat(population["as_of"])
    ).to_pyarrow()
    truth = pq.read_table(out / "truth" / "members.parquet", columns=["card_no", "segment"])
    segment_of = dict(zip(truth["card_no"].to_pylist(), truth["segment"].to_pylist(), strict=True))
    names = ClusterFeatureConfig().feature_names()
    matrix = np.column_stack([features[name].to_numpy() for name in names])
    segments = [segment_of[card] for card in features["customer_id"].to_pylist()]
    return matrix, names, segments


def _nearest(model, matrix):
    standardised = (matrix - np.array(model.means)) / np.array(model.scales)
    distances = ((standardised[:, None, :] - np.array(model.centroids)[None]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


def test_five_clusters_recover_the_planted_segments(realistic_features):
    matrix, names, segments = realistic_features

    model = fit_clusters(matrix, names, k=PLANTED_SEGMENTS, seed=0)

    assert adjusted_rand_score(segments, _nearest(model, matrix)) >= 0.7


def test_automatic_k_is_within_one_of_the_planted_segments(realistic_features):
    matrix, names, _ = realistic_features

    model = fit_clusters(matrix, names, k_range=(2, 8), seed=0)

    assert abs(model.k - PLANTED_SEGMENTS) <= 1
