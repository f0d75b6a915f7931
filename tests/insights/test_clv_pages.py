"""CLV, holdout and cluster pages over one run on the CDNOW sample (real data, 2,357 customers).

The run goes to the end of the sample (1998-06-30): its first purchase day is 1997-01-01, so
the holdout is the last third of the 545 days, rounded to whole weeks — 26 weeks, 182 days —
and the calibration ends on 1997-12-30. The actual holdout repeat purchases are counted
below straight from the text file, independently of the analytics.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.warehouse.facts import RECEIPT_LINES

CDNOW_SAMPLE = Path("/work/shared/data/cdnow_clv/CDNOW_sample.txt")
CALIBRATION_END = date(1997, 12, 30)
AS_OF = date(1998, 6, 30)

PAGES = ["/insights/clv/", "/insights/clv/holdout/", "/insights/clusters/"]

pytestmark = pytest.mark.skipif(not CDNOW_SAMPLE.exists(), reason="no CDNOW sample here")


def _cdnow_lines() -> list[tuple[int, date, float]]:
    rows = []
    for line in CDNOW_SAMPLE.read_text().splitlines():
        _master, customer, day, _cds, dollars = line.split()
        rows.append(
            (int(customer), date(int(day[:4]), int(day[4:6]), int(day[6:])), float(dollars))
        )
    return rows


def _write_receipts(root: Path) -> None:
    rows = []
    for number, (customer, day, dollars) in enumerate(_cdnow_lines()):
        rows.append({
            "import_id": "cdnow", "source_row": number + 1, "outlet_code": "O1",
            "check_id": f"{customer}-{number}", "line_no": 1,
            "ts": datetime(day.year, day.month, day.day, 10, tzinfo=UTC), "day": day,
            "consumer_id": customer, "sku_code": "CD", "qty": 1.0, "amount": dollars,
            "is_promo": False, "is_return": False, "currency": "USD",
        })  # fmt: skip
    folder = root / "receipt_lines" / "source=cdnow" / "month=all"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=RECEIPT_LINES), folder / "p.parquet")


@pytest.fixture(scope="module")
def cdnow_run(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """One committed run over the CDNOW sample, shared by this module's tests."""
    from django.test import override_settings

    from pharmacrm.insights import services as insights_services
    from pharmacrm.insights.models import AnalyticsRun

    root = tmp_path_factory.mktemp("cdnow") / "warehouse"
    _write_receipts(root)
    with override_settings(WAREHOUSE_DIR=str(root)), django_db_blocker.unblock():
        run = insights_services.run_analytics(by=None, engine="duckdb", as_of=AS_OF)
    yield run
    with django_db_blocker.unblock():
        AnalyticsRun.objects.all().delete()


@pytest.fixture
def as_role(client, db):
    def _login(role: Role):
        client.force_login(core_services.user_create(username=role.value, role=role))
        return client

    return _login


def _holdout_repeat_purchases() -> int:
    """Purchase days after the calibration end, per customer (all first bought in 1997 Q1)."""
    days: dict[int, set[date]] = defaultdict(set)
    for customer, day, _dollars in _cdnow_lines():
        days[customer].add(day)
    return sum(1 for bought in days.values() for day in bought if CALIBRATION_END < day <= AS_OF)


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
        (Role.REGIONAL_MANAGER, 403),
        (Role.SALES_REP, 403),
        (Role.CAMPAIGN_MANAGER, 403),
        (Role.SUPPLIER_MANAGER, 403),
    ],
)
@pytest.mark.parametrize("path", [*PAGES, "/insights/clv/charts/clusters.csv"])
def test_pages_by_role(cdnow_run, as_role, role, status, path):
    response = as_role(role).get(f"{path}?kind=consumer")

    assert response.status_code == status
    if status == 403:
        assert b"BG/NBD" not in response.content
        assert b"cluster-card" not in response.content
        assert not response["Content-Type"].startswith("text/csv")


def test_clv_page_shows_both_models_and_the_top_customers(cdnow_run, as_role):
    body = as_role(Role.ANALYST).get("/insights/clv/?kind=consumer").content.decode()

    assert "BG/NBD" in body
    assert "Gamma-Gamma" in body
    assert "on 2,357 customers" in body
    assert len(re.findall(r'href="/crm/consumers/\d+/"', body)) == 20


def test_holdout_counts_the_actual_repeat_purchases_of_the_raw_file(cdnow_run, as_role):
    from pharmacrm.insights import selectors_clv

    actual = _holdout_repeat_purchases()

    report = selectors_clv.clv_report(run=cdnow_run, kind="consumer")
    holdout = report["holdout"]
    assert (holdout["calibration_end"], holdout["holdout_end"]) == ("1997-12-30", "1998-06-30")
    assert [fit["model"] for fit in holdout["fits"]] == ["bgnbd", "pareto_nbd"]
    assert [fit["actual"] for fit in holdout["fits"]] == [actual, actual]
    assert holdout["tracking"][-1]["actual"] - _tracking_at(holdout, CALIBRATION_END) == actual
    page = as_role(Role.ANALYST).get("/insights/clv/holdout/?kind=consumer").content.decode()
    assert f'<td class="text-end">{actual:,}</td>' in page


def _tracking_at(holdout: dict, day: date) -> float:
    before = [row for row in holdout["tracking"] if row["day"] <= day.isoformat()]
    return before[-1]["actual"]


def test_cluster_cards_cover_every_customer_once(cdnow_run, as_role):
    from pharmacrm.insights import selectors_clv

    report = selectors_clv.cluster_report(run=cdnow_run, kind="consumer")

    assert sum(profile["customers"] for profile in report["profiles"]) == 2357
    for profile in report["profiles"]:
        economics = profile["economics"]
        assert economics["active_members"] + economics["inactive_members"] == profile["customers"]
    body = as_role(Role.DIRECTOR).get("/insights/clusters/?kind=consumer").content.decode()
    assert body.count('data-testid="cluster-card"') == report["k"]


def test_what_if_projects_by_the_stated_formula(cdnow_run, as_role):
    from pharmacrm.insights import selectors_clv

    report = selectors_clv.cluster_report(run=cdnow_run, kind="consumer")
    economics = report["profiles"][0]["economics"]
    active, inactive = economics["expected_revenue_active"], economics["expected_revenue_inactive"]
    per_active = active / economics["active_members"]
    # +10 % frequency, 20 % of the inactive members reactivated (the page's defaults).
    expected = active * 1.1 + inactive + 0.2 * economics["inactive_members"] * per_active * 1.1

    response = as_role(Role.ANALYST).get(
        "/insights/clusters/?kind=consumer&cluster=0&uplift=10&reactivate=20"
    )

    body = response.content.decode()
    assert f'data-testid="projected">{expected:,.2f}</dd>' in body
    assert "Reactivated members buy like the cluster" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("uplift=ten", "Enter a number of per cent, e.g. 10."),
        ("reactivate=150", "the reactivated share must be between 0 and 100 %."),
    ],
)
def test_what_if_refuses_bad_input_with_a_message(cdnow_run, as_role, query, message):
    response = as_role(Role.ANALYST).get(f"/insights/clusters/?kind=consumer&{query}")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'data-testid="what-if-result"' not in response.content.decode()


def test_chart_csv_is_the_histogram_the_page_draws(cdnow_run, as_role):
    response = as_role(Role.ANALYST).get("/insights/clv/charts/p-alive.csv?kind=consumer")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["from", "to", "customers"]
    assert len(rows) == 21
    assert sum(int(row[2]) for row in rows[1:]) == 2357


def test_k_choice_chart_shows_the_silhouette_winner_and_the_elbow(cdnow_run, as_role):
    from pharmacrm.insights import selectors_clv

    report = selectors_clv.cluster_report(run=cdnow_run, kind="consumer")
    analyst = as_role(Role.ANALYST)
    response = analyst.get("/insights/clv/charts/k-choice.csv?kind=consumer")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["k", "silhouette", "inertia"]
    tried = {int(row[0]): (float(row[1]), float(row[2])) for row in rows[1:]}
    assert len(tried) >= 3
    # The chosen k is the silhouette's best; inertia (within-cluster squares) falls as k grows.
    assert max(tried, key=lambda k: (tried[k][0], -k)) == report["k"]
    inertias = [tried[k][1] for k in sorted(tried)]
    assert inertias[0] > inertias[-1] > 0
    page = analyst.get("/insights/clusters/?kind=consumer").content.decode()
    assert 'data-testid="chart-k-choice"' in page


def test_account_kind_without_a_fit_explains_why(cdnow_run, as_role):
    body = as_role(Role.ANALYST).get("/insights/clusters/?kind=account").content.decode()

    assert "The latest run has no result here for these customers." in body


@pytest.mark.browser
def test_cluster_cards_map_and_what_if_render(cdnow_run, browser_page, login_as, screenshot):
    login_as(Role.ANALYST)

    browser_page.goto("/insights/clusters/?kind=consumer")
    browser_page.wait_for_function("document.querySelectorAll('.vega-embed svg').length >= 2")
    cards = browser_page.get_by_test_id("cluster-card").count()
    browser_page.get_by_label("Raise purchase frequency by (%)").fill("25")
    browser_page.get_by_role("button", name="Project").click()
    browser_page.get_by_test_id("what-if-result").wait_for()
    kept = browser_page.get_by_label("Raise purchase frequency by (%)").input_value()
    screenshot("insights-clusters-what-if")
    browser_page.goto("/insights/clv/?kind=consumer")
    browser_page.wait_for_function("document.querySelectorAll('.vega-embed svg').length >= 3")
    screenshot("insights-clv")
    browser_page.goto("/insights/clv/holdout/?kind=consumer")
    browser_page.wait_for_function("document.querySelectorAll('.vega-embed svg').length >= 2")
    screenshot("insights-clv-holdout")
    browser_page.goto("/insights/grades/rules/?kind=consumer")
    browser_page.get_by_label("Name").fill("Alive")
    browser_page.get_by_label("Grade").select_option("B")
    browser_page.get_by_label("minimum P(alive)").fill("0.5")
    browser_page.get_by_role("button", name="Add rule").click()
    browser_page.get_by_test_id("preview-count").wait_for()
    screenshot("insights-grade-rules")

    assert cards >= 2
    assert kept == "25.0"


API = [
    "/api/v1/insights/clv/consumer",
    "/api/v1/insights/clusters/consumer",
    "/api/v1/insights/clusters/consumer/0/what-if",
    "/api/v1/insights/grade-changes",
]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.DIRECTOR, 200),
        (Role.ANALYST, 200),
        (Role.REGIONAL_MANAGER, 403),
        (Role.SALES_REP, 403),
        (Role.CHANNEL_MANAGER, 403),
    ],
)
@pytest.mark.parametrize("path", API)
def test_api_by_role(cdnow_run, as_role, role, status, path):
    response = as_role(role).get(path)

    assert response.status_code == status
    if status == 403:
        assert b"bgnbd" not in response.content
        assert b"profiles" not in response.content


def test_api_anonymous_is_refused(cdnow_run, client):
    response = client.get("/api/v1/insights/clv/consumer")

    assert response.status_code in (401, 403)
    assert b"bgnbd" not in response.content


def test_api_what_if_matches_the_stated_formula(cdnow_run, as_role):
    client = as_role(Role.ANALYST)
    economics = client.get("/api/v1/insights/clusters/consumer").json()["profiles"][1]["economics"]
    active, inactive = economics["expected_revenue_active"], economics["expected_revenue_inactive"]
    per_active = active / economics["active_members"]
    expected = active * 0.95 + inactive + 0.5 * economics["inactive_members"] * per_active * 0.95

    body = client.get(
        "/api/v1/insights/clusters/consumer/1/what-if?frequency_uplift=-0.05&reactivated_share=0.5"
    ).json()

    assert body["projected_revenue"] == pytest.approx(expected, rel=1e-12)
    assert body["revenue_change"] == pytest.approx(expected - active - inactive, rel=1e-9)
    assert len(body["assumptions"]) == 3


def test_api_what_if_refuses_a_share_above_one(cdnow_run, as_role):
    response = as_role(Role.ANALYST).get(
        "/api/v1/insights/clusters/consumer/0/what-if?reactivated_share=1.5"
    )

    assert response.status_code == 422


def test_api_grade_rules_are_for_rule_editors_only(cdnow_run, as_role):
    response = as_role(Role.DIRECTOR).get("/api/v1/insights/grade-rules/consumer")

    assert response.status_code == 403


def test_api_grade_rules_list_the_preview(cdnow_run, as_role):
    from pharmacrm.insights import grades
    from pharmacrm.insights.models import CustomerSnapshot, GradeRule

    client = as_role(Role.ANALYST)
    analyst = client.get("/api/v1/insights/grade-changes").wsgi_request.user
    grades.grade_rule_save(
        by=analyst,
        rule=GradeRule(customer_kind="consumer", name="Alive", grade="A", min_p_alive=0.5),
    )
    alive = CustomerSnapshot.objects.filter(customer_kind="consumer", p_alive__gte=0.5).count()

    body = client.get("/api/v1/insights/grade-rules/consumer").json()

    assert [(rule["name"], rule["preview_customers"]) for rule in body] == [("Alive", alive)]
