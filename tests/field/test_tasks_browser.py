"""Tasks, calendar and knowledge base in a real browser (Debian chromium, Playwright).

A rep creates a task through the form, finds it in the task list and on the calendar's
month grid, marks it done, and reads an approved detail aid in the knowledge base; the pages
are kept as screenshots for people to look at.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from pharmacrm.core.roles import Role
from pharmacrm.field.models import Task, TaskStatus
from pharmacrm.field.services import materials as material_services
from pharmacrm.territories import services as territory_services

from .conftest import World  # noqa: TID252 - tests/ is not a package


def test_rep_creates_finds_and_completes_a_task(
    world: World, browser_page, login_as, screenshot
) -> None:  # noqa: ANN001
    page = browser_page
    rep = login_as(Role.SALES_REP, username="rep_web")
    territory_services.assignment_create(
        by=None, user=rep, territory=world.dongcheng, starts_on=date(2020, 1, 1)
    )
    material = material_services.material_create(
        by=world.director,
        title="Lipitor key messages",
        kind="text",
        text="LDL-C reduction of 39-60 % at 10-80 mg.",
    )
    material_services.material_version_approve(by=world.director, version=material.versions.get())
    due = timezone.localdate() + timedelta(days=2)

    page.goto("/field/tasks/new/")
    page.fill("#id_title", "Bring the tender dossier")
    page.fill("#id_due_on", due.isoformat())
    page.select_option("#id_account", label="Peking Union Medical College Hospital, Cardiology")
    with page.expect_navigation():
        page.click("[data-testid=save]")
    screenshot("field-task-detail")
    page.goto("/field/tasks/")
    screenshot("field-task-list")
    listed = page.locator("[data-testid=task-table] tbody tr").all_inner_texts()
    page.goto(f"/field/calendar/?view=month&date={due.isoformat()}")
    screenshot("field-calendar-month")
    on_calendar = page.locator("[data-testid=calendar-task]").all_inner_texts()
    page.goto(f"/field/tasks/{Task.objects.get().pk}/")
    with page.expect_navigation():
        page.click("[data-testid=complete]")
    status = page.locator("[data-testid=task-status]").inner_text()
    page.goto("/field/materials/?q=LDL")
    screenshot("field-materials-list")
    materials = page.locator("[data-testid=material-table] tbody tr").all_inner_texts()

    assert len(listed) == 1
    assert "Bring the tender dossier" in listed[0]
    assert [t.strip() for t in on_calendar] == ["Task Bring the tender dossier"]
    assert status == "Done"
    assert Task.objects.get().status == TaskStatus.DONE
    assert len(materials) == 1
    assert "Lipitor key messages" in materials[0]
