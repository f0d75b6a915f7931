"""The shell in a real browser: each role's navigation, and the language switcher."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from pharmacrm.core import navigation
from pharmacrm.core.roles import Role

pytestmark = pytest.mark.browser

ADMIN_ONLY = {"users", "tasks", "admin"}


def expected_nav_keys(role: Role) -> set[str]:
    """The registry's entries for ``role`` whose pages exist in this installation.

    Apps register entries in ``ready()``; an entry whose URL is not mounted yet is not shown,
    so the expectation follows whichever apps are present when the suite runs.
    """
    keys = set()
    for item in navigation._REGISTRY.values():
        if role not in item.roles:
            continue
        try:
            reverse(item.url_name)
        except NoReverseMatch:
            continue
        keys.add(item.key)
    return keys


def nav_keys(page) -> list[str]:
    return page.locator("[data-testid=nav] a[data-nav]").evaluate_all(
        "links => links.map(a => a.dataset.nav)"
    )


def nav_label(page, key: str) -> str:
    return page.locator(f"[data-testid=nav] a[data-nav='{key}']").inner_text().strip()


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_signs_in_and_sees_its_navigation(browser_page, login_as, screenshot, role):
    login_as(role)

    keys = nav_keys(browser_page)
    screenshot(f"nav-{role.value}")

    assert browser_page.url.endswith("/")
    assert len(keys) == len(set(keys))
    assert set(keys) == expected_nav_keys(role)
    assert "home" in keys
    if role is Role.ADMINISTRATOR:
        assert set(keys) >= ADMIN_ONLY
    else:
        assert ADMIN_ONLY.isdisjoint(keys)
    browser_page.get_by_test_id("user-menu-toggle").click()
    whoami = browser_page.get_by_test_id("whoami").inner_text()
    assert whoami == f"{role.value} · {role.label}"
    width = browser_page.evaluate("document.documentElement.scrollWidth")
    assert width <= browser_page.viewport_size["width"], "the page is wider than the window"


@pytest.mark.parametrize(("language", "html_lang"), [("zh-hans", "zh-hans"), ("ru", "ru")])
def test_language_switcher_translates_the_navigation(
    browser_page, login_as, screenshot, language, html_lang
):
    login_as(Role.ADMINISTRATOR)
    english_home = nav_label(browser_page, "home")

    with browser_page.expect_navigation():
        browser_page.get_by_test_id("language-select").select_option(language)
    screenshot(f"home-{language}")

    with translation.override(language):
        expected = {
            item.key: str(item.label)
            for item in navigation._REGISTRY.values()
            if item.key in expected_nav_keys(Role.ADMINISTRATOR)
        }
    assert browser_page.locator("html").get_attribute("lang") == html_lang
    assert english_home == "Home"
    assert nav_label(browser_page, "home") != english_home
    assert {key: nav_label(browser_page, key) for key in expected} == expected
    assert browser_page.get_by_test_id("language-select").input_value() == language
    width = browser_page.evaluate("document.documentElement.scrollWidth")
    assert width <= browser_page.viewport_size["width"], "the page is wider than the window"


def test_chosen_language_stays_on_the_next_page(browser_page, login_as):
    login_as(Role.ADMINISTRATOR)
    with browser_page.expect_navigation():
        browser_page.get_by_test_id("language-select").select_option("ru")

    browser_page.goto("/system/users/")

    with translation.override("ru"):
        assert nav_label(browser_page, "users") == translation.gettext("Users")
    assert browser_page.locator("html").get_attribute("lang") == "ru"


def test_static_assets_are_served_locally(browser_page, login_as):
    failed: list[str] = []
    browser_page.on("requestfailed", lambda request: failed.append(request.url))
    browser_page.on(
        "response",
        lambda response: failed.append(response.url) if response.status >= 400 else None,
    )

    login_as(Role.SALES_REP)
    browser_page.reload()

    stylesheet_applied = browser_page.evaluate(
        "getComputedStyle(document.querySelector('nav.navbar')).display"
    )
    assert failed == []
    assert stylesheet_applied == "flex"  # Bootstrap's .navbar, from /static/vendor/
    assert browser_page.evaluate("typeof htmx") == "object"
