"""ABC (value concentration) and XYZ (demand stability) classes, and their matrix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import observed


@dataclass(frozen=True)
class AbcXyzThresholds:
    """Class limits of ABC and XYZ.

    ABC: A while the share held by items ranked above is < ``a`` (0.80), B while < ``b``
    (0.95), else C. XYZ: X if CV < ``x`` (0.10), Y if < ``y`` (0.25), else Z.
    """

    a: float = 0.80
    b: float = 0.95
    x: float = 0.10
    y: float = 0.25


DEFAULT_THRESHOLDS = AbcXyzThresholds()
_KEYS = {"customer": "customer_id", "sku": "sku"}


def _measure(lines: ir.Table, measure: str) -> ir.NumericValue:
    if measure == "revenue":
        return lines.amount
    if measure == "margin":
        return lines.amount - lines.cost.fill_null(0.0)
    if measure == "quantity":
        return lines.qty.fill_null(0.0)
    raise ValueError(f"measure must be 'revenue', 'margin' or 'quantity', not {measure!r}")


def abc(
    tx: ir.Table,
    *,
    as_of: date,
    by: str = "customer",
    measure: str = "revenue",
    start: date | None = None,
    thresholds: AbcXyzThresholds = DEFAULT_THRESHOLDS,
) -> ir.Table:
    """ABC classes of customers or products by net revenue, margin or quantity.

    Rank items by value descending, ties by id ascending; an item is A when the share held by
    the items ranked above it is < 80 %, B when < 95 %, else C — so the item that crosses 80 %
    is A. Values are net of returns; lines on days in ``[start, as_of]`` count; lines without
    a customer (or SKU) are left out.

    Parameters
    ----------
    tx
        Transactions view (``qty`` for quantity, ``cost`` for margin, ``sku`` for products).
    as_of
        Observation date, inclusive.
    by
        ``"customer"`` or ``"sku"``.
    measure
        ``"revenue"``, ``"margin"`` or ``"quantity"``.
    start
        First day of the window (``None``: all history).
    thresholds
        Class limits.

    Returns
    -------
    ir.Table
        One row per item: ``customer_id`` (or ``sku``), ``value, share_before, class``.
    """
    require(tx, REQUIRED_COLUMNS, function="abc")
    key = _KEYS[by]
    lines = observed(tx, as_of=as_of, start=start)
    lines = lines.filter(lines[key].notnull())
    values = lines.mutate(_v=_measure(lines, measure)).group_by(key).agg(value=ibis._._v.sum())
    order = [values.value.desc(), values[key].asc()]
    ranked = values.mutate(
        _before=values.value.sum().over(order_by=order, rows=(None, -1)).fill_null(0.0),
        _total=values.value.sum().over(),
    )
    share_before = ranked._before / ranked._total
    klass = ibis.cases(
        (share_before < thresholds.a, "A"), (share_before < thresholds.b, "B"), else_="C"
    )
    return ranked.select(key, "value", share_before=share_before, **{"class": klass})


def _month_index(year: ir.IntegerValue | int, month: ir.IntegerValue | int) -> ir.IntegerValue:
    return year * 12 + month - 1


def xyz(
    tx: ir.Table,
    *,
    as_of: date,
    by: str = "sku",
    start: date | None = None,
    thresholds: AbcXyzThresholds = DEFAULT_THRESHOLDS,
) -> ir.Table:
    """XYZ classes by the coefficient of variation of monthly quantity.

    CV = population standard deviation / mean of the monthly quantity over the complete
    calendar months in the window, months without sales counted as 0. The window runs from the
    first data day (or ``start``) to ``as_of``; a month counts when it lies wholly inside it.
    X if CV < 0.10, Y if < 0.25, else Z (also when the mean is 0 or no month is complete: CV
    is then null). The standard deviation comes from Σq and Σq² over the months with sales,
    which makes the zero months free.

    Parameters
    ----------
    tx
        Transactions view (reads ``qty`` and ``sku``/``customer_id``).
    as_of
        Observation date, inclusive.
    by
        ``"sku"`` or ``"customer"``.
    start
        Window start (``None``: the first day in the data).
    thresholds
        Class limits.

    Returns
    -------
    ir.Table
        One row per item with a line in the window: ``sku`` (or ``customer_id``), ``months``
        (complete months counted), ``mean, std, cv, class``.
    """
    require(tx, (*REQUIRED_COLUMNS, "qty"), function="xyz")
    key = _KEYS[by]
    lines = observed(tx, as_of=as_of, start=start)
    first_day = lines.day.min() if start is None else ibis.date(start)
    first_month = _month_index(first_day.year(), first_day.month()) + (first_day.day() > 1).cast(
        "int64"
    )
    month_end = (as_of + timedelta(days=1)).day == 1
    last_month = _month_index(as_of.year, as_of.month) - (0 if month_end else 1)
    months = (last_month - first_month + 1).clip(lower=0)
    keyed = lines.filter(lines[key].notnull())
    keyed = keyed.mutate(_m=_month_index(keyed.day.year(), keyed.day.month()), _months=months)
    items = keyed.group_by(key).agg(months=keyed._months.max().cast("int64"))
    complete = keyed.filter((keyed._m >= first_month) & (keyed._m <= last_month))
    monthly = complete.group_by(key, "_m").agg(_q=complete.qty.fill_null(0.0).sum())
    sums = monthly.group_by(key).agg(_s=monthly._q.sum(), _s2=(monthly._q * monthly._q).sum())
    joined = items.left_join(sums, key)
    joined = joined.select(
        key, "months", _s=joined._s.fill_null(0.0), _s2=joined._s2.fill_null(0.0)
    )
    n = joined.months.nullif(0).cast("float64")
    mean = joined._s / n
    variance = (joined._s2 / n - mean * mean).clip(lower=0.0)
    stats = joined.select(key, "months", mean=mean, std=variance.sqrt())
    cv = stats["std"] / stats["mean"].nullif(0.0)
    klass = ibis.cases((cv < thresholds.x, "X"), (cv < thresholds.y, "Y"), else_="Z")
    return stats.mutate(cv=cv, **{"class": klass})


def abc_xyz_matrix(abc_classes: ir.Table, xyz_classes: ir.Table, *, key: str = "sku") -> ir.Table:
    """Count items and value in each ABC × XYZ cell.

    Parameters
    ----------
    abc_classes, xyz_classes
        Outputs of :func:`abc` and :func:`xyz` over the same items.
    key
        ``"sku"`` or ``"customer_id"``.

    Returns
    -------
    ir.Table
        One row per non-empty cell: ``abc, xyz, items, value``.
    """
    a = abc_classes.select(key, "value", abc=abc_classes["class"])
    x = xyz_classes.select(key, xyz=xyz_classes["class"])
    joined = a.inner_join(x, key)
    return joined.group_by("abc", "xyz").agg(items=joined.count(), value=joined.value.sum())
