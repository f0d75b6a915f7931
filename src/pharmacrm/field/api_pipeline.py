"""Pipeline API (mounted at ``/api/v1/field/pipeline``): opportunities, stage moves, funnel.

Reads go through :mod:`pharmacrm.field.selectors_pipeline` (rep: own; manager: team;
director and administrator: all); the account of a new opportunity is fetched through the
customer master's door, so a rep outside the territory gets 404. Errors are problem+json.
"""

# No ``from __future__ import annotations``: ninja builds its models from live annotations.
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors_pipeline as pipeline_selectors
from pharmacrm.field.models import Opportunity
from pharmacrm.field.services import opportunities as opportunity_services

router = Router()


class OpportunityIn(Schema):
    """A new opportunity of the signed-in rep."""

    account_id: int
    title: str = Field(max_length=200)
    kind: str
    expected_value: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)
    probability: int = Field(ge=0, le=100)
    expected_close_on: date | None = None


class OpportunityMoveIn(Schema):
    """A stage move; ``reason`` is required for won and lost."""

    stage: str
    reason: str = Field(default="", max_length=300)


class OpportunityReassignIn(Schema):
    """The rep to hand the opportunity to, and why (kept in the audit trail)."""

    owner_id: int
    reason: str = Field(default="", max_length=300)


class StageChangeOut(Schema):
    """One stage the opportunity entered."""

    from_stage: str
    to_stage: str
    changed_at: datetime
    changed_by: str | None


class OpportunityOut(Schema):
    """An opportunity in a list."""

    id: int
    title: str
    kind: str
    account_id: int
    account_name: str
    owner_id: int
    owner_username: str
    stage: str
    expected_value: Decimal
    currency: str
    probability: int
    expected_close_on: date | None
    close_reason: str
    closed_at: datetime | None


class OpportunityDetailOut(OpportunityOut):
    """An opportunity with its stage history."""

    stage_history: list[StageChangeOut]


class StageConversionOut(Schema):
    """Reached a stage, advanced to the next, and the rate (``None`` when none reached it)."""

    stage: str
    reached: int
    advanced: int
    rate: float | None


class FunnelOut(Schema):
    """One funnel: per-stage conversion and the win rate."""

    stages: list[StageConversionOut]
    won: int
    lost: int
    win_rate: float | None


class RepFunnelOut(FunnelOut):
    """The funnel of one rep's opportunities."""

    owner_id: int


class ConversionOut(Schema):
    """The funnel of everything in scope and of each rep."""

    overall: FunnelOut
    per_rep: list[RepFunnelOut]


def _user(request: HttpRequest, *roles: Role) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the API's auth admits only users
    if roles and not user.has_role(*roles):
        raise PermissionDenied("Your role does not allow this action.")
    return user


def _out(opportunity: Opportunity) -> dict[str, Any]:
    return {
        "id": opportunity.pk,
        "title": opportunity.title,
        "kind": opportunity.kind,
        "account_id": opportunity.account_id,
        "account_name": opportunity.account.name,
        "owner_id": opportunity.owner_id,
        "owner_username": opportunity.owner.username,
        "stage": opportunity.stage,
        "expected_value": opportunity.expected_value,
        "currency": opportunity.currency,
        "probability": opportunity.probability,
        "expected_close_on": opportunity.expected_close_on,
        "close_reason": opportunity.close_reason,
        "closed_at": opportunity.closed_at,
    }


def _detail(opportunity: Opportunity) -> dict[str, Any]:
    history = pipeline_selectors.opportunity_stage_history(opportunity=opportunity)
    return {
        **_out(opportunity),
        "stage_history": [
            {
                "from_stage": change.from_stage,
                "to_stage": change.to_stage,
                "changed_at": change.changed_at,
                "changed_by": change.changed_by.username if change.changed_by else None,
            }
            for change in history
        ],
    }


def _funnel(funnel: pipeline_selectors.Conversion) -> dict[str, Any]:
    return {
        "stages": [
            {
                "stage": s.stage,
                "reached": s.reached,
                "advanced": s.advanced,
                "rate": None if s.rate is None else round(float(s.rate), 4),
            }
            for s in funnel.stages
        ],
        "won": funnel.won,
        "lost": funnel.lost,
        "win_rate": None if funnel.win_rate is None else round(float(funnel.win_rate), 4),
    }


@router.get("/opportunities", response=list[OpportunityOut], summary="Opportunities in scope")
@paginate(BoundedPagination)
def opportunity_list(
    request: HttpRequest, stage: str = "", owner_id: int | None = None, kind: str = ""
) -> list[dict[str, Any]]:
    """Opportunities in the caller's scope, newest first, optionally by stage, owner, kind."""
    rows = pipeline_selectors.opportunity_list_for(
        user=_user(request), stage=stage, owner_id=owner_id, kind=kind
    )
    return [_out(o) for o in rows]


@router.post("/opportunities", response={201: OpportunityDetailOut}, summary="Open one")
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status[dict[str, Any]]:
    """Open an opportunity for the signed-in rep on an account in their territory."""
    user = _user(request, Role.SALES_REP)
    account = account_selectors.account_get_for(user=user, account_id=payload.account_id)
    values = payload.dict(exclude={"account_id"})
    values["currency"] = values["currency"].upper()
    opportunity = opportunity_services.opportunity_create(
        by=user, owner=user, account=account, **values
    )
    return Status(201, _detail(opportunity))


@router.get("/opportunities/{opportunity_id}", response=OpportunityDetailOut, summary="One")
def opportunity_get(request: HttpRequest, opportunity_id: int) -> dict[str, Any]:
    """One opportunity in scope with its stage history; 404 outside the scope."""
    opportunity = pipeline_selectors.opportunity_get_for(
        user=_user(request), opportunity_id=opportunity_id
    )
    return _detail(opportunity)


@router.post(
    "/opportunities/{opportunity_id}/move", response=OpportunityDetailOut, summary="Move stage"
)
def opportunity_move(
    request: HttpRequest, opportunity_id: int, payload: OpportunityMoveIn
) -> dict[str, Any]:
    """Move to another stage; won and lost need ``reason`` (422 naming ``close_reason``)."""
    user = _user(request)
    opportunity = pipeline_selectors.opportunity_get_for(user=user, opportunity_id=opportunity_id)
    opportunity_services.opportunity_move(
        by=user, opportunity=opportunity, to_stage=payload.stage, reason=payload.reason
    )
    return _detail(opportunity)


@router.post(
    "/opportunities/{opportunity_id}/reassign",
    response=OpportunityDetailOut,
    summary="Hand to another rep",
)
def opportunity_reassign(
    request: HttpRequest, opportunity_id: int, payload: OpportunityReassignIn
) -> dict[str, Any]:
    """Hand the opportunity to a rep who covers its account today (managers only).

    A regional manager (their team), a director or an administrator; 403 for other roles,
    422 naming ``owner`` for anyone else as the new owner (an unknown id alike).
    """
    user = _user(request)
    opportunity = pipeline_selectors.opportunity_get_for(user=user, opportunity_id=opportunity_id)
    if not user.has_role(Role.REGIONAL_MANAGER, Role.DIRECTOR, Role.ADMINISTRATOR):
        raise PermissionDenied("Your role does not allow this action.")
    owner = User.objects.filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner": opportunity_services.not_a_candidate_message()})
    opportunity_services.opportunity_reassign(
        by=user, opportunity=opportunity, owner=owner, reason=payload.reason
    )
    return _detail(opportunity)


@router.get("/conversion", response=ConversionOut, summary="Conversion by stage and rep")
def conversion(request: HttpRequest) -> dict[str, Any]:
    """Conversion per stage and win rate over the caller's scope, overall and per rep."""
    scoped = pipeline_selectors.opportunity_list_for(user=_user(request))
    overall, per_owner = pipeline_selectors.pipeline_conversion(opportunities=scoped)
    return {
        "overall": _funnel(overall),
        "per_rep": [{**_funnel(f), "owner_id": pk} for pk, f in per_owner.items()],
    }
