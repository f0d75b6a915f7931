"""Call-plan pages: plans in scope, one plan's attainment, a manager's edit of a line.

A plan's attainment is shown by line, by channel and by priority product.

Reps see their own plans (read only); regional managers their team's, directors and
administrators all (``selectors.call_plan_list_for``); other roles get 403. Editing a line is a
manager's: a rep gets 403, a plan outside the manager's team 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.core import selectors as core_selectors
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors as field_selectors
from pharmacrm.field import selectors_team as team_selectors
from pharmacrm.field.forms_team import PlanLineForm
from pharmacrm.field.models import CallPlanLine
from pharmacrm.field.services import plans_edit as plan_services

PLAN_SORTS = [
    SortOption("period", gettext_lazy("Period"), ("period_start", "period_end")),
    SortOption("rep", gettext_lazy("Rep"), ("rep__username",)),
]


def _viewer(request: HttpRequest) -> User:
    user = request.user
    allowed = team_selectors.ROLES_SEEING_TEAMS | {Role.SALES_REP}
    if not isinstance(user, User) or not user.roles & allowed:
        raise PermissionDenied(_("Your role does not allow this page."))
    return user


def _manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.roles & team_selectors.ROLES_SEEING_TEAMS:
        raise PermissionDenied(_("Only managers edit call plans."))
    return user


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """Plans in scope, newest period first; searchable by rep."""
    user = _viewer(request)
    listing = list_page(
        request,
        field_selectors.call_plan_list_for(user=user),
        search_fields=("rep__username", "rep__first_name", "rep__last_name"),
        sort_options=PLAN_SORTS,
        default_sort="-period",
    )
    attainment = {plan.pk: field_selectors.call_plan_attainment(plan=plan) for plan in listing.rows}
    rows = [(plan, attainment[plan.pk]) for plan in listing.rows]
    context = {"list": listing, "rows": rows}
    if request.headers.get("HX-Request"):
        return render(request, "field/plans/plan_list.html#rows", context)
    return render(request, "field/plans/plan_list.html", context)


@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A plan's lines with done visits, and attainment by channel and priority product."""
    user = _viewer(request)
    plan = field_selectors.call_plan_get_for(user=user, plan_id=plan_id)
    lines = list(
        CallPlanLine.objects.filter(plan=plan, contact__isnull=True)
        .select_related("account")
        .prefetch_related("products")
        .order_by("account__name", "account_id")
    )
    done = {x.line_id: x.done for x in field_selectors.call_plan_line_attainment(plan=plan)}
    context = {
        "plan": plan,
        "lines": [(line, done.get(line.pk, 0)) for line in lines],
        "overall": field_selectors.call_plan_attainment(plan=plan),
        "channels": team_selectors.call_plan_channel_attainment(plan=plan),
        "products": team_selectors.call_plan_product_attainment(plan=plan),
        "can_edit": bool(user.roles & team_selectors.ROLES_SEEING_TEAMS),
    }
    return render(request, "field/plans/plan_detail.html", context)


@require_http_methods(["GET", "POST"])
def plan_line_edit(request: HttpRequest, plan_id: int, line_id: int) -> HttpResponse:
    """A manager edits a line's goals and priority products; the line becomes manual."""
    user = _manager(request)
    plan = field_selectors.call_plan_get_for(user=user, plan_id=plan_id)
    line = CallPlanLine.objects.select_related("account", "plan").filter(pk=line_id, plan=plan)
    found = line.first()
    if found is None:
        raise Http404(_("No such plan line."))
    initial = {
        "planned_visits": found.planned_visits,
        "in_person_goal": found.in_person_goal,
        "phone_goal": found.phone_goal,
        "remote_goal": found.remote_goal,
        "messenger_goal": found.messenger_goal,
        "products": list(found.products.values_list("pk", flat=True)),
    }
    products = catalog_selectors.product_list(
        filters=catalog_selectors.ProductFilters(is_active=True)
    ).order_by("brand", "pk")
    form = PlanLineForm(request.POST or None, initial=initial, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.call_plan_line_update(by=user, line=found, **form.cleaned_data)
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Saved the line of %(account)s; regeneration will leave it as you set it.")
                % {"account": found.account.name},
            )
            return redirect("field-plan-detail", plan_id=plan.pk)
    context = {
        "plan": plan,
        "line": found,
        "form": form,
        "history": core_selectors.audit_history_for(obj=found),
    }
    return render(request, "field/plans/line_edit.html", context)


@require_POST
def plan_priorities_generate(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A manager fills the priority products of generated lines by the documented rule."""
    user = _manager(request)
    plan = field_selectors.call_plan_get_for(user=user, plan_id=plan_id)
    filled = plan_services.call_plan_priorities_generate(by=user, plan=plan)
    messages.success(request, _("Priority products set on %(n)d lines.") % {"n": filled})
    return redirect("field-plan-detail", plan_id=plan.pk)
