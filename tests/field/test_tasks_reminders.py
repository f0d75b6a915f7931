"""Task reminders: the scheduled job e-mails the assignee through SMTP once, and only once.

rep_inside's task "Bring the Atorvastatin samples" (due 2026-12-10) has its reminder set for
2026-12-09 08:00 UTC. The job due at 08:00 sends one e-mail; the run at 08:15 sends none.
"""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from pharmacrm.core import schedule
from pharmacrm.core.models import ScheduledJob
from pharmacrm.field.models import Task
from pharmacrm.field.services import tasks as task_services

TASK_PATH = "pharmacrm.field.tasks.task_reminders_task"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MIGRATION = importlib.import_module("pharmacrm.field.migrations.0004_fa_task_reminders_job")
REMIND_AT = datetime(2026, 12, 9, 8, 0, tzinfo=UTC)


@pytest.fixture
def reminder_job(db: None) -> None:
    """The job as the data migration makes it (flushing test databases drop its row)."""
    MIGRATION._create(apps, SimpleNamespace(connection=connection))


def test_the_migration_creates_the_quarter_hour_job_once(db):
    ScheduledJob.objects.filter(name="task-reminders").delete()

    MIGRATION._create(apps, SimpleNamespace(connection=connection))
    MIGRATION._create(apps, SimpleNamespace(connection=connection))

    job = ScheduledJob.objects.get(name="task-reminders")
    assert (job.task_path, job.interval_minutes, job.is_enabled) == (TASK_PATH, 15, True)
    assert job.next_run_at.minute % 15 == 0
    assert TASK_PATH in schedule.SCHEDULABLE


def test_due_reminder_is_mailed_once_through_the_schedule(
    world, reminder_job, smtp_server, settings
):
    settings.TASKS = IMMEDIATE
    task = task_services.task_create(
        by=world.rep_inside,
        title="Bring the Atorvastatin samples",
        due_on=date(2026, 12, 10),
        account=world.hospital,
        reminder_at=REMIND_AT,
    )
    ScheduledJob.objects.filter(name="task-reminders").update(
        next_run_at=REMIND_AT, kwargs={"now": REMIND_AT.isoformat()}
    )
    ScheduledJob.objects.exclude(name="task-reminders").update(is_enabled=False)

    first = schedule.schedule_enqueue_due(now=REMIND_AT)
    ScheduledJob.objects.filter(name="task-reminders").update(
        kwargs={"now": "2026-12-09T08:15:00+00:00"}
    )
    second = schedule.schedule_enqueue_due(now=datetime(2026, 12, 9, 8, 15, tzinfo=UTC))

    messages = smtp_server.wait_for(1)
    assert (len(first), len(second), len(messages)) == (1, 1, 1)
    assert messages[0]["To"] == "rep_inside@pharma.test"
    assert messages[0]["Subject"] == (
        "Reminder: Bring the Atorvastatin samples is due on 2026-12-10"
    )
    assert "Account: Peking Union Medical College Hospital, Cardiology" in smtp_server.text_of(
        messages[0]
    )
    assert Task.objects.get(pk=task.pk).reminder_sent_at == REMIND_AT


def test_reminders_not_yet_due_closed_or_without_address_are_not_sent(world, smtp_server):
    early = task_services.task_create(
        by=world.rep_inside,
        title="Later",
        due_on=date(2026, 12, 10),
        reminder_at=datetime(2026, 12, 9, 8, 1, tzinfo=UTC),
    )
    done = task_services.task_create(
        by=world.rep_inside, title="Done", due_on=date(2026, 12, 10), reminder_at=REMIND_AT
    )
    task_services.task_complete(by=world.rep_inside, task=done)
    world.rep_outside.email = ""
    world.rep_outside.save(update_fields=["email"])
    task_services.task_create(
        by=world.rep_outside, title="No address", due_on=date(2026, 12, 10), reminder_at=REMIND_AT
    )

    sent = task_services.task_reminders_send(now=REMIND_AT)

    assert sent == 0
    assert smtp_server.messages == []
    assert list(Task.objects.filter(reminder_sent_at__isnull=False)) == []
    assert Task.objects.get(pk=early.pk).reminder_sent_at is None


def test_delegation_rearms_the_reminder_for_the_new_assignee(world, smtp_server):
    task = task_services.task_create(
        by=world.director,
        title="Check the tender result",
        due_on=date(2026, 12, 10),
        reminder_at=REMIND_AT,
    )
    assert task_services.task_reminders_send(now=REMIND_AT) == 1

    task_services.task_delegate(by=world.director, task=task, assignee=world.rep_inside)
    sent = task_services.task_reminders_send(now=REMIND_AT)

    messages = smtp_server.wait_for(2)
    assert sent == 1
    assert [m["To"] for m in messages] == ["director@pharma.test", "rep_inside@pharma.test"]
