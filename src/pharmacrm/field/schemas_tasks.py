"""django-ninja schemas of the task API (``/api/v1/field/tasks/…``). Shape only."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class TaskAssignIn(Schema):
    """A task for oneself or, within one's right to assign, for someone else."""

    title: str
    due_on: date
    description: str = ""
    assignee_id: int | None = None
    account_id: int | None = None
    reminder_at: datetime | None = None


class TaskUpdateIn(Schema):
    """Fields of an open task to change; the ones left out stay as they are."""

    title: str | None = None
    description: str | None = None
    due_on: date | None = None
    reminder_at: datetime | None = None


class TaskDelegateIn(Schema):
    """The user to hand the task to, and why."""

    assignee_id: int
    reason: str = ""


class TaskCancelIn(Schema):
    """Why the task is cancelled (kept in the audit trail)."""

    reason: str = ""


class TaskDetailOut(Schema):
    """A task with who holds it and who handed it on."""

    id: int
    title: str
    description: str
    due_on: date
    status: str
    assignee_id: int
    created_by_id: int | None
    delegated_by_id: int | None
    account_id: int | None
    visit_id: int | None
    reminder_at: datetime | None
    reminder_sent_at: datetime | None
    completed_at: datetime | None
