"""Every insights page in a real browser over the demo business (generated, loaded, analysed).

The hand-made warehouse of test_insights_browser proves each chart draws; this one shows the
pages as a user of the demo sees them — months of KPIs, eleven segments, a full Lorenz curve,
cohorts — and as a regional manager sees them (their region only). Screenshots land in
``test-artifacts/screenshots/insights-demo-*.png`` for people to look at.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pharmacrm.demo.generator.config import SCALES
from pharmacrm.demo_setup import DEMO_PASSWORD, demo_setup
from pharmacrm.insights.models import CustomerSnapshot

pytestmark = pytest.mark.browser

SCALE = replace(
    SCALES["small"],
    members=300,
    anonymous_checks=1_000,
    chains=1,
    outlets_per_chain=4,
    independent_pharmacies=4,
    hospitals=4,
    clinics=3,
    distributors_national=1,
    distributors_regional=1,
    members_per_chunk=150,
)
"""A small demo business (tests/demo's DEMO_TEST_SCALE): every source kind, few copies."""

PAGES = [
    # name, path, charts the page draws
    ("kpis", "/insights/?kind=consumer", 1),
    ("segments", "/insights/segments/?kind=consumer", 1),
    ("abc-xyz", "/insights/abc-xyz/?kind=consumer", 2),
    ("pareto", "/insights/pareto/?kind=consumer", 1),
    ("lifecycle", "/insights/lifecycle/?kind=consumer", 1),
    ("leaky-bucket", "/insights/leaky-bucket/?kind=consumer", 1),
    ("cohorts", "/insights/cohorts/?kind=consumer", 2),
    ("accounts-kpis", "/insights/?kind=account", 1),
    ("customers", "/insights/customers/?kind=consumer&segment=Champions", 0),
    ("runs", "/insights/runs/", 0),
]


def test_every_insights_page_over_the_demo_business(
    tmp_path: Path, settings: Any, browser_page: Any, login_as: Any, screenshot: Any
) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.WAREHOUSE_DIR = str(tmp_path / "var" / "warehouse")
    demo_setup(market="en", console=Console(file=io.StringIO()), scale=SCALE, seed=5)
    page = browser_page
    login_as("analyst", username="insights-demo-analyst")
    drawn = {}
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    for name, path, charts in PAGES:
        page.goto(path)
        if charts:
            page.wait_for_function(
                "document.querySelectorAll('.vega-embed svg, .vega-embed canvas').length"
                f" >= {charts}"
            )
        drawn[name] = page.locator(".vega-embed").count()
        screenshot(f"insights-demo-{name}")
    page.goto("/insights/runs/")
    with page.expect_navigation():
        page.locator("[data-testid=run-table] a").first.click()
    screenshot("insights-demo-run-detail")

    run_record = page.locator("[data-testid=run-record]").count()
    top_account = (
        CustomerSnapshot.objects.filter(customer_kind="account")
        .order_by("-monetary", "customer_key")
        .values_list("customer_key", flat=True)
        .first()
    )
    page.goto(f"/crm/accounts/{top_account}/")
    card = page.locator("[data-testid=snapshot-card]")
    card.scroll_into_view_if_needed()
    screenshot("insights-demo-account-360-card")

    card_text = card.inner_text()
    # The demo's regional manager ("manager", password of the demo) sees their region only.
    page.context.clear_cookies()
    page.goto("/accounts/auth/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto("/insights/?kind=account")
    regions = page.locator("[data-testid=kpi-region-table] tbody tr").evaluate_all(
        "rows => [...new Set(rows.map(r => r.dataset.region))]"
    )
    screenshot("insights-demo-regional-kpis")
    refused = page.goto("/insights/cohorts/?kind=account")

    assert drawn == {name: charts for name, _, charts in PAGES}
    assert errors == []
    assert run_record == 1
    assert "as of 2025-12-31" in card_text
    # The demo assigns "manager" the London node: its accounts' province is London alone.
    assert regions == ["London"]
    assert refused is not None
    assert refused.status == 403
