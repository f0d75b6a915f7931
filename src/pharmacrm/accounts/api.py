"""Customer-master API (mounted at ``/api/v1/accounts``): accounts, search, contacts, consumers.

Every read goes through the scoping selectors, so API results equal what the same user sees
on the pages; errors are problem+json (core.problems).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account, Contact
from pharmacrm.accounts.schemas import (
    AccountCreateIn,
    AccountOut,
    AccountUpdateIn,
    ConsumerAggregatesOut,
    ConsumerOut,
    ContactIn,
    ContactOut,
    ErasedOut,
    SearchHitOut,
    StatusIn,
)
from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.core.roles import Role
from pharmacrm.territories import selectors as territory_selectors

router = Router()

ACCOUNT_EDITORS = (Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER)
CONTACT_EDITORS = (*ACCOUNT_EDITORS, Role.SALES_REP)


def _user(request: HttpRequest, *roles: Role) -> User:
    user = request.user
    assert isinstance(user, User)
    if roles and not user.has_role(*roles):
        raise PermissionDenied("Your role does not allow this action.")
    return user


def _territory(code: str | None) -> Any:
    if not code:
        return None
    territory = territory_selectors.territory_get_by_code(code=code)
    if territory is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"territory_code": f"Unknown territory {code}."})
    return territory


@router.get("/search", response=list[SearchHitOut], summary="Typo-tolerant search")
def search(request: HttpRequest, q: str, limit: int = 20) -> list[Any]:
    return account_selectors.account_search_for(user=_user(request), q=q, limit=min(limit, 50))


@router.get("/contacts", response=list[ContactOut], summary="Contacts in scope")
@paginate(BoundedPagination)
def contact_list(request: HttpRequest, account_id: int | None = None) -> Any:
    rows = account_selectors.contact_list_for(user=_user(request), account_id=account_id)
    return rows.order_by("name", "pk")


@router.get("/contacts/{contact_id}", response=ContactOut, summary="One contact")
def contact_get(request: HttpRequest, contact_id: int) -> Contact:
    return account_selectors.contact_get_for(user=_user(request), contact_id=contact_id)


@router.post("/contacts", response={201: ContactOut}, summary="Create a contact")
def contact_create(request: HttpRequest, payload: ContactIn) -> Status:
    user = _user(request, *CONTACT_EDITORS)
    values = payload.dict(exclude_none=True)
    account = account_selectors.account_get_for(user=user, account_id=values.pop("account_id", 0))
    name = values.pop("name", "")
    return Status(
        201, account_services.contact_create(by=user, account=account, name=name, **values)
    )


@router.patch("/contacts/{contact_id}", response=ContactOut, summary="Update a contact")
def contact_update(request: HttpRequest, contact_id: int, payload: ContactIn) -> Contact:
    user = _user(request, *CONTACT_EDITORS)
    contact = account_selectors.contact_get_for(user=user, contact_id=contact_id)
    values = payload.dict(exclude_none=True)
    if "account_id" in values:
        values["account"] = account_selectors.account_get_for(
            user=user, account_id=values.pop("account_id")
        )
    return account_services.contact_update(by=user, contact=contact, **values)


@router.get("/consumers", response=list[ConsumerOut], summary="Consumers (role-aware)")
@paginate(BoundedPagination)
def consumer_list(
    request: HttpRequest, home_outlet_id: int | None = None, grade: str = ""
) -> list[Any]:
    user = _user(request)
    rows = account_selectors.consumer_list_for(
        user=user, home_outlet_id=home_outlet_id, grade=grade
    )
    return _ConsumerViews(user, rows.order_by("card_no"))  # type: ignore[return-value]


@router.get("/consumers/aggregates", response=ConsumerAggregatesOut, summary="Consumers counted")
def consumer_aggregates(request: HttpRequest) -> dict[str, Any]:
    aggregates = account_selectors.consumer_aggregates_for(user=_user(request))

    def pairs(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
        return [{"value": value, "count": n} for value, n in rows]

    return {
        "total": aggregates.total,
        "by_region": pairs(aggregates.by_region),
        "by_gender": pairs(aggregates.by_gender),
        "by_age_band": pairs(aggregates.by_age_band),
        "by_consent": aggregates.by_consent,
    }


@router.get("/consumers/{consumer_id}", response=ConsumerOut, summary="One consumer")
def consumer_get(request: HttpRequest, consumer_id: int) -> dict[str, Any]:
    user = _user(request)
    consumer = account_selectors.consumer_get_for(user=user, consumer_id=consumer_id)
    return account_selectors.consumer_view(user=user, consumer=consumer)


@router.get("/consumers/{consumer_id}/export", summary="Everything held about one person")
def consumer_export(request: HttpRequest, consumer_id: int) -> dict[str, Any]:
    return account_selectors.consumer_export_for(user=_user(request), consumer_id=consumer_id)


@router.post("/consumers/{consumer_id}/erase", response=ErasedOut, summary="Erase a person")
def consumer_erase(request: HttpRequest, consumer_id: int) -> dict[str, str]:
    user = _user(request, Role.ADMINISTRATOR)
    consumer = account_selectors.consumer_get_for(user=user, consumer_id=consumer_id)
    return {"tombstone": account_services.consumer_erase(by=user, consumer=consumer)}


class _ConsumerViews:
    """A lazily sliced queryset mapped through ``consumer_view`` (pagination slices first)."""

    def __init__(self, user: User, rows: Any) -> None:
        self.user = user
        self.rows = rows

    def __len__(self) -> int:
        return int(self.rows.count())

    def count(self) -> int:
        """Total rows (for the paginator)."""
        return int(self.rows.count())

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [
            account_selectors.consumer_view(user=self.user, consumer=c) for c in self.rows[index]
        ]


@router.get("/", response=list[AccountOut], summary="Accounts in scope")
@paginate(BoundedPagination)
def account_list(
    request: HttpRequest,
    kind: str = "",
    tier: str = "",
    status: str = "",
    province: str = "",
    city: str = "",
    rep_id: int | None = None,
    q: str = "",
    grade: str = "",
) -> Any:
    user = _user(request)
    rows = account_selectors.account_list_for(
        user=user,
        kind=kind,
        tier=tier,
        status=status,
        province=province,
        city=city,
        rep_id=rep_id,
        grade=grade,
    )
    if q:
        hits = account_selectors.account_search_for(user=user, q=q, limit=200)
        rows = rows.filter(pk__in=[h.account_id for h in hits])
    if q or rep_id is not None or account_selectors.account_scope_is_bounded(user=user):
        rows, keys = account_selectors.account_rows_sorted_in_memory(rows)
        return rows.order_by(keys["name"], "pk")
    return rows.order_by("name", "pk")


@router.post("/", response={201: AccountOut}, summary="Create an account")
def account_create(request: HttpRequest, payload: AccountCreateIn) -> Status:
    user = _user(request, *ACCOUNT_EDITORS)
    values = payload.dict()
    values["territory"] = _territory(values.pop("territory_code"))
    parent_code = values.pop("parent_code")
    values["parent"] = (
        account_selectors.account_list_for(user=user).filter(code=parent_code).first()
        if parent_code
        else None
    )
    return Status(201, account_services.account_create(by=user, **values))


@router.get("/{account_id}", response=AccountOut, summary="One account")
def account_get(request: HttpRequest, account_id: int) -> Account:
    return account_selectors.account_get_for(user=_user(request), account_id=account_id)


@router.patch("/{account_id}", response=AccountOut, summary="Update an account")
def account_update(request: HttpRequest, account_id: int, payload: AccountUpdateIn) -> Account:
    user = _user(request, *ACCOUNT_EDITORS)
    account = account_selectors.account_get_for(user=user, account_id=account_id)
    values = payload.dict(exclude_none=True)
    if "territory_code" in values:
        values["territory"] = _territory(values.pop("territory_code"))
    return account_services.account_update(by=user, account=account, **values)


@router.post("/{account_id}/status", response=AccountOut, summary="Change an account's status")
def account_status(request: HttpRequest, account_id: int, payload: StatusIn) -> Account:
    user = _user(request, *ACCOUNT_EDITORS)
    account = account_selectors.account_get_for(user=user, account_id=account_id)
    return account_services.account_status_change(
        by=user, account=account, status=payload.status, reason=payload.reason
    )
