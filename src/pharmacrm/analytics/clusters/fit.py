"""Fit cluster centroids on a sample (scikit-learn) and assign every customer in the engine.

The sample leaves the engine as a NumPy matrix; :func:`fit_clusters` standardises it, picks k by
silhouette within a range (the inertia "elbow" curve is returned too, for the chart) and fits
KMeans. :func:`assign_clusters` turns the fitted centroids back into an Ibis expression
(nearest centroid by squared Euclidean distance on the standardised features), so every
customer is assigned by the engine, DuckDB or PySpark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ClusterModel:
    """Fitted clusters: how to standardise, where the centroids are, and why this k.

    Attributes
    ----------
    feature_names
        Feature columns, in the order of the matrix and of the centroid coordinates.
    means, scales
        Sample mean and standard deviation per feature (scale 1 for a constant feature),
        so z = (value − mean) / scale.
    centroids
        k × features centroid coordinates in standardised units.
    k
        The number of clusters used.
    silhouette_by_k
        Silhouette score of each k tried (on the silhouette sample).
    inertia_by_k
        KMeans inertia (within-cluster sum of squares) of each k tried: the elbow curve.
    seed
        Random seed of KMeans and of the sub-samples, for reproducible fits.
    """

    feature_names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    centroids: tuple[tuple[float, ...], ...]
    k: int
    silhouette_by_k: dict[int, float]
    inertia_by_k: dict[int, float]
    seed: int

    def standardise(self, matrix: npt.ArrayLike) -> FloatArray:
        """Return ``(matrix − means) / scales``."""
        values = np.asarray(matrix, dtype=np.float64)
        return (values - np.asarray(self.means)) / np.asarray(self.scales)

    def predict(self, matrix: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Nearest centroid of each row (ties to the lower cluster number), in NumPy."""
        z = self.standardise(matrix)
        centres = np.asarray(self.centroids)
        distances = ((z[:, np.newaxis, :] - centres[np.newaxis, :, :]) ** 2).sum(axis=2)
        return np.argmin(distances, axis=1).astype(np.int64)


def fit_clusters(
    matrix: npt.ArrayLike,
    feature_names: Sequence[str],
    *,
    k: int | None = None,
    k_range: tuple[int, int] = (2, 8),
    silhouette_sample: int = 5000,
    seed: int = 0,
) -> ClusterModel:
    """Standardise a feature sample, choose k by silhouette and fit KMeans centroids.

    Parameters
    ----------
    matrix
        Sample of customers × features (rows from :func:`cluster_features`).
    feature_names
        Column names of ``matrix``.
    k
        Fixed number of clusters; ``None`` chooses it within ``k_range``.
    k_range
        Inclusive range of k tried; the k with the highest silhouette wins (ties: smaller k).
    silhouette_sample
        Silhouette is quadratic in rows; it is computed on at most this many sampled rows.
    seed
        Seed of KMeans (``n_init=10``) and of the silhouette sample: fits are reproducible.

    Returns
    -------
    ClusterModel
        Standardisation, centroids and the silhouette and inertia of every k tried.

    Raises
    ------
    ValueError
        If the sample has fewer distinct customers than the k asked for, or NaN values.
    """
    values = np.asarray(matrix, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(feature_names):
        raise ValueError("matrix must have one column per feature name")
    if not np.all(np.isfinite(values)):
        raise ValueError("the feature sample holds NaN or infinite values")
    means = values.mean(axis=0)
    scales = values.std(axis=0)
    scales = np.where(scales > 0, scales, 1.0)
    z = (values - means) / scales
    distinct = np.unique(z, axis=0).shape[0]
    low, high = (k, k) if k is not None else k_range
    if low < 1 or high < low:
        raise ValueError(f"k range {low}..{high} is empty")
    if distinct < max(low, 2):
        raise ValueError(
            f"only {distinct} distinct customer profile(s) in the sample: cannot form "
            f"{max(low, 2)} clusters"
        )
    high = min(high, distinct - 1) if k is None else high
    rng = np.random.default_rng(seed)
    rows = rng.choice(z.shape[0], size=min(silhouette_sample, z.shape[0]), replace=False)
    fits: dict[int, KMeans] = {}
    silhouettes: dict[int, float] = {}
    inertias: dict[int, float] = {}
    for candidate in range(low, high + 1):
        model = kmeans(z, candidate, seed)
        fits[candidate] = model
        inertias[candidate] = float(model.inertia_)
        labels = model.labels_[rows]
        if candidate >= 2 and np.unique(labels).size >= 2:
            silhouettes[candidate] = float(silhouette_score(z[rows], labels))
        else:
            silhouettes[candidate] = float("nan")
    chosen = k if k is not None else max(silhouettes, key=lambda c: (silhouettes[c], -c))
    centroids = fits[chosen].cluster_centers_
    return ClusterModel(
        feature_names=tuple(feature_names),
        means=tuple(float(v) for v in means),
        scales=tuple(float(v) for v in scales),
        centroids=tuple(tuple(float(v) for v in row) for row in centroids),
        k=chosen,
        silhouette_by_k=silhouettes,
        inertia_by_k=inertias,
        seed=seed,
    )


def kmeans(z: FloatArray, k: int, seed: int) -> KMeans:
    """KMeans with 10 seeded restarts on one OpenMP thread.

    scikit-learn's OpenMP threads busy-wait for work; on a small machine shared with the
    engine (2 cores, DuckDB or Spark busy beside it) that made a 900-row fit take 8-15 s
    instead of 0.1 s. One thread is fast and reproducible on samples of the size we fit on.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit(z)


def assign_clusters(features: ir.Table, model: ClusterModel) -> ir.Table:
    """Assign every customer to the nearest centroid, as an engine expression.

    Parameters
    ----------
    features
        Output of :func:`pharmacrm.analytics.clusters.features.cluster_features` (any table
        with ``customer_id`` and the model's feature columns).
    model
        The fitted :class:`ClusterModel`.

    Returns
    -------
    ir.Table
        ``features`` plus ``cluster`` (int64, 0 … k−1; equal distances go to the lower
        number), one row per customer.
    """
    missing = [name for name in model.feature_names if name not in features.columns]
    if missing:
        raise ValueError(f"assign_clusters: feature column(s) missing: {', '.join(missing)}")
    standardised = [
        (features[name] - mean) / scale
        for name, mean, scale in zip(model.feature_names, model.means, model.scales, strict=True)
    ]
    distances = [
        sum(
            (
                (value - coordinate) ** 2
                for value, coordinate in zip(standardised, centre, strict=True)
            ),
            ibis.literal(0.0),
        )
        for centre in model.centroids
    ]
    if len(distances) == 1:
        return features.mutate(cluster=ibis.literal(0, "int64"))
    nearest = ibis.least(*distances)
    cluster = ibis.cases(
        *((distance <= nearest, index) for index, distance in enumerate(distances[:-1])),
        else_=len(distances) - 1,
    )
    return features.mutate(cluster=cluster.cast("int64"))
