"""Pages of the core app: home, health probe, users (administrators), background tasks."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.core import selectors as core_selectors
from pharmacrm.core import services as core_services
from pharmacrm.core.forms import UserEditForm
from pharmacrm.core.health import health_status
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.core.tasks import system_check


def role_required(*roles: Role) -> Any:
    """Decorator: 403 unless the signed-in user holds one of ``roles``."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or not user.has_role(*roles):
                raise PermissionDenied(_("Your role does not allow this page."))
            response: HttpResponse = view(request, *args, **kwargs)
            return response

        return wrapped

    return decorator


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's start page: their role and where to go."""
    return render(request, "core/home.html", {"roles": sorted(_user(request).roles)})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Public probe: 200 when the database and the warehouse directory are reachable, else 503."""
    status = health_status(connection=connection)
    return JsonResponse(status, status=200 if status["status"] == "ok" else 503)


USER_SORTS = [
    SortOption("username", gettext_lazy("Username"), ("username",)),
    SortOption("name", gettext_lazy("Name"), ("last_name", "first_name")),
    SortOption("joined", gettext_lazy("Joined"), ("date_joined",)),
]


@role_required(Role.ADMINISTRATOR)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    """Users with search, sort and pagination (the shared list helper's first customer)."""
    page = list_page(
        request,
        User.objects.prefetch_related("groups"),
        search_fields=("username", "first_name", "last_name", "email"),
        sort_options=USER_SORTS,
        default_sort="username",
    )
    template = (
        "core/user_list.html#rows" if getattr(request, "htmx", False) else "core/user_list.html"
    )
    return render(request, template, {"list": page})


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """Edit a user; the audit history below shows who changed what."""
    subject = get_object_or_404(User, pk=user_id)
    current_role = next(iter(sorted(subject.roles)), Role.SALES_REP)
    form = UserEditForm(
        request.POST or None, instance=subject, initial={"role": current_role.value}
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        new_role = Role(form.cleaned_data["role"])
        if new_role != current_role:
            core_services.user_set_role(user=subject, role=new_role)
        messages.success(request, _("Saved %(user)s.") % {"user": subject.username})
        return redirect("user-detail", user_id=subject.pk)
    history = core_selectors.audit_history_for(obj=subject)
    return render(
        request, "core/user_detail.html", {"subject": subject, "form": form, "history": history}
    )


@role_required(Role.ADMINISTRATOR)
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """Recent background tasks and their results; refreshes itself while any is running."""
    tasks = core_selectors.task_result_list(limit=20)
    template = (
        "core/task_list.html#tasks" if getattr(request, "htmx", False) else "core/task_list.html"
    )
    pending = any(t["status"] in {"READY", "RUNNING"} for t in tasks)
    return render(request, template, {"tasks": tasks, "pending": pending})


@role_required(Role.ADMINISTRATOR)
@require_POST
def task_system_check(request: HttpRequest) -> HttpResponse:
    """Enqueue a system check for the worker."""
    system_check.enqueue(requested_by=_user(request).username)
    messages.info(request, _("System check queued; the worker will pick it up."))
    return redirect("task-list")
