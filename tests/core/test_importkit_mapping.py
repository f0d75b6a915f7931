"""Header suggestions in English, Chinese and Russian; mappings survive a JSON round trip."""

from __future__ import annotations

import pytest

from pharmacrm.core.importkit.coerce import check_mapping
from pharmacrm.core.importkit.errors import ImportKitError
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping, suggest_mapping
from pharmacrm.core.importkit.readers import ReadOptions

FIELDS = (
    FieldSpec("terminal_name", "text"),
    FieldSpec("product_raw", "text"),
    FieldSpec("qty", "float", required=True),
    FieldSpec("amount", "float"),
    FieldSpec("day", "date"),
)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Customer Name", "Product", "Quantity", "Amount", "Date"],
         {"terminal_name": "Customer Name", "product_raw": "Product", "qty": "Quantity",
          "amount": "Amount", "day": "Date"}),
        (["终端名称", "药品名称", "数量", "金额", "日期"],
         {"terminal_name": "终端名称", "product_raw": "药品名称", "qty": "数量",
          "amount": "金额", "day": "日期"}),
        (["Наименование клиента", "Препарат", "Кол-во", "Сумма", "Дата"],
         {"terminal_name": "Наименование клиента", "product_raw": "Препарат", "qty": "Кол-во",
          "amount": "Сумма", "day": "Дата"}),
    ],
)  # fmt: skip
def test_suggestions_in_three_languages(headers: list[str], expected: dict[str, str]) -> None:
    suggestions = suggest_mapping(headers, FIELDS)

    assert {s.field: s.column for s in suggestions} == expected


def test_typo_in_header_still_matches_and_no_header_feeds_two_fields() -> None:
    suggestions = suggest_mapping(["Quantitty", "Notes"], FIELDS)

    assert [(s.field, s.column) for s in suggestions] == [("qty", "Quantitty")]


def test_mapping_json_round_trip() -> None:
    mapping = ColumnMapping(
        columns={"qty": "Кол-во"}, constants={"period": "2024-03"}, date_formats=("%d.%m.%Y",),
        decimal_separator=",", units={"qty": 10.0}, timezone="Europe/Moscow",
        read=ReadOptions(delimiter=";", column_names=("a", "b")),
    )  # fmt: skip

    assert ColumnMapping.from_json(mapping.to_json()) == mapping


def test_unmapped_required_field_and_missing_column_are_named() -> None:
    mapping = ColumnMapping(columns={"amount": "Sum"})

    with pytest.raises(ImportKitError) as raised:
        check_mapping(FIELDS, mapping, ["Qty", "Amount"])

    assert str(raised.value) == (
        "required field 'qty' is not mapped to a column; column 'Sum' (for 'amount') is not in "
        "the file. The file's columns: Qty, Amount"
    )
