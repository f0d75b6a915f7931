"""An analytics run over the hand-made warehouse of conftest.py, values worked by hand.

Consumers as of 2024-03-31 (n = 3, score = ⌊(rank − 1)·5/3⌋ + 1 → ranks 1, 2, 3 score 1, 2, 4):

- consumer 1: purchases c1 (100.00, Jan 5) and c2 (50.00, Mar 10) → F 2, M 150.00,
  days since last 21; first Jan 5, d_first 86 ≥ 30, d_last 21 < 90 → active.
- consumer 2: c3 (30.00, Feb 1) and the refund c4 (−30.00), which is no purchase → F 1,
  M 0.00, days since last 59 (2024 is a leap year) → active.
- consumer 3: c5 (200.00, Mar 31) → F 1, M 200.00, days since last 0 → new.
- R ranks by days since last descending: 2, 1, 3 → R 1, 2, 4. F ascending, ties by id:
  2, 3, 1 → F 1, 2, 4. M ascending: 2, 1, 3 → M 1, 2, 4.
- Segments (FM = (F + M)/2): consumer 1 R2 FM3 → At Risk; consumer 2 R1 FM1 → Lost;
  consumer 3 R4 FM3 → Loyal.
- ABC by net revenue 200, 150, 0 (total 350): share before 0, 0.571, 1.0 → A, A, C.
  VIP = top ⌈0.2·3⌉ = 1 customer: consumer 3.

Accounts (n = 2, ranks 1, 2 score 1, 3): 501 — F 2, M 1,500.00, last Mar 1 → 30 days;
502 — F 1, M 300.00, last Feb 20 → 40 days. 501: R3 F3 M3 → Loyal, A, VIP; 502: R1 F1 M1 →
Lost, share before 1500/1800 = 0.83 → B. Both active (d_first 81 and 40, d_last < 90).
"""

from __future__ import annotations

from datetime import date

import pytest

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.insights import services as insights_services
from pharmacrm.insights.models import AnalyticsRun, CustomerSnapshot, RunStatus

pytestmark = pytest.mark.django_db


def _snapshot_rows(fields: tuple[str, ...]) -> list[tuple[object, ...]]:
    return list(
        CustomerSnapshot.objects.order_by("customer_kind", "customer_key").values_list(*fields)
    )


def test_run_without_as_of_takes_the_last_day_of_the_facts_and_scores_every_customer(
    warehouse, expected_snapshot
):
    analyst = core_services.user_create(username="ana", role=Role.ANALYST, password=None)

    run = insights_services.run_analytics(by=analyst)

    assert run.as_of == date(2024, 3, 31)
    assert run.requested_by == analyst
    assert _snapshot_rows(expected_snapshot.fields) == expected_snapshot.rows


def test_rerun_updates_the_snapshot_without_duplicates(warehouse):
    first = insights_services.run_analytics(by=None)

    second = insights_services.run_analytics(by=None, as_of=date(2024, 2, 29))

    assert CustomerSnapshot.objects.count() == 4
    assert set(CustomerSnapshot.objects.values_list("run_id", flat=True)) == {second.pk}
    consumer_1 = CustomerSnapshot.objects.get(customer_kind="consumer", customer_key=1)
    # as of Feb 29 consumer 1 bought once, on Jan 5: 55 days ago
    assert (consumer_1.frequency, consumer_1.days_since_last) == (1, 55)
    assert not CustomerSnapshot.objects.filter(customer_kind="consumer", customer_key=3).exists()
    assert first.pk != second.pk


def test_same_run_upserted_twice_leaves_the_same_rows(warehouse, expected_snapshot):
    run = insights_services.run_analytics(by=None)

    insights_services.snapshot_upsert(
        run=run, path=warehouse / "analytics" / f"run={run.pk}" / "snapshot.parquet"
    )

    assert _snapshot_rows(expected_snapshot.fields) == expected_snapshot.rows


def test_run_over_an_empty_warehouse_fails_with_a_clear_error_and_is_recorded(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "empty")

    with pytest.raises(ValueError, match="no sales facts"):
        insights_services.run_analytics(by=None, engine="duckdb")

    run = AnalyticsRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "The warehouse holds no sales facts yet" in run.error
    assert CustomerSnapshot.objects.count() == 0
