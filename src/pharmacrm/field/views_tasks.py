"""Task pages: the list with filters, a new task, a task with its actions and audit trail.

Thin: every page is open to any signed-in user (everyone has tasks); what they see comes from
``selectors_tasks.task_list_for`` (a task out of scope is a 404) and what they may do is
decided by the task services, whose field errors the forms show.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core import selectors as core_selectors
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User
from pharmacrm.field import selectors_tasks
from pharmacrm.field.forms_tasks import TaskCancelForm, TaskDelegateForm, TaskForm
from pharmacrm.field.models import Task, TaskStatus
from pharmacrm.field.services import tasks as task_services

TASK_SORTS = [
    SortOption("due", gettext_lazy("Due on"), ("due_on",)),
    SortOption("title", gettext_lazy("Title"), ("title",)),
    SortOption("assignee", gettext_lazy("Assignee"), ("assignee__username",)),
    SortOption("status", gettext_lazy("Status"), ("status",)),
]
# ?whose=… narrows the list to one relation of the user to the task.
WHOSE_CHOICES = {
    "mine": gettext_lazy("Assigned to me"),
    "given": gettext_lazy("Given by me to others"),
    "all": gettext_lazy("All I can see"),
}
DUE_CHOICES = {
    "overdue": gettext_lazy("Overdue"),
    "week": gettext_lazy("Due within 7 days"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMiddleware admits only users
    return user


def _filtered(request: HttpRequest, user: User) -> tuple[QuerySet[Task], dict[str, str]]:
    rows = selectors_tasks.task_list_for(user=user)
    status = request.GET.get("status", TaskStatus.OPEN)
    if status in TaskStatus.values:
        rows = rows.filter(status=status)
    else:
        status = "any"
    whose = request.GET.get("whose", "mine")
    if whose == "mine":
        rows = rows.filter(assignee=user)
    elif whose == "given":
        rows = rows.filter(Q(created_by=user) | Q(delegated_by=user)).exclude(assignee=user)
    else:
        whose = "all"
    due = request.GET.get("due", "")
    today = timezone.localdate()
    if due == "overdue":
        rows = rows.filter(due_on__lt=today)
    elif due == "week":
        rows = rows.filter(due_on__gte=today, due_on__lte=today + timedelta(days=7))
    else:
        due = ""
    # Defaults travel as "" so that the empty state tells an empty list from a filtered one.
    return rows, {
        "status": "" if status == TaskStatus.OPEN else status,
        "whose": "" if whose == "mine" else whose,
        "due": due,
    }


@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """Tasks in scope with search, status/whose/due filters, sort and pagination."""
    user = _user(request)
    rows, filters = _filtered(request, user)
    page = list_page(
        request,
        rows,
        search_fields=("title", "description", "account__name"),
        sort_options=TASK_SORTS,
        default_sort="due",
        filters=filters,
    )
    context = {
        "list": page,
        "today": timezone.localdate(),
        "status_choices": [("any", _("Any status")), *TaskStatus.choices],
        "whose_choices": list(WHOSE_CHOICES.items()),
        "due_choices": [("", _("Any due date")), *DUE_CHOICES.items()],
    }
    htmx = getattr(request, "htmx", False)
    template = "field/tasks/task_list.html#rows" if htmx else "field/tasks/task_list.html"
    return render(request, template, context)


def _apply_errors(form: TaskForm | TaskDelegateForm, refused: ValidationError) -> None:
    for field, errors in refused.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    """Create a task for oneself or, for managers, for someone of their team."""
    user = _user(request)
    assignees = selectors_tasks.task_assignees_for(user=user)
    form = TaskForm(
        request.POST or None,
        accounts=account_selectors.account_list_for(user=user).order_by("name"),
        assignees=assignees if assignees.exclude(pk=user.pk).exists() else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = task_services.task_create(by=user, **form.cleaned_data)
        except ValidationError as refused:
            _apply_errors(form, refused)
        else:
            messages.success(request, _("Created the task %(title)s.") % {"title": task.title})
            return redirect("field-task-detail", task_id=task.pk)
    return render(request, "field/tasks/task_form.html", {"form": form})


def _detail_context(user: User, task: Task) -> dict[str, object]:
    can_manage = selectors_tasks.task_can_manage(user=user, task=task)
    is_open = task.status == TaskStatus.OPEN
    return {
        "task": task,
        "can_manage": can_manage and is_open,
        "can_complete": is_open and task.assignee_id == user.pk,
        "delegate_form": TaskDelegateForm(
            assignees=selectors_tasks.task_assignees_for(user=user).exclude(pk=task.assignee_id)
        ),
        "cancel_form": TaskCancelForm(),
        "history": core_selectors.audit_history_for(obj=task),
    }


@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    """A task: its facts, edit form (open tasks, for those who manage it), actions, history."""
    user = _user(request)
    task = selectors_tasks.task_get_for(user=user, task_id=task_id)
    accounts = account_selectors.account_list_for(user=user).order_by("name")
    initial = {
        "title": task.title,
        "description": task.description,
        "due_on": task.due_on,
        "reminder_at": timezone.localtime(task.reminder_at) if task.reminder_at else None,
        "account": task.account_id,
    }
    form = TaskForm(request.POST or None, initial=initial, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        try:
            task_services.task_update(by=user, task=task, **form.cleaned_data)
        except ValidationError as refused:
            _apply_errors(form, refused)
        else:
            messages.success(request, _("Saved the task."))
            return redirect("field-task-detail", task_id=task.pk)
    context = {"form": form, **_detail_context(user, task)}
    return render(request, "field/tasks/task_detail.html", context)


def _refused(request: HttpRequest, refused: ValidationError) -> None:
    for errors in refused.message_dict.values():
        for error in errors:
            messages.error(request, error)


@require_POST
def task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    """Mark a task done (its assignee only)."""
    user = _user(request)
    task = selectors_tasks.task_get_for(user=user, task_id=task_id)
    try:
        task_services.task_complete(by=user, task=task)
    except ValidationError as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Completed the task %(title)s.") % {"title": task.title})
    return redirect("field-task-detail", task_id=task.pk)


@require_POST
def task_cancel(request: HttpRequest, task_id: int) -> HttpResponse:
    """Cancel a task with an optional reason."""
    user = _user(request)
    task = selectors_tasks.task_get_for(user=user, task_id=task_id)
    form = TaskCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        task_services.task_cancel(by=user, task=task, reason=reason)
    except ValidationError as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Cancelled the task %(title)s.") % {"title": task.title})
    return redirect("field-task-detail", task_id=task.pk)


@require_POST
def task_delegate(request: HttpRequest, task_id: int) -> HttpResponse:
    """Hand a task to someone the user may assign tasks to."""
    user = _user(request)
    task = selectors_tasks.task_get_for(user=user, task_id=task_id)
    form = TaskDelegateForm(request.POST, assignees=selectors_tasks.task_assignees_for(user=user))
    if not form.is_valid():
        messages.error(request, _("Choose someone you may assign tasks to."))
        return redirect("field-task-detail", task_id=task.pk)
    try:
        task_services.task_delegate(
            by=user,
            task=task,
            assignee=form.cleaned_data["assignee"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as refused:
        _refused(request, refused)
    else:
        messages.success(
            request,
            _("Handed the task to %(user)s.") % {"user": form.cleaned_data["assignee"].username},
        )
    return redirect("field-task-detail", task_id=task.pk)
