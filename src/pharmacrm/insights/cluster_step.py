"""The clusters step of a run: fit centroids on a sample, assign every customer in the engine.

Django-free like :mod:`pharmacrm.insights.pipeline`, and the same flow as
``pharmacrm analytics clusters``: features are an engine expression, centroids are fitted on a
materialised sample, the nearest-centroid assignment streams out of the engine as record
batches and is written to Parquet with the cluster's English label. Too few customers, or
features that cannot be clustered, assign nobody and leave a message for the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from pharmacrm.analytics.clusters import (
    ClusterFeatureConfig,
    assign_clusters,
    cluster_features,
    cluster_profiles,
    cluster_summary,
    fit_clusters,
)
from pharmacrm.insights import cluster_report_step
from pharmacrm.insights.pipeline import stream

MIN_CLUSTER_CUSTOMERS = 20
"""Fewer customers than this and a silhouette over k = 2…8 says nothing: no clusters."""

FIT_SAMPLE = 50_000
"""Centroids are fitted on at most about this many customers (assignment covers all)."""

CLUSTER_SCHEMA = pa.schema(
    [
        pa.field("customer_key", pa.int64()),
        pa.field("cluster", pa.int64()),
        pa.field("cluster_label", pa.string()),
    ]
)
"""Columns of a kind's ``clusters_<kind>.parquet``."""


@dataclass(frozen=True)
class ClusterOutcome:
    """What the clusters step did for one kind: customers assigned, or why not (``message``)."""

    assigned: int
    message: str
    path: Path | None


def cluster_assign(
    con: BaseBackend, tx: ir.Table, *, as_of: date, kind: str, out_dir: Path, seed: int = 0
) -> ClusterOutcome:
    """Cluster one kind's customers and write ``clusters_<kind>.parquet`` in ``out_dir``.

    The label is the English one of :func:`pharmacrm.analytics.clusters.cluster_profiles`
    (the snapshot holds one label; the pages translate through the profiles when they land).
    """
    config = ClusterFeatureConfig()
    names = list(config.feature_names())
    features = cluster_features(tx, as_of=as_of, config=config)
    customers = int(features.count().to_pyarrow().as_py())
    if customers < MIN_CLUSTER_CUSTOMERS:
        return ClusterOutcome(
            0,
            f"Clusters ({kind}): not fitted — {customers} customers; clustering needs at least "
            f"{MIN_CLUSTER_CUSTOMERS}.",
            None,
        )
    sample = features
    if customers > FIT_SAMPLE:
        sample = features.sample(FIT_SAMPLE / customers, seed=seed)
    columns: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for batch in stream(con, sample.select(*names)):
        for name in names:
            values = batch.column(name).to_numpy(zero_copy_only=False)
            columns[name].append(np.asarray(values, dtype=float))
    matrix = np.column_stack([np.concatenate(columns[name]) for name in names])
    try:
        model = fit_clusters(matrix, names, seed=seed)
    except ValueError as exc:
        return ClusterOutcome(0, f"Clusters ({kind}): not fitted — {exc}.", None)
    assigned = assign_clusters(features, model)
    summary = [
        batch_row for batch in stream(con, cluster_summary(assigned, model))
        for batch_row in batch.to_pylist()
    ]  # fmt: skip
    labels = {profile.cluster: profile.labels["en"] for profile in cluster_profiles(summary, model)}
    path = out_dir / f"clusters_{kind}.parquet"
    written = 0
    with pq.ParquetWriter(path, CLUSTER_SCHEMA) as writer:
        for batch in stream(con, assigned.select("customer_id", "cluster")):
            clusters = batch.column("cluster").to_pylist()
            out = pa.RecordBatch.from_arrays(
                [
                    batch.column("customer_id").cast(pa.int64()),
                    batch.column("cluster").cast(pa.int64()),
                    pa.array([labels.get(c, "") for c in clusters], pa.string()),
                ],
                schema=CLUSTER_SCHEMA,
            )
            writer.write_batch(out)
            written += out.num_rows
    cluster_report_step.cluster_report_write(
        model=model, matrix=matrix, summary_rows=summary, kind=kind, out_dir=out_dir,
        clusters_path=path, seed=seed,
    )  # fmt: skip
    return ClusterOutcome(written, "", path)
