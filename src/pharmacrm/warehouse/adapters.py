"""Named adapters (``--mapping NAME``) for the real data sets in ``shared/data``.

Each states its cleaning policy, because every published analysis of these files starts with
undocumented cleaning steps; ours are rules with reasons in the quarantine file.
"""

from __future__ import annotations

import polars as pl

from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.readers import ReadOptions
from pharmacrm.core.importkit.registry import Adapter, register_adapter


def _uci_prepare(frame: pl.DataFrame, state: dict[str, object]) -> pl.DataFrame:
    """UCI Online Retail quirks.

    * ``CustomerID`` is a float string (``17850.0``): the code is ``17850``; 135,080 lines have
      none and are kept as guest orders (``customer_code`` null).
    * Invoices starting with ``C`` are cancellations (9,288 lines, negative quantity): kept as
      ``status = cancelled`` — returns for analytics.
    * Every other line is ``paid``. The kind's rules then quarantine the 1,336 lines with a
      negative quantity outside a cancellation (stock adjustments such as "damaged", priced 0)
      and the 2 "Adjust bad debt" lines with a negative price. Zero-priced lines with positive
      quantity (gifts, samples) are kept as zero-amount lines.
    """
    del state
    return frame.with_columns(
        pl.col("CustomerID").str.replace(r"\.0$", "").alias("CustomerID"),
        pl.when(pl.col("InvoiceNo").str.starts_with("C"))
        .then(pl.lit("cancelled"))
        .otherwise(pl.lit("paid"))
        .alias("Status"),
    )


UCI_ONLINE_RETAIL = Adapter(
    name="uci-online-retail",
    kind="online-orders",
    description="UCI Online Retail (Chen, Sain & Guo 2012), the by-day CSV concatenation",
    mapping=ColumnMapping(
        columns={
            "order_id": "InvoiceNo",
            "sku_code": "StockCode",
            "qty": "Quantity",
            "ts": "InvoiceDate",
            "price": "UnitPrice",
            "customer_code": "CustomerID",
            "status": "Status",
        },
        constants={"channel": "uci-online-retail", "store": "uk-online", "currency": "GBP"},
        timezone="Europe/London",
        source="uci-online-retail",
    ),
    prepare=_uci_prepare,
)


def _cdnow_prepare(frame: pl.DataFrame, state: dict[str, object]) -> pl.DataFrame:
    """CDNOW_master: one order per customer and day; its rows are the order's lines.

    The file has no price: ``price`` = dollar value / number of CDs (the dollar value itself
    when no CD count is given, so zero-amount purchases stay zero).
    """
    del state
    cds = pl.col("number_of_cds").cast(pl.Float64, strict=False)
    dollars = pl.col("dollar_value").cast(pl.Float64, strict=False)
    return frame.with_columns(
        pl.concat_str([pl.col("customer_id"), pl.col("date")], separator="-").alias("order"),
        pl.when(cds > 0).then(dollars / cds).otherwise(dollars).cast(pl.String).alias("price"),
    )


CDNOW_MASTER = Adapter(
    name="cdnow-master",
    kind="online-orders",
    description="CDNOW_master.txt (Fader, Hardie & Lee 2005): whitespace-separated, CRLF",
    mapping=ColumnMapping(
        columns={
            "order_id": "order",
            "customer_code": "customer_id",
            "ts": "date",
            "qty": "number_of_cds",
            "amount": "dollar_value",
            "price": "price",
        },
        constants={"channel": "cdnow", "store": "cdnow", "sku_code": "CD", "currency": "USD"},
        date_formats=("%Y%m%d",),
        source="cdnow",
        read=ReadOptions(whitespace=True),
    ),
    prepare=_cdnow_prepare,
)

ATC_CLASSES = ("M01AB", "M01AE", "N02BA", "N02BE", "N05B", "N05C", "R03", "R06")


def _atc_daily_prepare(frame: pl.DataFrame, state: dict[str, object]) -> pl.DataFrame:
    """pharma_sales_atc daily: one row per day and ATC class (8 quantity columns unpivoted).

    ``datum`` mixes ``01-12-2014`` and ``1/13/2014``; both are month-first (README), so the
    mapping lists the two month-first formats and never a day-first one.
    """
    del state
    return frame.unpivot(
        on=list(ATC_CLASSES), index=["datum", "_row"], variable_name="atc", value_name="quantity"
    ).sort("_row", "atc", maintain_order=True)


PHARMA_SALES_ATC_DAILY = Adapter(
    name="pharma-sales-atc-daily",
    kind="product-sales",
    description="Kaggle 'Pharma sales data' salesdaily.csv (Zdravković): quantities per ATC class",
    mapping=ColumnMapping(
        columns={"day": "datum", "category": "atc", "qty": "quantity"},
        constants={"outlet_code": "zdravkovic-pharmacy"},
        date_formats=("%m-%d-%Y", "%m/%d/%Y"),
        source="pharma-sales-atc",
    ),
    prepare=_atc_daily_prepare,
)


def _journey_prepare(frame: pl.DataFrame, state: dict[str, object]) -> pl.DataFrame:
    """Complete Journey: the discount is the sum of the three discount columns.

    All 75,000 sampled lines are kept: 416 have quantity 0 and 528 sales value 0 (coupon and
    weight lines), which are zero-amount lines, not errors; there are no negative values.
    """
    del state
    parts = ["retail_disc", "coupon_disc", "coupon_match_disc"]
    total = pl.sum_horizontal(pl.col(name).cast(pl.Float64, strict=False) for name in parts)
    return frame.with_columns(total.cast(pl.String).alias("discount"))


COMPLETE_JOURNEY = Adapter(
    name="complete-journey",
    kind="receipts",
    description="84.51° The Complete Journey 2.0 transactions (household receipt lines)",
    mapping=ColumnMapping(
        columns={
            "outlet_code": "store_id",
            "check_id": "basket_id",
            "card_no": "household_id",
            "sku_code": "product_id",
            "qty": "quantity",
            "amount": "sales_value",
            "discount": "discount",
            "ts": "transaction_timestamp",
        },
        constants={"currency": "USD"},
        source="complete-journey",
    ),
    prepare=_journey_prepare,
)

for _adapter in (UCI_ONLINE_RETAIL, CDNOW_MASTER, PHARMA_SALES_ATC_DAILY, COMPLETE_JOURNEY):
    register_adapter(_adapter)
