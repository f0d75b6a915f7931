"""Upload page → queued task → the real database worker → job page, quarantine, roles, API.

Counts come from the hand-worked file of ``job_files.py``: read 5, stored 2, quarantined 3
(rows 3, 4 and 5).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from job_files import RECEIPTS, receipts_file
from openpyxl import load_workbook

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.warehouse import services as warehouse_services
from pharmacrm.warehouse.models import ImportJob, JobStatus, MappingTemplate


def run_worker() -> None:
    """What `pharmacrm worker --batch` runs: process every queued task, then return."""
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", "--no-startup-delay")


@pytest.fixture
def warehouse_dir(settings, tmp_path: Path) -> Path:
    root = tmp_path / "var" / "warehouse"
    settings.WAREHOUSE_DIR = str(root)
    return root


@pytest.fixture
def committed_as_role(client, transactional_db):
    """Sign in with a role, committing as the real processes do.

    The worker commits and closes its connection like the real process, which would end the
    test's own transaction (PostgreSQL: "the connection is closed"): worker tests commit.
    """

    def login(role: Role):
        client.force_login(core_services.user_create(username=role.value, role=role))
        return client

    return login


@pytest.fixture
def as_role(client, db):
    def login(role: Role):
        client.force_login(core_services.user_create(username=role.value, role=role))
        return client

    return login


def _upload(**fields: object) -> dict[str, object]:
    return {
        "file": SimpleUploadedFile("pos-march.csv", RECEIPTS.encode(), "text/csv"),
        "kind": "receipts",
        "mapping": "",
        "source": "",
        "save_as": "",
        **fields,
    }


def test_upload_runs_in_the_worker_and_the_job_page_shows_counts(warehouse_dir, committed_as_role):
    client = committed_as_role(Role.CHANNEL_MANAGER)

    response = client.post("/warehouse/upload/", _upload(action="import"))
    job = ImportJob.objects.get()
    queued_status = job.status
    run_worker()
    page = client.get(f"/warehouse/jobs/{job.pk}/").content.decode()

    assert response.status_code == 302
    assert response["Location"] == f"/warehouse/jobs/{job.pk}/"
    assert queued_status == JobStatus.QUEUED
    assert DBTaskResult.objects.get().task_path == "pharmacrm.warehouse.tasks.import_job_task"
    job.refresh_from_db()
    assert (job.status, job.rows_read, job.rows_stored, job.rows_quarantined) == (
        JobStatus.SUCCEEDED, 5, 2, 3,
    )  # fmt: skip
    assert job.created_by.username == "channel_manager"
    assert '<dd class="col-sm-9" data-testid="rows-read">5</dd>' in page
    assert '<dd class="col-sm-9" data-testid="rows-stored">2</dd>' in page
    assert '<dd class="col-sm-9" data-testid="rows-quarantined">3</dd>' in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling


def test_a_queued_job_page_polls_its_progress(warehouse_dir, as_role, tmp_path):
    client = as_role(Role.ADMINISTRATOR)
    job = warehouse_services.import_job_create(
        by=None, kind="receipts", files=[receipts_file(tmp_path)]
    )

    fragment = client.get(f"/warehouse/jobs/{job.pk}/", headers={"HX-Request": "true"})

    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="job-progress"')
    assert 'hx-trigger="every 1s"' in body
    assert 'aria-valuenow="0"' in body


def test_preview_shows_the_mapping_suggested_from_the_headers(warehouse_dir, as_role):
    client = as_role(Role.ADMINISTRATOR)

    response = client.post("/warehouse/upload/", _upload(action="preview"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<td>unit_price</td><td>unit_price</td>" in body
    assert "<td>outlet_code *</td><td>outlet_code</td>" in body
    assert "<td>discount</td><td>—</td>" in body
    assert ImportJob.objects.count() == 0


def test_import_after_preview_saves_the_suggestion_as_a_template(
    warehouse_dir, as_role, django_capture_on_commit_callbacks
):
    client = as_role(Role.ADMINISTRATOR)
    preview = client.post("/warehouse/upload/", _upload(action="preview"))
    staged = preview.context["form"].initial["staged"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/warehouse/upload/",
            {"staged": staged, "kind": "receipts", "mapping": "", "source": "pos-a",
             "save_as": "POS A", "action": "import"},
        )  # fmt: skip

    template = MappingTemplate.objects.get()
    job = ImportJob.objects.get()
    assert (template.name, template.version, template.source) == ("POS A", 1, "pos-a")
    assert template.mapping["columns"]["check_id"] == "check_id"
    assert (job.mapping_template, job.mapping_version) == (template, 1)
    assert job.files[0]["name"] == "pos-march.csv"


def test_quarantine_downloads_as_csv_and_excel(warehouse_dir, as_role, tmp_path):
    client = as_role(Role.ANALYST)
    job = warehouse_services.import_job_create(
        by=None, kind="receipts", files=[receipts_file(tmp_path)]
    )
    warehouse_services.import_job_run(job=job)

    as_csv = client.get(f"/warehouse/jobs/{job.pk}/quarantine/0.csv")
    as_xlsx = client.get(f"/warehouse/jobs/{job.pk}/quarantine/0.xlsx")
    missing = client.get(f"/warehouse/jobs/{job.pk}/quarantine/9.csv")

    text = b"".join(as_csv.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[:8] for row in rows[1:]] == [
        ["O1", "c2", "1", "not-a-date", "CARD2", "SKU-A", "1", "10.50"],
        ["O2", "c3", "1", "2024-03-02 09:00:00", "", "SKU-C", "abc", "3.00"],
        ["O2", "c3", "2", "2024-03-02 09:00:00", "", "SKU-A", "-1", "10.50"],
    ]
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[2][:8] == ["O2", "c3", "1", "2024-03-02 09:00:00", None, "SKU-C", "abc", "3.00"]
    assert len(cells) == 4
    assert missing.status_code == 404


PAGES = [
    ("/warehouse/", {Role.ADMINISTRATOR, Role.CHANNEL_MANAGER, Role.ANALYST}),
    ("/warehouse/upload/", {Role.ADMINISTRATOR, Role.CHANNEL_MANAGER}),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("path", "allowed"), PAGES)
def test_pages_by_role(warehouse_dir, as_role, role, path, allowed):
    response = as_role(role).get(path)

    assert response.status_code == (200 if role in allowed else 403)


def test_refused_role_cannot_upload_and_nothing_is_queued(warehouse_dir, as_role):
    response = as_role(Role.ANALYST).post("/warehouse/upload/", _upload(action="import"))

    assert response.status_code == 403
    assert ImportJob.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/warehouse/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/auth/login/")


QUERIES_PER_LIST_PAGE = 5
"""Session, user, count, one page of jobs with their users and templates joined, and the
user's groups once (the role decorator, the "may import" button and the navigation share the
user's cached roles since 44efd94) — none per row."""


def test_job_list_searches_sorts_and_shows_an_empty_state(
    warehouse_dir, as_role, tmp_path, django_assert_num_queries
):
    client = as_role(Role.ANALYST)
    empty = client.get("/warehouse/").content.decode()
    warehouse_services.import_job_create(by=None, kind="receipts", files=[receipts_file(tmp_path)])
    other = tmp_path / "inv.csv"
    other.write_text("x\n1\n", encoding="utf-8")
    warehouse_services.import_job_create(by=None, kind="invoices", files=[other])

    with django_assert_num_queries(QUERIES_PER_LIST_PAGE):
        found = client.get("/warehouse/?q=invoices").content.decode()

    assert 'data-testid="empty-state"' in empty
    assert "No imports yet." in empty
    assert "inv.csv" in found
    assert "pos-march.csv" not in found


def test_api_uploads_queues_and_reads_jobs(warehouse_dir, committed_as_role):
    client = committed_as_role(Role.CHANNEL_MANAGER)

    created = client.post(
        "/api/v1/warehouse/jobs",
        {"file": SimpleUploadedFile("pos-march.csv", RECEIPTS.encode()), "kind": "receipts"},
    )
    run_worker()
    job_id = created.json()["id"]
    got = client.get(f"/api/v1/warehouse/jobs/{job_id}").json()
    listed = client.get("/api/v1/warehouse/jobs").json()
    quarantine = client.get(f"/api/v1/warehouse/jobs/{job_id}/quarantine/1")

    assert created.status_code == 202
    assert created.json()["status"] == "queued"
    assert (got["status"], got["rows_read"], got["rows_stored"], got["rows_quarantined"]) == (
        "succeeded", 5, 2, 3,
    )  # fmt: skip
    assert listed["count"] == 1
    errors = b"".join(quarantine.streaming_content).decode("utf-8-sig")
    assert "not a number" in errors


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (Role.ADMINISTRATOR, 200, 202),
        (Role.CHANNEL_MANAGER, 200, 202),
        (Role.ANALYST, 200, 403),
        (Role.SALES_REP, 403, 403),
        (Role.DIRECTOR, 403, 403),
    ],
)
def test_api_by_role(warehouse_dir, as_role, role, read, write):
    client = as_role(role)

    listed = client.get("/api/v1/warehouse/jobs")
    created = client.post(
        "/api/v1/warehouse/jobs",
        {"file": SimpleUploadedFile("pos-march.csv", RECEIPTS.encode()), "kind": "receipts"},
    )

    assert (listed.status_code, created.status_code) == (read, write)
    assert ImportJob.objects.count() == (1 if write == 202 else 0)
