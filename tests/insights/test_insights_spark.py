"""The run's engine side on PySpark gives the snapshot worked by hand in test_insights_run.

Spark reads each live file and unions them, and streams through ibis' record-batch reader;
DuckDB reads the file list at once and streams compiled SQL — so both paths are checked.
"""

from __future__ import annotations

from datetime import date

import pytest

from pharmacrm.analytics.engine import connect
from pharmacrm.insights import pipeline

pytestmark = [
    pytest.mark.spark,
    # ibis 12's PySpark backend reads the pandas option `future.infer_string`, which pandas
    # 3.1 deprecates with a warning.
    pytest.mark.filterwarnings(
        "ignore:The 'future.infer_string' option:pandas.errors.Pandas4Warning"
    ),
]


def test_spark_snapshot_equals_the_hand_worked_one(warehouse, expected_snapshot):
    con = connect("spark")
    found = pipeline.open_transactions(con, warehouse)

    as_of = pipeline.last_fact_day(found.views)
    rows = [
        tuple(row[name] for name in expected_snapshot.fields)
        for kind in ("account", "consumer")
        for batch in pipeline.snapshot_batches(con, found.views[kind], as_of=as_of, kind=kind)
        for row in sorted(batch.to_pylist(), key=lambda r: r["customer_key"])
    ]

    assert as_of == date(2024, 3, 31)
    assert rows == expected_snapshot.rows
