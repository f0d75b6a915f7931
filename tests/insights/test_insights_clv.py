"""CLV and clusters in a run (issue 8 item 6): they fill the snapshot, or a note says why not."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pharmacrm.insights import services as insights_services
from pharmacrm.insights.models import CustomerSnapshot
from pharmacrm.warehouse.facts import RECEIPT_LINES

pytestmark = pytest.mark.django_db


def test_too_few_customers_leave_clv_and_clusters_empty_and_note_why(warehouse):
    run = insights_services.run_analytics(by=None)

    # The hand-made warehouse: 3 consumers (1 repeat buyer) and 2 accounts (1 repeat buyer).
    assert run.notes == [
        "CLV (consumer): not fitted — 3 customers, 1 repeat buyers; the models need at least "
        "50 customers and 10 repeat buyers.",
        "Clusters (consumer): not fitted — 3 customers; clustering needs at least 20.",
        "CLV (account): not fitted — 2 customers, 1 repeat buyers; the models need at least "
        "50 customers and 10 repeat buyers.",
        "Clusters (account): not fitted — 2 customers; clustering needs at least 20.",
    ]
    assert list(
        CustomerSnapshot.objects.values_list(
            "p_alive", "expected_purchases", "clv", "churn_band", "cluster", "cluster_label"
        ).distinct()
    ) == [(None, None, None, "", None, "")]


def _receipt(consumer_id: int, check: str, day: date, amount: float) -> dict:
    return {
        "import_id": "test-receipts", "source_row": 1, "outlet_code": "O1", "check_id": check,
        "line_no": 1, "ts": datetime(day.year, day.month, day.day, 10, tzinfo=UTC), "day": day,
        "consumer_id": consumer_id, "sku_code": "SKU-A", "qty": 1.0, "amount": amount,
        "is_promo": False, "is_return": False, "currency": "CNY",
    }  # fmt: skip


CDNOW_SAMPLE = Path("/work/shared/data/cdnow_clv/CDNOW_sample.txt")


def _write_cdnow_receipts(root: Path) -> None:
    """The CDNOW sample (2,357 customers; columns: master id, sample id, yyyymmdd, CDs, $)."""
    rows = []
    for number, line in enumerate(CDNOW_SAMPLE.read_text().splitlines()):
        _master, customer, day, _cds, dollars = line.split()
        when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        rows.append(_receipt(int(customer), f"{customer}-{number}", when, float(dollars)))
    folder = root / "receipt_lines" / "source=cdnow" / "month=all"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=RECEIPT_LINES), folder / "p.parquet")


@pytest.mark.skipif(not CDNOW_SAMPLE.exists(), reason="the CDNOW sample is not on this machine")
def test_cdnow_calibration_scores_every_customer_and_one_time_buyers_are_alive(settings, tmp_path):
    root = tmp_path / "warehouse"
    settings.WAREHOUSE_DIR = str(root)
    _write_cdnow_receipts(root)

    # The 39-week calibration period of Fader, Hardie & Lee (2005) ends on 1997-09-30.
    run = insights_services.run_analytics(by=None, engine="duckdb", as_of=date(1997, 9, 30))

    assert run.notes == []
    assert run.row_counts["clv_consumer"] == 2357
    scored = CustomerSnapshot.objects.filter(customer_kind="consumer")
    assert scored.filter(clv__isnull=False, expected_purchases__isnull=False).count() == 2357
    # 946 of the 2,357 repeat-bought in calibration (published summary statistics); under
    # BG/NBD (Fader, Hardie & Lee 2005, eq. 13) a customer with no repeat purchase cannot
    # have dropped out yet, so P(alive) = 1 for the other 1,411.
    assert scored.filter(p_alive=1.0).count() == 1411
    assert set(scored.values_list("churn_band", flat=True)) <= {"low", "medium", "high"}
    # Gamma-Gamma expected spend of a customer without repeat purchases is the population mean
    # p·v/(q−1); Hardie's published conditional values give it as 35.17 for CDNOW.
    one_timers = scored.filter(p_alive=1.0).values_list("expected_spend", flat=True)
    assert all(abs(spend - 35.17) < 0.1 for spend in one_timers)
    assert scored.filter(expected_spend__isnull=True).count() == 0
    next_days = scored.filter(next_purchase_day__isnull=False)
    assert next_days.exists()
    assert not next_days.filter(next_purchase_day__lte=date(1997, 9, 30)).exists()
    assert run.row_counts["clusters_consumer"] == 2357
    assert scored.filter(cluster__isnull=True).count() == 0
    assert scored.filter(cluster_label="").count() == 0
