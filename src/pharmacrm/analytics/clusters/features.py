"""Customer features for clustering, as one Ibis expression over the transactions view.

DESIGN.md, Analytics definitions, Clusters: category shares, log frequency, days since last
purchase, log monetary, basket width, average check, promotion share and online share, one row
per customer with a purchase on or before ``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import purchase_lines


@dataclass(frozen=True)
class ClusterFeatureConfig:
    """Which categories get a share column and which channels count as offline.

    Attributes
    ----------
    categories
        Category codes of the catalogue (``ProductCategory``); each gets a ``share_<code>``
        feature = the customer's purchase amount in it / their purchase amount. Lines of other
        or unknown categories count in the denominator only.
    offline_channels
        Channels of the transactions view that are not online: ``retail`` (pharmacy checks),
        ``b2b`` (invoices) and ``sell_out`` (distributor flows). Every other non-null channel
        is an online store.
    """

    categories: tuple[str, ...] = (
        "medicines",
        "vitamins_supplements",
        "care_cosmetics",
        "mother_child",
        "medical_devices",
    )
    offline_channels: tuple[str, ...] = ("retail", "b2b", "sell_out")

    def feature_names(self) -> tuple[str, ...]:
        """Names of the clustering features, in matrix column order."""
        return (
            *(f"share_{code}" for code in self.categories),
            "log_frequency",
            "days_since_last",
            "log_monetary",
            "basket_width",
            "average_check",
            "promo_share",
            "online_share",
        )


def cluster_features(
    tx: ir.Table, *, as_of: date, config: ClusterFeatureConfig | None = None
) -> ir.Table:
    """One row of clustering features per customer.

    Definitions (purchase documents only; returns never count, DESIGN.md):
    ``share_<category>`` = purchase amount in the category / purchase amount (0 when the
    total is 0); ``log_frequency`` = ln(1 + purchase documents); ``days_since_last`` =
    ``as_of`` − last purchase day; ``log_monetary`` = ln(1 + max(purchase amount, 0));
    ``basket_width`` = mean distinct categories per document; ``average_check`` = purchase
    amount / documents; ``promo_share`` = promo-line amount / purchase amount;
    ``online_share`` = share of documents sold through an online channel. Also ``revenue``
    (purchase amount) and ``margin`` (amount − cost, cost taken as 0 where unknown) for the
    profiles; they are not features.

    Parameters
    ----------
    tx
        Transactions view; reads ``customer_id, day, doc_id, amount`` and, if present,
        ``category, promo, channel, cost, is_return``.
    as_of
        Observation date, inclusive.
    config
        Category and channel lists (defaults: :class:`ClusterFeatureConfig`).

    Returns
    -------
    ir.Table
        One row per customer: ``customer_id``, the features of
        :meth:`ClusterFeatureConfig.feature_names` (float64, never null), ``revenue``,
        ``margin``.
    """
    require(tx, REQUIRED_COLUMNS, function="cluster_features")
    settings = config or ClusterFeatureConfig()
    lines = purchase_lines(tx, as_of=as_of)
    category = lines.category if "category" in lines.columns else ibis.null("string")
    promo = lines.promo if "promo" in lines.columns else ibis.null("boolean")
    channel = lines.channel if "channel" in lines.columns else ibis.null("string")
    cost = lines.cost if "cost" in lines.columns else ibis.null("float64")
    lines = lines.mutate(
        _category=category,
        _promo_amount=promo.fill_null(False).ifelse(lines.amount, 0.0),
        _is_online=channel.notnull() & ~channel.isin(settings.offline_channels),
        _cost=cost.fill_null(0.0),
    )
    documents = lines.group_by("customer_id", "doc_id").agg(
        _width=lines._category.nunique(),
        _online=lines._is_online.any(),
    )
    per_document = documents.group_by("customer_id").agg(
        _docs=documents.count(),
        _width=documents._width.mean(),
        _online_docs=documents._online.ifelse(1, 0).sum(),
    )
    share_sums = {
        f"_amount_{code}": (lines._category == code).ifelse(lines.amount, 0.0).sum()
        for code in settings.categories
    }
    per_line = lines.group_by("customer_id").agg(
        _amount=lines.amount.sum(),
        _cost=lines._cost.sum(),
        _promo=lines._promo_amount.sum(),
        _last=lines.day.max(),
        **share_sums,
    )
    joined = per_line.join(per_document, "customer_id")
    positive = joined._amount > 0

    def share(numerator: ir.NumericValue) -> ir.FloatingValue:
        return positive.ifelse(numerator / joined._amount, 0.0).cast("float64")

    features: dict[str, ir.Value] = {
        f"share_{code}": share(joined[f"_amount_{code}"]) for code in settings.categories
    }
    features |= {
        "log_frequency": (joined._docs + 1).cast("float64").ln(),
        "days_since_last": (ibis.literal(as_of) - joined._last).cast("int64").cast("float64"),
        "log_monetary": (ibis.greatest(joined._amount, 0.0) + 1.0).ln(),
        "basket_width": joined._width.cast("float64"),
        "average_check": (joined._amount / joined._docs).cast("float64"),
        "promo_share": share(joined._promo),
        "online_share": (joined._online_docs / joined._docs).cast("float64"),
        "revenue": joined._amount.cast("float64"),
        "margin": (joined._amount - joined._cost).cast("float64"),
    }
    return joined.select("customer_id", **features)
