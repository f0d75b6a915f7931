"""Leaky bucket: how the active customer base flows from one calendar period to the next."""

from __future__ import annotations

from datetime import date
from typing import Literal

import ibis
import ibis.expr.types as ir

from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import purchase_days

Period = Literal["month", "quarter"]


def period_index(day: ir.DateValue, period: Period) -> ir.IntegerValue:
    """Consecutive integer per calendar month (year·12 + month − 1) or quarter."""
    if period == "month":
        return day.year() * 12 + day.month() - 1
    if period == "quarter":
        return day.year() * 4 + (day.month() - 1) // 3
    raise ValueError(f"period must be 'month' or 'quarter', not {period!r}")


def period_start(index: ir.IntegerValue, period: Period) -> ir.DateValue:
    """First day of the period with that index."""
    months = index if period == "month" else index * 3
    return ibis.date(months // 12, months % 12 + 1, 1)


def leaky_bucket(tx: ir.Table, *, as_of: date, period: Period = "month") -> ir.Table:
    """Flows of active customers between consecutive calendar periods P−1 → P.

    A customer is active in a period with at least one purchase in it. New: first-ever
    purchase in P; retained: active in both; returning: active in P, not in P−1, but in some
    period before P−1; churned: active in P−1, not in P. Per period: the counts and revenue
    (purchase spend) of each flow — churned customers carry their revenue in P−1 — churn rate =
    churned / active(P−1) (null when nobody was active), and acquisitions needed to hold the
    base = churned − returning. Identity: active(P) = active(P−1) − churned + new + returning.
    Periods run from the first purchase's period to the one holding ``as_of`` (the last may be
    partial), periods with nobody active included.

    Parameters
    ----------
    tx
        Transactions view.
    as_of
        Observation date, inclusive.
    period
        ``"month"`` or ``"quarter"``.

    Returns
    -------
    ir.Table
        One row per period: ``period`` (its first day), ``active_prev, active, new, retained,
        returning, churned, churn_rate, acquisitions_needed, revenue_new, revenue_retained,
        revenue_returning, revenue_churned``.
    """
    require(tx, REQUIRED_COLUMNS, function="leaky_bucket")
    days = purchase_days(tx, as_of=as_of)
    active = days.group_by("customer_id", _p=period_index(days.day, period)).agg(
        _rev=days.spend.sum()
    )
    by_customer = ibis.window(group_by="customer_id", order_by="_p")
    flagged = active.mutate(
        _prev=active._p.lag().over(by_customer), _next=active._p.lead().over(by_customer)
    )
    is_new = flagged._prev.isnull()
    is_retained = flagged._prev == flagged._p - 1
    inflow = flagged.group_by("_p").agg(
        active=flagged.count(),
        new=is_new.sum(),
        retained=is_retained.sum(),
        revenue_new=flagged._rev.sum(where=is_new),
        revenue_retained=flagged._rev.sum(where=is_retained),
        revenue_returning=flagged._rev.sum(where=~is_new & ~is_retained),
    )
    leaving = flagged.filter(flagged._next.isnull() | (flagged._next != flagged._p + 1))
    outflow = leaving.group_by(_p=leaving._p + 1).agg(
        churned=leaving.count(), revenue_churned=leaving._rev.sum()
    )
    last = int(
        (as_of.year * 12 + as_of.month - 1)
        if period == "month"
        else as_of.year * 4 + (as_of.month - 1) // 3
    )
    spine = active.aggregate(_first=active._p.min())
    spine = spine.select(_p=ibis.range(spine._first, last + 1)).unnest("_p")
    flows = spine.left_join(inflow, "_p").drop("_p_right").left_join(outflow, "_p").drop("_p_right")
    zero = {
        name: flows[name].fill_null(0).cast("int64")
        for name in ("active", "new", "retained", "churned")
    }
    money = {
        name: flows[name].fill_null(0.0)
        for name in ("revenue_new", "revenue_retained", "revenue_returning", "revenue_churned")
    }
    returning = zero["active"] - zero["new"] - zero["retained"]
    active_prev = zero["retained"] + zero["churned"]
    return flows.select(
        period=period_start(flows._p, period),
        active_prev=active_prev,
        active=zero["active"],
        new=zero["new"],
        retained=zero["retained"],
        returning=returning,
        churned=zero["churned"],
        churn_rate=zero["churned"] / active_prev.nullif(0),
        acquisitions_needed=zero["churned"] - returning,
        **money,
    ).order_by("period")
