"""Sync endpoint of the offline app (mounted at ``/api/v1/field/sync``).

``POST /visits`` takes the visits a rep's device queued while offline and stores each through
``services.offline.visit_sync`` (idempotent on ``client_uuid``; an edit from an older
``base_version`` is a conflict that keeps both). The browser signs in with its session and
sends the CSRF token (the API's session scheme enforces it); the answer lists one outcome per
queued visit so the page can tell the rep what happened to each. An account or contact the
rep does not see on the visit's date is refused for that visit alone, with the same message
as an unknown one.
"""

# No ``from __future__ import annotations``: ninja reads the live annotations.
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.schemas_sync import VisitSyncBatchIn, VisitSyncIn, VisitSyncOut
from pharmacrm.field.services import offline as offline_services

router = Router()


def _refused(item: VisitSyncIn, field: str, message: str) -> dict[str, Any]:
    return {
        "client_uuid": item.client_uuid,
        "outcome": offline_services.REFUSED,
        "visit_id": None,
        "version": None,
        "message": message,
        "errors": [{"field": field, "message": message}],
    }


def _sync_one(user: User, item: VisitSyncIn) -> dict[str, Any]:
    # A device that sends wall time without an offset means the installation's time zone.
    if timezone.is_naive(item.at):
        item.at = timezone.make_aware(item.at)
    day = timezone.localdate(item.at)
    try:
        account = account_selectors.account_get_for(user=user, account_id=item.account_id, on=day)
    except Http404:
        return _refused(item, "account_id", _("No such account in your territory on that day."))
    contacts = None
    if item.contact_ids is not None:
        try:
            contacts = [
                account_selectors.contact_get_for(user=user, contact_id=pk, on=day)
                for pk in item.contact_ids
            ]
        except Http404:
            message = _("No such contact in your territory on that day.")
            return _refused(item, "contact_ids", message)
    products = None
    if item.product_ids is not None:
        products = list(catalog_selectors.product_list().filter(pk__in=item.product_ids))
        if len(products) != len(set(item.product_ids)):
            return _refused(item, "product_ids", _("No such product."))
    # Only what the device sent: an edit that leaves a field out keeps the stored value.
    values = item.dict(
        exclude_unset=True,
        exclude={
            "client_uuid",
            "base_version",
            "visit_id",
            "account_id",
            "contact_ids",
            "product_ids",
        },
    )
    result = offline_services.visit_sync(
        by=user,
        client_uuid=item.client_uuid,
        base_version=item.base_version,
        visit_id=item.visit_id,
        account=account,
        contacts=contacts,
        products=products,
        **values,
    )
    return {
        "client_uuid": result.client_uuid,
        "outcome": result.outcome,
        "visit_id": result.visit_id,
        "version": result.version,
        "message": result.message,
        "errors": [
            {"field": name, "message": message}
            for name, messages in result.errors.items()
            for message in messages
        ],
    }


@router.post("/visits", response=VisitSyncOut, summary="Sync visits queued offline")
def visit_sync(request: HttpRequest, payload: VisitSyncBatchIn) -> dict[str, Any]:
    """Store each queued visit on its own; one refusal does not stop the others."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the API's auth admits only users
    if not user.has_role(Role.SALES_REP):
        raise PermissionDenied(_("Only sales reps sync visits."))
    return {"results": [_sync_one(user, item) for item in payload.visits]}
