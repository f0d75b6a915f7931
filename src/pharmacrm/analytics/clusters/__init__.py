"""Customer clusters with plain-language profiles (DESIGN.md, Analytics: Clusters).

Features are an Ibis expression over the transactions view; centroids are fitted on a
materialised sample with scikit-learn; every customer is assigned by an Ibis expression
(nearest centroid) in the engine; profiles, labels (en, zh-hans, ru), bootstrap stability and
the what-if economics are pure Python on small results.
"""

from pharmacrm.analytics.clusters.economics import ClusterEconomics, WhatIf, what_if
from pharmacrm.analytics.clusters.features import ClusterFeatureConfig, cluster_features
from pharmacrm.analytics.clusters.fit import ClusterModel, assign_clusters, fit_clusters
from pharmacrm.analytics.clusters.profiles import (
    LANGUAGES,
    ClusterProfile,
    cluster_profiles,
    cluster_summary,
    describe,
)
from pharmacrm.analytics.clusters.stability import ClusterStability, cluster_stability

__all__ = [
    "LANGUAGES",
    "ClusterEconomics",
    "ClusterFeatureConfig",
    "ClusterModel",
    "ClusterProfile",
    "ClusterStability",
    "WhatIf",
    "assign_clusters",
    "cluster_features",
    "cluster_profiles",
    "cluster_stability",
    "cluster_summary",
    "describe",
    "fit_clusters",
    "what_if",
]
