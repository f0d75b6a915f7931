"""Insights API over one run of the hand-made warehouse (values worked in test_insights_run)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.insights.models import AnalyticsRun

ENDPOINTS = [
    "/api/v1/insights/runs",
    "/api/v1/insights/snapshot?kind=consumer",
    "/api/v1/insights/snapshot/consumer/1",
    "/api/v1/insights/segments?kind=consumer",
    "/api/v1/insights/aggregates/cohorts?kind=consumer",
]


@pytest.fixture
def as_role(client, db):
    def _login(role: Role):
        client.force_login(core_services.user_create(username=role.value, role=role))
        return client

    return _login


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_gets_401(client, db, path):
    assert client.get(path).status_code == 401


CONSUMER_ROWS = {
    "/api/v1/insights/snapshot?kind=consumer",
    "/api/v1/insights/snapshot/consumer/1",
}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.DIRECTOR, 200),
        (Role.ANALYST, 200),
        (Role.CAMPAIGN_MANAGER, 403),
        (Role.SUPPLIER_MANAGER, 403),
    ],
)
@pytest.mark.parametrize("path", ENDPOINTS)
def test_endpoints_by_role(analysed, as_role, role, status, path):
    """Unscoped roles; regional managers and reps: test_insights_scope's role matrix.

    A director sees consumers as aggregates only (DESIGN.md roles): no per-member rows.
    """
    if role == Role.DIRECTOR and path in CONSUMER_ROWS:
        status = 403
    response = as_role(role).get(path)

    assert response.status_code == status
    if status == 403:
        assert response["Content-Type"] == "application/problem+json"
        assert "customer_id" not in response.content.decode()


def test_snapshot_is_paginated_and_filtered(analysed, as_role):
    client = as_role(Role.ANALYST)

    page = client.get("/api/v1/insights/snapshot?kind=consumer&limit=2&offset=1").json()
    vips = client.get("/api/v1/insights/snapshot?kind=account&vip=1").json()

    assert page["count"] == 3
    assert [item["customer_id"] for item in page["items"]] == [2, 3]
    assert vips["count"] == 1
    assert vips["items"][0]["customer_id"] == 501
    assert vips["items"][0]["monetary"] == 1500.0


def test_one_customer_snapshot(analysed, as_role):
    response = as_role(Role.ANALYST).get("/api/v1/insights/snapshot/consumer/3")

    body = response.json()
    assert body["rfm_segment"] == "Loyal"
    assert (body["r_score"], body["f_score"], body["m_score"]) == (4, 2, 4)
    assert body["lifecycle_stage"] == "new"
    assert body["is_vip"] is True
    assert body["first_day"] == "2024-03-31"
    assert body["p_alive"] is None
    assert body["run_id"] == analysed.pk


def test_unknown_customer_is_404(analysed, as_role):
    response = as_role(Role.ANALYST).get("/api/v1/insights/snapshot/consumer/999")

    assert response.status_code == 404


def test_aggregate_returns_the_runs_rows(analysed, as_role):
    response = as_role(Role.ANALYST).get(
        "/api/v1/insights/aggregates/leaky_bucket_month?kind=account"
    )

    body = response.json()
    assert body["as_of"] == "2024-03-31"
    # accounts: Jan 501 new; Feb 502 new, 501 churned; Mar 501 returning, 502 churned
    assert [
        (r["period"], r["active"], r["new"], r["returning"], r["churned"]) for r in body["rows"]
    ] == [
        ("2024-01-01", 1, 1, 0, 0),
        ("2024-02-01", 1, 1, 0, 1),
        ("2024-03-01", 1, 0, 1, 1),
    ]


def test_run_history_lists_the_run(analysed, as_role):
    body = as_role(Role.DIRECTOR).get("/api/v1/insights/runs").json()

    assert body["count"] == 1
    assert body["items"][0]["id"] == analysed.pk
    assert body["items"][0]["status"] == "succeeded"
    assert body["items"][0]["row_counts"]["snapshot"] == 5


def test_analyst_queues_a_run_through_the_api(
    analysed, as_role, django_capture_on_commit_callbacks
):
    client = as_role(Role.ANALYST)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/insights/runs", {"as_of": "2024-01-31"}, content_type="application/json"
        )

    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {"run_id": response.json()["id"]}


def test_director_cannot_queue_a_run(analysed, as_role):
    response = as_role(Role.DIRECTOR).post(
        "/api/v1/insights/runs", {}, content_type="application/json"
    )

    assert response.status_code == 403
    assert AnalyticsRun.objects.count() == 1
