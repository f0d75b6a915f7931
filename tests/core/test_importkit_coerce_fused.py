"""The one-query fast path of ``coerce_batch`` gives exactly what the field-by-field path gives.

``coerce_batch`` parses a batch in one fused Polars query and sends only suspect rows (errors,
dates in a later format, numbers with spaces around them) through the exact path; these tests
feed both the same awkward cells and compare good rows, bad rows and every reason.
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pharmacrm.core.importkit.coerce import Rule, _coerce_rows, coerce_batch
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.readers import ROW

FIELDS = (
    FieldSpec("outlet", "code", required=True),
    FieldSpec("card", "code"),
    FieldSpec("note", "text"),
    FieldSpec("line", "int", minimum=1),
    FieldSpec("qty", "float", required=True),
    FieldSpec("price", "float", minimum=0),
    FieldSpec("promo", "bool"),
    FieldSpec("day", "date"),
    FieldSpec("ts", "timestamp", required=True),
    FieldSpec("currency", "code"),
    FieldSpec("unmapped", "float"),
)
RULES = (Rule("qty", "too many", lambda: pl.col("qty") > 1000),)
CELLS = {
    "outlet": ["A1", " A2 ", "", "   ", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "A12"],
    "card": ["c1", "", "  ", " c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12"],
    "note": ["x", "", " y ", "z", "", "", "", "", "", "", "", ""],
    "line": ["1", "2.0", "2.5", "0", " 3", "", "x", "4", "5", "6", "7", "8"],
    "qty": ["1", "1,5", " 2", "2 ", "", "inf", "NaN", "-3", "1e3", "2000", "7", "8"],
    "price": ["9.5", "", "-1", "abc", "1", "2", "3", "4", "5", "6", "7", "8"],
    "promo": ["да", "", "NO", " yes", "maybe", "1", "0", "是", "", "", "", ""],
    "day": ["2024-03-01", "01.03.2024", "", "2024-02-30", " 2024-03-05", "2024-03-06",
            "2024-03-07", "2024-03-08", "2024-03-09", "2024-03-10", "x", "2024-03-12"],
    "ts": ["2024-03-31 01:30:00", "2024-03-31 02:30:00", "2024-10-27 02:30:00",
           "2024-03-01T10:00:00", "2024-03-01 10:00", "2024-03-01", " 2024-03-01 10:00:00",
           "2024-03-01 10:00:00 ", "", "2024-03-01 10:00:00.250", "31/12/2024 23:59",
           "2024-03-01 10:00:00"],
}  # fmt: skip


def _frame() -> pl.DataFrame:
    height = len(CELLS["outlet"])
    return pl.DataFrame({**CELLS, ROW: list(range(1, height + 1))})


@pytest.mark.parametrize(
    "options",
    [
        {"timezone": "Europe/Berlin"},
        {"timezone": "Europe/Berlin", "ambiguous_times": "earliest"},
        {
            "timezone": "UTC",
            "date_formats": ("%d.%m.%Y",),
            "timestamp_formats": ("%d/%m/%Y %H:%M",),
        },
        {"timezone": "Asia/Shanghai", "decimal_separator": ",", "units": {"qty": 10.0}},
    ],
)
def test_fast_path_matches_the_exact_path(options: dict[str, object]) -> None:
    mapping = ColumnMapping(
        columns={name: name for name in CELLS}, constants={"currency": "CNY"}, **options
    )  # type: ignore[arg-type]
    frame = _frame()

    fast = coerce_batch(frame, fields=FIELDS, mapping=mapping, rules=RULES)
    exact = _coerce_rows(frame, FIELDS, mapping, RULES, None)

    assert_frame_equal(fast.good, exact.good)
    assert_frame_equal(fast.bad, exact.bad)
    assert fast.errors.equals(exact.errors)
    # the batch is really mixed: some rows good, several bad for different reasons
    assert 0 < fast.good.height < frame.height
    assert len(set(fast.errors.column("reason").to_pylist())) >= 5


def test_clean_batch_takes_no_exact_pass_and_keeps_every_value() -> None:
    mapping = ColumnMapping(
        columns={"outlet": "o", "qty": "q", "ts": "t"}, timezone="Europe/Moscow"
    )
    fields = (FIELDS[0], FIELDS[4], FIELDS[8])
    frame = pl.DataFrame(
        {"o": [" A ", "B"], "q": ["1.25", "3"], "t": ["2024-01-01 10:00:00"] * 2, ROW: [7, 8]}
    )

    result = coerce_batch(frame, fields=fields, mapping=mapping)

    assert result.errors.num_rows == 0
    assert result.bad.height == 0
    assert result.good.columns == [ROW, "outlet", "qty", "ts"]
    assert result.good.get_column("outlet").to_list() == ["A", "B"]
    assert result.good.get_column("qty").to_list() == [1.25, 3.0]
    assert (
        str(result.good.get_column("ts").dtype)
        == "Datetime(time_unit='us', time_zone='Europe/Moscow')"
    )
    assert_frame_equal(result.good, _coerce_rows(frame, fields, mapping, (), None).good)
