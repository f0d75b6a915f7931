"""The real files of shared/data import with their quirks, counts reconciled to their READMEs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.compute as pc
import pytest

from pharmacrm.core.importkit.registry import ImportRequest, get_kind, load_kinds

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared/data is not beside the repo")


def _import(kind: str, path: Path, mapping: str, tmp_path: Path):  # noqa: ANN202
    load_kinds()
    request = ImportRequest(
        files=(path,), mapping=mapping, options={"warehouse_dir": str(tmp_path / "warehouse")}
    )
    return get_kind(kind).handler(request)[0]


def test_uci_online_retail(tmp_path: Path) -> None:
    report = _import("online-orders", DATA / "online_retail_uci/online_retail.csv",
                     "uci-online-retail", tmp_path)  # fmt: skip

    # README: 541,909 lines; 10,624 with negative quantity of which 9,288 on C invoices (kept as
    # cancellations) and so 1,336 stock adjustments (quarantined); 2 "Adjust bad debt" lines with
    # a negative price (quarantined).
    assert report.rows_read == 541_909
    assert report.rows_quarantined == 1_336 + 2
    assert report.rows_stored == 541_909 - 1_338
    from pharmacrm.warehouse.store import WarehouseStore

    orders = WarehouseStore(tmp_path / "warehouse").read_fact("online_orders")
    status = orders.column("status")
    assert pc.sum(pc.equal(status, "cancelled")).as_py() == 9_288
    # The 1,338 quarantined lines are stock adjustments and bad-debt entries: none names a
    # customer, so every one of the 4,372 customers and 135,080 - 1,338 guest lines remain.
    assert orders.column("customer_code").null_count == 135_080 - 1_338
    assert pc.count_distinct(orders.column("customer_code")).as_py() == 4_372


def test_cdnow_master_whitespace_crlf(tmp_path: Path) -> None:
    report = _import("online-orders", DATA / "cdnow_clv/CDNOW_master.txt", "cdnow-master", tmp_path)

    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (69_659, 69_659, 0)
    from pharmacrm.warehouse.store import WarehouseStore

    orders = WarehouseStore(tmp_path / "warehouse").read_fact("online_orders")
    assert pc.count_distinct(orders.column("customer_code")).as_py() == 23_570
    first = orders.sort_by([("source_row", "ascending")]).slice(0, 3).to_pylist()
    assert [(r["customer_code"], r["day"], r["qty"], r["amount"], r["line_no"]) for r in first] == [
        ("00001", dt.date(1997, 1, 1), 1.0, 11.77, 1),
        ("00002", dt.date(1997, 1, 12), 1.0, 12.0, 1),
        ("00002", dt.date(1997, 1, 12), 5.0, 77.0, 2),
    ]


def test_pharma_sales_atc_daily_two_month_first_spellings(tmp_path: Path) -> None:
    report = _import("product-sales", DATA / "pharma_sales_atc/salesdaily.csv",
                     "pharma-sales-atc-daily", tmp_path)  # fmt: skip

    assert (report.rows_read, report.rows_stored, report.facts_written) == (2_106, 2_106, 16_848)
    from pharmacrm.warehouse.store import WarehouseStore

    sales = WarehouseStore(tmp_path / "warehouse").read_fact("product_sales")
    days = sales.column("day")
    # README: read month-first, the 2,106 days form a gap-free series from 2014-01-02.
    assert pc.min(days).as_py() == dt.date(2014, 1, 2)
    assert (pc.max(days).as_py() - dt.date(2014, 1, 2)).days + 1 == 2_106
    assert pc.count_distinct(days).as_py() == 2_106
    first_day = sales.filter(pc.equal(days, dt.date(2014, 1, 3)))
    quantities = dict(zip(first_day.column("category").to_pylist(),
                          first_day.column("qty").to_pylist(), strict=True))  # fmt: skip
    assert quantities == {"M01AB": 8.0, "M01AE": 4.0, "N02BA": 4.4, "N02BE": 50.6, "N05B": 16.0,
                          "N05C": 0.0, "R03": 20.0, "R06": 4.0}  # fmt: skip


def test_complete_journey_transactions(tmp_path: Path) -> None:
    report = _import("receipts", DATA / "complete_journey_8451/transactions_sample.csv",
                     "complete-journey", tmp_path)  # fmt: skip

    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (75_000, 75_000, 0)
    from pharmacrm.warehouse.store import WarehouseStore

    lines = WarehouseStore(tmp_path / "warehouse").read_fact("receipt_lines")
    assert pc.count_distinct(lines.column("card_no")).as_py() == 2_377
    assert pc.count_distinct(lines.column("check_id")).as_py() == 47_243
    first = lines.filter(pc.equal(lines.column("source_row"), 1)).to_pylist()[0]
    assert (first["card_no"], first["outlet_code"], first["check_id"], first["sku_code"]) == (
        "2261", "309", "31625220889", "940996"
    )  # fmt: skip
    assert (first["qty"], first["amount"], first["discount"], first["day"]) == (
        1.0, 3.86, 0.43, dt.date(2017, 1, 28)
    )  # fmt: skip
