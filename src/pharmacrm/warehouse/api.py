"""Warehouse API: import jobs (list, get, upload and queue) and quarantine downloads.

Administrators and channel managers import; analysts read jobs and quarantines; other roles
get 403. The upload is multipart (``file`` plus form fields) and answers 202 with the queued
job, which the worker runs; poll ``GET /jobs/{id}`` for its progress and counts.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.warehouse import selectors as warehouse_selectors
from pharmacrm.warehouse import services as warehouse_services
from pharmacrm.warehouse.access import IMPORT_ROLES, VIEW_ROLES
from pharmacrm.warehouse.models import ImportJob
from pharmacrm.warehouse.schemas import ImportJobOut

router = Router()


def _authorised(request: HttpRequest, roles: frozenset[str]) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(*roles):  # type: ignore[arg-type]
        raise HttpError(403, "Your role does not allow warehouse imports.")
    return user


def _job_out(job: ImportJob) -> dict[str, object]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "files": [{"name": f["name"], "sha256": f["sha256"]} for f in job.files],
        "mapping_name": job.mapping_name,
        "mapping_version": job.mapping_version,
        "is_dry_run": job.is_dry_run,
        "rows_read": job.rows_read,
        "rows_stored": job.rows_stored,
        "rows_quarantined": job.rows_quarantined,
        "codes_unresolved": job.codes_unresolved,
        "duplicates": job.duplicates,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "timings": job.timings,
        "reports": [
            {k: v for k, v in report.items() if not k.endswith("_path")} for report in job.reports
        ],
        "quarantine_files": [Path(path).name for path in job.quarantine_paths],
        "error": job.error,
        "created_by": job.created_by.username if job.created_by else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


@router.get("/jobs", response=list[ImportJobOut], summary="Import jobs, newest first")
@paginate(BoundedPagination)
def job_list(request: HttpRequest) -> list[dict[str, object]]:
    _authorised(request, VIEW_ROLES)
    return [_job_out(job) for job in warehouse_selectors.import_job_list()[:1000]]


@router.get("/jobs/{job_id}", response=ImportJobOut, summary="One import job")
def job_get(request: HttpRequest, job_id: int) -> dict[str, object]:
    _authorised(request, VIEW_ROLES)
    return _job_out(warehouse_selectors.import_job_get(job_id=job_id))


@router.post("/jobs", response={202: ImportJobOut}, summary="Upload a file and queue its import")
def job_create(  # noqa: PLR0913 - the form's fields
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str],
    mapping: Form[str] = "",
    template: Form[str] = "",
    source: Form[str] = "",
    dry_run: Form[bool] = False,
) -> Status[dict[str, object]]:
    user = _authorised(request, IMPORT_ROLES)
    chosen = None
    if template:
        chosen = warehouse_selectors.mapping_template_latest(name=template)
        if chosen is None:
            raise ValidationError({"template": f"No mapping template {template!r}."})
    path = warehouse_services.upload_stage(name=file.name or "upload", chunks=file.chunks())
    job = warehouse_services.import_job_enqueue(
        by=user, kind=kind, files=[path], mapping=mapping, template=chosen, dry_run=dry_run,
        options={"source": source} if source else {},
    )  # fmt: skip
    return Status(202, _job_out(job))


@router.get("/jobs/{job_id}/quarantine/{index}", summary="A quarantine file of a job (CSV)")
def quarantine_get(request: HttpRequest, job_id: int, index: int) -> FileResponse:
    _authorised(request, VIEW_ROLES)
    job = warehouse_selectors.import_job_get(job_id=job_id)
    path = warehouse_selectors.quarantine_file(job=job, index=index)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                        content_type="text/csv; charset=utf-8")  # fmt: skip
