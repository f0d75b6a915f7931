"""Readers: every layout and encoding the trade sends arrives as the same raw rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from pharmacrm.core.importkit.readers import excel_cell_text, excel_column_text, open_source
from pharmacrm.core.importkit.sniff import sniff_encoding

ROWS = [["Аптека №1", "12,5"], ["北京同仁堂", "3"]]


def _read_all(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    source = open_source(path)
    rows = [row for batch in source for row in batch.table.to_pylist()]
    return source.columns, rows


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", "name;qty\r\nАптека №1;12,5\r\n北京同仁堂;3\r\n"),
        ("utf-8-sig", "name;qty\r\nАптека №1;12,5\r\n北京同仁堂;3\r\n"),
        ("gb18030", "name;qty\n北京同仁堂药店;12,5\n上海第一医药商店;3\n"),
        ("cp1251", "name;qty\nАптека №1 на Тверской;12,5\nРигла Москва;3\n"),
    ],
)
def test_csv_encodings_and_delimiter_are_sniffed(tmp_path: Path, encoding: str, text: str) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(text.encode(encoding))

    columns, rows = _read_all(path)

    assert columns == ["name", "qty"]
    expected_names = [line.split(";")[0] for line in text.strip().splitlines()[1:]]
    assert [row["name"] for row in rows] == expected_names
    assert [row["qty"] for row in rows] == ["12,5", "3"]
    assert [row["_row"] for row in rows] == [1, 2]


def test_encoding_guess_names_the_code_page() -> None:
    assert sniff_encoding("Аптека;Количество\nРигла;3\n".encode("cp1251")) == ("cp1251", False)
    assert sniff_encoding("药店,数量\n北京同仁堂,3\n".encode("gb18030")) == ("gb18030", False)
    assert sniff_encoding(b"\xef\xbb\xbfa,b\n") == ("utf-8", True)


def test_whitespace_separated_crlf_file(tmp_path: Path) -> None:
    # The first lines of CDNOW_master.txt as the README shows them.
    path = tmp_path / "cdnow.txt"
    path.write_bytes(
        b" customer_id  date number_of_cds  dollar_value\r\n"
        b" 00001 19970101  1   11.77\r\n"
        b" 00002 19970112  1   12.00\r\n"
        b" 00002 19970112  5   77.00\r\n"
    )

    columns, rows = _read_all(path)

    assert columns == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert rows[2] == {
        "customer_id": "00002", "date": "19970112", "number_of_cds": "5",
        "dollar_value": "77.00", "_row": 3,
    }  # fmt: skip


def test_tab_separated_and_truncated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "report.tsv"
    path.write_text("a\tb\tc\n1\t2\t3\n4\t5", encoding="utf-8")

    source = open_source(path)
    batches = list(source)

    assert sum(batch.table.num_rows for batch in batches) == 1
    errors = pa.concat_tables(batch.errors for batch in batches).to_pylist()
    assert errors == [
        {"row": 2, "column": None, "value": "4\t5",
         "reason": "line has 2 fields, expected 3 (truncated or broken line)"}
    ]  # fmt: skip
    assert sum(batch.rows_read for batch in batches) == 2


def test_xlsx_cells_are_coerced_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "invoices.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "qty", "day", "at", "price"])
    sheet.append([17850, 3, dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 10, 30), 2.55])
    workbook.save(path)

    columns, rows = _read_all(path)

    assert columns == ["code", "qty", "day", "at", "price"]
    assert rows == [
        {"code": "17850", "qty": "3", "day": "2024-01-05", "at": "2024-01-05 10:30:00",
         "price": "2.55", "_row": 1}
    ]  # fmt: skip


def test_excel_cell_text_matches_what_a_person_sees() -> None:
    assert excel_cell_text(99999.0) == "99999"
    assert excel_cell_text(0.1) == "0.1"
    assert excel_cell_text("") is None
    assert excel_cell_text(dt.date(2024, 2, 29)) == "2024-02-29"


def test_parquet_keeps_types_and_numbers_rows(tmp_path: Path) -> None:
    path = tmp_path / "facts.parquet"
    pq.write_table(pa.table({"sku": ["A", "B", "C"], "qty": [1.0, 2.0, 3.5]}), path)

    columns, rows = _read_all(path)

    assert columns == ["sku", "qty"]
    assert rows[2] == {"sku": "C", "qty": 3.5, "_row": 3}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # Whole floats lose ".0"; others keep Python's repr spelling, exponents included.
        ([17850.0, 2.5, None, -3.0, 0.1, 1e-05, 1e20, 2.0**60],
         ["17850", "2.5", None, "-3", "0.1", "1e-05", "100000000000000000000",
          "1152921504606846976"]),
        # All whole (codes, quantities) with empty cells: the integer-only path.
        ([3.0, None, -7.0, 0.0], ["3", None, "-7", "0"]),
        (["SKU-1", "", None], ["SKU-1", None, None]),
        ([dt.date(2024, 2, 29), None], ["2024-02-29", None]),
        # Mixed columns and date-times take the per-cell path.
        ([1.0, "A", dt.datetime(2024, 3, 1, 9, 30), True],
         ["1", "A", "2024-03-01 09:30:00", "true"]),
    ],
)  # fmt: skip
def test_excel_columns_convert_vectorised_as_cell_by_cell(cells, expected):
    converted = excel_column_text(cells).to_pylist()

    assert converted == expected
    assert converted == [excel_cell_text(cell) for cell in cells]
