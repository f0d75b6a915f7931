"""Pareto / VIP: Lorenz curve points, Gini coefficient, top-20 % share, VIP flags."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import ibis
import ibis.expr.types as ir

from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import observed, purchase_lines


def ceil_share(n: ir.IntegerValue, share: float) -> ir.IntegerValue:
    """ceil(share · n) in integers: 15 · 0.2 is 3.0000000000000004 in floats, and 4 is wrong."""
    fraction = Fraction(share).limit_denominator(1_000_000)
    return (n * fraction.numerator + fraction.denominator - 1) // fraction.denominator


def customer_values(tx: ir.Table, *, as_of: date, measure: str = "revenue") -> ir.Table:
    """Net revenue (or margin) per customer with a purchase on or before ``as_of``.

    ``measure="margin"`` uses amount − cost. Return documents lower the value; customers with
    only returns are left out (they never purchased).

    Returns
    -------
    ir.Table
        ``customer_id, value`` — one row per customer.
    """
    require(tx, REQUIRED_COLUMNS, function="customer_values")
    lines = observed(tx, as_of=as_of)
    lines = lines.filter(lines.customer_id.notnull())
    if measure == "revenue":
        amount = lines.amount
    elif measure == "margin":
        require(tx, ("cost",), function="customer_values")
        amount = lines.amount - lines.cost.fill_null(0.0)
    else:
        raise ValueError(f"measure must be 'revenue' or 'margin', not {measure!r}")
    values = lines.mutate(_value=amount).group_by("customer_id").agg(value=ibis._._value.sum())
    buyers = purchase_lines(tx, as_of=as_of).select("customer_id").distinct()
    return values.semi_join(buyers, "customer_id")


def pareto(
    tx: ir.Table, *, as_of: date, measure: str = "revenue", vip_share: float = 0.2
) -> ir.Table:
    """Lorenz points: customers ranked by value, with cumulative customer and value shares.

    Customers are ranked by value descending, ties by ``customer_id`` ascending (as in ABC).
    ``cum_customer_share`` = rank / n, ``cum_value_share`` = value of ranks 1..rank / total.
    VIP = rank ≤ ceil(``vip_share`` · n).

    Parameters
    ----------
    tx
        Transactions view.
    as_of
        Observation date, inclusive.
    measure
        ``"revenue"`` (net) or ``"margin"``.
    vip_share
        Share of customers flagged VIP (0.2: the top fifth).

    Returns
    -------
    ir.Table
        One row per customer: ``rank, customer_id, value, cum_customer_share,
        cum_value_share, is_vip``.
    """
    values = customer_values(tx, as_of=as_of, measure=measure)
    order = [values.value.desc(), values.customer_id.asc()]
    ranked = values.mutate(
        rank=(ibis.row_number().over(order_by=order) + 1).cast("int64"),
        _cum=values.value.sum().over(order_by=order, rows=(None, 0)),
        _n=values.count().over(),
        _total=values.value.sum().over(),
    )
    vip_count = ceil_share(ranked._n, vip_share)
    return ranked.select(
        "rank",
        "customer_id",
        "value",
        cum_customer_share=ranked.rank / ranked._n,
        cum_value_share=ranked._cum / ranked._total,
        is_vip=ranked.rank <= vip_count,
    )


def pareto_summary(
    tx: ir.Table, *, as_of: date, measure: str = "revenue", top_share: float = 0.2
) -> ir.Table:
    """Gini coefficient and the top-share of value in one row.

    Gini = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² · mean), with no n/(n − 1) correction, computed from the
    ascending order statistics as Σᵢ (2i − n − 1) x₍ᵢ₎ / (n · total). Top share = value of the
    top ceil(``top_share`` · n) customers (ranked as in ABC) / total.

    Returns
    -------
    ir.Table
        One row: ``customers, total, gini, top20_share`` (``top20_share`` is the share at
        ``top_share``, named after the default).
    """
    points = pareto(tx, as_of=as_of, measure=measure, vip_share=top_share)
    n = points.count().over()
    # rank is descending; the ascending position is n + 1 − rank, so 2i − n − 1 = n + 1 − 2·rank
    weighted = points.mutate(_w=(n + 1 - 2 * points.rank) * points.value, _n=n)
    return weighted.aggregate(
        customers=weighted.count(),
        total=weighted.value.sum(),
        gini=weighted._w.sum() / (weighted._n.max() * weighted.value.sum()),
        top20_share=weighted.value.sum(where=weighted.is_vip) / weighted.value.sum(),
    )
