"""Acquisition-month cohorts: retention and revenue by months since the first purchase."""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from pharmacrm.analytics.leaky_bucket import period_index, period_start
from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import purchase_days


def cohorts(tx: ir.Table, *, as_of: date) -> ir.Table:
    """Cohort × age grid: active customers, their share and revenue per cohort member.

    A customer's cohort is the calendar month of the first purchase; age = months since that
    month (0 = the acquisition month). For every cohort and every age up to ``as_of``'s month —
    ages with nobody active included, as zeros — ``active`` = cohort members with a purchase
    in that month, ``share_active`` = active / cohort_size, ``revenue`` = their purchase spend
    in the month, ``revenue_per_member`` = revenue / cohort_size (summed over ages: the
    customer life-cycle value curve).

    Parameters
    ----------
    tx
        Transactions view.
    as_of
        Observation date, inclusive.

    Returns
    -------
    ir.Table
        One row per cohort and age: ``cohort`` (first day of the month),
        ``months_since_first, cohort_size, active, share_active, revenue,
        revenue_per_member``.
    """
    require(tx, REQUIRED_COLUMNS, function="cohorts")
    days = purchase_days(tx, as_of=as_of)
    monthly = days.group_by("customer_id", _m=period_index(days.day, "month")).agg(
        _rev=days.spend.sum()
    )
    monthly = monthly.mutate(_c=monthly._m.min().over(group_by="customer_id"))
    cells = monthly.group_by("_c", _age=monthly._m - monthly._c).agg(
        active=monthly.count(), revenue=monthly._rev.sum()
    )
    sizes = monthly.filter(monthly._m == monthly._c).group_by("_c").agg(cohort_size=ibis._.count())
    last = as_of.year * 12 + as_of.month - 1
    grid = sizes.select("_c", "cohort_size", _age=ibis.range(0, last - sizes._c + 1)).unnest("_age")
    joined = grid.left_join(cells, ["_c", "_age"])
    active = joined.active.fill_null(0).cast("int64")
    revenue = joined.revenue.fill_null(0.0)
    size = joined.cohort_size.cast("int64")
    return joined.select(
        cohort=period_start(joined._c, "month"),
        months_since_first=joined._age.cast("int64"),
        cohort_size=size,
        active=active,
        share_active=active / size,
        revenue=revenue,
        revenue_per_member=revenue / size,
    ).order_by("cohort", "months_since_first")
