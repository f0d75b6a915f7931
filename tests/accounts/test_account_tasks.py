"""The daily qualification-reminder job: present out of the box, and mailing through the queue.

The pharmacy licence JING-YJ-2021-0042 of the Dongcheng pharmacy expires on 2025-07-20; on
2025-07-01 that is 19 days away, inside the 30-day window, so the rep covering Dongcheng gets
one e-mail however often the job runs.
"""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import QualificationDocument
from pharmacrm.core import schedule
from pharmacrm.core.models import ScheduledJob

TASK_PATH = "pharmacrm.accounts.tasks.qualification_reminders_task"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MIGRATION = importlib.import_module(
    "pharmacrm.accounts.migrations.0003_qualification_reminders_job"
)


def _migrate_job() -> None:
    """Run the data migration's forward step (tests that flush tables remove its row)."""
    MIGRATION._create(apps, SimpleNamespace(connection=connection))


@pytest.fixture
def reminder_job(db: None) -> None:
    """The daily job, as the data migration creates it."""
    _migrate_job()


def test_the_data_migration_creates_the_daily_job_once(db):
    ScheduledJob.objects.filter(name="qualification-reminders").delete()

    _migrate_job()
    _migrate_job()

    job = ScheduledJob.objects.get(name="qualification-reminders")

    assert (job.task_path, job.kwargs, job.interval_minutes, job.is_enabled) == (
        TASK_PATH,
        {"days_before": 30},
        1440,
        True,
    )
    assert TASK_PATH in schedule.SCHEDULABLE
    first_run = timezone.localtime(job.next_run_at)
    assert (first_run.hour, first_run.minute) == (6, 0)


def test_due_job_mails_the_reminder_over_smtp_once(world, reminder_job, smtp_server, settings):
    settings.TASKS = IMMEDIATE
    account_services.qualification_document_upsert(
        by=None,
        account=world.pharmacy,
        kind="pharmacy_licence",
        number="JING-YJ-2021-0042",
        expires_on=date(2025, 7, 20),
    )
    due_at = datetime(2025, 7, 1, 6, 0, tzinfo=UTC)
    ScheduledJob.objects.filter(name="qualification-reminders").update(
        next_run_at=due_at, kwargs={"on": "2025-07-01", "days_before": 30}
    )

    first = schedule.schedule_enqueue_due(now=due_at)
    second = schedule.schedule_enqueue_due(now=datetime(2025, 7, 2, 6, 0, tzinfo=UTC))

    messages = smtp_server.wait_for(1)
    assert (len(first), len(second), len(messages)) == (1, 1, 1)
    assert messages[0]["To"] == "rep_inside@pharma.test"
    assert messages[0]["Subject"] == (
        "GSP / pharmacy licence of Tongrentang Pharmacy Dongcheng expires on 2025-07-20"
    )
    assert "in 19 days" in smtp_server.text_of(messages[0])
    assert QualificationDocument.objects.get().reminded_for == date(2025, 7, 20)
    assert ScheduledJob.objects.get(name="qualification-reminders").next_run_at == datetime(
        2025, 7, 3, 6, 0, tzinfo=UTC
    )


def test_reminder_task_outside_the_window_sends_nothing(world, smtp_server, settings):
    from pharmacrm.accounts.tasks import qualification_reminders_task

    settings.TASKS = IMMEDIATE
    account_services.qualification_document_upsert(
        by=None,
        account=world.pharmacy,
        kind="contract",
        number="C-2025-7",
        expires_on=date(2025, 12, 31),
    )

    result = qualification_reminders_task.enqueue(on="2025-07-01", days_before=30)

    assert result.return_value == {"on": "2025-07-01", "sent": 0}
    assert smtp_server.messages == []
