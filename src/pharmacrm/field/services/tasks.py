"""Creating, editing, delegating, closing and reminding of tasks.

Every write is audited (``Task.history``, with the acting user and, for a delegation, the
reason). Who may hand a task to whom is ``selectors_tasks.task_assignees_for``: a manager to
the reps of their team, a director or administrator to anyone in the field force, a rep only
to themself. Reminders go out by e-mail from the ``task-reminders`` scheduled job; each
reminder is sent once (``reminder_sent_at``), however many workers run it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pharmacrm.accounts.models import Account
from pharmacrm.core.models import User
from pharmacrm.field import selectors_tasks
from pharmacrm.field.models import Task, TaskStatus
from pharmacrm.field.services._audit import stamp

# Fields ``task_update`` may change; status moves only through complete and cancel, the
# assignee only through delegation (both audited with their own meaning).
EDITABLE_FIELDS = frozenset({"title", "description", "due_on", "reminder_at", "account"})


def _require_assignable(*, by: User, assignee: User) -> None:
    if not selectors_tasks.task_assignees_for(user=by).filter(pk=assignee.pk).exists():
        raise ValidationError(
            {
                "assignee": _("You cannot assign tasks to %(user)s.")
                % {"user": assignee.get_full_name() or assignee.username}
            }
        )


def _require_open(task: Task) -> None:
    if task.status != TaskStatus.OPEN:
        raise ValidationError(
            {"status": _("The task is %(status)s already.") % {"status": task.get_status_display()}}
        )


def _require_manager(*, by: User, task: Task) -> None:
    if not selectors_tasks.task_can_manage(user=by, task=task):
        raise ValidationError({"task": _("You may not change this task.")})


def _aware(moment: datetime | None) -> datetime | None:
    # An API client may send a wall-clock time without offset: read it in the installation's zone.
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def task_create(
    *,
    by: User,
    title: str,
    due_on: date,
    assignee: User | None = None,
    account: Account | None = None,
    reminder_at: datetime | None = None,
    description: str = "",
) -> Task:
    """Create an open task for ``assignee`` (``by`` when none is given). Audited.

    A task given to someone else records ``by`` as its delegator. Raises ``ValidationError``
    naming ``assignee`` when ``by`` may not give tasks to that user, or the field of an
    invalid value (an empty title); nothing is saved then.
    """
    assignee = assignee or by
    if assignee.pk != by.pk:
        _require_assignable(by=by, assignee=assignee)
    task = Task(
        title=title.strip(),
        description=description.strip(),
        due_on=due_on,
        assignee=assignee,
        created_by=by,
        delegated_by=by if assignee.pk != by.pk else None,
        account=account,
        reminder_at=_aware(reminder_at),
    )
    task.full_clean()
    stamp(task, by=by)
    task.save()
    return task


def task_update(*, by: User, task: Task, **changes: object) -> Task:
    """Change the title, description, due date, reminder or account of an open task.

    A new reminder time re-arms the reminder (it is sent again at the new time). Audited.
    Raises ``ValidationError`` naming ``task`` when ``by`` may not manage it, ``status`` when
    it is closed, or the field of an unknown or invalid change; nothing is saved then.
    """
    _require_manager(by=by, task=task)
    _require_open(task)
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {unknown[0]: _("%(field)s cannot be changed.") % {"field": unknown[0]}}
        )
    previous_reminder = task.reminder_at
    if isinstance(changes.get("reminder_at"), datetime):
        changes["reminder_at"] = _aware(changes["reminder_at"])  # type: ignore[arg-type]
    for name, value in changes.items():
        setattr(task, name, value.strip() if isinstance(value, str) else value)
    if task.reminder_at != previous_reminder:
        task.reminder_sent_at = None
    try:
        task.full_clean()
    except ValidationError:
        task.refresh_from_db()
        raise
    stamp(task, by=by)
    task.save()
    return task


def task_complete(*, by: User, task: Task) -> Task:
    """Mark ``task`` done now; only its assignee may. Audited.

    Raises ``ValidationError`` naming ``task`` for anyone else, ``status`` when it is not open.
    """
    if by.pk != task.assignee_id:
        raise ValidationError({"task": _("Only the assignee completes a task.")})
    _require_open(task)
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    stamp(task, by=by)
    task.save(update_fields=["status", "completed_at"])
    return task


def task_cancel(*, by: User, task: Task, reason: str = "") -> Task:
    """Cancel an open task (its reminder is not sent any more). Audited with ``reason``.

    Raises ``ValidationError`` naming ``task`` when ``by`` may not manage it, ``status`` when
    it is not open.
    """
    _require_manager(by=by, task=task)
    _require_open(task)
    task.status = TaskStatus.CANCELLED
    stamp(task, by=by, reason=reason.strip())
    task.save(update_fields=["status"])
    return task


def task_delegate(*, by: User, task: Task, assignee: User, reason: str = "") -> Task:
    """Hand an open task to ``assignee``; ``by`` becomes its delegator. Audited with ``reason``.

    The new assignee gets the reminder afresh. Raises ``ValidationError`` naming ``task`` when
    ``by`` may not manage it, ``status`` when it is closed, ``assignee`` when ``by`` may not
    give tasks to that user or it is the current assignee; nothing is saved then.
    """
    _require_manager(by=by, task=task)
    _require_open(task)
    if assignee.pk == task.assignee_id:
        raise ValidationError({"assignee": _("The task is already assigned to this user.")})
    _require_assignable(by=by, assignee=assignee)
    task.assignee = assignee
    task.delegated_by = by
    task.reminder_sent_at = None
    stamp(task, by=by, reason=reason.strip())
    task.save(update_fields=["assignee", "delegated_by", "reminder_sent_at"])
    return task


def _send_reminder(task: Task) -> None:
    assignee = task.assignee
    context = {
        "title": task.title,
        "due_on": task.due_on.isoformat(),
        "account": task.account.name if task.account else "",
    }
    with override(assignee.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Reminder: %(title)s is due on %(due_on)s") % context
        lines = [_("Your task %(title)s is due on %(due_on)s.") % context]
        if context["account"]:
            lines.append(_("Account: %(account)s") % context)
        if task.description:
            lines.append(task.description)
    send_mail(subject, "\n\n".join(lines), None, [assignee.email])


def task_reminders_send(*, now: datetime) -> int:
    """E-mail the assignee of every open task whose reminder is due at ``now``; return the count.

    A reminder is claimed (``reminder_sent_at`` set where it is still empty) and sent in one
    transaction: a second worker finds nothing to claim, and a failed send rolls the claim
    back so the next run tries again. Assignees without an e-mail address are skipped.
    """
    sent = 0
    for task in selectors_tasks.task_reminders_due(now=now):
        if not task.assignee.email:
            continue
        with transaction.atomic():
            claimed = Task.objects.filter(pk=task.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            _send_reminder(task)
        sent += 1
    return sent
