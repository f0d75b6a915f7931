"""Task API (mounted at ``/api/v1/field/tasks``): tasks in scope, assignment, delegation, closing.

The older ``GET/POST /field/tasks`` (own open tasks, a task for oneself) stay in ``api.py``.
A task outside the caller's scope is a 404; a refused action is a 422 naming the field, from
the task services.
"""

# No ``from __future__ import annotations``: ninja reads the live annotations.
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.field import selectors_tasks
from pharmacrm.field.models import Task, TaskStatus
from pharmacrm.field.schemas_tasks import (
    TaskAssignIn,
    TaskCancelIn,
    TaskDelegateIn,
    TaskDetailOut,
    TaskUpdateIn,
)
from pharmacrm.field.services import tasks as task_services

router = Router()


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the API's auth admits only users
    return user


def _assignable(user: User, assignee_id: int) -> User:
    # An unknown user and one out of reach get the same answer: ids reveal nothing.
    assignee = selectors_tasks.task_assignees_for(user=user).filter(pk=assignee_id).first()
    if assignee is None:
        raise ValidationError({"assignee": _("You cannot assign tasks to this user.")})
    return assignee


@router.get("/scope", response=list[TaskDetailOut], summary="Tasks in scope")
@paginate(BoundedPagination)
def task_scope_list(
    request: HttpRequest, status: str | None = None, assignee_id: int | None = None
) -> Any:
    """Every task the caller may see (own, given, and their team's), by due date."""
    rows = selectors_tasks.task_list_for(user=_user(request)).order_by("due_on", "pk")
    if status in TaskStatus.values:
        rows = rows.filter(status=status)
    if assignee_id is not None:
        rows = rows.filter(assignee_id=assignee_id)
    return rows


@router.post("/assign", response={201: TaskDetailOut}, summary="Create a task for someone")
def task_assign(request: HttpRequest, payload: TaskAssignIn) -> Status[Task]:
    """Create a task for the caller or for a user they may assign tasks to."""
    user = _user(request)
    assignee = None if payload.assignee_id is None else _assignable(user, payload.assignee_id)
    account = None
    if payload.account_id is not None:
        account = account_selectors.account_get_for(user=user, account_id=payload.account_id)
    task = task_services.task_create(
        by=user,
        title=payload.title,
        due_on=payload.due_on,
        description=payload.description,
        assignee=assignee,
        account=account,
        reminder_at=payload.reminder_at,
    )
    return Status(201, task)


@router.get("/{task_id}", response=TaskDetailOut, summary="A task")
def task_get(request: HttpRequest, task_id: int) -> Task:
    """One task in the caller's scope."""
    return selectors_tasks.task_get_for(user=_user(request), task_id=task_id)


@router.patch("/{task_id}", response=TaskDetailOut, summary="Edit an open task")
def task_update(request: HttpRequest, task_id: int, payload: TaskUpdateIn) -> Task:
    """Change title, description, due date or reminder (a new reminder time re-arms it)."""
    user = _user(request)
    task = selectors_tasks.task_get_for(user=user, task_id=task_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    return task_services.task_update(by=user, task=task, **changes)


@router.post("/{task_id}/complete", response=TaskDetailOut, summary="Complete a task")
def task_complete(request: HttpRequest, task_id: int) -> Task:
    """Mark the task done (its assignee only)."""
    user = _user(request)
    task = selectors_tasks.task_get_for(user=user, task_id=task_id)
    return task_services.task_complete(by=user, task=task)


@router.post("/{task_id}/cancel", response=TaskDetailOut, summary="Cancel a task")
def task_cancel(request: HttpRequest, task_id: int, payload: TaskCancelIn) -> Task:
    """Cancel the task, with an optional reason for the audit trail."""
    user = _user(request)
    task = selectors_tasks.task_get_for(user=user, task_id=task_id)
    return task_services.task_cancel(by=user, task=task, reason=payload.reason)


@router.post("/{task_id}/delegate", response=TaskDetailOut, summary="Delegate a task")
def task_delegate(request: HttpRequest, task_id: int, payload: TaskDelegateIn) -> Task:
    """Hand the task to a user the caller may assign tasks to (others: 422 on assignee)."""
    user = _user(request)
    task = selectors_tasks.task_get_for(user=user, task_id=task_id)
    assignee = _assignable(user, payload.assignee_id)
    return task_services.task_delegate(by=user, task=task, assignee=assignee, reason=payload.reason)
