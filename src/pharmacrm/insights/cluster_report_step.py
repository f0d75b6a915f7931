"""What the cluster pages need, written once per run: profiles, stability, map, economics.

Django-free; :func:`pharmacrm.insights.cluster_step.cluster_assign` calls
:func:`cluster_report_write` once every customer has a cluster. It writes
``clusters_report_<kind>.json`` with

* each cluster's profile (size, revenue and margin share, z-scores of the distinguishing
  features, label and description in every UI language) plus its mean CLV;
* the stability of the partition: adjusted Rand index of re-fits on bootstrap samples;
* a 2-D map: the fitting sample's standardised features projected on their first two
  principal components (a sample of points, coloured by cluster on the page);
* each cluster's economics for the what-if model — members active (P(alive) ≥ 0.5) and
  inactive, their expected revenue over the CLV horizon (expected purchases × expected spend
  per purchase, undiscounted) and the margin rate of the cluster's past purchases — when the
  CLV step scored the kind (``clv_<kind>.parquet`` with ``expected_spend``).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow.parquet as pq

from pharmacrm.analytics.clusters import (
    ClusterEconomics,
    ClusterModel,
    cluster_profiles,
    cluster_stability,
)

ACTIVE_FROM = 0.5
"""P(alive) from which a member counts as active in the what-if model."""

MAP_POINTS = 1_500
"""Points on the cluster map (a deterministic sample of the fitting sample)."""

BOOTSTRAPS = 5
"""Re-fits behind the stability figure (each one KMeans on the fitting sample)."""


def report_path(out_dir: Path, kind: str) -> Path:
    """Where a kind's cluster report lives in a run's folder."""
    return out_dir / f"clusters_report_{kind}.json"


def _projection(
    matrix: npt.NDArray[np.float64], model: ClusterModel, *, seed: int
) -> dict[str, Any]:
    """First two principal components of the standardised sample, for a scatter plot."""
    z = model.standardise(matrix)
    clusters = model.predict(matrix)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(z.shape[0], size=min(MAP_POINTS, z.shape[0]), replace=False))
    centred = z - z.mean(axis=0)
    _u, singular, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    explained = variance / variance.sum() if variance.sum() > 0 else variance
    axes = components[:2] if components.shape[0] >= 2 else np.vstack([components, components])
    points = centred[rows] @ axes.T
    return {
        "explained": [float(value) for value in explained[:2]],
        "points": [
            {"x": float(x), "y": float(y), "cluster": int(c)}
            for (x, y), c in zip(points, clusters[rows], strict=True)
        ],
    }


def _economics(
    clusters_path: Path, clv_path: Path, *, k: int, margin_rates: dict[int, float]
) -> dict[int, dict[str, Any]]:
    """Per cluster: mean CLV and :class:`ClusterEconomics`, from the run's Parquet files."""
    if not clv_path.exists():
        return {}
    scores = pq.read_table(clv_path)
    if "expected_spend" not in scores.column_names:
        return {}
    assigned = pq.read_table(clusters_path, columns=["customer_key", "cluster"])
    joined = assigned.join(scores, "customer_key", join_type="inner")
    cluster = joined.column("cluster").to_numpy(zero_copy_only=False).astype(np.int64)

    def values(name: str) -> npt.NDArray[np.float64]:
        column = joined.column(name).to_numpy(zero_copy_only=False)
        return np.nan_to_num(column.astype(np.float64), nan=0.0)

    p_alive = values("p_alive")
    revenue = values("expected_purchases") * values("expected_spend")
    clv_values = values("clv")
    active = p_alive >= ACTIVE_FROM
    result: dict[int, dict[str, Any]] = {}
    for number in range(k):
        members = cluster == number
        count = int(members.sum())
        economics = ClusterEconomics(
            active_members=int((members & active).sum()),
            inactive_members=int((members & ~active).sum()),
            expected_revenue_active=float(revenue[members & active].sum()),
            expected_revenue_inactive=float(revenue[members & ~active].sum()),
            margin_rate=margin_rates.get(number, 0.0),
        )
        result[number] = {
            "mean_clv": float(clv_values[members].mean()) if count else None,
            "economics": asdict(economics),
        }
    return result


def cluster_report_write(
    *,
    model: ClusterModel,
    matrix: npt.NDArray[np.float64],
    summary_rows: list[dict[str, Any]],
    kind: str,
    out_dir: Path,
    clusters_path: Path,
    seed: int = 0,
) -> Path:
    """Write ``clusters_report_<kind>.json`` for a kind whose customers were clustered.

    Parameters
    ----------
    model
        The fitted clusters.
    matrix
        The fitting sample (customers × features, natural units).
    summary_rows
        :func:`pharmacrm.analytics.clusters.cluster_summary`, materialised.
    kind, out_dir
        Customer kind and the run's folder.
    clusters_path
        The kind's assignment (``clusters_<kind>.parquet``).
    seed
        Seed of the bootstrap re-fits and of the map sample.

    Returns
    -------
    Path
        The report file.
    """
    profiles = cluster_profiles(summary_rows, model)
    margin_rates = {
        profile.cluster: profile.margin / profile.revenue if profile.revenue > 0 else 0.0
        for profile in profiles
    }
    costed = _economics(
        clusters_path, out_dir / f"clv_{kind}.parquet", k=model.k, margin_rates=margin_rates
    )
    stability = cluster_stability(matrix, model, bootstraps=BOOTSTRAPS, seed=seed)
    report = {
        "kind": kind,
        "k": model.k,
        "feature_names": list(model.feature_names),
        "silhouette_by_k": {str(k): value for k, value in model.silhouette_by_k.items()},
        "inertia_by_k": {str(k): value for k, value in model.inertia_by_k.items()},
        "stability": {
            "mean_ari": stability.mean_ari,
            "ari_by_bootstrap": list(stability.ari_by_bootstrap),
        },
        "profiles": [
            {
                **asdict(profile),
                "mean_clv": costed.get(profile.cluster, {}).get("mean_clv", profile.mean_clv),
                "economics": costed.get(profile.cluster, {}).get("economics"),
            }
            for profile in profiles
        ],
        "projection": _projection(matrix, model, seed=seed),
    }
    path = report_path(out_dir, kind)
    path.write_text(json.dumps(report, indent=1, default=_json_default), encoding="utf-8")
    return path


def _json_default(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
