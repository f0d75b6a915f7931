"""Who may read and change the catalogue, on the pages and through the API.

DESIGN.md, Roles: every signed-in role reads the whole catalogue (products are not
territory-scoped); only the administrator creates and changes products and prices. Anonymous
visitors get the sign-in redirect on pages and 401 from the API, and see no product at all.
After each refused change the test checks that nothing was stored.
"""

from __future__ import annotations

import json

import pytest

from pharmacrm.catalog.models import ChannelPrice, Product

SIGNED_IN = ["sales_rep", "analyst", "admin"]
EDITS = {"sales_rep": False, "analyst": False, "admin": True}
NEW_PRODUCT = {"sku_code": "SKU-0900", "brand": "Bayer Aspirin", "atc_code": "B01AC06"}


def _json(client, method, path, payload):  # noqa: ANN001, ANN202 - thin helper over Client
    return getattr(client, method)(path, json.dumps(payload), content_type="application/json")


def test_anonymous_gets_login_redirect_for_pages_and_401_for_the_api(catalogue, client_for):
    client = client_for("anonymous")
    pk = catalogue.panadol.pk
    page_paths = [
        "/catalog/products/",
        "/catalog/products/?export=csv",
        f"/catalog/products/{pk}/",
        "/catalog/products/new/",
        f"/catalog/products/{pk}/edit/",
    ]
    api_paths = ["/api/v1/catalog/products", f"/api/v1/catalog/products/{pk}"]

    pages = [client.get(path) for path in page_paths]
    api = [client.get(path) for path in api_paths]
    created = _json(client, "post", "/api/v1/catalog/products", NEW_PRODUCT)

    assert [r.status_code for r in pages] == [302, 302, 302, 302, 302]
    assert all(r["Location"].startswith("/accounts/auth/login/") for r in pages)
    assert [r.status_code for r in [*api, created]] == [401, 401, 401]
    assert all("Panadol" not in r.content.decode() for r in [*pages, *api])
    assert Product.objects.count() == 3


@pytest.mark.parametrize("who", SIGNED_IN)
def test_product_list_page_shows_every_product_and_the_new_button_to_editors(
    catalogue, client_for, who
):
    response = client_for(who).get("/catalog/products/")

    body = response.content.decode()
    assert response.status_code == 200
    assert [name in body for name in ("Panadol", "Lipitor", "Компливит")] == [True] * 3
    assert ('href="/catalog/products/new/"' in body) is EDITS[who]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_product_detail_page_shows_prices_and_the_edit_link_to_editors(catalogue, client_for, who):
    pk = catalogue.panadol.pk

    response = client_for(who).get(f"/catalog/products/{pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "GlaxoSmithKline" in body
    assert "tmall" in body
    assert "11.90 CNY" in body
    assert (f'href="/catalog/products/{pk}/edit/"' in body) is EDITS[who]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_unknown_product_is_404_on_the_page_and_the_api(catalogue, client_for, who):
    client = client_for(who)

    page = client.get("/catalog/products/999999/")
    api = client.get("/api/v1/catalog/products/999999")

    assert (page.status_code, api.status_code) == (404, 404)
    assert api.json()["title"] == "Not found"


@pytest.mark.parametrize("who", SIGNED_IN)
def test_create_and_edit_forms_are_for_editors_only(catalogue, client_for, who):
    client = client_for(who)
    pk = catalogue.lipitor.pk

    create = client.get("/catalog/products/new/")
    edit = client.get(f"/catalog/products/{pk}/edit/")

    expected = 200 if EDITS[who] else 403
    assert (create.status_code, edit.status_code) == (expected, expected)
    assert ("41.05" in edit.content.decode()) is EDITS[who]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_posting_the_edit_form_changes_the_product_only_for_editors(catalogue, client_for, who):
    pk = catalogue.lipitor.pk
    form = {
        "sku_code": "SKU-0002",
        "brand": "Lipitor",
        "inn": "atorvastatin",
        "atc_code": "c10aa05",
        "category": "medicines",
        "rx_otc": "rx",
        "strength": "40 mg",
        "list_price": "98.50",
        "currency": "CNY",
        "is_active": "on",
    }

    response = client_for(who).post(f"/catalog/products/{pk}/edit/", form)

    lipitor = Product.objects.get(pk=pk)
    if EDITS[who]:
        assert (response.status_code, response["Location"]) == (302, f"/catalog/products/{pk}/")
        assert (lipitor.strength, str(lipitor.list_price), lipitor.atc_code) == (
            "40 mg",
            "98.5000",
            "C10AA05",
        )
    else:
        assert response.status_code == 403
        assert (lipitor.strength, str(lipitor.list_price)) == ("20 mg", "58.9000")


@pytest.mark.parametrize("who", SIGNED_IN)
def test_api_lists_and_reads_products_for_every_role(catalogue, client_for, who):
    client = client_for(who)

    listed = client.get("/api/v1/catalog/products", {"rx_otc": "otc"}).json()
    searched = client.get("/api/v1/catalog/products", {"q": "atorva"}).json()
    detail = client.get(f"/api/v1/catalog/products/{catalogue.panadol.pk}").json()
    prices = client.get(f"/api/v1/catalog/products/{catalogue.panadol.pk}/prices").json()

    assert (listed["count"], [row["sku_code"] for row in listed["items"]]) == (1, ["SKU-0001"])
    assert [row["brand"] for row in searched["items"]] == ["Lipitor"]
    assert (detail["manufacturer_id"], detail["list_price"]) == (catalogue.gsk.pk, "12.5000")
    assert [(p["channel"], p["price"], p["valid_from"]) for p in prices] == [
        ("tmall", "11.9000", "2025-01-01")
    ]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_api_creates_a_product_only_for_editors(catalogue, client_for, who):
    response = _json(client_for(who), "post", "/api/v1/catalog/products", NEW_PRODUCT)

    if EDITS[who]:
        assert response.status_code == 201
        assert response.json()["category"] == "medicines"
        assert Product.objects.get(sku_code="SKU-0900").brand == "Bayer Aspirin"
    else:
        assert response.status_code == 403
        assert response.json()["detail"] == "Your role does not allow this."
        assert Product.objects.filter(sku_code="SKU-0900").exists() is False


@pytest.mark.parametrize("who", SIGNED_IN)
def test_api_changes_a_product_only_for_editors(catalogue, client_for, who):
    pk = catalogue.vitamin.pk
    history = Product.history.filter(id=pk).count()

    response = _json(client_for(who), "patch", f"/api/v1/catalog/products/{pk}", {"pack": "60"})

    vitamin = Product.objects.get(pk=pk)
    if EDITS[who]:
        assert (response.status_code, vitamin.pack) == (200, "60")
        assert Product.history.filter(id=pk).count() == history + 1
    else:
        assert (response.status_code, vitamin.pack) == (403, "")
        assert Product.history.filter(id=pk).count() == history


@pytest.mark.parametrize("who", SIGNED_IN)
def test_api_adds_a_channel_price_only_for_editors(catalogue, client_for, who):
    pk = catalogue.lipitor.pk
    price = {"channel": "jd", "price": "55.00", "valid_from": "2025-06-01"}

    response = _json(client_for(who), "post", f"/api/v1/catalog/products/{pk}/prices", price)

    stored = list(ChannelPrice.objects.filter(product_id=pk).values_list("channel", "price"))
    if EDITS[who]:
        assert response.status_code == 201
        assert [(channel, str(amount)) for channel, amount in stored] == [("jd", "55.0000")]
    else:
        assert response.status_code == 403
        assert stored == []
