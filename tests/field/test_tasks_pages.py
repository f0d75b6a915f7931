"""Task pages and API over the role matrix; list filters, sorting, pagination, empty state."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pharmacrm.field.models import Task, TaskStatus
from pharmacrm.field.services import tasks as task_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

MATRIX = ["anonymous", "rep_inside", "rep_outside", "manager_other", "director", "admin"]


@pytest.fixture
def tender_task(world: World) -> Task:
    """rep_inside's own task, overdue by two days."""
    return task_services.task_create(
        by=world.rep_inside,
        title="Send the tender documents",
        due_on=timezone.localdate() - timedelta(days=2),
        account=world.hospital,
    )


@pytest.mark.parametrize(
    ("who", "status", "sees"),
    [
        ("anonymous", 302, False),
        ("rep_inside", 200, True),
        ("rep_outside", 200, False),
        ("manager_other", 200, False),
        ("director", 200, True),
        ("admin", 200, True),
    ],
)
def test_task_list_by_role(client_for, tender_task, who, status, sees):
    response = client_for(who).get("/field/tasks/?whose=all")

    assert response.status_code == status
    assert ("Send the tender documents" in response.content.decode()) is sees


@pytest.mark.parametrize(
    ("who", "page", "api"),
    [
        ("anonymous", 302, 401),
        ("rep_inside", 200, 200),
        ("rep_outside", 404, 404),
        ("manager_other", 404, 404),
        ("director", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_task_detail_and_api_by_role(client_for, tender_task, who, page, api):
    client = client_for(who)

    page_response = client.get(f"/field/tasks/{tender_task.pk}/")
    api_response = client.get(f"/api/v1/field/tasks/{tender_task.pk}")

    assert (page_response.status_code, api_response.status_code) == (page, api)
    if api == 200:
        assert api_response.json()["title"] == "Send the tender documents"
    else:
        assert "Send the tender documents" not in api_response.content.decode()
        assert "Send the tender documents" not in page_response.content.decode()


def test_empty_state_names_how_to_make_a_task(client_for, world):
    response = client_for("rep_outside").get("/field/tasks/")

    body = response.content.decode()
    assert 'data-testid="empty-state"' in body
    assert "No tasks yet. Create one, or log a visit with a follow-up date." in body


def test_filters_sort_and_pages(client_for, world):
    today = timezone.localdate()
    for n in range(27):
        task_services.task_create(
            by=world.rep_inside, title=f"Call pharmacy {n:02d}", due_on=today + timedelta(days=n)
        )
    done = task_services.task_create(by=world.rep_inside, title="Finished call", due_on=today)
    task_services.task_complete(by=world.rep_inside, task=done)
    client = client_for("rep_inside")

    second_page = client.get("/field/tasks/?page=2").content.decode()
    by_title_desc = client.get("/field/tasks/?sort=-title").content.decode()
    done_only = client.get("/field/tasks/?status=done").content.decode()
    searched = client.get("/field/tasks/?q=pharmacy+26").content.decode()

    assert "26–27 of 27" in second_page
    assert by_title_desc.index("Call pharmacy 26") < by_title_desc.index("Call pharmacy 25")
    assert "Finished call" in done_only
    assert "Call pharmacy 00" not in done_only
    assert "Call pharmacy 26" in searched
    assert "Call pharmacy 25" not in searched


def test_list_query_count_does_not_grow_with_rows(client_for, world):
    client = client_for("rep_inside")
    task_services.task_create(by=world.rep_inside, title="One", due_on=date(2026, 12, 1))
    with CaptureQueriesContext(connection) as one:
        client.get("/field/tasks/")
    for n in range(5):
        task_services.task_create(
            by=world.rep_inside, title=f"More {n}", due_on=date(2026, 12, 2), account=world.hospital
        )

    with CaptureQueriesContext(connection) as six:
        client.get("/field/tasks/")

    assert len(six.captured_queries) == len(one.captured_queries)


def test_page_create_refuses_a_stranger_then_the_api_delegation_is_refused_too(client_for, world):
    client = client_for("rep_inside")

    response = client.post("/field/tasks/new/", {"title": "Order samples", "due_on": "2026-12-01"})
    task = Task.objects.get()
    api = client.post(
        f"/api/v1/field/tasks/{task.pk}/delegate",
        {"assignee_id": world.rep_outside.pk},
        content_type="application/json",
    )

    assert response.status_code == 302
    assert (task.assignee, task.title) == (world.rep_inside, "Order samples")
    assert api.status_code == 422
    assert api.json()["errors"] == [
        {"field": "assignee", "message": "You cannot assign tasks to this user."}
    ]
    assert Task.objects.get().assignee == world.rep_inside


def test_director_assigns_through_the_api_and_rep_completes_on_the_page(client_for, world):
    created = client_for("director").post(
        "/api/v1/field/tasks/assign",
        {
            "title": "Meet the head of pharmacy",
            "due_on": "2026-12-03",
            "assignee_id": world.rep_inside.pk,
            "account_id": world.hospital.pk,
        },
        content_type="application/json",
    )
    task_id = created.json()["id"]

    done = client_for("rep_inside").post(f"/field/tasks/{task_id}/complete/")

    assert created.status_code == 201
    assert (created.json()["delegated_by_id"], created.json()["assignee_id"]) == (
        world.director.pk,
        world.rep_inside.pk,
    )
    assert done.status_code == 302
    assert Task.objects.get(pk=task_id).status == TaskStatus.DONE


def test_scope_api_lists_only_tasks_in_scope(client_for, world, tender_task):
    task_services.task_create(
        by=world.rep_outside, title="Pudong follow-up", due_on=date(2026, 12, 1)
    )

    mine = client_for("rep_inside").get("/api/v1/field/tasks/scope").json()
    other = client_for("manager_other").get("/api/v1/field/tasks/scope").json()

    assert [t["title"] for t in mine["items"]] == ["Send the tender documents"]
    assert [t["title"] for t in other["items"]] == ["Pudong follow-up"]


def test_api_reads_a_reminder_without_offset_in_the_installation_zone(client_for, settings):
    response = client_for("rep_inside").post(
        "/api/v1/field/tasks/assign",
        {"title": "Call back", "due_on": "2026-12-10", "reminder_at": "2026-12-09T09:00:00"},
        content_type="application/json",
    )

    assert response.status_code == 201
    expected = timezone.make_aware(datetime(2026, 12, 9, 9, 0))
    assert Task.objects.get().reminder_at == expected


@pytest.mark.parametrize("who", MATRIX)
def test_new_task_page_and_scope_api_by_role(client_for, world, who):
    client = client_for(who)

    page = client.get("/field/tasks/new/")
    api = client.get("/api/v1/field/tasks/scope")

    signed_in = who != "anonymous"
    assert (page.status_code, api.status_code) == ((200, 200) if signed_in else (302, 401))
    if signed_in:
        # Only managers and above get an assignee field; a rep keeps tasks to themself.
        has_assignee = 'name="assignee"' in page.content.decode()
        assert has_assignee is (who in {"manager_other", "director", "admin"})


def test_scope_api_refuses_an_offset_beyond_any_database_integer(client_for, world):
    response = client_for("rep_inside").get(
        "/api/v1/field/tasks/scope?offset=3343650504955067749105664"
    )

    assert response.status_code == 422
