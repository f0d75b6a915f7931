"""The transactions view, and the purchase/return rules every customer function shares.

DESIGN.md, Analytics definitions. The view has the columns of
:data:`pharmacrm.analytics.schemas.TRANSACTION_COLUMNS`, one row per fact line, whatever the
source. **Purchases, returns and zero lines**: a *document* (check, invoice, order), keyed by
``(customer_id, doc_id)``, is a purchase unless it is a return — its net amount is < 0, or every
one of its lines is marked ``is_return`` (a return or a cancellation). A zero-amount document is
a purchase with zero spend. Return documents lower net revenue and are reported as returns, but
never make a purchase, a purchase day, frequency or recency. Zero-amount lines (gifts, samples)
count in check length and basket width and add nothing to money. Only days ≤ ``as_of`` count.

Amounts are signed: a return line carries a negative amount (the online builder negates
cancelled and returned order lines, which the shop reports as positive).

The builders take the warehouse facts (PyArrow schemas in :mod:`pharmacrm.warehouse.facts`)
and optional dimension snapshots: ``products`` (``sku_code, category``), ``consumers``
(``consumer_id, gender, birth_year``) and ``accounts`` (``account_id, region``). A line whose
customer code did not resolve keeps a null ``customer_id``: it counts in revenue and checks,
never in customer figures.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, TRANSACTION_COLUMNS, require

_DOC_KEY = ("customer_id", "doc_id")


def _complete(columns: dict[str, ir.Value]) -> dict[str, ir.Value]:
    """Fill the view's remaining columns with typed nulls, in the view's order."""
    out: dict[str, ir.Value] = {}
    for name, dtype in TRANSACTION_COLUMNS.items():
        value = columns.get(name)
        out[name] = ibis.null(dtype) if value is None else value.cast(dtype)
    return out


def _with_dimensions(
    view: ir.Table,
    *,
    products: ir.Table | None,
    consumers: ir.Table | None,
    accounts: ir.Table | None,
    account_key: str,
) -> ir.Table:
    """Attach category, gender/birth year and region from the dimension snapshots."""
    if products is not None:
        dim = products.select(_sku=products.sku_code, _category=products.category.cast("string"))
        view = view.left_join(dim, view.sku == dim._sku)
        view = view.mutate(category=view._category).drop("_sku", "_category")
    if consumers is not None:
        dim = consumers.select(
            _consumer=consumers.consumer_id.cast("int64"),
            _gender=consumers.gender.cast("string"),
            _birth_year=consumers.birth_year.cast("int64"),
        )
        view = view.left_join(dim, view.customer_id == dim._consumer)
        view = view.mutate(gender=view._gender, birth_year=view._birth_year).drop(
            "_consumer", "_gender", "_birth_year"
        )
    if accounts is not None:
        dim = accounts.select(_account=accounts.account_id.cast("int64"), _region=accounts.region)
        view = view.left_join(dim, view[account_key] == dim._account)
        view = view.mutate(region=view._region.cast("string")).drop("_account", "_region")
    return view.select(*TRANSACTION_COLUMNS)


def receipts_view(
    receipt_lines: ir.Table,
    *,
    products: ir.Table | None = None,
    consumers: ir.Table | None = None,
    accounts: ir.Table | None = None,
) -> ir.Table:
    """Transactions view of pharmacy check lines (``receipt_lines``).

    A check is a document: ``doc_id`` = ``outlet_code/check_id`` (check numbers restart per
    outlet). The customer is the loyalty member (``consumer_id``); checks without a card stay
    in with a null customer. Region comes from the outlet's account.

    Parameters
    ----------
    receipt_lines
        Rows of the ``receipt_lines`` fact.
    products, consumers, accounts
        Optional dimension snapshots (see the module docstring).

    Returns
    -------
    ir.Table
        The transactions view, one row per check line; ``channel`` = ``"retail"``.
    """
    r = receipt_lines
    columns = {
        "customer_id": r.consumer_id,
        "ts": r.ts,
        "day": r.day,
        "doc_id": r.outlet_code.concat("/", r.check_id),
        "line_no": r.line_no,
        "amount": r.amount,
        "qty": r.qty,
        "cost": r.cost,
        "discount": r.discount,
        "promo": r.is_promo,
        "is_return": r.is_return.fill_null(False),
        "sku": r.sku_code,
        "outlet_id": r.outlet_id,
        "channel": ibis.literal("retail"),
    }
    view = r.select(**_complete(columns))
    return _with_dimensions(
        view, products=products, consumers=consumers, accounts=accounts, account_key="outlet_id"
    )


def invoices_view(
    invoice_lines: ir.Table,
    *,
    products: ir.Table | None = None,
    accounts: ir.Table | None = None,
) -> ir.Table:
    """Transactions view of B2B invoice lines: the customer is the buying account.

    ``doc_id`` = ``seller_code/invoice_id``; ``ts`` is the invoice day at midnight (invoices
    carry no time); ``outlet_id`` is the buyer, whose region is attached.

    Parameters
    ----------
    invoice_lines
        Rows of the ``invoice_lines`` fact.
    products, accounts
        Optional dimension snapshots.

    Returns
    -------
    ir.Table
        The transactions view, one row per invoice line; ``channel`` = ``"b2b"``.
    """
    i = invoice_lines
    columns = {
        "customer_id": i.buyer_id,
        "ts": i.day.cast(dt.timestamp),
        "day": i.day,
        "doc_id": i.seller_code.concat("/", i.invoice_id),
        "line_no": i.line_no,
        "amount": i.amount,
        "qty": i.qty,
        "cost": i.cost,
        "is_return": i.is_return.fill_null(False),
        "sku": i.sku_code,
        "outlet_id": i.buyer_id,
        "channel": ibis.literal("b2b"),
    }
    view = i.select(**_complete(columns))
    return _with_dimensions(
        view, products=products, consumers=None, accounts=accounts, account_key="outlet_id"
    )


def flows_view(flow_lines: ir.Table, *, products: ir.Table | None = None) -> ir.Table:
    """Transactions view of distributor sell-out (flow) lines: the customer is the terminal.

    A flow report has no documents; each terminal's lines of one report period and day form
    one document (``distributor_code/period/account``), so a terminal's report counts as one
    purchase. Lines without a day take the first day of their period; unmatched terminals
    keep a null customer; a missing amount counts as 0. Region is the reported terminal region.

    Parameters
    ----------
    flow_lines
        Rows of the ``flow_lines`` fact.
    products
        Optional product dimension snapshot.

    Returns
    -------
    ir.Table
        The transactions view, one row per flow line; ``channel`` = ``"sell_out"``.
    """
    f = flow_lines
    day = f.day.fill_null(f.period.concat("-01").cast(dt.date))
    columns = {
        "customer_id": f.account_id,
        "ts": day.cast(dt.timestamp),
        "day": day,
        "doc_id": f.distributor_code.concat(
            "/", f.period, "/", f.account_id.cast("string").fill_null(f.terminal_name.fill_null(""))
        ),
        "line_no": f.line_no,
        "amount": f.amount.fill_null(0.0),
        "qty": f.qty,
        "is_return": (f.amount.fill_null(0.0) < 0),
        "sku": f.sku_code,
        "channel": ibis.literal("sell_out"),
        "region": f.terminal_region,
    }
    view = f.select(**_complete(columns))
    return _with_dimensions(view, products=products, consumers=None, accounts=None, account_key="")


def online_view(
    online_orders: ir.Table,
    *,
    products: ir.Table | None = None,
    consumers: ir.Table | None = None,
) -> ir.Table:
    """Transactions view of online order lines.

    ``doc_id`` = ``channel/order_id``. Lines whose status is ``cancelled`` or ``returned`` are
    returns: marked ``is_return`` and their (positive, as shops report them) amount negated.

    Parameters
    ----------
    online_orders
        Rows of the ``online_orders`` fact.
    products, consumers
        Optional dimension snapshots.

    Returns
    -------
    ir.Table
        The transactions view, one row per order line; ``channel`` = the order's channel.
    """
    o = online_orders
    is_return = o.status.isin(("cancelled", "returned"))
    columns = {
        "customer_id": o.consumer_id,
        "ts": o.ts,
        "day": o.day,
        "doc_id": o.channel.concat("/", o.order_id),
        "line_no": o.line_no,
        "amount": is_return.ifelse(-o.amount.abs(), o.amount),
        "qty": is_return.ifelse(-o.qty.abs(), o.qty),
        "is_return": is_return,
        "sku": o.sku_code,
        "channel": o.channel,
    }
    view = o.select(**_complete(columns))
    return _with_dimensions(
        view, products=products, consumers=consumers, accounts=None, account_key=""
    )


def observed(tx: ir.Table, *, as_of: date, start: date | None = None) -> ir.Table:
    """Lines whose local day lies in ``[start, as_of]`` (``start`` ``None``: all history)."""
    require(tx, REQUIRED_COLUMNS, function="observed")
    kept = tx.filter(tx.day <= as_of)
    if start is not None:
        kept = kept.filter(kept.day >= start)
    return kept


def _is_return_line(tx: ir.Table) -> ir.BooleanValue:
    if "is_return" in tx.columns:
        return tx.is_return.fill_null(False)
    return ibis.literal(False)


def return_documents(tx: ir.Table) -> ir.Table:
    """Keys of the return documents among ``tx``'s lines.

    Only documents holding a negative or a flagged line can be returns, so just those are
    grouped; on a log of plain sales this is an empty table and costs one filtered scan, which
    keeps the BTYD summary near a hand-written two-level ``GROUP BY``.

    Returns
    -------
    ir.Table
        ``customer_id, doc_id``: one row per return document.
    """
    flagged = _is_return_line(tx)
    suspects = tx.filter((tx.amount < 0) | flagged).select(*_DOC_KEY).distinct()
    lines = tx.semi_join(suspects, list(_DOC_KEY)).mutate(_flagged=flagged)
    docs = lines.group_by(*_DOC_KEY).agg(_net=lines.amount.sum(), _all_flagged=lines._flagged.all())
    return docs.filter((docs._net < 0) | docs._all_flagged).select(*_DOC_KEY)


def purchase_lines(tx: ir.Table, *, as_of: date, start: date | None = None) -> ir.Table:
    """Lines of identified customers' purchase documents in ``[start, as_of]``."""
    kept = observed(tx, as_of=as_of, start=start)
    kept = kept.filter(kept.customer_id.notnull())
    return kept.anti_join(return_documents(kept), list(_DOC_KEY))


def with_document_kind(tx: ir.Table) -> ir.Table:
    """Add ``is_return_doc``: whether the line belongs to a return document."""
    returns = return_documents(tx).mutate(is_return_doc=ibis.literal(True))
    joined = tx.left_join(returns, list(_DOC_KEY))
    joined = joined.drop(*[c for c in joined.columns if c.endswith("_right")])
    return joined.mutate(is_return_doc=joined.is_return_doc.fill_null(False))


def purchase_days(tx: ir.Table, *, as_of: date, start: date | None = None) -> ir.Table:
    """One row per customer and purchase day: the day's spend summed over purchase documents.

    Returns
    -------
    ir.Table
        ``customer_id, day, spend`` — one row per customer and local day with a purchase.
    """
    lines = purchase_lines(tx, as_of=as_of, start=start)
    return lines.group_by("customer_id", "day").agg(spend=lines.amount.sum())
