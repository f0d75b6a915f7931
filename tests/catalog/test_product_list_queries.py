"""The product list page costs a fixed number of queries, however many products it shows.

Seven queries: the session, the user, the user's and the group's permissions (one each), the
user's role groups (read once per request and shared by the product scope — a supplier manager
sees only their suppliers' products — and the navigation), the paginator's count, and one page
of products joined to their manufacturer. A template that reached ``product.manufacturer``
without ``select_related`` would add one query per row and fail this pin.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from pharmacrm.catalog import services as catalog_services

PAGE_QUERIES = 7


def _more_products(catalogue, count: int) -> None:
    makers = (catalogue.gsk.pk, catalogue.pfizer.pk)
    rows = [
        {
            "sku_code": f"SKU-1{number:03d}",
            "brand": f"Generic {number}",
            "inn": "amoxicillin",
            "atc_code": "J01CA04",
            "manufacturer_id": makers[number % 2],
            "list_price": Decimal("9.9000"),
        }
        for number in range(count)
    ]
    catalog_services.product_upsert_many(by=catalogue.admin, rows=rows)


@pytest.mark.parametrize("extra", [0, 40])
def test_product_list_query_count_does_not_grow_with_rows(
    catalogue, client_for, django_assert_num_queries, extra
):
    _more_products(catalogue, extra)
    client = client_for("sales_rep")

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get("/catalog/products/", {"sort": "sku"})

    body = response.content.decode()
    assert response.status_code == 200
    # A page holds 25 rows; one of them is the vitamin, which has no manufacturer.
    assert body.count("GlaxoSmithKline") + body.count("Pfizer") == (2 if extra == 0 else 24)


def test_searched_filtered_htmx_rows_cost_the_same(
    catalogue, client_for, django_assert_num_queries
):
    _more_products(catalogue, 40)
    client = client_for("analyst")

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(
            "/catalog/products/",
            {"q": "generic", "atc": "J01", "sort": "-price"},
            headers={"HX-Request": "true"},
        )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count("<td>amoxicillin</td>") == 25
