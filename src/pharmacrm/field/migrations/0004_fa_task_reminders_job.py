"""The task-reminder job, so reminders of field tasks go out without any setup.

The row is created once (by name); an administrator may change its interval or disable it in
the back office, and re-running migrations leaves those edits alone. It runs every 15 minutes
from the next quarter hour: a reminder set for 09:00 arrives by 09:15 at the latest.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone

JOB_NAME = "task-reminders"
TASK_PATH = "pharmacrm.field.tasks.task_reminders_task"
INTERVAL_MINUTES = 15


def _first_run() -> datetime:
    now = timezone.now().replace(second=0, microsecond=0)
    return now + timedelta(minutes=INTERVAL_MINUTES - now.minute % INTERVAL_MINUTES)


def _create(apps: Any, schema_editor: Any) -> None:
    job = apps.get_model("core", "ScheduledJob")
    job.objects.using(schema_editor.connection.alias).get_or_create(
        name=JOB_NAME,
        defaults={
            "task_path": TASK_PATH,
            "kwargs": {},
            "interval_minutes": INTERVAL_MINUTES,
            "next_run_at": _first_run(),
            "is_enabled": True,
        },
    )


def _delete(apps: Any, schema_editor: Any) -> None:
    job = apps.get_model("core", "ScheduledJob")
    job.objects.using(schema_editor.connection.alias).filter(name=JOB_NAME).delete()


class Migration(migrations.Migration):
    """Create the task-reminders scheduled job."""

    dependencies = [
        ("field", "0003_visits_offline_tasks_materials_pipeline_targets"),
        ("core", "0002_scheduled_job"),
    ]

    operations = [migrations.RunPython(_create, _delete, elidable=False)]
