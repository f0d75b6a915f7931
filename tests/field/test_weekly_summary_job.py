"""The weekly manager summary is scheduled out of the box: Monday 07:00 local, every 7 days."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from pharmacrm.core import schedule
from pharmacrm.core.models import ScheduledJob

MIGRATION = importlib.import_module("pharmacrm.field.migrations.0005_weekly_summary_job")

pytestmark = [pytest.mark.django_db, pytest.mark.uses_db]


def test_the_migration_creates_the_monday_morning_job_once() -> None:
    ScheduledJob.objects.filter(name="field-weekly-summary").delete()

    MIGRATION._create(apps, SimpleNamespace(connection=connection))
    MIGRATION._create(apps, SimpleNamespace(connection=connection))

    job = ScheduledJob.objects.get(name="field-weekly-summary")
    local = timezone.localtime(job.next_run_at)
    assert job.task_path == "pharmacrm.field.mail_weekly.weekly_summary_task"
    assert job.task_path in schedule.SCHEDULABLE
    assert (job.interval_minutes, job.is_enabled) == (10080, True)
    assert (local.weekday(), local.hour, local.minute) == (0, 7, 0)
    assert job.next_run_at > timezone.now()
