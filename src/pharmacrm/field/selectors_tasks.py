"""Reads of tasks: who sees which task, and to whom a user may hand a task.

Scoping follows the field force's team rule (``selectors._rep_ids_visible_to``): a rep sees
the tasks assigned to them, created by them or delegated by them; a regional manager also the
tasks of the users assigned today under their node; director and administrator every task.
Other roles see only their own. A task out of scope is a 404, never a 403, so its existence
is not revealed.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.models import Task, TaskStatus
from pharmacrm.field.selectors import ROLES_SEEING_TEAMS, _rep_ids_visible_to

# Roles that hand tasks to anyone in the field force (not only their team).
ROLES_ASSIGNING_ANYONE = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR})
# Whom a director or administrator may hand a task to: the people who work tasks.
FIELD_ROLES = (Role.SALES_REP.value, Role.REGIONAL_MANAGER.value)


def _own_q(user: User) -> Q:
    return Q(assignee=user) | Q(created_by=user) | Q(delegated_by=user)


def task_list_for(*, user: User, on: date | None = None) -> QuerySet[Task]:
    """Tasks ``user`` may see (module docstring), due date first.

    ``on`` is the day the manager's team is taken on (today by default).
    """
    rows = Task.objects.select_related("assignee", "account", "created_by", "delegated_by")
    if not user.is_authenticated or not user.is_active:
        return rows.none()
    team = _rep_ids_visible_to(user=user, on=on or timezone.localdate())
    if not user.roles & ROLES_SEEING_TEAMS:
        return rows.filter(_own_q(user))
    if team is None:
        return rows
    return rows.filter(_own_q(user) | Q(assignee_id__in=sorted(team)))


def task_get_for(*, user: User, task_id: int) -> Task:
    """The task if ``user`` may see it; ``Http404`` otherwise."""
    task = task_list_for(user=user).filter(pk=task_id).first()
    if task is None:
        raise Http404(_("No such task."))
    return task


def task_assignees_for(*, user: User, on: date | None = None) -> QuerySet[User]:
    """The active users ``user`` may assign or delegate a task to, by username.

    Everyone may give a task to themself. A regional manager may also give one to the users
    assigned on ``on`` under their node (their team); a director or administrator to any
    sales rep or regional manager. A rep may not hand work to a colleague: that goes through
    their manager.
    """
    users = User.objects.filter(is_active=True).order_by("username")
    if not user.is_authenticated or not user.is_active:
        return users.none()
    if user.roles & ROLES_ASSIGNING_ANYONE:
        return users.filter(Q(pk=user.pk) | Q(groups__name__in=FIELD_ROLES)).distinct()
    if Role.REGIONAL_MANAGER in user.roles:
        team = _rep_ids_visible_to(user=user, on=on or timezone.localdate()) or frozenset()
        return users.filter(pk__in=sorted(team | {user.pk}))
    return users.filter(pk=user.pk)


def task_can_manage(*, user: User, task: Task) -> bool:
    """True when ``user`` may edit, cancel or delegate ``task``.

    Its assignee, its creator, whoever delegated it, and a manager who sees it (team or
    everyone) may; anyone else may not.
    """
    if user.pk in {task.assignee_id, task.created_by_id, task.delegated_by_id}:
        return True
    if not user.roles & ROLES_SEEING_TEAMS:
        return False
    return task_list_for(user=user).filter(pk=task.pk).exists()


def task_reminders_due(*, now: datetime) -> QuerySet[Task]:
    """Open tasks whose reminder time has come and whose reminder has not been sent."""
    return (
        Task.objects.filter(
            status=TaskStatus.OPEN, reminder_at__lte=now, reminder_sent_at__isnull=True
        )
        .select_related("assignee", "account")
        .order_by("reminder_at", "pk")
    )
