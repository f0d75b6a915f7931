"""Pages of the field force: the rep's day plan and the visit log form.

Thin: parse, authorise, call one selector or service, render. Accounts offered in the form
come through the customer master's scoping door; ``visit_log`` re-checks the territory on the
visit's own date.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors as field_selectors
from pharmacrm.field.forms import VisitLogForm
from pharmacrm.field.services import visits as visit_services


def _rep(request: HttpRequest) -> User:
    # The day plan and the visit log are a rep's tools; managers get their team views later.
    user = request.user
    if not isinstance(user, User) or not user.has_role(Role.SALES_REP):
        raise PermissionDenied(_("Your role does not allow this page."))
    return user


@require_GET
def day_plan(request: HttpRequest) -> HttpResponse:
    """Today's visits (planned and done) and the open tasks due by today, overdue included."""
    user = _rep(request)
    today = timezone.localdate()
    context = {
        "today": today,
        "visits": field_selectors.visit_day_plan_for(user=user, on=today),
        "tasks": field_selectors.task_list_open_for(user=user, due_by=today),
    }
    return render(request, "field/day_plan.html", context)


@require_http_methods(["GET", "POST"])
def visit_log(request: HttpRequest) -> HttpResponse:
    """Log a visit; refused input re-renders the form with the service's field errors."""
    user = _rep(request)
    accounts = account_selectors.account_list_for(user=user).order_by("name")
    form = VisitLogForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        try:
            visit = visit_services.visit_log(by=user, **form.values())
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Logged the visit to %(account)s.") % {"account": visit.account.name}
            )
            return redirect("field-day-plan")
    return render(request, "field/visit_form.html", {"form": form})
