"""A small hand-made warehouse whose analytics are worked out by hand in the tests.

Facts (written with the schemas of :mod:`pharmacrm.warehouse.facts`, one Parquet file per
source and month, no manifest — as the ``large`` generator writes them):

receipt_lines (consumers), outlet ``O1``:

==========  =========  ==========  =========================================
consumer    check      day         lines
==========  =========  ==========  =========================================
1           c1         2024-01-05  SKU-A 60.00, SKU-B 40.00
1           c2         2024-03-10  SKU-A 50.00
2           c3         2024-02-01  SKU-B 30.00
2           c4         2024-02-15  SKU-B −30.00 (a refund, ``is_return``)
3           c5         2024-03-31  SKU-C 200.00  ← the last day of the facts
(no card)   c6         2024-03-15  SKU-A 10.00
==========  =========  ==========  =========================================

invoice_lines (accounts), seller ``D1``: buyer 501 — I1 2024-01-10 1,000.00 and
I2 2024-03-01 500.00; buyer 502 — I3 2024-02-20 300.00.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pharmacrm.warehouse.facts import INVOICE_LINES, RECEIPT_LINES

LAST_FACT_DAY = date(2024, 3, 31)

_RECEIPTS = [
    # consumer, check, line, day, sku, amount, is_return
    (1, "c1", 1, date(2024, 1, 5), "SKU-A", 60.0, False),
    (1, "c1", 2, date(2024, 1, 5), "SKU-B", 40.0, False),
    (1, "c2", 1, date(2024, 3, 10), "SKU-A", 50.0, False),
    (2, "c3", 1, date(2024, 2, 1), "SKU-B", 30.0, False),
    (2, "c4", 1, date(2024, 2, 15), "SKU-B", -30.0, True),
    (3, "c5", 1, date(2024, 3, 31), "SKU-C", 200.0, False),
    (None, "c6", 1, date(2024, 3, 15), "SKU-A", 10.0, False),
]

_INVOICES = [
    # buyer, invoice, line, day, sku, amount
    (501, "I1", 1, date(2024, 1, 10), "SKU-A", 1000.0),
    (501, "I2", 1, date(2024, 3, 1), "SKU-B", 500.0),
    (502, "I3", 1, date(2024, 2, 20), "SKU-A", 300.0),
]


SNAPSHOT_FIELDS = (
    "customer_kind",
    "customer_key",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "lifecycle_stage",
    "abc_class",
    "is_vip",
    "monetary",
    "frequency",
    "days_since_last",
    "first_day",
    "last_day",
)

EXPECTED_SNAPSHOT = [
    ("account", 501, 3, 3, 3, "Loyal", "active", "A", True, 1500.0, 2, 30,
     date(2024, 1, 10), date(2024, 3, 1)),
    ("account", 502, 1, 1, 1, "Lost", "active", "B", False, 300.0, 1, 40,
     date(2024, 2, 20), date(2024, 2, 20)),
    ("consumer", 1, 2, 4, 2, "At Risk", "active", "A", False, 150.0, 2, 21,
     date(2024, 1, 5), date(2024, 3, 10)),
    ("consumer", 2, 1, 1, 1, "Lost", "active", "C", False, 0.0, 1, 59,
     date(2024, 2, 1), date(2024, 2, 1)),
    ("consumer", 3, 4, 2, 4, "Loyal", "new", "A", True, 200.0, 1, 0,
     date(2024, 3, 31), date(2024, 3, 31)),
]  # fmt: skip


@dataclass(frozen=True)
class ExpectedSnapshot:
    """The snapshot worked by hand in test_insights_run's docstring, ordered by kind and id."""

    fields: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@pytest.fixture
def expected_snapshot() -> ExpectedSnapshot:
    """The hand-worked snapshot rows (``SNAPSHOT_FIELDS`` of every customer)."""
    return ExpectedSnapshot(fields=SNAPSHOT_FIELDS, rows=EXPECTED_SNAPSHOT)


def _receipt_row(row: tuple[Any, ...], source_row: int) -> dict[str, Any]:
    consumer, check, line, day, sku, amount, is_return = row
    return {
        "import_id": "test-receipts",
        "source_row": source_row,
        "outlet_code": "O1",
        "outlet_id": 900,
        "check_id": check,
        "line_no": line,
        "ts": datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC),
        "day": day,
        "card_no": None if consumer is None else f"CARD-{consumer}",
        "consumer_id": consumer,
        "sku_code": sku,
        "product_id": None,
        "qty": -1.0 if is_return else 1.0,
        "unit_price": abs(amount),
        "discount": 0.0,
        "amount": amount,
        "cost": None,
        "is_promo": False,
        "is_return": is_return,
        "currency": "CNY",
    }


def _invoice_row(row: tuple[Any, ...], source_row: int) -> dict[str, Any]:
    buyer, invoice, line, day, sku, amount = row
    return {
        "import_id": "test-invoices",
        "source_row": source_row,
        "seller_code": "D1",
        "seller_id": None,
        "invoice_id": invoice,
        "line_no": line,
        "day": day,
        "buyer_code": f"B{buyer}",
        "buyer_id": buyer,
        "sku_code": sku,
        "product_id": None,
        "qty": 10.0,
        "unit_price": amount / 10,
        "amount": amount,
        "cost": None,
        "is_return": False,
        "currency": "CNY",
    }


def write_fact(root: Path, fact: str, source: str, schema: pa.Schema, rows: list[dict]) -> None:
    """Write ``rows`` into ``<root>/<fact>/source=<source>/month=<YYYY-MM>/part-0.parquet``."""
    by_month: dict[str, list[dict]] = {}
    for row in rows:
        by_month.setdefault(row["day"].strftime("%Y-%m"), []).append(row)
    for month, month_rows in by_month.items():
        folder = root / fact / f"source={source}" / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(month_rows, schema=schema), folder / "part-0.parquet")


def build_warehouse(
    root: Path,
    *,
    consumer_ids: dict[int, int] | None = None,
    account_ids: dict[int, int] | None = None,
) -> Path:
    """Write the facts above under ``root``; return it.

    ``consumer_ids`` and ``account_ids`` re-key the facts to real OLTP rows (hand-made id →
    database id; the outlet is account 900), for tests that scope by territory.
    """
    members = consumer_ids or {}
    accounts = account_ids or {}
    receipts = []
    for i, row in enumerate(_RECEIPTS, start=1):
        fact = _receipt_row((members.get(row[0], row[0]), *row[1:]), i)
        fact["outlet_id"] = accounts.get(900, 900)
        receipts.append(fact)
    invoices = [
        _invoice_row((accounts.get(row[0], row[0]), *row[1:]), i)
        for i, row in enumerate(_INVOICES, start=1)
    ]
    write_fact(root, "receipt_lines", "pos", RECEIPT_LINES, receipts)
    write_fact(root, "invoice_lines", "d1", INVOICE_LINES, invoices)
    return root


@pytest.fixture(scope="session")
def warehouse_builder() -> Any:
    """:func:`build_warehouse`, for module fixtures that key the facts to their own rows."""
    return build_warehouse


@pytest.fixture
def warehouse(settings: Any, tmp_path: Path) -> Path:
    """The hand-made warehouse above, as ``settings.WAREHOUSE_DIR``."""
    root = build_warehouse(tmp_path / "warehouse")
    settings.WAREHOUSE_DIR = str(root)
    settings.ANALYTICS_ENGINE = "duckdb"
    return root


@pytest.fixture(scope="module")
def analysed(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """One committed analytics run over the warehouse above, shared by a module's tests.

    A run costs seconds (one engine query per analysis), so page and API tests read one
    run instead of each making its own; it is deleted (with its snapshot) afterwards.
    """
    from django.test import override_settings

    from pharmacrm.insights import services as insights_services
    from pharmacrm.insights.models import AnalyticsRun, SavedCustomerList

    root = build_warehouse(tmp_path_factory.mktemp("analysed") / "warehouse")
    with override_settings(WAREHOUSE_DIR=str(root)), django_db_blocker.unblock():
        run = insights_services.run_analytics(by=None, engine="duckdb")
    yield run
    with django_db_blocker.unblock():
        SavedCustomerList.objects.all().delete()
        AnalyticsRun.objects.all().delete()
