"""The 360 analytics card before any run, and with the CLV and cluster columns filled."""

from __future__ import annotations

from datetime import date

import pytest

from pharmacrm.accounts import services as account_services
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.insights.models import AnalyticsRun, CustomerSnapshot, RunStatus


@pytest.fixture
def hospital(db):
    return account_services.account_create(
        by=None, code="CARD-1", name="Beijing Union Hospital", kind="hospital", tier="terminal",
        province="Beijing", city="Beijing",
    )  # fmt: skip


@pytest.fixture
def director_client(client, db):
    client.force_login(core_services.user_create(username="card-director", role=Role.DIRECTOR))
    return client


def test_before_any_run_the_card_says_run_analyze(director_client, hospital):
    body = director_client.get(f"/crm/accounts/{hospital.pk}/").content.decode()

    assert 'data-testid="snapshot-card"' in body
    assert "No analytics run yet — run analyze" in body


def test_card_shows_the_clv_and_cluster_columns_of_the_snapshot(director_client, hospital):
    run = AnalyticsRun.objects.create(
        engine="duckdb", status=RunStatus.SUCCEEDED, as_of=date(2025, 6, 30)
    )
    CustomerSnapshot.objects.create(
        run=run, customer_kind="account", customer_key=hospital.pk, r_score=5, f_score=4,
        m_score=5, rfm_segment="Champions", lifecycle_stage="active", abc_class="A",
        is_vip=True, monetary=125000.0, frequency=14, days_since_last=3,
        first_day=date(2023, 2, 1), last_day=date(2025, 6, 27), p_alive=0.934,
        expected_purchases=6.5, clv=48210.4, churn_band="low", cluster=2,
        cluster_label="frequent big-basket buyers", grade="S",
    )  # fmt: skip

    body = director_client.get(f"/crm/accounts/{hospital.pk}/").content.decode()

    assert "as of 2025-06-30" in body
    assert 'data-testid="snapshot-p-alive">0.93 · churn risk low<' in body
    assert "6.50" in body
    assert 'data-testid="snapshot-clv">48,210.40<' in body
    assert "2 · frequent big-basket buyers" in body
    assert "last 3 days ago" in body


def test_channel_manager_opens_an_online_store_without_an_analytics_card(client, db):
    store = account_services.account_create(
        by=None, code="CARD-2", name="JD Health Flagship Store", kind="online_store",
        tier="downstream", province="Beijing", city="Beijing",
    )  # fmt: skip
    user = core_services.user_create(username="card-channel", role=Role.CHANNEL_MANAGER)
    client.force_login(user)

    response = client.get(f"/crm/accounts/{store.pk}/")

    assert response.status_code == 200
    assert b'data-testid="snapshot-card"' not in response.content
