"""Insights pages over one run of the hand-made warehouse (see conftest.py and test_insights_run).

Consumers: 1 At Risk/active/A (150.00), 2 Lost/active/C (0.00), 3 Loyal/new/A/VIP (200.00).
"""

from __future__ import annotations

import re

import pytest
from django_tasks_db.models import DBTaskResult

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.insights.models import AnalyticsRun, RunStatus, SavedCustomerList

PAGES = [
    "/insights/",
    "/insights/segments/",
    "/insights/abc-xyz/",
    "/insights/pareto/",
    "/insights/lifecycle/",
    "/insights/leaky-bucket/",
    "/insights/cohorts/",
    "/insights/customers/",
    "/insights/runs/",
]


@pytest.fixture
def as_role(client, db):
    def _login(role: Role):
        client.force_login(core_services.user_create(username=role.value, role=role))
        return client

    return _login


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_sign_in(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/auth/login/?next={path}"


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
@pytest.mark.parametrize("path", PAGES)
def test_pages_by_role(analysed, as_role, role, status, path):
    """Unscoped roles; regional managers and reps: test_insights_scope's role matrix."""
    response = as_role(role).get(path)

    assert response.status_code == status
    if status == 403:
        assert b"At Risk" not in response.content


def test_refused_role_sees_no_customer_figures_in_csv(analysed, as_role):
    response = as_role(Role.SALES_REP).get("/insights/charts/segments.csv?kind=consumer")

    assert response.status_code == 403


def test_segment_grid_counts_link_to_the_filtered_list(analysed, as_role):
    response = as_role(Role.ANALYST).get("/insights/segments/?kind=consumer")

    body = response.content.decode()
    link = '<a href="/insights/customers/?kind=consumer&segment=At%20Risk" data-segment="At Risk">'
    assert link + "1</a>" in body
    assert 'data-segment="Champions">0</a>' in body
    assert f"As of 2024-03-31 (run #{analysed.pk})" in body
    assert 'id="spec-segments"' in body
    assert "vega-embed.min.js" in body


def test_lifecycle_funnel_shows_stage_counts_and_plays(analysed, as_role):
    response = as_role(Role.ANALYST).get("/insights/lifecycle/?kind=consumer")

    body = response.content.decode()
    assert 'data-stage="new">1</a>' in body
    assert 'data-stage="active">2</a>' in body
    assert 'data-stage="lost">0</a>' in body
    assert "win-back" in body


def test_pareto_page_shows_top20_share_and_vips(analysed, as_role):
    response = as_role(Role.ANALYST).get("/insights/pareto/?kind=consumer")

    body = response.content.decode()
    # top ⌈0.2·3⌉ = 1 customer holds 200 of 350: 57 %
    assert '<dd class="col-sm-9" data-testid="top20">57 %</dd>' in body
    assert 'data-testid="vip-link">1</a>' in body


def test_leaky_bucket_defaults_to_the_last_period(analysed, as_role):
    response = as_role(Role.ANALYST).get("/insights/leaky-bucket/?kind=consumer")

    body = response.content.decode()
    assert "Period starting 2024-03" in body
    assert "churn rate 100 %" in body
    assert "acquisitions needed to hold the base 0" in body


def test_abc_page_links_class_counts(analysed, as_role):
    response = as_role(Role.ANALYST).get("/insights/abc-xyz/?kind=consumer")

    body = response.content.decode()
    assert 'href="/insights/customers/?kind=consumer&abc=A" data-abc="A">A: 2</a>' in body
    assert 'data-abc="C">C: 1</a>' in body


def test_customer_list_is_filtered_and_exported(analysed, as_role):
    client = as_role(Role.ANALYST)

    page = client.get("/insights/customers/?kind=consumer&segment=Lost")
    export = client.get("/insights/customers/?kind=consumer&segment=Lost&export=csv")

    assert "1–1 of 1" in page.content.decode()
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines == [
        "kind,customer id,segment,R,F,M,stage,ABC,VIP,net revenue,purchases,"
        "days since last purchase,first purchase,last purchase",
        "consumer,2,Lost,1,1,1,active,C,false,0.0,1,59,2024-02-01,2024-02-01",
    ]


def test_filtered_list_is_saved_under_a_name(analysed, as_role):
    client = as_role(Role.ANALYST)

    response = client.post("/insights/customers/?kind=consumer&abc=A", {"name": "Class A members"})

    assert response.status_code == 302
    saved = SavedCustomerList.objects.get()
    assert (saved.name, saved.customer_kind, saved.customer_keys, saved.size) == (
        "Class A members",
        "consumer",
        [1, 3],
        2,
    )
    assert saved.filters == {"kind": "consumer", "abc": "A"}


def test_saving_a_list_under_a_taken_name_is_refused(analysed, as_role):
    client = as_role(Role.ANALYST)
    client.post("/insights/customers/?kind=consumer", {"name": "Everyone"})

    response = client.post(
        "/insights/customers/?kind=consumer&abc=C", {"name": "Everyone"}, follow=True
    )

    assert SavedCustomerList.objects.get().size == 3
    assert "Saved customer list with this Name already exists." in response.content.decode()


def test_chart_csv_holds_the_chart_rows(analysed, as_role):
    response = as_role(Role.ANALYST).get("/insights/charts/lifecycle.csv?kind=consumer")

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines == [
        "stage,customers,revenue,play",
        "new,1,200.0,welcome",
        "active,2,150.0,loyalty offers and birthday greetings",
        "inactive,0,0.0,reactivation",
        "lost,0,0.0,win-back",
    ]


def test_analyst_queues_a_run_for_the_worker(analysed, as_role, django_capture_on_commit_callbacks):
    client = as_role(Role.ANALYST)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/insights/runs/start/", {"as_of": "2024-02-29"})

    assert response.status_code == 302
    queued = AnalyticsRun.objects.get(status=RunStatus.QUEUED)
    assert queued.as_of.isoformat() == "2024-02-29"
    assert queued.requested_by.username == "analyst"
    task = DBTaskResult.objects.get()
    assert task.task_path == "pharmacrm.insights.tasks.analytics_run_task"
    assert task.args_kwargs["kwargs"] == {"run_id": queued.pk}


def test_director_may_not_start_a_run(analysed, as_role):
    response = as_role(Role.DIRECTOR).post("/insights/runs/start/", {})

    assert response.status_code == 403
    assert AnalyticsRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 0


def test_run_detail_shows_the_record_and_row_counts(analysed, as_role):
    response = as_role(Role.ANALYST).get(f"/insights/runs/{analysed.pk}/")

    body = response.content.decode()
    assert '<td>snapshot_consumer</td><td class="text-end">3</td>' in body
    assert "DuckDB" in body


def _cells(body: str, period: str) -> list[str]:
    row = re.search(rf'<tr data-period="{period}">(.*?)</tr>', body, re.S)
    assert row is not None, f"no KPI row for {period}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>.*?</td>", row.group(1), re.S)
    ]


def test_kpi_dashboard_shows_each_month_with_its_change(analysed, as_role):
    response = as_role(Role.ANALYST).get("/insights/?kind=consumer")

    body = response.content.decode()
    # period, active, new, checks, net revenue, vs previous, average check, frequency, length
    # Jan: c1 (2 lines, 100.00). Feb: c3 30.00 and its refund c4 −30.00 (no check) → 0.00.
    # Mar: c2 50.00, c5 200.00 and the cardless c6 10.00: 3 checks, 2 identified customers.
    assert _cells(body, "2024-01") == [
        "2024-01",
        "1",
        "1",
        "1",
        "100.00",
        "—",
        "100.00",
        "1.00",
        "2.00",
    ]
    assert _cells(body, "2024-02") == [
        "2024-02",
        "1",
        "1",
        "1",
        "0.00",
        "-100 %",
        "0.00",
        "1.00",
        "1.00",
    ]
    assert _cells(body, "2024-03") == [
        "2024-03",
        "2",
        "1",
        "3",
        "260.00",
        "—",
        "86.67",
        "1.00",
        "1.00",
    ]
    assert 'id="spec-kpis"' in body


def test_kpi_dashboard_slices_by_channel(analysed, as_role):
    response = as_role(Role.DIRECTOR).get("/insights/?kind=consumer&slice=channel")

    body = response.content.decode()
    assert 'data-testid="kpi-slice-table"' in body
    assert body.count("<tr><td>retail</td>") == 3
