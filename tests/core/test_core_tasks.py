"""A task enqueued from a request runs in the real database worker; its result is visible."""

from __future__ import annotations

import html

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role


def run_worker() -> None:
    """What `pharmacrm worker --batch` runs: process every queued task, then return."""
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", "--no-startup-delay")


# The worker commits and closes its connection like the real process does, which would end
# the test's own transaction (PostgreSQL: "the connection is closed"): these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(transactional_db):
    return core_services.user_create(username="admin", role=Role.ADMINISTRATOR)


@pytest.fixture
def two_reps(transactional_db):
    rep = core_services.user_create(username="rep-1", role=Role.SALES_REP)
    former = core_services.user_create(username="rep-2", role=Role.SALES_REP)
    former.is_active = False
    former.save()
    return rep, former


def test_system_check_queued_from_the_page_runs_in_the_worker(client, admin, two_reps):
    client.force_login(admin)

    queued = client.post("/system/tasks/system-check/")
    before = client.get("/system/tasks/").content.decode()
    run_worker()
    after = client.get("/system/tasks/").content.decode()

    assert queued.status_code == 302
    assert queued["Location"] == "/system/tasks/"
    assert 'data-status="READY"' in before
    # The page polls itself (HTMX) while something is pending, and stops when nothing is.
    assert 'hx-trigger="every 2s"' in before
    assert 'hx-trigger="every 2s"' not in after
    assert 'data-status="SUCCESSFUL"' in after
    result_cell = html.unescape(after)
    assert "'requested_by': 'admin'" in result_cell
    assert "'users': 3" in result_cell
    assert "'active_users': 2" in result_cell


def test_system_check_queued_through_the_api_reports_its_result(client, admin, two_reps):
    _token, raw = core_services.api_token_create(by=admin, user=admin, name="ops")
    auth = {"Authorization": f"Bearer {raw}"}

    queued = client.post("/api/v1/core/tasks/system-check", headers=auth)
    task_id = queued.json()["id"]
    pending = client.get(f"/api/v1/core/tasks/{task_id}", headers=auth).json()
    run_worker()
    done = client.get(f"/api/v1/core/tasks/{task_id}", headers=auth).json()

    assert queued.status_code == 202
    assert queued.json()["status"] == "READY"
    assert pending["status"] == "READY"
    assert pending["result"] is None
    assert done["status"] == "SUCCESSFUL"
    assert done["task"] == "system_check"
    assert done["finished_at"] is not None
    assert done["result"] == {
        "requested_by": "admin",
        "database": connection.vendor,
        "users": 3,
        "active_users": 2,
    }
    assert DBTaskResult.objects.count() == 1


def test_unknown_task_id_is_a_404_problem(client, admin):
    _token, raw = core_services.api_token_create(by=admin, user=admin, name="ops")

    response = client.get(
        "/api/v1/core/tasks/00000000-0000-0000-0000-000000000000",
        headers={"Authorization": f"Bearer {raw}"},
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Not found"


def test_sales_rep_cannot_queue_a_system_check_from_the_page(client, two_reps):
    client.force_login(two_reps[0])

    response = client.post("/system/tasks/system-check/")

    assert response.status_code == 403
    assert DBTaskResult.objects.count() == 0


def test_sales_rep_cannot_queue_or_read_tasks_through_the_api(client, admin, two_reps):
    admin_raw = core_services.api_token_create(by=admin, user=admin, name="ops")[1]
    rep_raw = core_services.api_token_create(by=admin, user=two_reps[0], name="rep")[1]
    task_id = client.post(
        "/api/v1/core/tasks/system-check", headers={"Authorization": f"Bearer {admin_raw}"}
    ).json()["id"]
    rep_auth = {"Authorization": f"Bearer {rep_raw}"}

    queued = client.post("/api/v1/core/tasks/system-check", headers=rep_auth)
    read = client.get(f"/api/v1/core/tasks/{task_id}", headers=rep_auth)

    assert queued.status_code == 403
    assert queued.json()["detail"] == "Only administrators can run background tasks."
    assert read.status_code == 403
    assert read.json()["detail"] == "Only administrators can see background tasks."
    assert DBTaskResult.objects.count() == 1
