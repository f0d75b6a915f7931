"""The customer master in a real browser: create an account, find it misspelled, open its 360."""

from __future__ import annotations

import pytest

from pharmacrm.accounts.models import Account
from pharmacrm.territories import services as territory_services

pytestmark = pytest.mark.browser


def test_create_find_misspelled_and_open_the_360_page(browser_page, login_as, screenshot):
    china, _ = territory_services.territory_upsert(
        by=None, code="CN", name="China", level="country"
    )
    beijing, _ = territory_services.territory_upsert(
        by=None, code="CN-BJ", name="Beijing", level="region", parent=china
    )
    territory_services.territory_upsert(
        by=None, code="CN-BJ-DC", name="Dongcheng", level="district", parent=beijing
    )
    page = browser_page
    login_as("administrator")

    page.goto("/crm/accounts/new/")
    page.fill("#id_code", "BJ-0777")
    page.fill("#id_name", "Tongrentang Pharmacy Wangfujing")
    page.select_option("#id_kind", "pharmacy")
    page.select_option("#id_tier", "terminal")
    page.fill("#id_province", "Beijing")
    page.fill("#id_city", "Beijing")
    page.fill("#id_address", "Wangfujing Street 1")
    page.select_option("#id_territory", label="Dongcheng (CN-BJ-DC)")
    screenshot("accounts-create-form")
    with page.expect_navigation():
        page.click("[data-testid=save]")
    created = Account.objects.get(code="BJ-0777")
    assert page.url.endswith(f"/crm/accounts/{created.pk}/")

    page.goto("/")
    page.fill("[data-testid=quick-search] input", "tongrentng farmacy wangfujin")
    hit = page.locator("[data-testid=quick-search-results] a").first
    hit.wait_for()
    assert "Tongrentang Pharmacy Wangfujing" in hit.inner_text()
    screenshot("accounts-quick-search")
    with page.expect_navigation():
        hit.click()

    assert page.url.endswith(f"/crm/accounts/{created.pk}/")
    assert page.locator("h1").inner_text().strip().startswith("Tongrentang Pharmacy Wangfujing")
    assert "Dongcheng" in page.locator("[data-testid=rep-history]").inner_text()
    screenshot("accounts-360")
