"""Each insights page in a real browser: the charts render (vega-embed draws them).

Screenshots land in ``test-artifacts/screenshots/insights-*.png`` for people to look at.
"""

from __future__ import annotations

import pytest

from pharmacrm.core.roles import Role

pytestmark = pytest.mark.browser

CHART_PAGES = [
    ("kpis", "/insights/?kind=consumer", 1),
    ("segments", "/insights/segments/?kind=consumer", 1),
    ("abc-xyz", "/insights/abc-xyz/?kind=consumer", 2),
    ("pareto", "/insights/pareto/?kind=consumer", 1),
    ("lifecycle", "/insights/lifecycle/?kind=consumer", 1),
    ("leaky-bucket", "/insights/leaky-bucket/?kind=consumer", 1),
    ("cohorts", "/insights/cohorts/?kind=consumer", 2),
]


def test_each_insights_page_draws_its_charts(analysed, browser_page, login_as, screenshot):
    login_as(Role.ANALYST)
    drawn = {}

    for name, path, charts in CHART_PAGES:
        browser_page.goto(path)
        browser_page.wait_for_function(
            f"document.querySelectorAll('.vega-embed svg, .vega-embed canvas').length >= {charts}"
        )
        drawn[name] = browser_page.locator(".vega-embed").count()
        screenshot(f"insights-{name}")

    assert drawn == {name: charts for name, _, charts in CHART_PAGES}
    browser_page.goto("/insights/customers/?kind=consumer&segment=Loyal")
    assert browser_page.get_by_test_id("customer-table").locator("tbody tr").count() == 1
    screenshot("insights-customers")
