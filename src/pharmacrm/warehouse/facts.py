"""Parquet schemas of the warehouse facts (DESIGN.md, Data model: warehouse facts).

This module is pure (PyArrow only, no Django) because three parties must agree on it byte for
byte: the import pipeline that writes partitions, the synthetic-data generator that writes
``large`` facts straight to Parquet, and the analytics transactions-view builders that read them.

Conventions shared by every fact:

* the source's own codes are kept exactly as they came (``outlet_code``, ``card_no``,
  ``sku_code``, ``buyer_code`` …) **and** the resolved OLTP ids sit beside them (nullable int64);
  an unknown code never drops a row;
* every row carries ``import_id`` and ``source_row`` (1-based line of the data row in the source
  file, header excluded) so any figure traces back to a file line;
* ``ts`` is UTC (``timestamp[us, UTC]``); ``day`` is the *local* calendar date of the outlet or
  account, computed at import, and is what analytics counts days with;
* money is ``float64`` in the currency named by ``currency`` (ISO 4217). Analytics sums and
  averages; the OLTP ledger keeps ``Decimal``;
* on disk: ``<WAREHOUSE_DIR>/<fact>/source=<source>/month=<YYYY-MM>/<file>.parquet``;
  ``source`` is a slug of the sending system (an outlet chain's POS, a distributor code, a
  channel), ``month`` the ``day``'s month (``period`` for flow lines).
"""

from __future__ import annotations

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")

_TRACE = [
    pa.field("import_id", pa.string(), nullable=False),
    pa.field("source_row", pa.int64(), nullable=False),
]

RECEIPT_LINES = pa.schema(
    [
        *_TRACE,
        pa.field("outlet_code", pa.string(), nullable=False),
        pa.field("outlet_id", pa.int64()),
        pa.field("check_id", pa.string(), nullable=False),
        pa.field("line_no", pa.int32(), nullable=False),
        pa.field("ts", UTC_TS, nullable=False),
        pa.field("day", pa.date32(), nullable=False),
        pa.field("card_no", pa.string()),
        pa.field("consumer_id", pa.int64()),
        pa.field("sku_code", pa.string(), nullable=False),
        pa.field("product_id", pa.int64()),
        pa.field("qty", pa.float64(), nullable=False),
        pa.field("unit_price", pa.float64()),
        pa.field("discount", pa.float64()),
        pa.field("amount", pa.float64(), nullable=False),
        pa.field("cost", pa.float64()),
        pa.field("is_promo", pa.bool_()),
        pa.field("is_return", pa.bool_()),
        pa.field("currency", pa.string(), nullable=False),
    ]
)
"""Pharmacy check lines. Natural key: (outlet_code, check_id, line_no)."""

INVOICE_LINES = pa.schema(
    [
        *_TRACE,
        pa.field("seller_code", pa.string(), nullable=False),
        pa.field("seller_id", pa.int64()),
        pa.field("invoice_id", pa.string(), nullable=False),
        pa.field("line_no", pa.int32(), nullable=False),
        pa.field("day", pa.date32(), nullable=False),
        pa.field("buyer_code", pa.string(), nullable=False),
        pa.field("buyer_id", pa.int64()),
        pa.field("sku_code", pa.string(), nullable=False),
        pa.field("product_id", pa.int64()),
        pa.field("qty", pa.float64(), nullable=False),
        pa.field("unit_price", pa.float64()),
        pa.field("amount", pa.float64(), nullable=False),
        pa.field("cost", pa.float64()),
        pa.field("is_return", pa.bool_()),
        pa.field("currency", pa.string(), nullable=False),
    ]
)
"""B2B invoice lines (distributor → pharmacy/hospital). Natural key: (seller_code, invoice_id,
line_no)."""

FLOW_LINES = pa.schema(
    [
        *_TRACE,
        pa.field("distributor_code", pa.string(), nullable=False),
        pa.field("distributor_id", pa.int64()),
        pa.field("period", pa.string(), nullable=False),  # YYYY-MM the report covers
        pa.field("line_no", pa.int32(), nullable=False),
        pa.field("day", pa.date32()),
        pa.field("terminal_name", pa.string()),
        pa.field("terminal_address", pa.string()),
        pa.field("terminal_region", pa.string()),
        pa.field("terminal_phone", pa.string()),
        pa.field("product_raw", pa.string()),
        pa.field("sku_code", pa.string()),
        pa.field("qty", pa.float64(), nullable=False),
        pa.field("amount", pa.float64()),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("account_id", pa.int64()),
        pa.field("product_id", pa.int64()),
        pa.field("match_score", pa.float64()),
    ]
)
"""Distributor sell-out ("drug flow") lines as reported, with the match to the master beside
them. Natural key: (distributor_code, period, line_no); a re-sent period replaces the old one."""

ONLINE_ORDERS = pa.schema(
    [
        *_TRACE,
        pa.field("channel", pa.string(), nullable=False),
        pa.field("store", pa.string(), nullable=False),
        pa.field("order_id", pa.string(), nullable=False),
        pa.field("line_no", pa.int32(), nullable=False),
        pa.field("ts", UTC_TS, nullable=False),
        pa.field("day", pa.date32(), nullable=False),
        pa.field("customer_code", pa.string()),
        pa.field("consumer_id", pa.int64()),
        pa.field("sku_code", pa.string(), nullable=False),
        pa.field("product_id", pa.int64()),
        pa.field("qty", pa.float64(), nullable=False),
        pa.field("price", pa.float64(), nullable=False),
        pa.field("amount", pa.float64(), nullable=False),
        # paid, shipped, delivered, cancelled, returned
        pa.field("status", pa.string(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
    ]
)
"""Online order lines. Natural key: (channel, order_id, line_no)."""

PRODUCT_SALES = pa.schema(
    [
        *_TRACE,
        pa.field("day", pa.date32(), nullable=False),
        pa.field("outlet_code", pa.string()),
        pa.field("channel", pa.string()),
        pa.field("sku_code", pa.string()),
        pa.field("category", pa.string()),
        pa.field("qty", pa.float64(), nullable=False),
        pa.field("amount", pa.float64()),
        pa.field("currency", pa.string()),
    ]
)
"""Aggregate sales series without customers (date × outlet/channel × SKU/category)."""

FACTS: dict[str, pa.Schema] = {
    "receipt_lines": RECEIPT_LINES,
    "invoice_lines": INVOICE_LINES,
    "flow_lines": FLOW_LINES,
    "online_orders": ONLINE_ORDERS,
    "product_sales": PRODUCT_SALES,
}

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "receipt_lines": ("outlet_code", "check_id", "line_no"),
    "invoice_lines": ("seller_code", "invoice_id", "line_no"),
    "flow_lines": ("distributor_code", "period", "line_no"),
    "online_orders": ("channel", "order_id", "line_no"),
    "product_sales": (),
}
