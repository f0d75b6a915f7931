"""BTYD ("buy till you die") summary: frequency, recency, T and monetary value per customer.

The input of the BG/NBD, Pareto/NBD and Gamma-Gamma models (:mod:`pharmacrm.analytics.clv`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import ibis
import ibis.expr.types as ir

from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import purchase_days

_DAYS_PER_UNIT = {"days": 1, "weeks": 7}


def btyd_summary(tx: ir.Table, *, as_of: date, unit: Literal["days", "weeks"] = "days") -> ir.Table:
    """Summarise each customer's purchases in the lifetimes / PyMC-Marketing convention.

    Purchases collapse to one per day (amounts summed); frequency = distinct purchase days − 1;
    recency = last − first purchase day (the customer's age at the last purchase, *not* the
    time since it); T = ``as_of`` − first purchase day; monetary_value = mean of the per-day
    sums over the repeat days (first day excluded), 0 if none. Time in days, or days / 7 for
    weeks. Only purchase documents on days ≤ ``as_of`` count: return documents never make a
    purchase day, and a zero-amount purchase is a purchase day with zero spend (CDNOW has eight
    such customers). Two receipts on one day (10:02 and 18:40) are one purchase.

    Parameters
    ----------
    tx
        Transactions view; reads ``customer_id, day, doc_id, amount`` and ``is_return`` if
        present.
    as_of
        Observation end, inclusive.
    unit
        ``"days"`` or ``"weeks"`` (days / 7: the collapsing period stays one day).

    Returns
    -------
    ir.Table
        One row per customer with a purchase: ``customer_id, frequency`` (int64),
        ``recency, T, monetary_value`` (float64, in ``unit``).

    References
    ----------
    Fader, Hardie & Lee (2005), "Counting your customers the easy way", *Marketing Science*
    24(2); lifetimes ``summary_data_from_transaction_data``. On the CDNOW sample as of
    1997-09-30 in weeks this reproduces ``cdnow_customers_summary.csv``.

    Examples
    --------
    >>> import ibis
    >>> from datetime import date
    >>> tx = ibis.memtable({"customer_id": [1, 1, 1], "doc_id": ["a", "b", "c"],
    ...     "day": [date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 8)],
    ...     "amount": [5.0, 3.0, 4.0]})
    >>> btyd_summary(tx, as_of=date(2024, 1, 15)).to_pyarrow().to_pylist()
    [{'customer_id': 1, 'frequency': 1, 'recency': 7.0, 'T': 14.0, 'monetary_value': 4.0}]
    """
    require(tx, REQUIRED_COLUMNS, function="btyd_summary")
    if unit not in _DAYS_PER_UNIT:
        raise ValueError(f"btyd_summary: unit must be 'days' or 'weeks', not {unit!r}")
    per_unit = _DAYS_PER_UNIT[unit]
    days = purchase_days(tx, as_of=as_of)
    per_customer = days.group_by("customer_id").agg(
        _n=days.count(),
        _first=days.day.min(),
        _last=days.day.max(),
        _total=days.spend.sum(),
        _first_spend=days.spend.argmin(days.day),
    )
    repeat_days = per_customer._n - 1
    first = per_customer._first
    return per_customer.select(
        "customer_id",
        frequency=repeat_days.cast("int64"),
        recency=(per_customer._last.delta(first, unit="day") / per_unit).cast("float64"),
        T=(ibis.literal(as_of).delta(first, unit="day") / per_unit).cast("float64"),
        monetary_value=(repeat_days > 0).ifelse(
            (per_customer._total - per_customer._first_spend) / repeat_days, 0.0
        ),
    )
