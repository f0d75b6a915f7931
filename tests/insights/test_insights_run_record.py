"""What a run records and writes, read from one shared run (values worked in test_insights_run)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from pharmacrm.insights.models import AnalyticsRun, RunStatus


def test_run_is_recorded_with_engine_status_duration_and_row_counts(analysed, db):
    run = AnalyticsRun.objects.get()

    assert run.requested_by is None
    assert run.engine == "duckdb"
    assert run.status == RunStatus.SUCCEEDED
    assert run.error == ""
    assert run.customer_count == 5
    assert run.duration_seconds is not None
    assert run.started_at <= run.finished_at
    assert run.row_counts["facts_receipt_lines"] == 7
    assert run.row_counts["facts_invoice_lines"] == 3
    assert run.row_counts["facts_online_orders"] == 0
    assert run.row_counts["snapshot_consumer"] == 3
    assert run.row_counts["snapshot_account"] == 2
    # Jan, Feb, Mar for each kind
    assert run.row_counts["leaky_bucket_month"] == 6


def test_snapshot_and_aggregates_are_written_to_parquet_under_the_run_folder(analysed):
    folder = Path(analysed.output_dir)

    assert folder.name == f"run={analysed.pk}"
    assert folder.parent.name == "analytics"
    snapshot = pq.read_table(folder / "snapshot.parquet").sort_by(
        [("customer_kind", "ascending"), ("customer_key", "ascending")]
    )
    assert snapshot.column("customer_key").to_pylist() == [501, 502, 1, 2, 3]
    assert snapshot.column("rfm_segment").to_pylist() == [
        "Loyal", "Lost", "At Risk", "Lost", "Loyal"
    ]  # fmt: skip
    buckets = pq.read_table(folder / "leaky_bucket_month.parquet").to_pylist()
    march = next(
        b for b in buckets if b["customer_kind"] == "consumer" and b["period"] == date(2024, 3, 1)
    )
    # March: consumer 3 new, consumer 1 back after February (returning), consumer 2 gone
    assert (march["active_prev"], march["active"]) == (1, 2)
    assert (march["new"], march["retained"], march["returning"], march["churned"]) == (1, 0, 1, 1)
    assert march["churn_rate"] == 1.0
    assert march["acquisitions_needed"] == 0
