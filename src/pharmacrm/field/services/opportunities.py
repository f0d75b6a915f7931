"""Writes of the new-account pipeline: opening an opportunity, editing it, moving its stage.

Every stage an opportunity enters — the first one included — is written as an
:class:`~pharmacrm.field.models.OpportunityStageChange` in the same transaction as the move,
because conversion rates are counted from those rows, never from the current stage alone.
Closing (won or lost) needs a reason: the win/loss analysis is worthless without it. A closed
opportunity stays closed; new business with the same account is a new opportunity.

**Reassignment** hands an open opportunity to another rep (a rep leaves, territories are
re-cut): the rep's regional manager (both reps in the team), a director or an administrator
does it, never a rep themself (as with tasks, handing work to a colleague goes through the
manager). The new owner must be an active sales rep who covers the account today. Audited
with who and why; the stage history is untouched (conversion per rep counts the owner).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.accounts.models import Account
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors as field_selectors
from pharmacrm.field import selectors_pipeline as pipeline_selectors
from pharmacrm.field.models import Opportunity, OpportunityStage, OpportunityStageChange
from pharmacrm.field.services._audit import stamp

CLOSED_STAGES = frozenset({OpportunityStage.WON, OpportunityStage.LOST})
OPEN_STAGES = (
    OpportunityStage.LEAD,
    OpportunityStage.QUALIFIED,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
)
# Probability a closed opportunity carries from then on: the outcome is known.
CLOSED_PROBABILITY = {OpportunityStage.WON: 100, OpportunityStage.LOST: 0}
EDITABLE_FIELDS = (
    "title",
    "kind",
    "expected_value",
    "currency",
    "probability",
    "expected_close_on",
)


def _check_probability(probability: object) -> None:
    # The database constraint would name itself; people need the field and the range.
    if not isinstance(probability, int) or not 0 <= probability <= 100:
        raise ValidationError({"probability": _("Probability is a percentage from 0 to 100.")})


def opportunity_create(
    *,
    by: User,
    owner: User,
    account: Account,
    title: str,
    kind: str,
    expected_value: Decimal,
    currency: str,
    probability: int,
    expected_close_on: date | None = None,
    at: datetime | None = None,
) -> Opportunity:
    """Open an opportunity at stage *lead* and record that first stage.

    The caller has fetched ``account`` through the customer master's scoping door for ``by``.
    Raises ``ValidationError`` on ``owner`` when the owner is not a sales rep, and the model's
    field errors (probability above 100, unknown kind or currency) otherwise.
    """
    if Role.SALES_REP not in owner.roles:
        raise ValidationError(
            {"owner": _("%(user)s is not a sales rep.") % {"user": owner.get_username()}}
        )
    _check_probability(probability)
    opportunity = Opportunity(
        title=title,
        kind=kind,
        account=account,
        owner=owner,
        stage=OpportunityStage.LEAD,
        expected_value=expected_value,
        currency=currency,
        probability=probability,
        expected_close_on=expected_close_on,
    )
    opportunity.full_clean()
    with transaction.atomic():
        stamp(opportunity, by=by)
        opportunity.save()
        OpportunityStageChange.objects.create(
            opportunity=opportunity,
            from_stage="",
            to_stage=OpportunityStage.LEAD,
            changed_at=at or timezone.now(),
            changed_by=by,
        )
    return opportunity


def opportunity_update(*, by: User, opportunity: Opportunity, **values: object) -> Opportunity:
    """Change the editable fields (title, kind, value, currency, probability, close date).

    The stage moves only through ``opportunity_move``; a closed opportunity is read-only.
    Raises ``ValidationError`` naming the field.
    """
    if opportunity.stage in CLOSED_STAGES:
        raise ValidationError({"stage": _("A closed opportunity cannot be changed.")})
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {"__all__": _("Cannot change %(fields)s.") % {"fields": ", ".join(sorted(unknown))}}
        )
    if "probability" in values:
        _check_probability(values["probability"])
    for name, value in values.items():
        setattr(opportunity, name, value)
    opportunity.full_clean()
    stamp(opportunity, by=by)
    opportunity.save()
    return opportunity


def opportunity_move(
    *,
    by: User,
    opportunity: Opportunity,
    to_stage: str,
    reason: str = "",
    at: datetime | None = None,
) -> Opportunity:
    """Move ``opportunity`` to ``to_stage`` and write the stage change, in one transaction.

    Any open stage may follow any other (deals skip and fall back); won and lost close the
    opportunity, need ``reason`` (kept as ``close_reason`` and as the audit entry's reason)
    and fix the probability at 100 or 0. Raises ``ValidationError`` on ``stage`` for an
    unknown stage, the current stage or a closed opportunity, on ``close_reason`` for a close
    without a reason.
    """
    if to_stage not in OpportunityStage.values:
        raise ValidationError({"stage": _("Unknown stage %(stage)s.") % {"stage": to_stage}})
    if opportunity.stage in CLOSED_STAGES:
        raise ValidationError({"stage": _("This opportunity is closed; open a new one.")})
    if to_stage == opportunity.stage:
        raise ValidationError({"stage": _("The opportunity is already at this stage.")})
    stage = OpportunityStage(to_stage)
    reason = reason.strip()
    if stage in CLOSED_STAGES and not reason:
        raise ValidationError(
            {"close_reason": _("Say why the opportunity was won or lost before closing it.")}
        )
    moved_at = at or timezone.now()
    from_stage = opportunity.stage
    with transaction.atomic():
        opportunity.stage = stage
        if stage in CLOSED_STAGES:
            opportunity.close_reason = reason
            opportunity.closed_at = moved_at
            opportunity.probability = CLOSED_PROBABILITY[stage]
        stamp(opportunity, by=by, reason=reason)
        opportunity.save()
        OpportunityStageChange.objects.create(
            opportunity=opportunity,
            from_stage=from_stage,
            to_stage=stage,
            changed_at=moved_at,
            changed_by=by,
        )
    return opportunity


def not_a_candidate_message() -> str:
    """Why a user cannot take the opportunity; names nobody (any user id may be sent)."""
    return _("Choose a sales rep of your team who covers this account today.")


def opportunity_reassign(
    *, by: User, opportunity: Opportunity, owner: User, reason: str = ""
) -> Opportunity:
    """Hand ``opportunity`` to ``owner`` (module docstring: who may, to whom); audited.

    The caller fetched ``opportunity`` through ``opportunity_get_for(user=by)``. Raises
    ``ValidationError`` on ``owner`` when ``by`` may not reassign, the new owner is the current
    one, is not an active sales rep in ``by``'s sight or does not cover the account today, and
    on ``stage`` for a closed opportunity; nothing is saved then.
    """
    if not by.roles & field_selectors.ROLES_SEEING_TEAMS:
        raise ValidationError(
            {"owner": _("Only a regional manager, a director or an administrator reassigns.")}
        )
    if opportunity.stage in CLOSED_STAGES:
        raise ValidationError({"stage": _("A closed opportunity cannot be changed.")})
    if owner.pk == opportunity.owner_id:
        raise ValidationError({"owner": _("%(user)s already owns it.") % {"user": owner}})
    candidates = pipeline_selectors.opportunity_owner_candidates(user=by, opportunity=opportunity)
    if owner not in candidates:
        raise ValidationError({"owner": not_a_candidate_message()})
    previous = opportunity.owner.get_username()
    note = _("Reassigned from %(previous)s to %(owner)s.") % {
        "previous": previous,
        "owner": owner.get_username(),
    }
    opportunity.owner = owner
    with transaction.atomic():
        stamp(opportunity, by=by, reason=f"{note} {reason.strip()}".strip())
        opportunity.save(update_fields=["owner"])
    return opportunity
