"""Cluster stability: whether bootstrap re-fits find the same groups.

Each bootstrap draws the sample with replacement, re-fits KMeans with the same k, and assigns
the original sample; the adjusted Rand index (ARI) between those labels and the fitted model's
labels measures agreement beyond chance (1 = the same partition, ≈ 0 = unrelated). A mean ARI
around 0.8 or more is a stable segmentation; below about 0.6 the groups are an artefact of the
sample and should not be given names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import adjusted_rand_score

from pharmacrm.analytics.clusters.fit import ClusterModel, kmeans


@dataclass(frozen=True)
class ClusterStability:
    """Bootstrap stability of a fitted clustering.

    Attributes
    ----------
    mean_ari
        Mean adjusted Rand index over the re-fits.
    ari_by_bootstrap
        The ARI of each re-fit, in bootstrap order.
    """

    mean_ari: float
    ari_by_bootstrap: tuple[float, ...]


def cluster_stability(
    matrix: npt.ArrayLike, model: ClusterModel, *, bootstraps: int = 10, seed: int = 0
) -> ClusterStability:
    """Re-fit ``model.k`` clusters on bootstrap samples and compare partitions by ARI.

    Parameters
    ----------
    matrix
        The feature sample the model was fitted on (customers × features, natural units).
    model
        The fitted model; its standardisation is reused so only the centroids vary.
    bootstraps
        Number of re-fits.
    seed
        Seed of the bootstrap draws and of KMeans.

    Returns
    -------
    ClusterStability
        Mean and per-bootstrap adjusted Rand index.
    """
    if bootstraps < 1:
        raise ValueError("bootstraps must be >= 1")
    z = model.standardise(matrix)
    reference = model.predict(matrix)
    rng = np.random.default_rng(seed)
    scores = []
    for index in range(bootstraps):
        rows = rng.integers(0, z.shape[0], size=z.shape[0])
        refit = kmeans(z[rows], model.k, seed + index + 1)
        scores.append(float(adjusted_rand_score(reference, refit.predict(z))))
    return ClusterStability(mean_ari=float(np.mean(scores)), ari_by_bootstrap=tuple(scores))
