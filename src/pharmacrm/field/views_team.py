"""Managers' pages: the team's execution, one rep's drill-down, and visit corrections.

Thin: authorise (``selectors_team`` decides who is on whose team), call one selector or
service, render. Regional managers, directors and administrators only; a rep or another role
gets 403, and a rep outside the manager's team 404 (existence is not revealed).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from pharmacrm.core import selectors as core_selectors
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User
from pharmacrm.field import selectors_team as team_selectors
from pharmacrm.field.forms_team import VisitCorrectionForm
from pharmacrm.field.models import CallPlan, Visit
from pharmacrm.field.services import visits as visit_services

WINDOWS = (7, 14, 28)
REP_SORTS = [
    SortOption("name", gettext_lazy("Name"), ("last_name", "first_name", "username")),
    SortOption("username", gettext_lazy("Username"), ("username",)),
]
VISIT_SORTS = [
    SortOption("at", gettext_lazy("At"), ("at",)),
    SortOption("account", gettext_lazy("Account"), ("account__name",)),
]


def _manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.roles & team_selectors.ROLES_SEEING_TEAMS:
        raise PermissionDenied(_("Your role does not allow this page."))
    return user


def _window(request: HttpRequest) -> int:
    with suppress(ValueError):
        days = int(request.GET.get("days", WINDOWS[0]))
        if days in WINDOWS:
            return days
    return WINDOWS[0]


@require_GET
def team_execution(request: HttpRequest) -> HttpResponse:
    """Plan against done, visits per day, S/A coverage, overdue follow-ups and inactive reps."""
    user = _manager(request)
    today = timezone.localdate()
    days = _window(request)
    listing = list_page(
        request,
        team_selectors.team_rep_list_for(user=user, on=today),
        search_fields=("username", "first_name", "last_name"),
        sort_options=REP_SORTS,
        default_sort="name",
        filters={"days": str(days)},
    )
    rows = team_selectors.team_execution(reps=listing.rows, on=today, days=days)
    context = {
        "list": listing,
        "rows": rows,
        "today": today,
        "days": days,
        "windows": WINDOWS,
        "window_start": today - timedelta(days=days - 1),
        "inactive": [row for row in rows if row.is_inactive],
    }
    if request.headers.get("HX-Request"):
        return render(request, "field/team/team.html#rows", context)
    return render(request, "field/team/team.html", context)


@require_GET
def team_rep_detail(request: HttpRequest, rep_id: int) -> HttpResponse:
    """One rep: team-page figures, visits per day, attainment by channel and product.

    Also the rep's overdue follow-ups and visits (searchable, each correctable).
    """
    user = _manager(request)
    today = timezone.localdate()
    days = _window(request)
    rep = team_selectors.team_rep_get_for(user=user, rep_id=rep_id, on=today)
    (row,) = team_selectors.team_execution(reps=[rep], on=today, days=days)
    plan = CallPlan.objects.filter(pk=row.plan_id).first() if row.plan_id else None
    visits = Visit.objects.filter(rep=rep).select_related("account")
    listing = list_page(
        request,
        visits,
        search_fields=("account__name", "outcome", "notes", "keywords"),
        sort_options=VISIT_SORTS,
        default_sort="-at",
        filters={"days": str(days)},
    )
    context = {
        "rep": rep,
        "row": row,
        "plan": plan,
        "channels": team_selectors.call_plan_channel_attainment(plan=plan) if plan else [],
        "products": team_selectors.call_plan_product_attainment(plan=plan) if plan else [],
        "per_day": team_selectors.visits_per_day(
            rep=rep, first=today - timedelta(days=days - 1), last=today
        ),
        "overdue": team_selectors.overdue_follow_ups_for(rep=rep, on=today),
        "list": listing,
        "days": days,
        "windows": WINDOWS,
        "today": today,
    }
    if request.headers.get("HX-Request"):
        return render(request, "field/team/rep.html#rows", context)
    return render(request, "field/team/rep.html", context)


def _team_visit(user: User, visit_id: int, on: date) -> Visit:
    visit = Visit.objects.select_related("account", "rep").filter(pk=visit_id).first()
    if visit is None:
        raise Http404(_("No such visit."))
    team_selectors.team_rep_get_for(user=user, rep_id=visit.rep_id, on=on)
    return visit


@require_http_methods(["GET", "POST"])
def visit_correct(request: HttpRequest, visit_id: int) -> HttpResponse:
    """A manager corrects a rep's visit, always with a reason the audit trail keeps."""
    user = _manager(request)
    visit = _team_visit(user, visit_id, timezone.localdate())
    initial = {
        "at": timezone.localtime(visit.at).strftime("%Y-%m-%dT%H:%M"),
        "channel": visit.channel,
        "status": visit.status,
        "outcome": visit.outcome,
        "next_step": visit.next_step,
        "notes": visit.notes,
    }
    form = VisitCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        reason = values.pop("reason")
        changes = {k: v for k, v in values.items() if v != getattr(visit, k)}
        try:
            visit_services.visit_correct(by=user, visit=visit, reason=reason, **changes)
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Corrected the visit; the reason is in its history."))
            return redirect("field-team-rep", rep_id=visit.rep_id)
    context = {
        "visit": visit,
        "form": form,
        "history": core_selectors.audit_history_for(obj=visit),
    }
    return render(request, "field/team/visit_correct.html", context)
