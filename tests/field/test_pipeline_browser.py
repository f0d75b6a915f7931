"""Pipeline and attainment pages in a real browser (Debian chromium, Playwright).

A rep opens an opportunity through the form, is refused a close without a reason, moves it on;
a director reads the attainment of a hand-worked quarter with its chart and drills into the
reps. Screenshots are kept for people to look at.
"""

from __future__ import annotations

from datetime import date

from pharmacrm.core.roles import Role
from pharmacrm.field.models import Opportunity
from pharmacrm.territories import services as territory_services

from . import factories  # noqa: TID252 - tests/ is not a package
from .conftest import World  # noqa: TID252
from .test_targets import product, sales  # noqa: F401, TID252 - fixtures of the worked quarter


def test_rep_opens_and_moves_an_opportunity(
    world: World, browser_page, login_as, screenshot
) -> None:  # noqa: ANN001
    page = browser_page
    rep = login_as(Role.SALES_REP, username="rep_web")
    territory_services.assignment_create(
        by=None, user=rep, territory=world.dongcheng, starts_on=date(2020, 1, 1)
    )
    factories.account(code="BJ-P-077", name="Yifeng Pharmacy Dongcheng", territory=world.dongcheng)

    page.goto("/field/pipeline/new/")
    page.select_option("#id_account", label="Yifeng Pharmacy Dongcheng")
    page.fill("#id_title", "Yifeng chain entry")
    page.select_option("#id_kind", "new_pharmacy")
    page.fill("#id_expected_value", "80000")
    page.fill("#id_probability", "40")
    with page.expect_navigation():
        page.click("[data-testid=save]")
    page.select_option("#id_stage", "lost")
    with page.expect_navigation():
        page.click("[data-testid=move-form] button[type=submit]")
    refused = page.locator("[data-testid=move-form] .invalid-feedback").all_inner_texts()
    screenshot("field-pipeline-close-refused")
    page.select_option("#id_stage", "qualified")
    with page.expect_navigation():
        page.click("[data-testid=move-form] button[type=submit]")
    history = page.locator("[data-testid=stage-history] tbody tr").all_inner_texts()
    screenshot("field-pipeline-detail")
    page.goto("/field/pipeline/")
    screenshot("field-pipeline-board")
    board = page.locator("[data-testid=board] [data-stage=qualified]").inner_text()

    assert refused == ["Say why the opportunity was won or lost before closing it."]
    assert [row.split("\t")[1:3] for row in history] == [["—", "Lead"], ["Lead", "Qualified"]]
    assert Opportunity.objects.get().stage == "qualified"
    assert board.split("\n")[:2] == ["Qualified", "1"]


def test_director_reads_attainment_with_chart_and_drills_down(
    world: World,
    sales,  # noqa: ANN001, F811
    browser_page,  # noqa: ANN001
    login_as,  # noqa: ANN001
    screenshot,  # noqa: ANN001
) -> None:
    page = browser_page
    login_as(Role.DIRECTOR, username="director_web")

    page.goto("/field/targets/?period=2026Q1")
    page.wait_for_selector("[data-testid=chart] svg, [data-testid=chart] canvas")
    screenshot("field-targets-regions")
    regions = page.locator("[data-testid=attainment] tbody tr").all_inner_texts()
    with page.expect_navigation():
        page.click("[data-testid=attainment] a:has-text('Beijing')")
    page.wait_for_selector("[data-testid=chart] svg, [data-testid=chart] canvas")
    screenshot("field-targets-reps")
    reps = page.locator("[data-testid=attainment] tbody tr").all_inner_texts()

    assert [row.split("\t")[:5] for row in regions][0] == [
        "1",
        "Beijing",
        "10,000.00",
        "7,200.00",
        "72 %",
    ]
    assert [row.split("\t")[1] for row in reps] == ["rep_new", "rep_inside", "rep_leaving"]
