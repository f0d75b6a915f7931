"""Input columns of the analytics functions, and the check that names what is missing.

The transactions view (DESIGN.md, Analytics definitions) is one table whatever the source:
receipts, invoices, sell-out flow lines or a one-file CSV. Builders in
:mod:`pharmacrm.analytics.transactions` produce every column; the one-file CLI fills the
optional ones with typed nulls. Each function states the columns it reads and calls
:func:`require`, so a wrong input fails before the engine runs with a message that names the
column, instead of a backend error deep in generated SQL.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis.expr.datatypes as dt
import ibis.expr.types as ir

TRANSACTION_COLUMNS: dict[str, dt.DataType] = {
    "customer_id": dt.int64,
    "ts": dt.timestamp,
    "day": dt.date,
    "doc_id": dt.string,
    "line_no": dt.int64,
    "amount": dt.float64,
    "qty": dt.float64,
    "cost": dt.float64,
    "discount": dt.float64,
    "promo": dt.boolean,
    "is_return": dt.boolean,
    "sku": dt.string,
    "category": dt.string,
    "outlet_id": dt.int64,
    "channel": dt.string,
    "region": dt.string,
    "gender": dt.string,
    "birth_year": dt.int64,
}
"""The transactions view: name → type. ``customer_id`` may be any integer or a string
(a card number when the OLTP id is not wanted); ``doc_id`` any integer or string;
``gender`` and ``birth_year`` come from the consumer dimension and feed the KPI mix."""

REQUIRED_COLUMNS: tuple[str, ...] = ("customer_id", "day", "doc_id", "amount")
"""What every customer function reads: who, which local day, which document, how much."""

_ID_COLUMNS = frozenset({"customer_id", "doc_id", "outlet_id", "sku"})


def _type_fits(name: str, actual: dt.DataType) -> bool:
    if name in _ID_COLUMNS:
        return actual.is_integer() or actual.is_string()
    expected = TRANSACTION_COLUMNS[name]
    if expected.is_floating():
        return actual.is_numeric()
    if expected.is_integer():
        return actual.is_integer()
    if expected.is_timestamp():
        return actual.is_timestamp()
    return type(actual) is type(expected)


def require(tx: ir.Table, columns: Iterable[str], *, function: str) -> None:
    """Check that ``tx`` has ``columns`` with transactions-view types.

    Parameters
    ----------
    tx
        The transactions view (or any table meant to be one).
    columns
        Names from :data:`TRANSACTION_COLUMNS` the function reads.
    function
        The caller's name, put in the message.

    Raises
    ------
    ValueError
        Naming the first missing column, or the column whose type does not fit
        (for example ``amount`` as a string after a careless CSV read).
    """
    schema = tx.schema()
    for name in columns:
        if name not in schema:
            raise ValueError(
                f"{function}: the transactions table has no column {name!r} "
                f"(it has: {', '.join(schema.names)})"
            )
        if not _type_fits(name, schema[name]):
            raise ValueError(
                f"{function}: column {name!r} is {schema[name]}, "
                f"expected {TRANSACTION_COLUMNS[name]}"
            )
