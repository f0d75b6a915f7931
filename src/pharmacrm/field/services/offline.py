"""Synchronising visits a rep logged or edited while offline.

The offline app (``field/static/field/offline.js``) gives every visit it queues a random
``client_uuid`` and, for an edit, the ``version`` of the visit it started from. Sync rules:

- **New visit** (no base version): created through ``visit_log`` with the device's uuid. A
  second sync of the same uuid (the phone lost the answer and retried) finds the stored visit
  and answers ``duplicate``: the visit exists exactly once.
- **Edit based on the current version**: applied through ``visit_correct`` (so a closed visit
  still needs a reason, and the audit trail names who changed what); the version goes up.
- **Edit based on an older version** (the visit was changed on another device or by a manager
  meanwhile): a *conflict*. The stored visit wins, so nothing someone already saw changes
  under them, but the losing edit is not dropped: its differing fields are appended to the
  visit's notes under a dated heading and the audit entry's reason says so. The rep is told
  on the page, and can merge by hand.

Every outcome is a :class:`VisitSyncResult` so the page can say what happened to each queued
visit; a refused visit (outside the territory, invalid values) carries the service's message.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.accounts.models import Account, Contact
from pharmacrm.catalog.models import Product
from pharmacrm.core.models import User
from pharmacrm.field.models import Visit
from pharmacrm.field.services import visits as visit_services
from pharmacrm.field.services._audit import stamp

CREATED = "created"
DUPLICATE = "duplicate"
UPDATED = "updated"
CONFLICT = "conflict"
REFUSED = "refused"

# Fields an offline edit may carry; the same ones a correction may change.
SYNCED_FIELDS = tuple(sorted(visit_services.CORRECTABLE_FIELDS | {"status"}))


@dataclass(frozen=True)
class VisitSyncResult:
    """What became of one queued visit: ``outcome`` is one of the module's constants."""

    client_uuid: uuid.UUID
    outcome: str
    visit_id: int | None = None
    version: int | None = None
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


def _result(visit: Visit, client_uuid: uuid.UUID, outcome: str, message: str) -> VisitSyncResult:
    return VisitSyncResult(
        client_uuid=client_uuid,
        outcome=outcome,
        visit_id=visit.pk,
        version=visit.version,
        message=message,
    )


def _create(
    *,
    by: User,
    client_uuid: uuid.UUID,
    account: Account,
    contacts: Sequence[Contact],
    products: Sequence[Product],
    values: Mapping[str, Any],
) -> VisitSyncResult:
    try:
        with transaction.atomic():
            visit = visit_services.visit_log(
                by=by, account=account, contacts=contacts, products=products, **values
            )
            # The uuid's unique index decides a race between two syncs of the same visit.
            Visit.objects.filter(pk=visit.pk).update(client_uuid=client_uuid)
    except IntegrityError:
        stored = Visit.objects.filter(client_uuid=client_uuid, rep=by).first()
        if stored is None:
            raise
        return _result(stored, client_uuid, DUPLICATE, _("Already saved."))
    return _result(
        visit,
        client_uuid,
        CREATED,
        _("Saved the visit to %(account)s.") % {"account": account.name},
    )


def _describe(value: object) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _label(name: str) -> str:
    field = Visit._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _keep_losing_edit(
    *, by: User, visit: Visit, client_uuid: uuid.UUID, changes: Mapping[str, Any]
) -> VisitSyncResult:
    differing = {name: value for name, value in changes.items() if getattr(visit, name) != value}
    if not differing:
        # Both devices made the same change: nothing is lost by keeping the stored visit.
        return _result(visit, client_uuid, UPDATED, _("Already up to date."))
    heading = _("Offline edit of %(when)s not applied (the visit had changed meanwhile):") % {
        "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")
    }
    lines = [heading] + [
        f"- {_label(name)}: {_describe(value)}" for name, value in sorted(differing.items())
    ]
    visit.notes = "\n\n".join(part for part in (visit.notes.strip(), "\n".join(lines)) if part)
    with transaction.atomic():
        visit_services.visit_version_raise(visit)
        stamp(visit, by=by, reason=_("Conflicting offline edit kept in the notes."))
        visit.save(update_fields=["notes", "version", "updated_at"])
    return _result(
        visit,
        client_uuid,
        CONFLICT,
        _(
            "The visit to %(account)s was changed on another device before your offline edit "
            "arrived. The other change was kept; your edit is saved in the visit's notes."
        )
        % {"account": visit.account.name},
    )


def visit_sync(
    *,
    by: User,
    client_uuid: uuid.UUID,
    base_version: int | None,
    account: Account,
    at: datetime,
    visit_id: int | None = None,
    contacts: Sequence[Contact] | None = None,
    products: Sequence[Product] | None = None,
    reason: str = "",
    **values: Any,
) -> VisitSyncResult:
    """Store one visit queued on ``by``'s device (see the module docstring for the rules).

    ``values`` are ``visit_log`` keywords (channel, status, outcome, notes…). Returns the
    outcome; a refusal by the visit services (territory, contacts, invalid field, a closed
    visit edited without ``reason``) comes back as ``refused`` with the field errors, nothing
    saved. A uuid that belongs to another rep's visit is refused the same way, without saying
    whose it is.

    An edit names its visit by ``visit_id`` (a visit first logged online has no device uuid;
    ``client_uuid`` then only identifies the queued edit) or by the uuid it was created with.
    ``contacts`` and ``products`` left ``None`` keep an edited visit's own.
    """
    rows = Visit.objects.select_related("account")
    if visit_id is not None:
        stored = rows.filter(pk=visit_id, rep=by).first()
        if stored is None or base_version is None:
            return VisitSyncResult(
                client_uuid=client_uuid,
                outcome=REFUSED,
                message=_("The visit this edit is based on does not exist."),
                errors={"visit_id": [_("The visit this edit is based on does not exist.")]},
            )
    else:
        stored = rows.filter(client_uuid=client_uuid).first()
    try:
        if stored is not None and stored.rep_id != by.pk:
            raise ValidationError({"client_uuid": _("This device id is already in use.")})
        if stored is None and base_version is not None:
            raise ValidationError(
                {"client_uuid": _("The visit this edit is based on does not exist.")}
            )
        if stored is None:
            return _create(
                by=by,
                client_uuid=client_uuid,
                account=account,
                contacts=contacts or (),
                products=products or (),
                values={"at": at, **values},
            )
        if base_version is None:
            return _result(stored, client_uuid, DUPLICATE, _("Already saved."))
        if stored.account_id != account.pk:
            raise ValidationError({"account": _("The account of a visit cannot be changed.")})
        changes = {
            name: value for name, value in {"at": at, **values}.items() if name in SYNCED_FIELDS
        }
        if base_version != stored.version:
            return _keep_losing_edit(by=by, visit=stored, client_uuid=client_uuid, changes=changes)
        if contacts is not None:
            visit_services._require_contacts_of(account=stored.account, contacts=contacts)
        with transaction.atomic():
            visit = visit_services.visit_correct(by=by, visit=stored, reason=reason, **changes)
            if contacts is not None:
                visit.contacts.set(contacts)
            if products is not None:
                visit.products.set(products)
        return _result(visit, client_uuid, UPDATED, _("Saved your edit."))
    except ValidationError as refused:
        return VisitSyncResult(
            client_uuid=client_uuid,
            outcome=REFUSED,
            message=" ".join(m for msgs in refused.message_dict.values() for m in msgs),
            errors=refused.message_dict,
        )
