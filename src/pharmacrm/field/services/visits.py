"""Logging and correcting visits.

A rep logs a visit only for an account in their territory on the visit's date (asked through
the customer master's one door); a follow-up date becomes a task in the same transaction. A
visit is closed once logged as done: later corrections need a reason, which the audit trail
keeps beside who made them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts.models import Account, Contact
from pharmacrm.catalog.models import Product
from pharmacrm.core.models import User
from pharmacrm.field.models import MaterialVersion, Task, Visit, VisitChannel, VisitStatus
from pharmacrm.field.selectors_team import ROLES_SEEING_TEAMS, team_rep_ids_for
from pharmacrm.field.services import materials as material_services
from pharmacrm.field.services._audit import stamp

# Fields a correction may change; rep and account stay (a visit to another account is
# another visit).
CORRECTABLE_FIELDS = frozenset(
    {
        "channel",
        "at",
        "key_messages",
        "samples",
        "samples_qty",
        "outcome",
        "next_step",
        "follow_up_on",
        "notes",
        "keywords",
    }
)


def _require_covered(*, by: User, account: Account, on: date) -> None:
    try:
        account_selectors.account_get_for(user=by, account_id=account.pk, on=on)
    except Http404:
        raise ValidationError(
            {
                "account": _("%(account)s is not in your territory on %(day)s.")
                % {"account": account.name, "day": on.isoformat()}
            }
        ) from None


def _require_contacts_of(*, account: Account, contacts: Sequence[Contact]) -> None:
    strangers = [c.name for c in contacts if c.account_id != account.pk]
    if strangers:
        raise ValidationError(
            {
                "contacts": _("%(contacts)s do not work at %(account)s.")
                % {"contacts": ", ".join(strangers), "account": account.name}
            }
        )


def _manages_rep(*, by: User, rep_id: int) -> bool:
    if not by.roles & ROLES_SEEING_TEAMS:
        return False
    team = team_rep_ids_for(user=by, on=timezone.localdate())
    return team is None or rep_id in team


def visit_version_raise(visit: Visit) -> None:
    """Raise ``visit.version`` by one in the database and on the instance.

    In the database (``F() + 1``), so two corrections racing each other both count; the row
    saved next and its audit entry carry the new number. Call inside the saving transaction.
    """
    Visit.objects.filter(pk=visit.pk).update(version=F("version") + 1)
    visit.version = Visit.objects.values_list("version", flat=True).get(pk=visit.pk)


def _follow_up_task(*, by: User, visit: Visit) -> Task:
    assert visit.follow_up_on is not None  # noqa: S101 - callers check
    task = Task(
        title=visit.next_step or _("Follow up %(account)s") % {"account": visit.account.name},
        due_on=visit.follow_up_on,
        assignee=visit.rep,
        created_by=by,
        account=visit.account,
        visit=visit,
    )
    task.full_clean()
    stamp(task, by=by)
    task.save()
    return task


def visit_log(
    *,
    by: User,
    account: Account,
    at: datetime,
    channel: str = VisitChannel.IN_PERSON,
    status: str = VisitStatus.DONE,
    contacts: Sequence[Contact] = (),
    products: Sequence[Product] = (),
    key_messages: str = "",
    samples: str = "",
    samples_qty: int = 0,
    outcome: str = "",
    next_step: str = "",
    follow_up_on: date | None = None,
    notes: str = "",
    keywords: str = "",
    materials: Sequence[MaterialVersion] = (),
) -> Visit:
    """Record a visit by ``by`` (the rep) to ``account`` at ``at`` (aware).

    A visit logged as ``done`` is closed at once. A ``follow_up_on`` date creates an open task
    for the rep, due that day, titled with the next step. Audited. Raises ``ValidationError``
    naming ``account`` when the account is outside the rep's territory on the local date of
    ``at``, ``contacts`` when someone met works elsewhere, ``materials`` when a material
    shown is not approved or has expired on that date, or the field of any other invalid
    value; nothing is saved then.
    """
    day = timezone.localdate(at)
    _require_covered(by=by, account=account, on=day)
    _require_contacts_of(account=account, contacts=contacts)
    material_services.material_versions_require_attachable(versions=materials, on=day)
    visit = Visit(
        rep=by,
        account=account,
        at=at,
        channel=channel,
        status=status,
        key_messages=key_messages,
        samples=samples,
        samples_qty=samples_qty,
        outcome=outcome,
        next_step=next_step,
        follow_up_on=follow_up_on,
        notes=notes,
        keywords=keywords,
        closed_at=timezone.now() if status == VisitStatus.DONE else None,
    )
    visit.full_clean()
    with transaction.atomic():
        stamp(visit, by=by)
        visit.save()
        visit.contacts.set(contacts)
        visit.products.set(products)
        visit.materials.set(materials)
        if follow_up_on is not None:
            _follow_up_task(by=by, visit=visit)
    return visit


def visit_correct(*, by: User, visit: Visit, reason: str = "", **changes: Any) -> Visit:
    """Change fields of a visit; once closed, only with a ``reason`` kept in the audit trail.

    The visit's own rep corrects it, and so does a manager who sees the rep's team (a regional
    manager over the rep's territory today, a director, an administrator) — a manager always
    with a reason. Every correction raises ``version`` (the offline sync detects conflicting
    edits by it). Setting ``status`` to done closes the visit; a new ``follow_up_on`` date adds
    a follow-up task. Raises ``ValidationError`` naming ``reason`` when a closed visit (or any
    visit, for a manager) is corrected without one, ``visit`` when ``by`` may not correct it,
    and the field of an unknown or invalid change; nothing is saved then.
    """
    is_own = by.pk == visit.rep_id
    if not is_own and not _manages_rep(by=by, rep_id=visit.rep_id):
        raise ValidationError({"visit": _("Only the rep who logged a visit corrects it.")})
    if not is_own and not reason.strip():
        raise ValidationError({"reason": _("Say why you correct your rep's visit.")})
    unknown = sorted(set(changes) - CORRECTABLE_FIELDS - {"status"})
    if unknown:
        raise ValidationError(
            {unknown[0]: _("%(field)s cannot be corrected.") % {"field": unknown[0]}}
        )
    if visit.closed_at is not None and not reason.strip():
        raise ValidationError({"reason": _("Say why a closed visit is corrected.")})
    previous_follow_up = visit.follow_up_on
    for name, value in changes.items():
        setattr(visit, name, value)
    if visit.status == VisitStatus.DONE and visit.closed_at is None:
        visit.closed_at = timezone.now()
    try:
        visit.full_clean()
    except ValidationError:
        visit.refresh_from_db()
        raise
    with transaction.atomic():
        visit_version_raise(visit)
        stamp(visit, by=by, reason=reason.strip())
        visit.save()
        if visit.follow_up_on is not None and visit.follow_up_on != previous_follow_up:
            _follow_up_task(by=by, visit=visit)
    return visit
