"""The five warehouse import kinds: canonical fields, rules and how each becomes its fact.

Importing this module registers ``receipts``, ``invoices``, ``flows``, ``online-orders`` and
``product-sales`` with the import kit, and the named adapters of :mod:`.adapters`.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from pharmacrm.core.importkit.coerce import Rule
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping, suggest_mapping
from pharmacrm.core.importkit.readers import open_source
from pharmacrm.core.importkit.registry import (
    FileReport,
    ImportKind,
    ImportRequest,
    get_adapter,
    register_kind,
)
from pharmacrm.warehouse.pipeline import BuildContext, FactKind, Resolver, import_file
from pharmacrm.warehouse.store import WarehouseStore

UTC = "UTC"


def _utc_and_day(frame: pl.DataFrame) -> pl.DataFrame:
    """``ts`` arrives zoned in the source's local time: ``day`` is its local date, ``ts`` UTC."""
    return frame.with_columns(day=pl.col("ts").dt.date(), ts=pl.col("ts").dt.convert_time_zone(UTC))


def _currency(context: BuildContext) -> pl.Expr:
    return pl.coalesce(pl.col("currency"), pl.lit(context.currency))


def _negative_needs_return(flag: str = "is_return") -> Rule:
    return Rule(
        "qty",
        "negative quantity on a line not marked as a return",
        lambda: (pl.col("qty") < 0) & ~pl.col(flag).fill_null(False),
    )


def _money_needed(price: str) -> Rule:
    return Rule(
        "amount",
        f"amount and {price} are both missing",
        lambda: pl.col("amount").is_null() & pl.col(price).is_null(),
    )


# --------------------------------------------------------------------------- receipts

RECEIPT_FIELDS = (
    FieldSpec("outlet_code", "code", required=True),
    FieldSpec("check_id", "code", required=True),
    FieldSpec("line_no", "int", minimum=1),
    FieldSpec("ts", "timestamp", required=True),
    FieldSpec("card_no", "code"),
    FieldSpec("sku_code", "code", required=True),
    FieldSpec("qty", "float", required=True),
    FieldSpec("unit_price", "float", minimum=0),
    FieldSpec("discount", "float"),
    FieldSpec("amount", "float"),
    FieldSpec("cost", "float"),
    FieldSpec("is_promo", "bool"),
    FieldSpec("is_return", "bool"),
    FieldSpec("currency", "code"),
)


def _build_receipts(frame: pl.DataFrame, context: BuildContext) -> pl.DataFrame:
    frame = _utc_and_day(frame)
    return frame.with_columns(
        amount=pl.coalesce(
            pl.col("amount"), pl.col("qty") * pl.col("unit_price") - pl.col("discount").fill_null(0)
        ),
        is_return=pl.coalesce(pl.col("is_return"), pl.col("qty") < 0),
        currency=_currency(context),
        line_no=pl.col("line_no").cast(pl.Int32),
    )


RECEIPTS = FactKind(
    name="receipts",
    fact="receipt_lines",
    fields=RECEIPT_FIELDS,
    build=_build_receipts,
    rules=(_negative_needs_return(), _money_needed("unit_price")),
    codes={
        "outlet_code": ("outlet_id", "outlet"),
        "card_no": ("consumer_id", "consumer"),
        "sku_code": ("product_id", "product"),
    },
    document=("outlet_code", "check_id"),
)

# --------------------------------------------------------------------------- invoices

INVOICE_FIELDS = (
    FieldSpec("seller_code", "code", required=True),
    FieldSpec("invoice_id", "code", required=True),
    FieldSpec("line_no", "int", minimum=1),
    FieldSpec("day", "date", required=True),
    FieldSpec("buyer_code", "code", required=True),
    FieldSpec("sku_code", "code", required=True),
    FieldSpec("qty", "float", required=True),
    FieldSpec("unit_price", "float", minimum=0),
    FieldSpec("amount", "float"),
    FieldSpec("cost", "float"),
    FieldSpec("is_return", "bool"),
    FieldSpec("currency", "code"),
)


def _build_invoices(frame: pl.DataFrame, context: BuildContext) -> pl.DataFrame:
    return frame.with_columns(
        amount=pl.coalesce(pl.col("amount"), pl.col("qty") * pl.col("unit_price")),
        is_return=pl.coalesce(pl.col("is_return"), pl.col("qty") < 0),
        currency=_currency(context),
        line_no=pl.col("line_no").cast(pl.Int32),
    )


INVOICES = FactKind(
    name="invoices",
    fact="invoice_lines",
    fields=INVOICE_FIELDS,
    build=_build_invoices,
    rules=(_negative_needs_return(), _money_needed("unit_price")),
    codes={
        "seller_code": ("seller_id", "account"),
        "buyer_code": ("buyer_id", "account"),
        "sku_code": ("product_id", "product"),
    },
    document=("seller_code", "invoice_id"),
)

# ------------------------------------------------------------------------------ flows

FLOW_FIELDS = (
    FieldSpec("distributor_code", "code", required=True),
    FieldSpec("period", "code", required=True),
    FieldSpec("line_no", "int", minimum=1),
    FieldSpec("day", "date"),
    FieldSpec("terminal_name", "text"),
    FieldSpec("terminal_address", "text"),
    FieldSpec("terminal_region", "text"),
    FieldSpec("terminal_phone", "text"),
    FieldSpec("product_raw", "text"),
    FieldSpec("sku_code", "code"),
    FieldSpec("qty", "float", required=True),
    FieldSpec("amount", "float"),
    FieldSpec("currency", "code"),
)


def _build_flows(frame: pl.DataFrame, context: BuildContext) -> pl.DataFrame:
    return frame.with_columns(
        currency=_currency(context),
        line_no=pl.col("line_no").cast(pl.Int32),
        period=pl.col("period").str.replace(r"^(\d{4})[./]?(\d{2})$", "$1-$2"),
    )


FLOWS = FactKind(
    name="flows",
    fact="flow_lines",
    fields=FLOW_FIELDS,
    build=_build_flows,
    rules=(
        Rule(
            "period",
            "period is not a month like 2024-03",
            lambda: ~pl.col("period").str.contains(r"^\d{4}[-./]?(0[1-9]|1[0-2])$"),
        ),
        Rule(
            "product_raw",
            "neither a product name nor a SKU code",
            lambda: pl.col("product_raw").is_null() & pl.col("sku_code").is_null(),
        ),
    ),
    codes={
        "distributor_code": ("distributor_id", "account"),
        "sku_code": ("product_id", "product"),
    },
    document=("distributor_code", "period"),
    source_field="distributor_code",
    month_field="period",
    replaces_periods=True,
)

# ---------------------------------------------------------------------- online orders

ORDER_STATUSES = ("paid", "shipped", "delivered", "cancelled", "returned")

ONLINE_FIELDS = (
    FieldSpec("channel", "code", required=True),
    FieldSpec("store", "code"),
    FieldSpec("order_id", "code", required=True),
    FieldSpec("line_no", "int", minimum=1),
    FieldSpec("ts", "timestamp", required=True),
    FieldSpec("customer_code", "code"),
    FieldSpec("sku_code", "code", required=True),
    FieldSpec("qty", "float", required=True),
    FieldSpec("price", "float", required=True, minimum=0),
    FieldSpec("amount", "float"),
    FieldSpec("status", "code"),
    FieldSpec("currency", "code"),
)


def _build_online(frame: pl.DataFrame, context: BuildContext) -> pl.DataFrame:
    frame = _utc_and_day(frame)
    return frame.with_columns(
        store=pl.coalesce(pl.col("store"), pl.col("channel")),
        amount=pl.coalesce(pl.col("amount"), pl.col("qty") * pl.col("price")),
        status=pl.coalesce(pl.col("status").str.to_lowercase(), pl.lit("paid")),
        currency=_currency(context),
        line_no=pl.col("line_no").cast(pl.Int32),
    )


ONLINE_ORDERS = FactKind(
    name="online-orders",
    fact="online_orders",
    fields=ONLINE_FIELDS,
    build=_build_online,
    rules=(
        Rule(
            "status",
            f"status is not one of {', '.join(ORDER_STATUSES)}",
            lambda: ~pl.col("status").str.to_lowercase().is_in(ORDER_STATUSES),
        ),
        Rule(
            "qty",
            "negative quantity on an order line not cancelled or returned",
            lambda: (
                (pl.col("qty") < 0)
                & ~pl.col("status")
                .str.to_lowercase()
                .is_in(["cancelled", "returned"])
                .fill_null(False)
            ),
        ),
    ),
    codes={"customer_code": ("consumer_id", "consumer"), "sku_code": ("product_id", "product")},
    document=("channel", "order_id"),
)

# ---------------------------------------------------------------------- product sales

PRODUCT_SALES_FIELDS = (
    FieldSpec("day", "date", required=True),
    FieldSpec("outlet_code", "code"),
    FieldSpec("channel", "code"),
    FieldSpec("sku_code", "code"),
    FieldSpec("category", "code"),
    FieldSpec("qty", "float", required=True, minimum=0),
    FieldSpec("amount", "float"),
    FieldSpec("currency", "code"),
)


def _build_product_sales(frame: pl.DataFrame, context: BuildContext) -> pl.DataFrame:
    del context  # aggregate series often carry quantities only: no currency is invented
    return frame


PRODUCT_SALES = FactKind(
    name="product-sales",
    fact="product_sales",
    fields=PRODUCT_SALES_FIELDS,
    build=_build_product_sales,
    rules=(
        Rule(
            "sku_code",
            "neither a SKU code nor a category",
            lambda: pl.col("sku_code").is_null() & pl.col("category").is_null(),
        ),
    ),
)

FACT_KINDS: dict[str, FactKind] = {
    kind.name: kind for kind in (RECEIPTS, INVOICES, FLOWS, ONLINE_ORDERS, PRODUCT_SALES)
}


# -------------------------------------------------------------------------- handler


def warehouse_dir(options: dict[str, str]) -> Path:
    """``options["warehouse_dir"]``, else ``$WAREHOUSE_DIR``, else ``var/warehouse``."""
    return Path(options.get("warehouse_dir") or os.environ.get("WAREHOUSE_DIR") or "var/warehouse")


def run_import(
    request: ImportRequest, kind: FactKind, *, resolver: Resolver | None = None
) -> list[FileReport]:
    """Import each file of ``request`` as ``kind`` (the handler every interface dispatches to).

    Options: ``warehouse_dir``, ``quarantine_dir`` (default: ``quarantine`` beside the
    warehouse), ``source``, ``currency``, ``timezone`` and, without a named mapping,
    ``mapping_json`` (a saved :class:`ColumnMapping`); with neither, columns are mapped from the
    headers by :func:`suggest_mapping`. Codes resolve through ``resolver``, else the request's
    ``code_resolver``; with neither the id columns stay empty.
    """
    if resolver is None:
        resolver = request.code_resolver
    root = warehouse_dir(request.options)
    store = WarehouseStore(root)
    quarantine_dir = Path(request.options.get("quarantine_dir") or root.parent / "quarantine")
    reports = []
    for path in request.files:
        adapter = get_adapter(kind.name, request.mapping) if request.mapping else None
        if adapter is not None:
            mapping = adapter.mapping
        elif "mapping_json" in request.options:
            mapping = ColumnMapping.from_json(request.options["mapping_json"])
        else:
            columns = open_source(path).columns
            mapping = ColumnMapping(
                columns={s.field: s.column for s in suggest_mapping(columns, kind.fields)}
            )
        if "timezone" in request.options:
            mapping = mapping.with_changes(timezone=request.options["timezone"])
        reports.append(
            import_file(
                path,
                kind=kind,
                store=store,
                mapping=mapping,
                quarantine_dir=quarantine_dir,
                adapter=adapter,
                source=request.options.get("source"),
                currency=request.options.get("currency", "EUR"),
                resolver=resolver,
                content_hash=request.content_hashes.get(str(path)),
                dry_run=request.dry_run,
                progress=request.progress,
                mapping_name=request.mapping
                or ("saved" if "mapping_json" in request.options else "suggested"),
            )  # fmt: skip
        )
    return reports


def _handler(kind: FactKind):  # noqa: ANN202 - a closure per kind
    def handle(request: ImportRequest) -> list[FileReport]:
        return run_import(request, kind)

    return handle


for _kind in FACT_KINDS.values():
    register_kind(
        ImportKind(
            name=_kind.name,
            fields=_kind.fields,
            handler=_handler(_kind),
            description=f"warehouse fact {_kind.fact}",
        )
    )

from pharmacrm.warehouse import adapters  # noqa: E402,F401 - registers the named adapters
