"""The product form refuses a wrong ATC code in the user's language and stores nothing.

X is not one of the WHO ATC anatomical main groups (A B C D G H J L M N P R S V), so
``X10AA05`` has the right shape but no group; the page re-renders the form with the message
of ``catalog.atc`` translated for the browser's language.
"""

from __future__ import annotations

import pytest

from pharmacrm.catalog.models import Product

FORM = {
    "sku_code": "SKU-0500",
    "brand": "Crestor",
    "inn": "rosuvastatin",
    "atc_code": "X10AA05",
    "category": "medicines",
    "rx_otc": "rx",
    "currency": "CNY",
    "is_active": "on",
}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "“X10AA05” is not an ATC code: X is not an anatomical main group."),
        ("zh-hans", "“X10AA05”不是 ATC 代码：X 不是解剖学主组。"),
        ("ru", "«X10AA05» не является кодом ATC: X — не анатомическая основная группа."),
    ],
)
def test_wrong_atc_group_is_refused_in_the_users_language(catalogue, client_for, language, message):
    client = client_for("admin")

    response = client.post("/catalog/products/new/", FORM, headers={"accept-language": language})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Product.objects.filter(sku_code="SKU-0500").exists() is False


def test_lower_case_atc_code_is_stored_upper_case(catalogue, client_for):
    response = client_for("admin").post("/catalog/products/new/", {**FORM, "atc_code": "c10aa07"})

    crestor = Product.objects.get(sku_code="SKU-0500")
    assert (response.status_code, response["Location"]) == (302, f"/catalog/products/{crestor.pk}/")
    assert crestor.atc_code == "C10AA07"
