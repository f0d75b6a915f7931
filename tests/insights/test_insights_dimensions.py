"""A run attaches the consumer and account dimensions, so region, gender and age-band slices fill.

The warehouse is written after the master data exists, with the ids the database gave:

==========================  ==========  ===========================================
fact                        day         line
==========================  ==========  ===========================================
receipt, consumer Wang (F,  2024-01-05  100.00 at the Beijing outlet
born 1986)
receipt, consumer Zhao (M,  2024-01-20  50.00 at the Beijing outlet
born 2000)
invoice, buyer in Shanghai  2024-01-10  1,000.00
==========================  ==========  ===========================================

So in January 2024 (as of Jan 20): gender F 100.00 and M 50.00; ages 2024 − 1986 = 38 (band
``35-44``) and 2024 − 2000 = 24 (band ``18-24``); consumers' region Beijing 150.00 from
2 customers; accounts' region Shanghai 1,000.00 from 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account
from pharmacrm.insights import services as insights_services
from pharmacrm.warehouse.facts import INVOICE_LINES, RECEIPT_LINES

pytestmark = pytest.mark.django_db


def _pharmacy(code: str, name: str, province: str) -> Account:
    return account_services.account_create(
        by=None, code=code, name=name, kind="pharmacy", tier="terminal", province=province
    )


def _receipt(consumer_id: int, outlet_id: int, check: str, day: date, amount: float) -> dict:
    return {
        "import_id": "test-receipts", "source_row": 1, "outlet_code": "O1",
        "outlet_id": outlet_id, "check_id": check, "line_no": 1,
        "ts": datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC), "day": day,
        "consumer_id": consumer_id, "sku_code": "SKU-A", "qty": 1.0, "amount": amount,
        "is_promo": False, "is_return": False, "currency": "CNY",
    }  # fmt: skip


def _write(root: Path, fact: str, schema: pa.Schema, rows: list[dict]) -> None:
    folder = root / fact / "source=test" / "month=2024-01"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-0.parquet")


def _build(root: Path) -> None:
    outlet = _pharmacy("BJ-001", "Tongrentang Wangfujing", "Beijing")
    buyer = _pharmacy("SH-001", "Shanghai No. 1 Pharmacy", "Shanghai")
    wang, _ = account_services.consumer_upsert(
        by=None, card_no="C0001", gender="F", birth_year=1986, home_outlet=outlet
    )
    zhao, _ = account_services.consumer_upsert(
        by=None, card_no="C0002", gender="M", birth_year=2000, home_outlet=outlet
    )
    receipts = [
        _receipt(wang.pk, outlet.pk, "c1", date(2024, 1, 5), 100.0),
        _receipt(zhao.pk, outlet.pk, "c2", date(2024, 1, 20), 50.0),
    ]
    invoice = {
        "import_id": "test-invoices", "source_row": 1, "seller_code": "D1", "invoice_id": "I1",
        "line_no": 1, "day": date(2024, 1, 10), "buyer_code": "SH-001", "buyer_id": buyer.pk,
        "sku_code": "SKU-A", "qty": 10.0, "amount": 1000.0, "is_return": False,
        "currency": "CNY",
    }  # fmt: skip
    _write(root, "receipt_lines", RECEIPT_LINES, receipts)
    _write(root, "invoice_lines", INVOICE_LINES, [invoice])


def _slices(run: Any) -> set[tuple[str, str, str, int, float]]:
    table = pq.read_table(Path(run.output_dir) / "kpi_slices.parquet").to_pylist()
    return {
        (row["customer_kind"], row["slice"], row["slice_value"], row["active_customers"],
         round(row["net_revenue"], 2))
        for row in table
        if row["slice"] in ("region", "gender", "age_band")
    }  # fmt: skip


def test_run_fills_region_gender_and_age_band_slices_from_the_dimensions(settings, tmp_path):
    root = tmp_path / "warehouse"
    settings.WAREHOUSE_DIR = str(root)
    _build(root)

    run = insights_services.run_analytics(by=None, engine="duckdb")

    assert run.as_of == date(2024, 1, 20)
    assert _slices(run) == {
        ("consumer", "region", "Beijing", 2, 150.0),
        ("consumer", "gender", "F", 1, 100.0),
        ("consumer", "gender", "M", 1, 50.0),
        ("consumer", "age_band", "35-44", 1, 100.0),
        ("consumer", "age_band", "18-24", 1, 50.0),
        ("account", "region", "Shanghai", 1, 1000.0),
    }
    assert (run.row_counts["dimension_consumers"], run.row_counts["dimension_accounts"]) == (2, 2)
