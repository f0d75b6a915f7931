"""The catalogue pages speak the browser's language: headers, filters and choice labels.

The expected words are the trade's own: 商品 / товар for product, 处方药 / Rx for prescription
status, 药品 / лекарственные средства for the medicines category.
"""

from __future__ import annotations

import pytest

PAGES = {
    "zh-hans": ["导出到 Excel", "ATC 代码开头为", "全部类别", "<td>药品</td>", "<td>非处方药</td>"],
    "ru": [
        "Экспорт в Excel",
        "Код ATC начинается с",
        "Все категории",
        "<td>Лекарственные средства</td>",
        "<td>Витамины и БАД</td>",
    ],
}


@pytest.mark.parametrize("language", sorted(PAGES))
def test_product_list_is_translated(catalogue, client_for, language):
    response = client_for("sales_rep").get(
        "/catalog/products/", headers={"accept-language": language}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert [text for text in PAGES[language] if text not in body] == []
    assert "Export to Excel" not in body
    assert "All categories" not in body
