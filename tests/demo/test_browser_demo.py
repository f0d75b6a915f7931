"""The demo in a real browser, per market: a populated account list and an account 360 page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rich.console import Console

from pharmacrm.demo_setup import demo_setup, generated_dir

pytestmark = pytest.mark.browser


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("market", ["cn", "ru", "en"])
def test_demo_data_shows_in_the_account_list_and_the_360_page(
    market: str, tmp_path: Path, settings, demo_scale, browser_page, login_as, screenshot
) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.WAREHOUSE_DIR = str(tmp_path / "var" / "warehouse")
    demo_setup(market=market, console=Console(file=io.StringIO()), scale=demo_scale, seed=5)
    out = generated_dir(settings.VAR_DIR, market=market, scale=demo_scale, seed=5)
    accounts = _rows(out / "master" / "accounts.csv")
    hospital = next(a for a in accounts if a["kind"] == "hospital")
    contacts = [c["name"] for c in _rows(out / "master" / "contacts.csv")
                if c["account_code"] == hospital["code"]]  # fmt: skip
    page = browser_page
    login_as("administrator")

    page.goto("/crm/accounts/?kind=hospital")
    table = page.locator("[data-testid=account-table]")
    screenshot(f"demo-{market}-accounts")
    row = table.locator(f"tr[data-account='{hospital['code']}']")
    assert row.locator("a").inner_text().strip() == hospital["name"]
    with page.expect_navigation():
        row.locator("a").click()

    assert page.locator("[data-testid=account-name]").inner_text().strip() == hospital["name"]
    shown = page.locator("[data-testid=contacts]").inner_text()
    assert contacts
    assert [name for name in contacts if name not in shown] == []
    screenshot(f"demo-{market}-account-360")
