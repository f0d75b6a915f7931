"""Periodic jobs: which tasks may be scheduled, and the loop the worker runs to enqueue them.

Why a table and not cron: the demo and small installs run one `pharmacrm worker` and nothing
else; the schedule lives in the same database as the queue, is edited in the back office and is
audited. Several workers may run: claiming an occurrence is an UPDATE … WHERE next_run_at = old,
so exactly one of them enqueues it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from pharmacrm.core.models import ScheduledJob

logger = logging.getLogger(__name__)

# Tasks an administrator may schedule (the back office refuses other paths). Apps add theirs.
SCHEDULABLE: set[str] = {"pharmacrm.core.tasks.system_check"}


def schedule_enqueue_due(*, now: datetime) -> list[str]:
    """Enqueue every enabled job whose ``next_run_at`` ≤ ``now``; return the task result ids.

    A job that was due several intervals ago runs once, and its next run is the first slot
    after ``now`` (a worker that was down does not replay the backlog).
    """
    queued: list[str] = []
    due = ScheduledJob.objects.filter(is_enabled=True, next_run_at__lte=now).order_by("pk")
    for job in due:
        if job.task_path not in SCHEDULABLE:
            logger.warning("scheduled job %s names a task that cannot be scheduled", job.name)
            continue
        step = timedelta(minutes=job.interval_minutes)
        missed = (now - job.next_run_at) // step
        next_run = job.next_run_at + step * (missed + 1)
        with transaction.atomic():
            claimed = ScheduledJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
                next_run_at=next_run, last_enqueued_at=now
            )
            if not claimed:
                continue  # another worker took this occurrence
            result = import_string(job.task_path).enqueue(**job.kwargs)
            ScheduledJob.objects.filter(pk=job.pk).update(last_task_id=str(result.id))
        queued.append(str(result.id))
    return queued


def run_scheduler_loop(*, stop: threading.Event, every_seconds: float = 30.0) -> None:
    """Check the schedule every ``every_seconds`` until ``stop`` is set (worker thread)."""
    while not stop.is_set():
        try:
            close_old_connections()
            schedule_enqueue_due(now=timezone.now())
        except Exception:  # the loop must survive a bad job or a database hiccup
            logger.exception("scheduler pass failed")
        finally:
            close_old_connections()
        stop.wait(every_seconds)
