"""Targets API (mounted at ``/api/v1/field/targets``): targets in scope and attainment.

Scoping as on the pages (:mod:`pharmacrm.field.selectors_targets`): a rep sees their own
targets and attainment, a regional manager the team's, director and administrator all.
"""

# No ``from __future__ import annotations``: ninja builds its models from live annotations.
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.field import selectors_targets as target_selectors
from pharmacrm.field.models import Target
from pharmacrm.field.services import targets as target_services

router = Router()


class TargetOut(Schema):
    """One target."""

    id: int
    rep_id: int | None
    territory_id: int | None
    product_id: int | None
    period: str
    period_start: date
    period_end: date
    amount: Decimal
    quantity: Decimal | None
    currency: str
    source: str


class AttainmentRowOut(Schema):
    """One row of a drill-down level; ``attainment`` and ``change`` are shares (0.5 = 50 %)."""

    key: int | None
    label: str
    rank: int
    target: Decimal | None
    actual: float
    previous: float
    attainment: float | None
    change: float | None


class AttainmentOut(Schema):
    """One drill-down level of attainment for a period."""

    level: str
    period: str
    period_start: date
    period_end: date
    currency: str
    rows: list[AttainmentRowOut]
    total: AttainmentRowOut


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the API's auth admits only users
    return user


def _row(row: target_selectors.AttainmentRow) -> dict[str, Any]:
    share = row.attainment
    return {
        "key": row.key,
        "label": row.label,
        "rank": row.rank,
        "target": row.target,
        "actual": row.actual,
        "previous": row.previous,
        "attainment": None if share is None else round(float(share), 4),
        "change": None if row.change is None else round(row.change, 4),
    }


def _period_or_422(period: str) -> target_services.Period:
    """The asked period, or the current quarter; a malformed one is a 422 naming ``period``."""
    try:
        chosen = target_services.period_parse(period) if period else None
    except ValueError as refused:
        raise ValidationError({"period": str(refused)}) from refused
    return chosen or target_services.period_containing(timezone.localdate())


def _report_out(report: Any, chosen: target_services.Period) -> dict[str, Any]:
    """A rep or territory attainment report in the API's ``AttainmentOut`` shape."""
    return {
        "level": report.level,
        "period": chosen.label,
        "period_start": chosen.start,
        "period_end": chosen.end,
        "currency": report.currency,
        "rows": [_row(r) for r in report.rows],
        "total": _row(report.total),
    }


@router.get("", response=list[TargetOut], summary="Targets in scope")
@paginate(BoundedPagination)
def target_list(request: HttpRequest) -> list[Target]:
    """Targets the caller may see, newest period first."""
    return list(target_selectors.target_list_for(user=_user(request)))


@router.get("/attainment", response=AttainmentOut, summary="Attainment with drill-down")
def attainment(
    request: HttpRequest,
    period: str = "",
    region_id: int | None = None,
    rep_id: int | None = None,
    account_id: int | None = None,
    currency: str = "",
) -> dict[str, Any]:
    """Regions, a region's reps, a rep's accounts or a rep's products at one account.

    ``period``: ``2026Q1`` or ``2026-01`` (default: the current quarter).
    """
    chosen = _period_or_422(period)
    report = target_selectors.attainment_report(
        user=_user(request),
        period=chosen,
        currency=currency or None,
        region_id=region_id,
        rep_id=rep_id,
        account_id=account_id if rep_id is not None else None,
    )
    return _report_out(report, chosen)


@router.get(
    "/territory-attainment",
    response=AttainmentOut,
    summary="Territory targets against actuals with drill-down",
)
def territory_attainment(
    request: HttpRequest,
    period: str = "",
    territory_id: int | None = None,
    account_id: int | None = None,
    currency: str = "",
) -> dict[str, Any]:
    """Territories with a territory-only target, a territory's accounts, or their products.

    Only territories the caller covers (a rep their own, a manager their region's).
    ``period``: ``2026Q1`` or ``2026-01`` (default: the current quarter).
    """
    chosen = _period_or_422(period)
    report = target_selectors.territory_attainment_report(
        user=_user(request),
        period=chosen,
        currency=currency or None,
        territory_id=territory_id,
        account_id=account_id if territory_id is not None else None,
    )
    return _report_out(report, chosen)
