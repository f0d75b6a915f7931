"""Benchmark: cluster fit on a sample + assignment of every customer in DuckDB.

Run from the repository root:
    .venv/bin/python bench/clv/bench_clusters.py [--customers 1000000] [--sample 50000]

The feature table is synthetic (the 12 default feature columns, five planted Gaussian groups,
seeded) and sits in DuckDB, so the figures are fit + assignment only, not feature extraction
from transactions. Prints wall and CPU seconds per step, the chosen k, the adjusted Rand index
against the planted groups, and the process's peak RSS.
"""

import argparse
import resource
import time

import ibis
import numpy as np
import pyarrow as pa
from sklearn.metrics import adjusted_rand_score

from pharmacrm.analytics.clusters import assign_clusters, fit_clusters
from pharmacrm.analytics.clusters.features import ClusterFeatureConfig


def step(label, func):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    print(
        f"{label}: {time.perf_counter() - wall:.3f} s wall, {time.process_time() - cpu:.3f} s CPU"
    )
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000)
    args = parser.parse_args()
    names = ClusterFeatureConfig().feature_names()
    rng = np.random.default_rng(3)
    centres = rng.normal(0.0, 3.0, (5, len(names)))
    planted = rng.integers(0, 5, args.customers)
    matrix = centres[planted] + rng.normal(0.0, 1.0, (args.customers, len(names)))
    table = pa.table(
        {"customer_id": np.arange(args.customers), **dict(zip(names, matrix.T, strict=True))}
    )
    del matrix
    con = ibis.duckdb.connect()
    features = ibis.memtable(table)

    sample_rows = rng.choice(args.customers, args.sample, replace=False)
    sample = np.column_stack([table.column(n).to_numpy()[sample_rows] for n in names])
    model = step(
        f"fit on {args.sample:,} (k chosen in 2..8 by silhouette)",
        lambda: fit_clusters(sample, names, k_range=(2, 8), seed=0),
    )
    print(f"    k = {model.k}")
    assigned = step(
        f"assign {args.customers:,} in DuckDB",
        lambda: con.to_pyarrow(assign_clusters(features, model).select("customer_id", "cluster")),
    )
    order = np.argsort(assigned.column("customer_id").to_numpy())
    clusters = assigned.column("cluster").to_numpy()[order]
    print(f"    adjusted Rand index vs planted: {adjusted_rand_score(planted, clusters):.4f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"    process peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
