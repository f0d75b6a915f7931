"""Field-force API (mounted at ``/api/v1/field``): call plans, visits and tasks.

Reads go through the field selectors' scoping (a rep sees their own, a manager their team);
an account is fetched through the customer master's door on the visit's date, so a rep outside
the territory gets 404 and learns nothing about the account. Errors are problem+json.
"""

# No ``from __future__ import annotations`` here: ninja builds its query-parameter models from
# the live annotations, and a postponed ``date`` is left undefined (PydanticUserError).
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors as field_selectors
from pharmacrm.field.models import CallPlan, Task, Visit
from pharmacrm.field.schemas import (
    FieldTaskIn,
    FieldTaskOut,
    PlanDetailOut,
    PlanOut,
    VisitIn,
    VisitOut,
    share,
)
from pharmacrm.field.services import materials as material_services
from pharmacrm.field.services import tasks as task_services
from pharmacrm.field.services import visits as visit_services

router = Router()


def _user(request: HttpRequest, *roles: Role) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the API's auth admits only users
    if roles and not user.has_role(*roles):
        raise PermissionDenied("Your role does not allow this action.")
    return user


def _plan_out(plan: CallPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "rep_id": plan.rep_id,
        "rep_username": plan.rep.username,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
    }


def _visit_out(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "rep_id": visit.rep_id,
        "account_id": visit.account_id,
        "account_name": visit.account.name,
        "at": visit.at,
        "channel": visit.channel,
        "status": visit.status,
        "outcome": visit.outcome,
        "next_step": visit.next_step,
        "follow_up_on": visit.follow_up_on,
    }


@router.get("/plans", response=list[PlanOut], summary="Call plans in scope")
@paginate(BoundedPagination)
def plan_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_plan_out(p) for p in field_selectors.call_plan_list_for(user=_user(request))]


@router.get("/plans/{plan_id}", response=PlanDetailOut, summary="A call plan with attainment")
def plan_get(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    plan = field_selectors.call_plan_get_for(user=_user(request), plan_id=plan_id)
    lines = field_selectors.call_plan_line_detail(plan=plan)
    overall = field_selectors.call_plan_attainment(plan=plan)
    return {
        **_plan_out(plan),
        "planned_visits": overall.planned,
        "done_visits": overall.done,
        "attainment": share(overall.share),
        "lines": lines,
    }


@router.get("/visits", response=list[VisitOut], summary="Visits in scope")
@paginate(BoundedPagination)
def visit_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_visit_out(v) for v in field_selectors.visit_list_for(user=_user(request))]


@router.post("/visits", response={201: VisitOut}, summary="Log a visit")
def visit_create(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    user = _user(request, Role.SALES_REP)
    day = timezone.localdate(payload.at)
    account = account_selectors.account_get_for(user=user, account_id=payload.account_id, on=day)
    values = payload.dict(exclude={"account_id", "contact_ids", "material_ids"})
    values["materials"] = material_services.material_versions_resolve(
        by=user, ids=payload.material_ids
    )
    contacts = [
        account_selectors.contact_get_for(user=user, contact_id=pk, on=day)
        for pk in payload.contact_ids
    ]
    visit = visit_services.visit_log(by=user, account=account, contacts=contacts, **values)
    return Status(201, _visit_out(visit))


@router.get("/tasks", response=list[FieldTaskOut], summary="My open tasks due by a date")
@paginate(BoundedPagination)
def task_list(request: HttpRequest, due_by: date | None = None) -> Any:
    day = due_by or timezone.localdate()
    return field_selectors.task_list_open_for(user=_user(request), due_by=day)


@router.post("/tasks", response={201: FieldTaskOut}, summary="Create a task for oneself")
def task_create(request: HttpRequest, payload: FieldTaskIn) -> Status[Task]:
    user = _user(request)
    task = task_services.task_create(
        by=user, title=payload.title, due_on=payload.due_on, reminder_at=payload.reminder_at
    )
    return Status(201, task)
