"""The periodic-job schedule the worker reads: due jobs are enqueued exactly once per slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from pharmacrm.core.models import ScheduledJob
from pharmacrm.core.schedule import schedule_enqueue_due

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _only_this_tests_jobs(db):
    """Data migrations ship real jobs (the daily qualification reminder); park them here."""
    ScheduledJob.objects.update(is_enabled=False)


@pytest.mark.django_db
def test_due_job_is_enqueued_once_and_moves_to_its_next_slot():
    job = ScheduledJob.objects.create(
        name="nightly-check",
        task_path="pharmacrm.core.tasks.system_check",
        kwargs={"requested_by": "schedule"},
        interval_minutes=60,
        next_run_at=NOW - timedelta(minutes=5),
    )

    first = schedule_enqueue_due(now=NOW)
    second = schedule_enqueue_due(now=NOW)

    assert len(first) == 1
    assert second == []
    job.refresh_from_db()
    assert job.next_run_at == NOW + timedelta(minutes=55)
    assert job.last_task_id == first[0]
    queued = DBTaskResult.objects.get(pk=first[0])
    assert queued.task_path == "pharmacrm.core.tasks.system_check"
    assert queued.args_kwargs == {"args": [], "kwargs": {"requested_by": "schedule"}}


@pytest.mark.django_db
def test_backlog_after_downtime_runs_once_not_per_missed_slot():
    ScheduledJob.objects.create(
        name="hourly",
        task_path="pharmacrm.core.tasks.system_check",
        interval_minutes=60,
        next_run_at=NOW - timedelta(hours=5, minutes=30),
    )

    queued = schedule_enqueue_due(now=NOW)

    assert len(queued) == 1
    assert ScheduledJob.objects.get(name="hourly").next_run_at == NOW + timedelta(minutes=30)


@pytest.mark.django_db
def test_disabled_future_and_unschedulable_jobs_are_not_enqueued():
    ScheduledJob.objects.create(
        name="off", task_path="pharmacrm.core.tasks.system_check", next_run_at=NOW, is_enabled=False
    )
    ScheduledJob.objects.create(
        name="later",
        task_path="pharmacrm.core.tasks.system_check",
        next_run_at=NOW + timedelta(seconds=1),
    )
    ScheduledJob.objects.create(name="rogue", task_path="os.system", next_run_at=NOW)

    queued = schedule_enqueue_due(now=NOW)

    assert queued == []
    assert DBTaskResult.objects.count() == 0
