"""Background tasks of the insights app (Django tasks, database backend, `pharmacrm worker`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.tasks import task


@task()
def analytics_run_task(
    *, run_id: int | None = None, as_of: str | None = None, engine: str | None = None
) -> dict[str, Any]:
    """Execute a queued analytics run, or (from the scheduler, no ``run_id``) a new one.

    Parameters are plain JSON (task arguments are stored as JSON): ``as_of`` is an ISO date
    and applies only to a new run. Returns the run's id, status, as_of and row counts.
    """
    from pharmacrm.insights import services as insights_services
    from pharmacrm.insights.models import AnalyticsRun

    if run_id is None:
        run = insights_services.analytics_run_create(
            by=None, as_of=date.fromisoformat(as_of) if as_of else None, engine=engine
        )
    else:
        run = AnalyticsRun.objects.get(pk=run_id)
    run = insights_services.analytics_run_execute(run=run)
    return {
        "run_id": run.pk,
        "status": run.status,
        "as_of": run.as_of.isoformat() if run.as_of else None,
        "row_counts": run.row_counts,
    }
