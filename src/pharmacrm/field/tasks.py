"""Background tasks of the field force (Django tasks, database backend, `pharmacrm worker`)."""

from __future__ import annotations

from datetime import datetime

from django.tasks import task
from django.utils import timezone

# The path the scheduler and the default ScheduledJob row name (migration 0004_fa_…).
TASK_REMINDERS_TASK = "pharmacrm.field.tasks.task_reminders_task"


@task()
def task_reminders_task(*, now: str | None = None) -> dict[str, int | str]:
    """E-mail the reminders of open tasks that have come due.

    Scheduled every 15 minutes (the ``task-reminders`` job). ``now`` is an ISO timestamp
    (task arguments are stored as JSON); without it, the time the task runs. Each reminder
    goes out once (``reminder_sent_at``). Returns the time used and the number sent.
    """
    from pharmacrm.field.services import tasks as task_services

    moment = datetime.fromisoformat(now) if now else timezone.now()
    sent = task_services.task_reminders_send(now=moment)
    return {"now": moment.isoformat(), "sent": sent}
