"""Territories API (mounted at ``/api/v1/territories``): the tree, assignments, handover.

Reading the tree and assignments is for administrators, directors and regional managers;
writing for administrators.
"""

# No ``from __future__ import annotations`` here: ninja's ``@paginate`` rebuilds the query
# schema outside this module, where a string annotation such as ``"date | None"`` cannot be
# resolved (the assignment list answered 500 for ``?on=``).
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.core.roles import Role
from pharmacrm.territories import selectors as territory_selectors
from pharmacrm.territories import services as territory_services
from pharmacrm.territories.models import Territory
from pharmacrm.territories.schemas import (
    AssignmentIn,
    AssignmentOut,
    HandoverIn,
    TerritoryIn,
    TerritoryOut,
)

router = Router()
VIEWERS = (Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER)


def _user(request: HttpRequest, *roles: Role) -> User:
    user = request.user
    assert isinstance(user, User)
    if not user.has_role(*roles):
        raise PermissionDenied("Your role does not allow this action.")
    return user


def _assignment_out(assignment: Any) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "user_id": assignment.user_id,
        "username": assignment.user.get_username(),
        "territory_id": assignment.territory_id,
        "starts_on": assignment.starts_on,
        "ends_on": assignment.ends_on,
    }


@router.get("/assignments", response=list[AssignmentOut], summary="Assignments")
@paginate(BoundedPagination)
def assignment_list(
    request: HttpRequest, user_id: int | None = None, on: date | None = None
) -> list[dict[str, Any]]:
    _user(request, *VIEWERS)
    rows = territory_selectors.assignment_list(user_id=user_id, on=on)
    return [_assignment_out(a) for a in rows]


@router.post("/assignments", response={201: AssignmentOut}, summary="Assign a user")
def assignment_create(request: HttpRequest, payload: AssignmentIn) -> Status:
    by = _user(request, Role.ADMINISTRATOR)
    assignment = territory_services.assignment_create(
        by=by,
        user=get_object_or_404(User, username=payload.username),
        territory=get_object_or_404(Territory, code=payload.territory_code),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, _assignment_out(assignment))


@router.post("/handover", response=list[AssignmentOut], summary="Hand over a user's territories")
def handover(request: HttpRequest, payload: HandoverIn) -> list[dict[str, Any]]:
    by = _user(request, Role.ADMINISTRATOR)
    created = territory_services.territory_handover(
        by=by,
        from_user=get_object_or_404(User, username=payload.from_username),
        to_user=get_object_or_404(User, username=payload.to_username),
        on=payload.on,
    )
    return [_assignment_out(a) for a in created]


@router.get("/", response=list[TerritoryOut], summary="Territory nodes")
@paginate(BoundedPagination)
def territory_list(request: HttpRequest) -> Any:
    _user(request, *VIEWERS)
    return territory_selectors.territory_list()


@router.post("/", response={201: TerritoryOut}, summary="Create or update a node by code")
def territory_upsert(request: HttpRequest, payload: TerritoryIn) -> Status:
    by = _user(request, Role.ADMINISTRATOR)
    parent = get_object_or_404(Territory, code=payload.parent_code) if payload.parent_code else None
    territory, _created = territory_services.territory_upsert(
        by=by, code=payload.code, name=payload.name, level=payload.level, parent=parent
    )
    return Status(201, territory)


@router.get("/{territory_id}", response=TerritoryOut, summary="One node")
def territory_get(request: HttpRequest, territory_id: int) -> Territory:
    _user(request, *VIEWERS)
    return get_object_or_404(Territory, pk=territory_id)
