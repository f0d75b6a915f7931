"""The daily qualification-reminder job, so reminders go out without any setup.

The row is created once (by name); an administrator may later change its hour, interval or
disable it in the back office, and re-running migrations leaves those edits alone. The first
run is the next 06:00 in the installation's time zone, before the working day starts.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone

JOB_NAME = "qualification-reminders"
TASK_PATH = "pharmacrm.accounts.tasks.qualification_reminders_task"


def _first_run() -> datetime:
    today = timezone.localdate()
    first = timezone.make_aware(datetime.combine(today, time(6, 0)))
    return first if first > timezone.now() else first + timedelta(days=1)


def _create(apps: Any, schema_editor: Any) -> None:
    job = apps.get_model("core", "ScheduledJob")
    job.objects.using(schema_editor.connection.alias).get_or_create(
        name=JOB_NAME,
        defaults={
            "task_path": TASK_PATH,
            "kwargs": {"days_before": 30},
            "interval_minutes": 24 * 60,
            "next_run_at": _first_run(),
            "is_enabled": True,
        },
    )


def _delete(apps: Any, schema_editor: Any) -> None:
    job = apps.get_model("core", "ScheduledJob")
    job.objects.using(schema_editor.connection.alias).filter(name=JOB_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_search_trigram"), ("core", "0002_scheduled_job")]

    operations = [migrations.RunPython(_create, _delete, elidable=False)]
