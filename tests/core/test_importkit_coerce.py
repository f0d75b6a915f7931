"""A deliberately broken file: every reason of every bad row, good rows kept, totals reconcile."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pyarrow as pa

from pharmacrm.core.importkit.coerce import Rule, coerce_batch
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.quarantine import QuarantineWriter, quarantine_to_xlsx
from pharmacrm.core.importkit.readers import open_source

FIELDS = (
    FieldSpec("outlet_code", "code", required=True),
    FieldSpec("day", "date", required=True),
    FieldSpec("qty", "float", required=True, minimum=0),
    FieldSpec("price", "float"),
    FieldSpec("is_promo", "bool"),
)
MAPPING = ColumnMapping(
    columns={"outlet_code": "Аптека", "day": "Дата", "qty": "Кол-во", "price": "Цена",
             "is_promo": "Акция"},
    date_formats=("%d.%m.%Y",), decimal_separator=",", thousands_separator=" ",
)  # fmt: skip
BROKEN = (
    (
        "Аптека;Дата;Кол-во;Цена;Акция\r\n"
        "Ригла-1;01.03.2024;2;1 250,50;да\r\n"  # 1 good: thousands and decimal comma
        "Ригла-2;31.02.2024;abc;10;нет\r\n"  # 2 bad: no 31 February, text in a number
        "Ригла-3;02.03.2024;-1;10;\r\n"  # 3 bad: negative quantity
        ";03.03.2024;1;5;maybe\r\n"  # 4 bad: outlet missing, not a yes/no
        "Ригла-5;04.03.2024;3;7,25;0\r\n"  # 5 good
    ).encode()
    + "Ригла-6;05.03.2024;1;2;0\r\n".encode("cp1251")
    + b"Rigla-7;06.03.2024"
)  # 6, 7 bad


def _coerce_file(path: Path) -> tuple[int, pl.DataFrame, list[dict[str, object]], Path]:
    source = open_source(path)
    read, goods, errors = 0, [], []
    with QuarantineWriter(path.parent / "q", "broken", path.name, source.columns) as quarantine:
        for batch in source:
            read += batch.rows_read
            result = coerce_batch(batch.table, fields=FIELDS, mapping=MAPPING,
                                  reader_errors=batch.errors)  # fmt: skip
            goods.append(result.good)
            errors.extend(result.errors.to_pylist())
            quarantine.write(result.bad, result.errors)
    return read, pl.concat(goods), errors, quarantine.path


def test_every_reason_reported_and_good_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(BROKEN)

    read, good, errors, _ = _coerce_file(path)

    assert read == 7
    assert good.get_column("_row").to_list() == [1, 5]
    assert good.get_column("qty").to_list() == [2.0, 3.0]
    assert good.get_column("price").to_list() == [1250.5, 7.25]
    assert good.get_column("is_promo").to_list() == [True, False]
    assert [(e["row"], e["column"], e["value"], e["reason"]) for e in errors] == [
        (2, "Дата", "31.02.2024", "not a date (expected %d.%m.%Y or %Y-%m-%d)"),
        (2, "Кол-во", "abc", "not a number"),
        (3, "Кол-во", "-1", "must not be negative"),
        (4, "Аптека", None, "required value missing"),
        (4, "Акция", "maybe", "not yes/no (1/0, true/false)"),
        (6, "Аптека", "Ригла-6", "not valid UTF-8 like the rest of the file; looks like cp1251"),
        (7, None, "Rigla-7;06.03.2024",
         "line has 2 fields, expected 5 (truncated or broken line)"),
    ]  # fmt: skip
    assert read == good.height + len({e["row"] for e in errors})


def test_quarantine_is_corrected_and_imported_again(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(BROKEN)
    _, _, _, quarantine_path = _coerce_file(path)
    with quarantine_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["_source_row"] for row in rows] == ["2", "3", "4", "6", "7"]
    assert (
        rows[0]["_reasons"]
        == "Дата: not a date (expected %d.%m.%Y or %Y-%m-%d); Кол-во: not a number"
    )
    fixes = {
        "2": {"Дата": "29.02.2024", "Кол-во": "4"}, "3": {"Кол-во": "1"},
        "4": {"Аптека": "Ригла-4", "Акция": "1"}, "6": {},
        "7": {"Аптека": "Rigla-7", "Дата": "06.03.2024", "Кол-во": "1", "Цена": "1", "Акция": "0"},
    }  # fmt: skip
    corrected = tmp_path / "corrected.csv"
    with corrected.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **fixes[row["_source_row"]]})

    read, good, errors, _ = _coerce_file(corrected)

    assert (read, good.height, errors) == (5, 5, [])
    assert good.get_column("outlet_code").to_list() == [
        "Ригла-2", "Ригла-3", "Ригла-4", "Ригла-6", "Rigla-7"
    ]  # fmt: skip


def test_quarantine_downloads_as_excel(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(BROKEN)
    _, _, _, quarantine_path = _coerce_file(path)

    xlsx = quarantine_to_xlsx(quarantine_path, tmp_path / "q.xlsx")

    columns = open_source(xlsx).columns
    assert columns == ["Аптека", "Дата", "Кол-во", "Цена", "Акция", "_source_row", "_reasons",
                       "_raw_line"]  # fmt: skip
    assert sum(batch.table.num_rows for batch in open_source(xlsx)) == 5


def test_business_rule_over_two_fields() -> None:
    table = pa.table({"q": ["-2", "-2", "3"], "r": ["1", "0", "0"], "_row": [1, 2, 3]})
    fields = (FieldSpec("qty", "float"), FieldSpec("is_return", "bool"))
    rule = Rule("qty", "negative quantity on a line not marked as a return",
                lambda: (pl.col("qty") < 0) & ~pl.col("is_return"))  # fmt: skip

    result = coerce_batch(table, fields=fields, mapping=ColumnMapping(
        columns={"qty": "q", "is_return": "r"}), rules=(rule,))  # fmt: skip

    assert result.good.get_column("_row").to_list() == [1, 3]
    assert result.errors.to_pylist() == [{"row": 2, "column": "q", "value": "-2.0",
        "reason": "negative quantity on a line not marked as a return"}]  # fmt: skip
