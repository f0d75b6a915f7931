"""Creating and closing tasks."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pharmacrm.accounts.models import Account
from pharmacrm.core.models import User
from pharmacrm.field.models import Task, TaskStatus
from pharmacrm.field.services._audit import stamp


def task_create(
    *,
    by: User,
    title: str,
    due_on: date,
    assignee: User | None = None,
    account: Account | None = None,
    reminder_at: datetime | None = None,
) -> Task:
    """Create an open task for ``assignee`` (``by`` when none is given). Audited.

    Raises ``ValidationError`` naming the field of an invalid value (an empty title).
    """
    task = Task(
        title=title.strip(),
        due_on=due_on,
        assignee=assignee or by,
        created_by=by,
        account=account,
        reminder_at=reminder_at,
    )
    task.full_clean()
    stamp(task, by=by)
    task.save()
    return task


def task_complete(*, by: User, task: Task) -> Task:
    """Mark ``task`` done; only its assignee may. Raises ``ValidationError`` on ``task``."""
    if by.pk != task.assignee_id:
        raise ValidationError({"task": _("Only the assignee completes a task.")})
    task.status = TaskStatus.DONE
    stamp(task, by=by)
    task.save(update_fields=["status"])
    return task
