"""Pages of the new-account pipeline: the board (list by stage), detail, forms, stage moves.

Thin: parse, authorise, call one selector or service, render. Who sees which opportunity is
decided by :mod:`pharmacrm.field.selectors_pipeline`; accounts offered in the form come
through the customer master's scoping door.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts.models import AccountStatus
from pharmacrm.core import selectors as core_selectors
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors_pipeline as pipeline_selectors
from pharmacrm.field.forms_pipeline import (
    OpportunityForm,
    OpportunityMoveForm,
    OpportunityReassignForm,
    PipelineFilterForm,
)
from pharmacrm.field.models import Opportunity, OpportunityStage
from pharmacrm.field.services import opportunities as opportunity_services

PIPELINE_ROLES = (Role.SALES_REP, Role.REGIONAL_MANAGER, Role.DIRECTOR, Role.ADMINISTRATOR)
OPPORTUNITY_SORTS = [
    SortOption("created", gettext_lazy("Created"), ("created_at",)),
    SortOption("title", gettext_lazy("Title"), ("title",)),
    SortOption("value", gettext_lazy("Expected value"), ("expected_value",)),
    SortOption("probability", gettext_lazy("Probability"), ("probability",)),
    SortOption("close", gettext_lazy("Expected close"), ("expected_close_on",)),
]
ROLES_REASSIGNING = frozenset({Role.REGIONAL_MANAGER, Role.DIRECTOR, Role.ADMINISTRATOR})
SEARCH_FIELDS = ("title", "account__name", "account__code", "owner__username")


def _user(request: HttpRequest, *roles: Role) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(*(roles or PIPELINE_ROLES)):
        raise PermissionDenied(_("Your role does not allow this page."))
    return user


def _percent(rate: object) -> str:
    return "–" if rate is None else f"{float(rate) * 100:.1f} %"  # type: ignore[arg-type]


@require_GET
def pipeline_list(request: HttpRequest) -> HttpResponse:
    """The board's stage columns, the filtered list, and conversion overall and per rep."""
    user = _user(request)
    owners = pipeline_selectors.opportunity_owner_choices(user=user)
    form = PipelineFilterForm(request.GET or None, owners=owners)
    data = form.cleaned_data if form.is_valid() else {}
    scoped = pipeline_selectors.opportunity_list_for(
        user=user, owner_id=data.get("owner"), kind=data.get("kind", "")
    )
    rows = scoped.filter(stage=data["stage"]) if data.get("stage") else scoped
    page = list_page(
        request,
        rows,
        search_fields=SEARCH_FIELDS,
        sort_options=OPPORTUNITY_SORTS,
        default_sort="-created",
        filters={key: request.GET.get(key, "") for key in ("stage", "owner", "kind")},
    )
    if getattr(request, "htmx", False):
        return render(request, "field/pipeline/list.html#rows", {"list": page})
    overall, per_owner = pipeline_selectors.pipeline_conversion(opportunities=scoped)
    names = dict(owners)
    context = {
        "list": page,
        "filter_form": form,
        "board": pipeline_selectors.pipeline_board(opportunities=scoped),
        "funnel": [(OpportunityStage(s.stage).label, s, _percent(s.rate)) for s in overall.stages],
        "win_rate": _percent(overall.win_rate),
        "per_owner": [
            (
                names.get(owner_id, owner_id),
                [_percent(s.rate) for s in funnel.stages],
                _percent(funnel.win_rate),
            )
            for owner_id, funnel in per_owner.items()
        ],  # fmt: skip
        "can_create": user.has_role(Role.SALES_REP),
    }
    return render(request, "field/pipeline/list.html", context)


@require_GET
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """One opportunity with its stage history, audit trail and the stage-move form."""
    user = _user(request)
    opportunity = pipeline_selectors.opportunity_get_for(user=user, opportunity_id=opportunity_id)
    return _detail(request, opportunity, OpportunityMoveForm())


def _reassign_form(
    request: HttpRequest, user: User, opportunity: Opportunity
) -> OpportunityReassignForm | None:
    """The reassign form for a manager of the owner (``None`` for anyone who may not)."""
    if not user.roles & ROLES_REASSIGNING:
        return None
    candidates = pipeline_selectors.opportunity_owner_candidates(user=user, opportunity=opportunity)
    return OpportunityReassignForm(
        request.POST if request.method == "POST" and "owner" in request.POST else None,
        candidates=[(rep.pk, rep.get_username()) for rep in candidates],
    )


def _detail(
    request: HttpRequest,
    opportunity: Opportunity,
    form: OpportunityMoveForm,
    reassign_form: OpportunityReassignForm | None = None,
) -> HttpResponse:
    user = _user(request)
    is_closed = opportunity.stage in opportunity_services.CLOSED_STAGES
    context = {
        "opportunity": opportunity,
        "stage_history": pipeline_selectors.opportunity_stage_history(opportunity=opportunity),
        "history": core_selectors.audit_history_for(obj=opportunity),
        "move_form": form,
        "reassign_form": None
        if is_closed
        else reassign_form or _reassign_form(request, user, opportunity),
        "is_closed": is_closed,
    }
    return render(request, "field/pipeline/detail.html", context)


@require_POST
def opportunity_reassign(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """A manager hands the opportunity to another rep who covers its account; audited."""
    user = _user(request)
    opportunity = pipeline_selectors.opportunity_get_for(user=user, opportunity_id=opportunity_id)
    if not user.roles & ROLES_REASSIGNING:
        raise PermissionDenied(_("Your role does not allow this action."))
    form = _reassign_form(request, user, opportunity)
    assert form is not None  # noqa: S101 - the role was checked above
    if form.is_valid():
        owner = User.objects.get(pk=form.cleaned_data["owner"])
        try:
            opportunity_services.opportunity_reassign(
                by=user, opportunity=opportunity, owner=owner, reason=form.cleaned_data["reason"]
            )
        except ValidationError as refused:
            opportunity.refresh_from_db()
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("%(title)s now belongs to %(owner)s.")
                % {"title": opportunity.title, "owner": owner.get_username()},
            )
            return redirect("field-opportunity-detail", opportunity_id=opportunity.pk)
    return _detail(request, opportunity, OpportunityMoveForm(), form)


@require_POST
def opportunity_move(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Move the opportunity; a refused move re-renders the detail with the reason named."""
    user = _user(request)
    opportunity = pipeline_selectors.opportunity_get_for(user=user, opportunity_id=opportunity_id)
    form = OpportunityMoveForm(request.POST)
    if form.is_valid():
        try:
            opportunity_services.opportunity_move(
                by=user,
                opportunity=opportunity,
                to_stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as refused:
            opportunity.refresh_from_db()
            for field, errors in refused.message_dict.items():
                target = {"close_reason": "reason"}.get(field, field)
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Moved %(title)s to %(stage)s.")
                % {"title": opportunity.title, "stage": opportunity.get_stage_display()},
            )
            return redirect("field-opportunity-detail", opportunity_id=opportunity.pk)
    return _detail(request, opportunity, form)


@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    """Open an opportunity on one of the rep's prospective accounts (reps only)."""
    user = _user(request, Role.SALES_REP)
    accounts = account_selectors.account_list_for(user=user, status=AccountStatus.PROSPECT)
    form = OpportunityForm(request.POST or None, accounts=accounts.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = opportunity_services.opportunity_create(
                by=user, owner=user, **form.cleaned_data
            )
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, _("Opened %(title)s.") % {"title": opportunity.title})
            return redirect("field-opportunity-detail", opportunity_id=opportunity.pk)
    return render(request, "field/pipeline/form.html", {"form": form, "opportunity": None})


@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Edit value, probability, close date and title of an open opportunity."""
    user = _user(request)
    opportunity = pipeline_selectors.opportunity_get_for(user=user, opportunity_id=opportunity_id)
    initial = {name: getattr(opportunity, name) for name in opportunity_services.EDITABLE_FIELDS}
    form = OpportunityForm(request.POST or None, initial=initial, accounts=None)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity_services.opportunity_update(
                by=user, opportunity=opportunity, **form.cleaned_data
            )
        except ValidationError as refused:
            opportunity.refresh_from_db()
            _add_errors(form, refused)
        else:
            messages.success(request, _("Saved %(title)s.") % {"title": opportunity.title})
            return redirect("field-opportunity-detail", opportunity_id=opportunity.pk)
    context = {"form": form, "opportunity": opportunity}
    return render(request, "field/pipeline/form.html", context)


def _add_errors(form: OpportunityForm, refused: ValidationError) -> None:
    for field, errors in refused.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
