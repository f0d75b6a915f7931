"""Background tasks of the customer master (Django tasks, database backend, `pharmacrm worker`)."""

from __future__ import annotations

from datetime import date

from django.tasks import task
from django.utils import timezone

# The path the scheduler and the default ScheduledJob row name (migration 0003).
QUALIFICATION_REMINDERS_TASK = "pharmacrm.accounts.tasks.qualification_reminders_task"


@task()
def qualification_reminders_task(
    *, on: str | None = None, days_before: int = 30
) -> dict[str, int | str]:
    """E-mail reminders for qualification documents expiring within ``days_before`` days.

    Scheduled daily (the ``qualification-reminders`` job). ``on`` is an ISO date (task
    arguments are stored as JSON); without it, the installation's local date when the task
    runs. Sending is idempotent per expiry date, so a re-run or a second worker sends nothing
    twice. Returns the day used and the number of e-mails sent.
    """
    from pharmacrm.accounts import services as account_services

    day = date.fromisoformat(on) if on else timezone.localdate()
    sent = account_services.qualification_reminders_send(on=day, days_before=days_before)
    return {"on": day.isoformat(), "sent": sent}
