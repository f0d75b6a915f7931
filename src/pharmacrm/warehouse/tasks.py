"""Background task of the warehouse app: run a queued import job in the worker."""

from __future__ import annotations

from typing import Any

from django.tasks import task


@task()
def import_job_task(*, job_id: int) -> dict[str, Any]:
    """Run import job ``job_id`` (recorded by the web upload or the API) and report its counts.

    The arguments are plain JSON (task arguments are stored as JSON); the job row carries the
    files, mapping and options. Returns the job's id, status and counts.
    """
    from pharmacrm.warehouse import selectors as warehouse_selectors
    from pharmacrm.warehouse import services as warehouse_services

    job = warehouse_selectors.import_job_get(job_id=job_id)
    job = warehouse_services.import_job_run(job=job)
    return {
        "job_id": job.pk,
        "status": job.status,
        "rows_read": job.rows_read,
        "rows_stored": job.rows_stored,
        "rows_quarantined": job.rows_quarantined,
    }
