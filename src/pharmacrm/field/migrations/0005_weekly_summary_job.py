"""The weekly field-force summary job, so managers get their Monday mail without any setup.

Created once (by name); an administrator may change its time or disable it in the back office,
and re-running migrations leaves those edits alone. First run: the next Monday 07:00 in the
installation's time zone, then every 7 days.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone

JOB_NAME = "field-weekly-summary"
TASK_PATH = "pharmacrm.field.mail_weekly.weekly_summary_task"
INTERVAL_MINUTES = 7 * 24 * 60


def _next_monday_morning() -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    return timezone.make_aware(datetime.combine(monday, time(7, 0)))


def _create(apps: Any, schema_editor: Any) -> None:
    job = apps.get_model("core", "ScheduledJob")
    job.objects.using(schema_editor.connection.alias).get_or_create(
        name=JOB_NAME,
        defaults={
            "task_path": TASK_PATH,
            "kwargs": {},
            "interval_minutes": INTERVAL_MINUTES,
            "next_run_at": _next_monday_morning(),
            "is_enabled": True,
        },
    )


def _delete(apps: Any, schema_editor: Any) -> None:
    job = apps.get_model("core", "ScheduledJob")
    job.objects.using(schema_editor.connection.alias).filter(name=JOB_NAME).delete()


class Migration(migrations.Migration):
    """Create the weekly manager summary scheduled job."""

    dependencies = [("field", "0004_fa_task_reminders_job"), ("core", "0002_scheduled_job")]

    operations = [migrations.RunPython(_create, _delete, elidable=False)]
