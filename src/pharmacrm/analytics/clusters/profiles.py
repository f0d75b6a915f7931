"""Cluster profiles: size, revenue and margin share, distinguishing features, words.

Each cluster is described by the features whose cluster mean sits furthest from the
population, measured in standard deviations (z-scores in the units the clusters were fitted
in). The label and the description are generated from those z-scores in every UI language
(en, zh-hans, ru): "vitamin and supplement buyers, frequent buyers" — so a marketer reads the
group without decoding centroids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis.expr.types as ir

from pharmacrm.analytics.clusters.fit import ClusterModel

LANGUAGES = ("en", "zh-hans", "ru")

# A feature distinguishes a cluster when its mean is at least half a standard deviation away
# from the population's; the label names at most two, the description at most three.
DISTINGUISHING_Z = 0.5
_LABEL_FEATURES = 2
_DESCRIPTION_FEATURES = 3

# feature → (phrase when above the population, phrase when below), per language.
_PHRASES: dict[str, dict[str, tuple[str, str]]] = {
    "share_medicines": {
        "en": ("medicine buyers", "few medicines"),
        "zh-hans": ("药品顾客", "少买药品"),
        "ru": ("покупатели лекарств", "мало лекарств"),
    },
    "share_vitamins_supplements": {
        "en": ("vitamin and supplement buyers", "few vitamins"),
        "zh-hans": ("维生素与保健品顾客", "少买维生素"),
        "ru": ("покупатели витаминов и БАД", "мало витаминов"),
    },
    "share_care_cosmetics": {
        "en": ("care and cosmetics buyers", "little care and cosmetics"),
        "zh-hans": ("护理与化妆品顾客", "少买护理品"),
        "ru": ("покупатели косметики и ухода", "мало косметики"),
    },
    "share_mother_child": {
        "en": ("mother and child shoppers", "few mother and child goods"),
        "zh-hans": ("母婴顾客", "少买母婴用品"),
        "ru": ("покупатели товаров для мам и детей", "мало детских товаров"),
    },
    "share_medical_devices": {
        "en": ("medical device buyers", "few medical devices"),
        "zh-hans": ("医疗器械顾客", "少买医疗器械"),
        "ru": ("покупатели медизделий", "мало медизделий"),
    },
    "log_frequency": {
        "en": ("frequent buyers", "rare buyers"),
        "zh-hans": ("高频购买", "低频购买"),
        "ru": ("частые покупки", "редкие покупки"),
    },
    "days_since_last": {
        "en": ("lapsing", "recently active"),
        "zh-hans": ("久未购买", "近期活跃"),
        "ru": ("давно не покупали", "недавно покупали"),
    },
    "log_monetary": {
        "en": ("high spenders", "low spenders"),
        "zh-hans": ("高消费", "低消费"),
        "ru": ("высокие траты", "низкие траты"),
    },
    "basket_width": {
        "en": ("broad baskets", "narrow baskets"),
        "zh-hans": ("购物篮品类多", "购物篮品类少"),
        "ru": ("широкая корзина", "узкая корзина"),
    },
    "average_check": {
        "en": ("big checks", "small checks"),
        "zh-hans": ("客单价高", "客单价低"),
        "ru": ("большой средний чек", "маленький средний чек"),
    },
    "promo_share": {
        "en": ("high promo share", "rarely on promotion"),
        "zh-hans": ("偏好促销", "很少参加促销"),
        "ru": ("любят акции", "редко по акциям"),
    },
    "online_share": {
        "en": ("online shoppers", "offline shoppers"),
        "zh-hans": ("线上购物", "线下购物"),
        "ru": ("покупают онлайн", "покупают в аптеке"),
    },
}

_TYPICAL = {"en": "typical customers", "zh-hans": "普通顾客", "ru": "типичные покупатели"}
_SEPARATOR = {"en": ", ", "zh-hans": "，", "ru": ", "}
_DESCRIPTION = {
    "en": "{customers:,} customers ({size:.0%} of customers, {revenue:.0%} of revenue, "
    "{margin:.0%} of margin): {features}.",
    "zh-hans": "{customers:,} 位顾客（占顾客 {size:.0%}，收入 {revenue:.0%}，"
    "毛利 {margin:.0%}）：{features}。",
    "ru": "{customers:,} покупателей ({size:.0%} покупателей, {revenue:.0%} выручки, "
    "{margin:.0%} маржи): {features}.",
}
_Z_NOTE = {
    "en": "{phrase} ({z:+.1f} sd)",
    "zh-hans": "{phrase}（{z:+.1f} 标准差）",
    "ru": "{phrase} ({z:+.1f} σ)",
}


@dataclass(frozen=True)
class ClusterProfile:
    """One cluster in numbers and words.

    Attributes
    ----------
    cluster
        Cluster number (0 … k−1).
    customers
        Members.
    size_share, revenue_share, margin_share
        Shares of customers, purchase revenue and margin (0 … 1; margin share 0 when the
        total margin is not positive).
    revenue, margin
        Totals of the cluster's members.
    mean_clv
        Mean CLV of the members when a ``clv`` column was given, else ``None``.
    feature_means
        Feature → mean over the members (natural units).
    z_scores
        Feature → (cluster mean − population mean) / population standard deviation.
    labels, descriptions
        Language code (``en``, ``zh-hans``, ``ru``) → short label and one-sentence description.
    """

    cluster: int
    customers: int
    size_share: float
    revenue_share: float
    margin_share: float
    revenue: float
    margin: float
    mean_clv: float | None
    feature_means: dict[str, float]
    z_scores: dict[str, float]
    labels: dict[str, str]
    descriptions: dict[str, str]


def cluster_summary(assigned: ir.Table, model: ClusterModel) -> ir.Table:
    """Aggregate assigned customers per cluster, in the engine.

    Parameters
    ----------
    assigned
        Output of :func:`pharmacrm.analytics.clusters.fit.assign_clusters` over
        :func:`cluster_features` (``revenue`` and ``margin`` columns; ``clv`` if joined).
    model
        The fitted model (for the feature list).

    Returns
    -------
    ir.Table
        One row per cluster: ``cluster, customers, revenue, margin``, ``mean_clv`` (only
        with a ``clv`` column) and ``mean_<feature>`` per feature.
    """
    aggregates: dict[str, ir.Value] = {
        "customers": assigned.count(),
        "revenue": assigned.revenue.sum(),
        "margin": assigned.margin.sum(),
    }
    if "clv" in assigned.columns:
        aggregates["mean_clv"] = assigned.clv.mean()
    aggregates |= {f"mean_{name}": assigned[name].mean() for name in model.feature_names}
    return assigned.group_by("cluster").agg(**aggregates).order_by("cluster")


def cluster_profiles(
    summary_rows: Sequence[Mapping[str, float | int | None]], model: ClusterModel
) -> list[ClusterProfile]:
    """Turn the per-cluster summary into profiles with labels in every UI language.

    Parameters
    ----------
    summary_rows
        Rows of :func:`cluster_summary`, materialised (k rows: small).
    model
        The fitted model: its means and scales define the z-score units.

    Returns
    -------
    list[ClusterProfile]
        One per cluster, in cluster order.
    """
    total_customers = sum(int(row["customers"] or 0) for row in summary_rows)
    total_revenue = sum(float(row["revenue"] or 0.0) for row in summary_rows)
    total_margin = sum(float(row["margin"] or 0.0) for row in summary_rows)
    profiles = []
    for row in sorted(summary_rows, key=lambda r: int(r["cluster"] or 0)):
        means = {name: float(row[f"mean_{name}"] or 0.0) for name in model.feature_names}
        z_scores = {
            name: (means[name] - mean) / scale
            for name, mean, scale in zip(
                model.feature_names, model.means, model.scales, strict=True
            )
        }
        customers = int(row["customers"] or 0)
        revenue = float(row["revenue"] or 0.0)
        margin = float(row["margin"] or 0.0)
        shares = {
            "size": customers / total_customers if total_customers else 0.0,
            "revenue": revenue / total_revenue if total_revenue > 0 else 0.0,
            "margin": margin / total_margin if total_margin > 0 else 0.0,
        }
        labels, descriptions = describe(z_scores, customers=customers, shares=shares)
        clv = row.get("mean_clv")
        profiles.append(
            ClusterProfile(
                cluster=int(row["cluster"] or 0),
                customers=customers,
                size_share=shares["size"],
                revenue_share=shares["revenue"],
                margin_share=shares["margin"],
                revenue=revenue,
                margin=margin,
                mean_clv=None if clv is None else float(clv),
                feature_means=means,
                z_scores=z_scores,
                labels=labels,
                descriptions=descriptions,
            )
        )
    return profiles


def describe(
    z_scores: Mapping[str, float], *, customers: int, shares: Mapping[str, float]
) -> tuple[dict[str, str], dict[str, str]]:
    """Label and description of one cluster in every language, from its z-scores.

    The features with |z| ≥ 0.5, strongest first (ties by name), each named by its phrase for
    "above" or "below" the population; a cluster without any is "typical customers".
    """
    ranked = sorted(
        (
            (name, z)
            for name, z in z_scores.items()
            if abs(z) >= DISTINGUISHING_Z and name in _PHRASES
        ),
        key=lambda item: (-abs(item[1]), item[0]),
    )
    labels: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for language in LANGUAGES:
        phrases = [(_PHRASES[name][language][0 if z > 0 else 1], z) for name, z in ranked]
        separator = _SEPARATOR[language]
        labels[language] = (
            separator.join(phrase for phrase, _ in phrases[:_LABEL_FEATURES]) or _TYPICAL[language]
        )
        notes = [
            _Z_NOTE[language].format(phrase=phrase, z=z)
            for phrase, z in phrases[:_DESCRIPTION_FEATURES]
        ] or [_TYPICAL[language]]
        descriptions[language] = _DESCRIPTION[language].format(
            customers=customers,
            size=shares["size"],
            revenue=shares["revenue"],
            margin=shares["margin"],
            features=separator.join(notes),
        )
    return labels, descriptions
