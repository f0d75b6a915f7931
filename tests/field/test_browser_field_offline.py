"""Acceptance of offline visit logging in a real browser (Debian chromium, Playwright).

A rep logs a visit online; goes offline, opens the visit form (served by the service worker
from its cache) and logs two visits, which wait in IndexedDB; comes back online, the page
sends them; the manager's page lists all three visits exactly once.
"""

from __future__ import annotations

import importlib
from datetime import date

from django.apps import apps as django_apps
from django.utils import timezone

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.field.models import CallPlan, Visit
from pharmacrm.territories import services as territory_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

PASSWORD = "Field-offline-2026!"  # noqa: S105 - a test user's password

HOSPITAL = "Peking Union Medical College Hospital, Cardiology"
PHARMACY = "Tongrentang Pharmacy Dongcheng"


def _log_visit(page, *, account: str, at: str, outcome: str) -> None:  # noqa: ANN001
    page.select_option("#id_account", label=account)
    page.fill("#id_at", at)
    page.fill("#id_outcome", outcome)
    page.click("[data-testid=save]")


def test_visits_logged_offline_reach_the_managers_page_once(
    world: World, browser_page, login_as, screenshot, live_server
) -> None:  # noqa: ANN001
    page = browser_page
    rep = login_as(Role.SALES_REP, username="rep_web")
    territory_services.assignment_create(
        by=None, user=rep, territory=world.dongcheng, starts_on=date(2020, 1, 1)
    )
    manager = core_services.user_create(
        username="manager_beijing",
        role=Role.REGIONAL_MANAGER,
        password=PASSWORD,
        email="manager_beijing@pharma.test",
    )
    assert world.dongcheng.parent is not None
    territory_services.assignment_create(
        by=None, user=manager, territory=world.dongcheng.parent, starts_on=date(2020, 1, 1)
    )
    today = timezone.localdate().isoformat()

    page.goto("/field/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto("/field/visits/new/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    with page.expect_navigation():
        _log_visit(page, account=HOSPITAL, at=f"{today}T09:00", outcome="Online: met the head")
    assert Visit.objects.count() == 1

    page.context.set_offline(True)
    page.goto("/field/visits/new/")  # from the service worker's cache
    _log_visit(page, account=PHARMACY, at=f"{today}T11:00", outcome="Offline one: stock check")
    page.wait_for_function(
        "document.querySelector('[data-testid=queued-count]').textContent === '1'"
    )
    _log_visit(page, account=HOSPITAL, at=f"{today}T15:30", outcome="Offline two: samples")
    page.wait_for_function(
        "document.querySelector('[data-testid=queued-count]').textContent === '2'"
    )
    assert page.inner_text("[data-testid=offline-queued-note]").startswith(HOSPITAL)
    screenshot("field-offline-two-queued")
    assert Visit.objects.count() == 1

    page.context.set_offline(False)
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=sync-log] [data-outcome=created]').length === 2"
    )
    assert page.inner_text("[data-testid=queued-count]") == "0"
    screenshot("field-offline-synced")

    manager_context = page.context.browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    try:
        manager_page = manager_context.new_page()
        manager_page.goto("/accounts/auth/login/")
        manager_page.fill("#id_username", "manager_beijing")
        manager_page.fill("#id_password", PASSWORD)
        with manager_page.expect_navigation():
            manager_page.click("button[type=submit]")
        manager_page.goto(f"/field/team/{rep.pk}/")
        outcomes = manager_page.locator("[data-testid=rep-visits] tbody tr").all_inner_texts()
        shots = screenshot("field-offline-synced").parent
        manager_page.screenshot(path=str(shots / "field-team-rep-after-sync.png"), full_page=True)
    finally:
        manager_context.close()

    assert len(outcomes) == 3
    assert sum("Online: met the head" in row for row in outcomes) == 1
    assert sum("Offline one: stock check" in row for row in outcomes) == 1
    assert sum("Offline two: samples" in row for row in outcomes) == 1
    assert Visit.objects.filter(rep=rep, client_uuid__isnull=False).count() == 2
    assert Visit.objects.count() == 3


def test_a_director_reads_the_demo_team_and_a_plan(
    world: World, browser_page, login_as, screenshot
) -> None:  # noqa: ANN001
    from pharmacrm.demo.field_demo import field_demo_load

    page = browser_page
    # live_server tests flush every table between tests on PostgreSQL, the default call-plan
    # rules of data migration 0002 included: put them back as the migration does.
    rules = importlib.import_module("pharmacrm.field.migrations.0002_default_call_plan_rules")
    rules.add_rules(django_apps, None)
    login_as(Role.DIRECTOR, username="director_web")
    loaded = field_demo_load(by=None, as_of=timezone.localdate())

    page.goto("/field/team/?days=28")
    team_rows = page.locator("[data-testid=team-table] tbody tr").count()
    screenshot("field-team-execution")
    page.click("text=rep_inside")
    page.wait_for_selector("[data-testid=rep-figures]")
    screenshot("field-team-rep-demo")
    page.goto("/field/plans/")
    listed = page.locator("[data-testid=plans] tbody tr").count()
    plan = CallPlan.objects.filter(rep=world.rep_inside).order_by("-period_start").first()
    assert plan is not None
    page.goto(f"/field/plans/{plan.pk}/")
    page.wait_for_selector("[data-testid=plan-lines]")
    screenshot("field-plan-detail")

    assert loaded.plans == 6
    assert (team_rows, listed) == (3, 6)
    assert page.locator("[data-testid=plan-lines] tbody tr").count() >= 1


def test_an_offline_edit_that_lost_a_race_is_reported_on_the_page(
    world: World, browser_page, login_as, screenshot
) -> None:  # noqa: ANN001
    from pharmacrm.field.services import visits as visit_services

    page = browser_page
    rep = login_as(Role.SALES_REP, username="rep_edit")
    territory_services.assignment_create(
        by=None, user=rep, territory=world.dongcheng, starts_on=date(2020, 1, 1)
    )
    visit = visit_services.visit_log(
        by=rep, account=world.hospital, at=timezone.now(), outcome="Met the head"
    )
    page.goto(f"/field/visits/{visit.pk}/edit/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    # Meanwhile the same visit is changed from the rep's other device.
    visit_services.visit_correct(by=rep, visit=visit, reason="Tablet", outcome="Agreed")

    page.context.set_offline(True)
    page.fill("#id_outcome", "Asked for samples")
    page.fill("#id_reason", "Written on the train")
    page.click("[data-testid=save]")
    page.wait_for_function(
        "document.querySelector('[data-testid=queued-count]').textContent === '1'"
    )
    page.context.set_offline(False)
    page.wait_for_selector("[data-testid=sync-log] [data-outcome=conflict]")
    screenshot("field-offline-edit-conflict")

    visit.refresh_from_db()
    message = page.inner_text("[data-testid=sync-log] [data-outcome=conflict]")
    assert "was changed on another device" in message
    assert visit.outcome == "Agreed"
    assert "Asked for samples" in visit.notes
    assert visit.version == 3
