"""Trade KPIs per calendar period and slice: customers, checks, money, basket and check length.

DESIGN.md, Analytics definitions (**KPIs**, and **Purchases, returns and zero lines**). A
*check* is a purchase document (``customer_id, doc_id``; its net amount ≥ 0 and not every line
marked ``is_return``); a return document lowers net revenue and is reported under ``returns``,
but is never a check and never makes a customer active. Zero-amount lines (gifts, samples)
count in check length and basket width and add nothing to money. Lines without a customer
(an unresolved card) count in checks and money, never in customer figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from pharmacrm.analytics.leaky_bucket import period_index as _month_or_quarter_index
from pharmacrm.analytics.leaky_bucket import period_start as _month_or_quarter_start
from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import observed

KpiPeriod = Literal["month", "quarter", "week", "day"]
PERIODS: tuple[KpiPeriod, ...] = ("month", "quarter", "week", "day")

KPI_COLUMNS: tuple[str, ...] = (
    "active_customers",
    "new_customers",
    "checks",
    "net_revenue",
    "returns",
    "average_check",
    "frequency",
    "basket_width",
    "basket_width_sku",
    "check_length",
)
"""The measures, in output order, after ``period`` and the slice columns."""

_DOC_KEY = ("customer_id", "doc_id")
_EPOCH = date(1970, 1, 1)
# 1970-01-01 was a Thursday: shifting epoch days by 3 makes ISO weeks (Monday first) whole.
_MONDAY_SHIFT = 3


@dataclass(frozen=True)
class AgeBands:
    """Age bands for the ``age_band`` slice and the age-band mix.

    A customer's age is counted in whole years from the birth year to the year of the purchase
    day (``year(day) − birth_year``): loyalty programmes record the birth year more often than
    the date, and the band of a purchase should not change when the report is re-run later.
    With the default ``lower_edges`` (18, 25, 35, 45, 55, 65) the bands are ``<18``, ``18-24``,
    ``25-34``, ``35-44``, ``45-54``, ``55-64`` and ``65+``; an unknown birth year gives a null
    band.

    Attributes
    ----------
    lower_edges
        Ascending first ages of each band after the first.
    """

    lower_edges: tuple[int, ...] = (18, 25, 35, 45, 55, 65)

    def labels(self) -> tuple[str, ...]:
        """Band names, youngest first."""
        edges = self.lower_edges
        inner = [f"{lo}-{hi - 1}" for lo, hi in zip(edges, edges[1:], strict=False)]
        return (f"<{edges[0]}", *inner, f"{edges[-1]}+")

    def band(self, age: ir.IntegerValue) -> ir.StringValue:
        """The band label of an age column (null for a null age)."""
        labels = self.labels()
        branches = [(age < edge, labels[i]) for i, edge in enumerate(self.lower_edges)]
        return age.isnull().ifelse(ibis.null(dt.string), ibis.cases(*branches, else_=labels[-1]))


AGE_BANDS = AgeBands()


def _period_index(day: ir.DateValue, period: KpiPeriod) -> ir.IntegerValue:
    """Consecutive integer per period, so a spine of periods is an integer range."""
    if period == "day":
        return day.epoch_days().cast(dt.int64)
    if period == "week":
        return (day.epoch_days().cast(dt.int64) + _MONDAY_SHIFT) // 7
    return _month_or_quarter_index(day, period)


def _period_index_of(day: date, period: KpiPeriod) -> int:
    """The same index for a Python date (``as_of`` and ``start``)."""
    days = (day - _EPOCH).days
    if period == "day":
        return days
    if period == "week":
        return (days + _MONDAY_SHIFT) // 7
    if period == "month":
        return day.year * 12 + day.month - 1
    return day.year * 4 + (day.month - 1) // 3


def _period_first_day(index: ir.IntegerValue, period: KpiPeriod) -> ir.DateValue:
    if period == "day":
        return ibis.date(_EPOCH) + index.as_interval("D")
    if period == "week":
        return ibis.date(_EPOCH) + (index * 7 - _MONDAY_SHIFT).as_interval("D")
    return _month_or_quarter_start(index, period)


def _with_customer_columns(
    lines: ir.Table, customers: ir.Table | None, age_bands: AgeBands
) -> ir.Table:
    """Attach the customer dimension's columns (they win over the view's) and ``age_band``."""
    if customers is not None:
        require(customers, ("customer_id",), function="kpis (customers)")
        extra = [c for c in customers.columns if c != "customer_id"]
        dim = customers.select(
            _dim_customer=customers.customer_id, **{f"_dim_{c}": customers[c] for c in extra}
        )
        joined = lines.left_join(dim, lines.customer_id == dim._dim_customer)
        lines = joined.mutate(**{c: joined[f"_dim_{c}"] for c in extra}).drop(
            "_dim_customer", *[f"_dim_{c}" for c in extra]
        )
    if "birth_year" in lines.columns:
        age = lines.day.year().cast(dt.int64) - lines.birth_year.cast(dt.int64)
        lines = lines.mutate(age_band=age_bands.band(age))
    return lines


def _doc_kind(docs: ir.Table, period: KpiPeriod) -> dict[str, ir.Value]:
    """A document's kind and period from its first day, amount and all-flagged columns."""
    return {
        "_is_return": (docs._amount < 0) | docs._all_flagged,
        "_p": _period_index(docs._first_day, period),
    }


def _parts(lines: ir.Table, slice_by: Sequence[str], *, category_by_sku: bool) -> ir.Table:
    """Per document and slice value: first day, amount, lines, distinct categories and SKUs.

    With ``category_by_sku`` (each SKU has one category, as in a view whose category comes
    from the product dimension) the distinct counts come from grouping per SKU, then per
    category, then per piece — three shrinking groupings, no distinct aggregate (which DuckDB
    runs as two more line-sized groupings joined back on the piece).
    """
    flagged = lines.is_return.fill_null(False) if "is_return" in lines.columns else False
    lines = lines.mutate(_flagged=flagged)
    has_category = "category" in lines.columns
    has_sku = "sku" in lines.columns
    keys = (*_DOC_KEY, *slice_by)
    if not (category_by_sku and has_category and has_sku and "sku" not in slice_by):
        return lines.group_by(*keys).agg(
            _first_day=lines.day.min(),
            _amount=lines.amount.sum(),
            _lines=lines.count(),
            _categories=lines.category.nunique() if has_category else ibis.literal(0),
            _skus=lines.sku.nunique() if has_sku else ibis.literal(0),
            _all_flagged=lines._flagged.all(),
        )
    by_sku = lines.group_by(*keys, "sku").agg(
        _category=lines.category.max(),
        _first_day=lines.day.min(),
        _amount=lines.amount.sum(),
        _lines=lines.count(),
        _all_flagged=lines._flagged.all(),
    )
    by_category = by_sku.group_by(*keys, "_category").agg(
        _skus=by_sku.sku.count(),
        _first_day=by_sku._first_day.min(),
        _amount=by_sku._amount.sum(),
        _lines=by_sku._lines.sum(),
        _all_flagged=by_sku._all_flagged.all(),
    )
    return by_category.group_by(*keys).agg(
        _first_day=by_category._first_day.min(),
        _amount=by_category._amount.sum(),
        _lines=by_category._lines.sum(),
        _categories=by_category._category.count(),
        _skus=by_category._skus.sum(),
        _all_flagged=by_category._all_flagged.all(),
    )


def _pieces(
    lines: ir.Table, slice_by: Sequence[str], period: KpiPeriod, *, category_by_sku: bool
) -> ir.Table:
    """One row per document and slice value, with its period and whether it is a return.

    A check that holds medicines and vitamins is one check in each category's slice; whether a
    document is a return, and the period it falls in (that of its first day), are decided over
    the whole document, so slicing never turns half a purchase into a return.

    Built to stream over 100 M lines: the lines are grouped once per document (and slice
    value); when sliced, the document totals are grouped from those pieces and joined back on
    the document key. No window runs over the lines or the documents.
    """
    parts = _parts(lines, slice_by, category_by_sku=category_by_sku)
    measures = ("_amount", "_lines", "_categories", "_skus")
    if not slice_by:
        return parts.select(*_DOC_KEY, *measures, **_doc_kind(parts, period))
    docs = parts.group_by(_doc_customer=parts.customer_id, _doc_id=parts.doc_id).agg(
        _first_day=parts._first_day.min(),
        _amount=parts._amount.sum(),
        _all_flagged=parts._all_flagged.all(),
    )
    kinds = docs.select("_doc_customer", "_doc_id", **_doc_kind(docs, period))
    joined = parts.inner_join(
        kinds,
        [
            parts.customer_id.identical_to(kinds._doc_customer),
            parts.doc_id.identical_to(kinds._doc_id),
        ],
    )
    return joined.select(*_DOC_KEY, *slice_by, *measures, "_is_return", "_p")


def _first_purchase_periods(pieces: ir.Table) -> ir.Table:
    """``_first_customer, _first_p``: each customer's period of the first-ever purchase."""
    purchases = pieces.filter(~pieces._is_return & pieces.customer_id.notnull())
    return purchases.group_by(_first_customer=purchases.customer_id).agg(
        _first_p=purchases._p.min()
    )


def _measured(pieces: ir.Table, firsts: ir.Table, slice_by: Sequence[str]) -> ir.Table:
    """The KPI sums per period and slice value, through one row per customer there.

    Grouping the pieces per period, slice value and customer first makes "active" and "new"
    plain counts of those rows (no distinct count over the pieces); the per-customer first
    purchase period joins that smaller table. Means are carried as sums and counts.
    """
    is_check = ~pieces._is_return
    width = pieces._categories.nullif(0)
    width_sku = pieces._skus.nullif(0)
    per_customer = pieces.group_by("_p", *slice_by, "customer_id").agg(
        _c_checks=is_check.sum(),
        _c_net=pieces._amount.sum(),
        _c_returned=pieces._amount.sum(where=pieces._is_return),
        _c_width=width.sum(where=is_check),
        _c_width_n=width.count(where=is_check),
        _c_width_sku=width_sku.sum(where=is_check),
        _c_width_sku_n=width_sku.count(where=is_check),
        _c_length=pieces._lines.sum(where=is_check),
        _c_length_n=pieces._lines.count(where=is_check),
    )
    c = per_customer.left_join(firsts, per_customer.customer_id == firsts._first_customer)
    known = c.customer_id.notnull()
    active = known & (c._c_checks > 0)
    return c.group_by("_p", *slice_by).agg(
        _active=active.sum(),
        _new=(active & (c._p == c._first_p)).sum(),
        _checks=c._c_checks.sum(),
        _known_checks=c._c_checks.sum(where=known),
        _net=c._c_net.sum(),
        _returned=c._c_returned.sum(),
        _width=c._c_width.sum() / c._c_width_n.sum().nullif(0),
        _width_sku=c._c_width_sku.sum() / c._c_width_sku_n.sum().nullif(0),
        _length=c._c_length.sum() / c._c_length_n.sum().nullif(0),
    )


def _kpis_of_pieces(
    pieces: ir.Table,
    *,
    as_of: date,
    period: KpiPeriod,
    slice_by: tuple[str, ...],
    start: date | None,
) -> ir.Table:
    """The KPI table from one row per document (and slice value) with its kind and period."""
    # Who is new is decided over all history up to as_of, before start trims the periods.
    firsts = _first_purchase_periods(pieces)
    first_index = None if start is None else _period_index_of(start, period)
    if first_index is not None:
        pieces = pieces.filter(pieces._p >= first_index)
    measured = _measured(pieces, firsts, slice_by)

    last_index = _period_index_of(as_of, period)
    # The spine's first period and slice values come from the small per-period table: every
    # piece falls in one of its groups, and the pieces are not read a second time.
    bounds = measured.aggregate(_lo=measured._p.min())
    lo = bounds._lo if first_index is None else ibis.literal(first_index, dt.int64)
    spine = bounds.select(_p=ibis.range(lo, last_index + 1)).unnest("_p")
    if slice_by:
        spine = spine.cross_join(measured.select(*slice_by).distinct())
    predicates = [spine._p == measured._p] + [spine[c].identical_to(measured[c]) for c in slice_by]
    grid = spine.left_join(measured, predicates)

    checks = grid._checks.fill_null(0).cast(dt.int64)
    active = grid._active.fill_null(0).cast(dt.int64)
    net = grid._net.fill_null(0.0).cast(dt.float64)
    return grid.select(
        period=_period_first_day(grid._p, period),
        **{c: grid[c] for c in slice_by},
        active_customers=active,
        new_customers=grid._new.fill_null(0).cast(dt.int64),
        checks=checks,
        net_revenue=net,
        # 0 − x, not −x: a period without returns shows 0.0, not −0.0.
        returns=(ibis.literal(0.0) - grid._returned.fill_null(0.0)).cast(dt.float64),
        average_check=(net / checks.nullif(0)).cast(dt.float64),
        frequency=(grid._known_checks.cast(dt.float64) / active.nullif(0)).cast(dt.float64),
        basket_width=grid._width.cast(dt.float64),
        basket_width_sku=grid._width_sku.cast(dt.float64),
        check_length=grid._length.cast(dt.float64),
    ).order_by("period", *slice_by)


def kpis(
    tx: ir.Table,
    *,
    as_of: date,
    period: KpiPeriod = "month",
    slice_by: Sequence[str] = (),
    customers: ir.Table | None = None,
    start: date | None = None,
    age_bands: AgeBands = AGE_BANDS,
    category_by_sku: bool = False,
) -> ir.Table:
    """Trade KPIs per calendar period (and slice).

    Per period and slice (DESIGN.md): active customers = identified customers with at least
    one check; new customers = those among them whose first-ever purchase (any slice, all
    history up to ``as_of``) falls in the period; checks = purchase documents (anonymous ones
    included); net revenue = Σ amount over every line, so return documents lower it; returns
    = the value of the return documents as a positive figure; average check = net revenue /
    checks; frequency = identified customers' checks / active customers; basket width = mean
    distinct categories per check (``basket_width_sku``: distinct SKUs); check length = mean
    lines per check. Zero-amount lines count in basket width and check length only. A check
    whose lines carry no category (or SKU) has no width and is left out of that mean. Ratios
    are null where their denominator is 0. A document belongs to the period of its first day.

    Periods run from the first period with any line (or the one holding ``start``) to the one
    holding ``as_of`` (the last may be partial); every slice value seen in those periods gets
    a row in each of them, periods without a line included (zeros, null ratios). Weeks are ISO
    weeks (Monday first). Slicing by a line attribute (``category``) splits a check into one
    check per slice value; by a document or customer attribute (``region``, ``outlet_id``,
    ``channel``, ``gender``, ``age_band``, a ``segment`` from ``customers``) it does not.

    Parameters
    ----------
    tx
        Transactions view; reads ``customer_id, day, doc_id, amount`` and, if present,
        ``is_return``, ``category``, ``sku``, ``birth_year`` and the ``slice_by`` columns.
    as_of
        Observation date, inclusive: later lines are ignored.
    period
        ``"month"``, ``"quarter"``, ``"week"`` (ISO) or ``"day"`` (the local day).
    slice_by
        Columns to slice by, of ``tx`` or of ``customers``; ``age_band`` is derived from
        ``birth_year`` with ``age_bands``.
    customers
        Optional customer dimension: ``customer_id`` plus attributes (``gender``,
        ``birth_year``, ``segment`` …) that replace the view's columns of the same name.
    start
        First day of the reported range; earlier history still decides who is new.
    age_bands
        The bands of ``age_band``.
    category_by_sku
        Promise that each SKU has one category (true of every view built by
        :mod:`pharmacrm.analytics.transactions`, whose category comes from the product
        dimension by SKU): the basket widths are then counted without distinct aggregates,
        which on 10 M lines takes about a third less time and a seventh of the spill. The
        figures are the same; a log that breaks the promise gets wrong basket widths.

    Returns
    -------
    ir.Table
        One row per period (× slice), ordered: ``period`` (its first day), the ``slice_by``
        columns, ``active_customers, new_customers, checks`` (int64), ``net_revenue, returns,
        average_check, frequency, basket_width, basket_width_sku, check_length`` (float64).

    Raises
    ------
    ValueError
        On an unknown ``period``, or a ``slice_by`` column that neither table has.

    Examples
    --------
    >>> import ibis
    >>> from datetime import date
    >>> tx = ibis.memtable({"customer_id": [1, 1, 2], "doc_id": ["a", "a", "b"],
    ...     "day": [date(2024, 1, 5)] * 3, "amount": [10.0, 0.0, -4.0],
    ...     "sku": ["x", "gift", "x"]})
    >>> row = kpis(tx, as_of=date(2024, 1, 31)).to_pyarrow().to_pylist()[0]
    >>> row["checks"], row["net_revenue"], row["returns"], row["check_length"]
    (1, 6.0, 4.0, 2.0)
    """
    require(tx, REQUIRED_COLUMNS, function="kpis")
    if period not in PERIODS:
        raise ValueError(f"kpis: period must be one of {PERIODS}, not {period!r}")
    slice_by = tuple(slice_by)
    lines = _with_customer_columns(observed(tx, as_of=as_of), customers, age_bands)
    missing = [c for c in slice_by if c not in lines.columns]
    if missing:
        raise ValueError(
            f"kpis: cannot slice by {missing[0]!r}: no such column in the transactions "
            f"or the customers table (age_band needs birth_year)"
        )
    pieces = _pieces(lines, slice_by, period, category_by_sku=category_by_sku)
    return _kpis_of_pieces(pieces, as_of=as_of, period=period, slice_by=slice_by, start=start)


DOCUMENT_COLUMNS: tuple[str, ...] = (
    "_first_day",
    "_amount",
    "_lines",
    "_categories",
    "_skus",
    "_all_flagged",
)
"""The measure columns of :func:`kpi_documents`, read only by :func:`kpis_of_documents`."""


def kpi_documents(
    tx: ir.Table,
    *,
    as_of: date,
    attributes: Sequence[str] = (),
    customers: ir.Table | None = None,
    age_bands: AgeBands = AGE_BANDS,
    category_by_sku: bool = False,
) -> ir.Table:
    """One row per document up to ``as_of``: the stage every document-level KPI query shares.

    Grouping 100 M lines per document is most of a KPI query's work; a run that reports the
    KPIs unsliced and by several document attributes computes this table once (and may write
    it to disk) and hands it to :func:`kpis_of_documents` per slice, instead of grouping the
    lines again for each.

    ``attributes`` must be constant over a document's lines — the document's own (``region``,
    ``outlet_id``, ``channel`` of every view built by :mod:`pharmacrm.analytics.transactions`,
    whose document key holds the outlet, seller or channel) or its customer's (``gender``,
    ``birth_year``, a ``segment`` from ``customers``). A document whose lines disagree on an
    attribute would count once per value. ``age_band`` is derived from ``birth_year`` and the
    year of the document's first day. A line attribute such as ``category`` splits documents:
    slice by it with :func:`kpis`.

    Parameters
    ----------
    tx, as_of, customers, age_bands, category_by_sku
        As for :func:`kpis`.
    attributes
        The document-level columns to keep (of ``tx`` or ``customers``, or ``age_band``).

    Returns
    -------
    ir.Table
        ``customer_id``, the ``attributes`` and :data:`DOCUMENT_COLUMNS`.

    Raises
    ------
    ValueError
        On an attribute that neither table has.
    """
    require(tx, REQUIRED_COLUMNS, function="kpi_documents")
    attributes = tuple(attributes)
    lines = _with_customer_columns(observed(tx, as_of=as_of), customers, age_bands)
    grouped = tuple(dict.fromkeys("birth_year" if a == "age_band" else a for a in attributes))
    missing = [a for a in grouped if a not in lines.columns]
    if missing:
        raise ValueError(
            f"kpi_documents: no column {missing[0]!r} in the transactions or the customers table"
        )
    docs = _parts(lines, grouped, category_by_sku=category_by_sku)
    if "age_band" in attributes:
        age = docs._first_day.year().cast(dt.int64) - docs.birth_year.cast(dt.int64)
        docs = docs.mutate(age_band=age_bands.band(age))
    return docs.select("customer_id", *attributes, *DOCUMENT_COLUMNS)


def kpis_of_documents(
    documents: ir.Table,
    *,
    as_of: date,
    period: KpiPeriod = "month",
    slice_by: Sequence[str] = (),
    start: date | None = None,
) -> ir.Table:
    """:func:`kpis` from the table of :func:`kpi_documents`, sliced by its attributes.

    Gives what ``kpis(tx, slice_by=slice_by, …)`` gives for the same ``as_of`` and document-
    level ``slice_by`` (on the document's first-day age band), reading one row per document
    rather than every line.

    Parameters
    ----------
    documents
        :func:`kpi_documents`'s output, built with the same ``as_of``.
    as_of, period, start
        As for :func:`kpis`.
    slice_by
        Attributes of ``documents`` to slice by.

    Returns
    -------
    ir.Table
        As :func:`kpis`.
    """
    if period not in PERIODS:
        raise ValueError(f"kpis: period must be one of {PERIODS}, not {period!r}")
    slice_by = tuple(slice_by)
    missing = [c for c in slice_by if c not in documents.columns]
    if missing:
        raise ValueError(f"kpis_of_documents: the documents have no attribute {missing[0]!r}")
    pieces = documents.select(
        "customer_id",
        *slice_by,
        "_amount",
        "_lines",
        "_categories",
        "_skus",
        **_doc_kind(documents, period),
    )
    return _kpis_of_pieces(pieces, as_of=as_of, period=period, slice_by=slice_by, start=start)


def kpi_mix(
    tx: ir.Table,
    *,
    as_of: date,
    by: Literal["gender", "age_band"],
    period: KpiPeriod = "month",
    customers: ir.Table | None = None,
    start: date | None = None,
    age_bands: AgeBands = AGE_BANDS,
) -> ir.Table:
    """Gender or age-band mix of the active customers and of net revenue per period.

    The KPIs sliced by ``by`` (see :func:`kpis`), with each group's share of the period's
    active customers and of its net revenue. Customers of unknown gender or birth year, and
    lines without a customer, form the null group, so the shares of a period sum to 1.

    Parameters
    ----------
    tx, as_of, period, customers, start, age_bands
        As for :func:`kpis`.
    by
        ``"gender"`` or ``"age_band"``.

    Returns
    -------
    ir.Table
        One row per period and group: ``period``, ``by``'s column, ``active_customers,
        customer_share, net_revenue, revenue_share`` (shares null when the period's total is 0).
    """
    sliced = kpis(
        tx,
        as_of=as_of,
        period=period,
        slice_by=(by,),
        customers=customers,
        start=start,
        age_bands=age_bands,
    )
    in_period = ibis.window(group_by="period")
    return sliced.select(
        "period",
        by,
        "active_customers",
        customer_share=sliced.active_customers
        / sliced.active_customers.sum().over(in_period).nullif(0),
        net_revenue=sliced.net_revenue,
        revenue_share=sliced.net_revenue / sliced.net_revenue.sum().over(in_period).nullif(0),
    ).order_by("period", by)
