"""Wall-clock times at a clock change: the gap and the repeated hour get reasons naming the zone.

UK clock changes in 2025 (Summer Time Act 1972 / EU directive 2000/84/EC dates): on Sunday
30 March clocks went from 01:00 GMT to 02:00 BST, so 01:00–01:59:59 did not happen; on Sunday
26 October they went back from 02:00 BST to 01:00 GMT, so 01:00–01:59:59 happened twice.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from pharmacrm.core.importkit.coerce import coerce_batch
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping

FIELDS = (FieldSpec("ts", "timestamp", required=True),)


def _coerce(values: list[str], **mapping: object):  # noqa: ANN202
    raw = pa.table({"_row": pa.array(range(1, len(values) + 1), pa.int64()), "ts": values})
    return coerce_batch(raw, fields=FIELDS, mapping=ColumnMapping(columns={"ts": "ts"}, **mapping))


def test_time_in_the_spring_gap_is_quarantined_naming_the_zone() -> None:
    result = _coerce(["2025-03-30 00:59:59", "2025-03-30 01:05:07", "2025-03-30 02:00:00"],
                     timezone="Europe/London")  # fmt: skip

    assert result.errors.to_pylist() == [
        {"row": 2, "column": "ts", "value": "2025-03-30 01:05:07",
         "reason": "2025-03-30 01:05:07 does not exist in Europe/London (daylight-saving gap)"},
    ]  # fmt: skip
    assert result.good.get_column("_row").to_list() == [1, 3]
    utc = result.good.get_column("ts").dt.convert_time_zone("UTC").to_list()
    assert utc == [
        dt.datetime(2025, 3, 30, 0, 59, 59, tzinfo=dt.UTC),  # still GMT
        dt.datetime(2025, 3, 30, 1, 0, 0, tzinfo=dt.UTC),  # 02:00 BST = 01:00 UTC
    ]


def test_the_same_time_is_fine_in_a_zone_without_that_clock_change() -> None:
    result = _coerce(["2025-03-30 01:05:07"], timezone="Europe/Moscow")  # no DST since 2014

    assert result.errors.num_rows == 0
    assert result.good.get_column("ts").dt.convert_time_zone("UTC").to_list() == [
        dt.datetime(2025, 3, 29, 22, 5, 7, tzinfo=dt.UTC)
    ]


def test_time_in_the_repeated_autumn_hour_is_quarantined_by_default() -> None:
    result = _coerce(["2025-10-26 01:30:00", "2025-10-26 02:30:00"], timezone="Europe/London")

    assert result.errors.to_pylist() == [
        {"row": 1, "column": "ts", "value": "2025-10-26 01:30:00",
         "reason": "2025-10-26 01:30:00 happens twice in Europe/London (clocks go back): "
                   "the file must say which"},
    ]  # fmt: skip
    assert result.good.get_column("_row").to_list() == [2]


@pytest.mark.parametrize(
    ("policy", "utc_hour"),
    [("earliest", 0), ("latest", 1)],  # 01:30 BST = 00:30 UTC; 01:30 GMT = 01:30 UTC
)
def test_a_mapping_may_read_the_repeated_hour_as_one_occurrence(policy: str, utc_hour: int) -> None:
    result = _coerce(["2025-10-26 01:30:00"], timezone="Europe/London", ambiguous_times=policy)

    assert result.errors.num_rows == 0
    assert result.good.get_column("ts").dt.convert_time_zone("UTC").to_list() == [
        dt.datetime(2025, 10, 26, utc_hour, 30, tzinfo=dt.UTC)
    ]


def test_text_that_is_no_time_keeps_its_own_reason_beside_a_gap_time() -> None:
    result = _coerce(["2025-03-30 01:30:00", "30/03/2025 half past one"],
                     timezone="Europe/London")  # fmt: skip

    reasons = [(e["row"], e["reason"].split(" (")[0]) for e in result.errors.to_pylist()]
    assert reasons == [
        (1, "2025-03-30 01:30:00 does not exist in Europe/London"),
        (2, "not a date and time"),
    ]


def test_the_policy_survives_a_saved_mapping_template() -> None:
    mapping = ColumnMapping(columns={"ts": "ts"}, timezone="Europe/London",
                            ambiguous_times="latest")  # fmt: skip

    assert ColumnMapping.from_json(mapping.to_json()) == mapping
    assert ColumnMapping.from_json('{"columns": {"ts": "ts"}}').ambiguous_times == "quarantine"
