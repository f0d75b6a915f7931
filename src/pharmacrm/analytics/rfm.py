"""RFM scores (recency, frequency, monetary) and the 11 named segments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import observed, return_documents


@dataclass(frozen=True)
class SegmentRule:
    """One segment: R score in ``[r_min, r_max]`` and FM = (F + M) / 2 in ``[fm_min, fm_max]``."""

    name: str
    r_min: int
    r_max: int
    fm_min: float
    fm_max: float


@dataclass(frozen=True)
class RfmSegmentMap:
    """The RFM segment map: rules over (R, FM) read top-down, the first match wins.

    FM is the mean of the F and M scores (1, 1.5, …, 5). The default is the classic
    11-segment map:

    ==================  ========  ==========  ==============================================
    segment             R         FM          who
    ==================  ========  ==========  ==============================================
    Champions           4–5       4–5         bought recently, often, and spend the most
    Loyal               3–5       3–5         buy regularly and spend well
    Can't Lose Them     1         4–5         were the best, have not come back for long
    At Risk             1–2       3–5         spent well, but long ago
    Potential Loyalist  4–5       2–2.5       recent, average frequency and spend
    New                 5         1–1.5       just bought for the first times
    Promising           4         1–1.5       recent, little spend so far
    Need Attention      3         2–2.5       middling on all three
    About to Sleep      3         1–1.5       fading, little history
    Hibernating         2         1–2.5       long ago, little, rarely
    Lost                1         1–2.5       the longest gone, little value
    ==================  ========  ==========  ==============================================

    Every (R, F, M) in 1..5³ matches a rule (checked on construction), so the segments
    partition the customers. Pass another tuple of :class:`SegmentRule` to re-draw the map.
    """

    rules: tuple[SegmentRule, ...] = field(
        default_factory=lambda: (
            SegmentRule("Champions", 4, 5, 4, 5),
            SegmentRule("Loyal", 3, 5, 3, 5),
            SegmentRule("Can't Lose Them", 1, 1, 4, 5),
            SegmentRule("At Risk", 1, 2, 3, 5),
            SegmentRule("Potential Loyalist", 4, 5, 2, 2.5),
            SegmentRule("New", 5, 5, 1, 1.5),
            SegmentRule("Promising", 4, 4, 1, 1.5),
            SegmentRule("Need Attention", 3, 3, 2, 2.5),
            SegmentRule("About to Sleep", 3, 3, 1, 1.5),
            SegmentRule("Hibernating", 2, 2, 1, 2.5),
            SegmentRule("Lost", 1, 1, 1, 2.5),
        )
    )

    def __post_init__(self) -> None:
        """Refuse a map that leaves some (R, F, M) without a segment."""
        for r in range(1, 6):
            for f in range(1, 6):
                for m in range(1, 6):
                    if self.segment_of(r, f, m) is None:
                        raise ValueError(f"RFM segment map has no segment for R={r} F={f} M={m}")

    def segment_of(self, r: int, f: int, m: int) -> str | None:
        """Return the segment of one score triple (plain Python, for documentation and checks)."""
        fm = (f + m) / 2
        for rule in self.rules:
            if rule.r_min <= r <= rule.r_max and rule.fm_min <= fm <= rule.fm_max:
                return rule.name
        return None


DEFAULT_SEGMENT_MAP = RfmSegmentMap()


def _epoch_days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _score(
    value: ir.NumericValue, customer_id: ir.Value, n: ir.IntegerValue, bins: int
) -> ir.IntegerValue:
    # rank 1..n, worse first, ties broken by customer_id ascending; score = ⌊(rank−1)·bins/n⌋+1
    rank = ibis.row_number().over(order_by=[value, customer_id]) + 1
    return (((rank - 1) * bins) // n + 1).cast("int64")


def rfm_scores(
    tx: ir.Table, *, as_of: date, window_days: int | None = None, bins: int = 5
) -> ir.Table:
    """Score each customer 1–5 on recency, frequency and monetary value by rank.

    Over a window (default: all history up to ``as_of``; ``window_days=365`` counts the last
    365 days, ``as_of`` included): R = days since the last purchase day as of ``as_of``
    (``days_since_last``), F = number of purchase documents, M = net revenue (purchases less
    returns in the window). Scores 1–5 by rank: customers are sorted so that better comes later
    (R by ``days_since_last`` descending, F and M ascending), ties broken by ``customer_id``
    ascending, ranked 1..n, and score = ⌊(rank − 1) · 5 / n⌋ + 1 — each score holds n/5
    customers ± 1, and the most recent, most frequent, biggest get 5. Customers without a
    purchase in the window are not scored. Return documents never count in F or R.

    Parameters
    ----------
    tx
        Transactions view (``customer_id, day, doc_id, amount``, ``is_return`` if present).
    as_of
        Observation date, inclusive.
    window_days
        Length of the window in days, or ``None`` for all history.
    bins
        Number of scores (5: quintiles).

    Returns
    -------
    ir.Table
        One row per customer: ``customer_id, days_since_last, frequency, monetary, r_score,
        f_score, m_score``.
    """
    require(tx, REQUIRED_COLUMNS, function="rfm_scores")
    start = None if window_days is None else as_of - timedelta(days=window_days - 1)
    lines = observed(tx, as_of=as_of, start=start)
    lines = lines.filter(lines.customer_id.notnull())
    returns = return_documents(lines).mutate(_is_return=ibis.literal(True))
    docs = lines.group_by("customer_id", "doc_id").agg(
        _day=lines.day.max(), _net=lines.amount.sum()
    )
    docs = docs.left_join(returns, ["customer_id", "doc_id"]).select(
        "customer_id", "_day", "_net", _purchase=returns._is_return.isnull()
    )
    per_customer = docs.group_by("customer_id").agg(
        _last=docs._day.max(where=docs._purchase),
        frequency=docs._purchase.sum().cast("int64"),
        monetary=docs._net.sum(),
    )
    per_customer = per_customer.filter(per_customer.frequency > 0)
    scored = per_customer.mutate(
        days_since_last=(_epoch_days(as_of) - per_customer._last.epoch_days()).cast("int64"),
        _n=per_customer.count().over(),
    )
    return scored.select(
        "customer_id",
        "days_since_last",
        "frequency",
        "monetary",
        r_score=_score(-scored.days_since_last, scored.customer_id, scored._n, bins),
        f_score=_score(scored.frequency, scored.customer_id, scored._n, bins),
        m_score=_score(scored.monetary, scored.customer_id, scored._n, bins),
    )


def rfm_segments(scores: ir.Table, *, segment_map: RfmSegmentMap = DEFAULT_SEGMENT_MAP) -> ir.Table:
    """Name each customer's segment from the R, F and M scores with ``segment_map``.

    Parameters
    ----------
    scores
        The output of :func:`rfm_scores` (reads ``r_score, f_score, m_score``).
    segment_map
        Rules read top-down, first match wins (:class:`RfmSegmentMap`).

    Returns
    -------
    ir.Table
        ``scores`` plus ``segment`` (string), one row per customer.
    """
    r = scores.r_score
    fm2 = scores.f_score + scores.m_score
    branches = [
        (
            (r >= rule.r_min)
            & (r <= rule.r_max)
            & (fm2 >= rule.fm_min * 2)
            & (fm2 <= rule.fm_max * 2),
            rule.name,
        )
        for rule in segment_map.rules
    ]
    return scores.mutate(segment=ibis.cases(*branches, else_=ibis.null("string")))
