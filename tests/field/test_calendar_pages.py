"""The calendar page: day, week and month views of the user's own visits and tasks.

Reference dates worked by hand: 2026-12-09 is a Wednesday, so its week runs Monday 7 to
Sunday 13 December; the month grid of December 2026 starts Monday 30 November (1 December
is a Tuesday) and ends Sunday 3 January 2027 (31 December is a Thursday): 35 days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pharmacrm.field.services import tasks as task_services
from pharmacrm.field.services import visits as visit_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

HOSPITAL = "Peking Union Medical College Hospital, Cardiology"


@pytest.fixture
def december(world: World) -> None:
    """rep_inside: a planned visit on Wed 9 Dec 2026, a task due Fri 11 Dec, one on 1 Jan 2027."""
    visit_services.visit_log(
        by=world.rep_inside,
        account=world.hospital,
        at=datetime(2026, 12, 9, 2, 30, tzinfo=UTC),
        status="planned",
    )
    task_services.task_create(
        by=world.rep_inside, title="Tender dossier", due_on=date(2026, 12, 11)
    )
    task_services.task_create(by=world.rep_inside, title="New year call", due_on=date(2027, 1, 1))
    task_services.task_create(by=world.rep_outside, title="Pudong only", due_on=date(2026, 12, 11))


@pytest.mark.parametrize(
    "who", ["anonymous", "rep_inside", "rep_outside", "manager_other", "director", "admin"]
)
def test_calendar_by_role_shows_only_own_entries(client_for, december, who):
    response = client_for(who).get("/field/calendar/?view=week&date=2026-12-09")

    assert response.status_code == (302 if who == "anonymous" else 200)
    body = response.content.decode()
    assert (HOSPITAL in body) is (who == "rep_inside")
    assert ("Tender dossier" in body) is (who == "rep_inside")
    assert ("Pudong only" in body) is (who == "rep_outside")


def test_week_runs_monday_to_sunday_with_navigation(client_for, december):
    body = (
        client_for("rep_inside").get("/field/calendar/?view=week&date=2026-12-09").content.decode()
    )

    assert body.count('data-testid="calendar-day"') == 7
    assert "2026-12-07 – 2026-12-13" in body
    assert "?view=week&date=2026-12-02" in body
    assert "?view=week&date=2026-12-16" in body
    assert body.count('data-testid="calendar-visit"') == 1
    assert body.count('data-testid="calendar-task"') == 1


def test_month_grid_covers_whole_weeks(client_for, december):
    body = (
        client_for("rep_inside").get("/field/calendar/?view=month&date=2026-12-20").content.decode()
    )

    assert body.count('class="small fw-bold"') == 35
    assert 'aria-label="Monday, 2026-11-30"' in body
    assert 'aria-label="Sunday, 2027-01-03"' in body
    assert 'aria-label="Monday, 2027-01-04"' not in body
    assert "New year call" in body
    assert "?view=month&date=2026-11-01" in body
    assert "?view=month&date=2027-01-01" in body


def test_day_view_and_a_bad_date_fall_back(client_for, december):
    client = client_for("rep_inside")

    day = client.get("/field/calendar/?view=day&date=2026-12-11").content.decode()
    bad = client.get("/field/calendar/?view=year&date=yesterday")

    assert "Tender dossier" in day
    assert HOSPITAL not in day
    assert day.count('data-testid="calendar-day"') == 1
    assert bad.status_code == 200
    assert bad.content.decode().count('data-testid="calendar-day"') == 7


def test_month_view_query_count_does_not_grow_with_entries(client_for, world):
    client = client_for("rep_inside")
    with CaptureQueriesContext(connection) as empty:
        client.get("/field/calendar/?view=month&date=2026-12-01")
    for day in range(1, 6):
        visit_services.visit_log(
            by=world.rep_inside,
            account=world.hospital,
            at=datetime(2026, 12, day, 2, 0, tzinfo=UTC),
            status="planned",
        )
        task_services.task_create(by=world.rep_inside, title=f"T{day}", due_on=date(2026, 12, day))

    with CaptureQueriesContext(connection) as full:
        client.get("/field/calendar/?view=month&date=2026-12-01")

    assert len(full.captured_queries) == len(empty.captured_queries)
