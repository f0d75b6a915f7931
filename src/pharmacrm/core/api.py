"""Core API: who am I, API tokens (administrators), background task status."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from pharmacrm.core import selectors as core_selectors
from pharmacrm.core import services as core_services
from pharmacrm.core.models import ApiToken, User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.core.roles import Role
from pharmacrm.core.schemas import MeOut, TaskOut, TokenCreatedOut, TokenIn, TokenOut
from pharmacrm.core.tasks import system_check

router = Router()


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _token_out(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "username": token.user.username,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> dict[str, object]:
    user = _user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "roles": sorted(r.value for r in user.roles),
        "language": user.preferred_language or "",
    }


@router.get("/tokens", response=list[TokenOut], summary="API tokens (administrators)")
@paginate(BoundedPagination)
def token_list(request: HttpRequest) -> list[dict[str, object]]:
    if not _user(request).has_role(Role.ADMINISTRATOR):
        raise HttpError(403, "Only administrators can list API tokens.")
    return [_token_out(t) for t in core_selectors.api_token_list()]


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    owner = get_object_or_404(User, username=payload.username)
    token, raw = core_services.api_token_create(by=_user(request), user=owner, name=payload.name)
    return Status(201, {**_token_out(token), "token": raw})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def token_revoke(request: HttpRequest, token_id: int) -> dict[str, object]:
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id)
    token = core_services.api_token_revoke(by=_user(request), token=token)
    return _token_out(token)


@router.post("/tasks/system-check", response={202: TaskOut}, summary="Enqueue a system check")
def task_system_check(request: HttpRequest) -> Status[dict[str, object]]:
    # The same rule as the page (/system/tasks/): background tasks are administrators' tools.
    if not _user(request).has_role(Role.ADMINISTRATOR):
        raise HttpError(403, "Only administrators can run background tasks.")
    result = system_check.enqueue(requested_by=_user(request).username)
    return Status(202, core_selectors.task_result_get(result_id=str(result.id)))


@router.get("/tasks/{task_id}", response=TaskOut, summary="A background task's state")
def task_get(request: HttpRequest, task_id: str) -> dict[str, object]:
    if not _user(request).has_role(Role.ADMINISTRATOR):
        raise HttpError(403, "Only administrators can see background tasks.")
    return core_selectors.task_result_get(result_id=task_id)
