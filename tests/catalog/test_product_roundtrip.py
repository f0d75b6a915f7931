"""Exported product lists import back as no-ops, and re-importing a products file adds nothing.

The export columns carry the import's field names (``catalog.views.PRODUCT_EXPORT_COLUMNS``), so
a file a user downloads, edits and uploads again maps without a template. A round trip of an
unedited file must change no product, write no audit entry and quarantine no row.
"""

from __future__ import annotations

import pytest

from pharmacrm.catalog import services as catalog_services
from pharmacrm.catalog.models import Product

CSV_HEADER = (
    "sku_code,brand,inn,atc_code,category,rx_otc,form,strength,pack,manufacturer_code,"
    "list_price,cost_price,currency,is_active"
)


def product_state() -> list[tuple[object, ...]]:
    """Every stored product field, in SKU order: what a no-op import must leave untouched."""
    fields = ("sku_code", "updated_at", *catalog_services.PRODUCT_FIELDS)
    return list(Product.objects.order_by("sku_code").values_list(*fields))


def test_csv_export_writes_the_import_header_and_exact_values(catalogue, client_for):
    response = client_for("admin").get("/catalog/products/", {"export": "csv", "sort": "sku"})

    body = b"".join(response.streaming_content).decode("utf-8")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="products.csv"'
    assert body.split("\r\n") == [
        "\ufeff" + CSV_HEADER,
        "SKU-0001,Panadol,对乙酰氨基酚 paracetamol,N02BE01,medicines,otc,tablet,500 mg,"
        "20 tablets,MFR-GSK,12.5000,8.2000,CNY,true",
        "SKU-0002,Lipitor,atorvastatin,C10AA05,medicines,rx,film-coated tablet,20 mg,"
        "7 tablets,MFR-PFE,58.9000,41.0500,CNY,true",
        "SKU-0003,Компливит,,,vitamins_supplements,,,,,,,,RUB,false",
        "",
    ]


def test_export_follows_the_page_filters(catalogue, client_for):
    response = client_for("analyst").get(
        "/catalog/products/", {"export": "csv", "rx_otc": "rx", "active": "1"}
    )

    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["SKU-0002"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_file_imports_back_without_changing_anything(
    catalogue, client_for, run_import, tmp_path, fmt
):
    response = client_for("admin").get("/catalog/products/", {"export": fmt})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    path = tmp_path / f"products.{fmt}"
    path.write_bytes(content)
    before = product_state()
    history = Product.history.count()

    (report,) = run_import("products", path)

    assert (report.status, report.rows_read, report.rows_quarantined) == ("committed", 3, 0)
    assert report.message == "0 created, 0 updated, 3 unchanged"
    assert product_state() == before
    assert Product.history.count() == history


def test_reimporting_a_products_file_adds_nothing(catalogue, run_import, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text(
        "sku_code,brand,inn,atc_code,rx_otc,manufacturer_code,list_price\n"
        "SKU-0101,Nurofen,ibuprofen,M01AE01,OTC,MFR-GSK,24.80\n"
        "SKU-0102,Norvasc,amlodipine,C08CA01,Rx,MFR-PFE,35.00\n",
        encoding="utf-8",
    )
    (first,) = run_import("products", path)
    after_first = product_state()
    history = Product.history.count()

    (report,) = run_import("products", path)

    assert first.message == "2 created, 0 updated, 0 unchanged"
    assert report.message == "0 created, 0 updated, 2 unchanged"
    assert Product.objects.count() == 5
    assert product_state() == after_first
    assert Product.history.count() == history
    assert report.rows_quarantined == 0
    nurofen = Product.objects.get(sku_code="SKU-0101")
    assert (nurofen.manufacturer_id, str(nurofen.list_price)) == (catalogue.gsk.pk, "24.8000")
