"""Managers' edits of call plans, and priority products of generated lines.

**Editing a line.** A regional manager (for the reps of their team), a director or an
administrator changes a line's visit goals or priority products. The line becomes *manual*
(``is_manual``): regeneration from the rules leaves it alone from then on. Audited with the
editor and an optional reason. Channel goals may not add up to more than the planned visits
(a plan of 2 visits with 3 in-person goals cannot be met and hides a typing error).

**Priority products.** Generation from the grade × tier rules (``call_plans``) says how often;
which products to detail comes from here, by a documented rule a manager can override per line:

1. the products discussed most often on done visits to the account in the ``lookback_days``
   before the period start (what this customer already talks about with us), up to ``limit``;
2. if the account has no such history, the products discussed most often by the same rep over
   all their accounts in that window (the rep's portfolio focus), up to ``limit``.

Ties break on the product id, so the same history gives the same priorities. Manual lines and
lines that already have priorities are left alone (idempotent).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.catalog.models import Product
from pharmacrm.core.models import User
from pharmacrm.field.models import CallPlan, CallPlanLine, Visit, VisitStatus
from pharmacrm.field.selectors_team import ROLES_SEEING_TEAMS, team_rep_ids_for
from pharmacrm.field.services._audit import stamp

GOALS = ("in_person_goal", "phone_goal", "remote_goal", "messenger_goal")


def _require_manager_of(*, by: User, plan: CallPlan) -> None:
    if by.roles & ROLES_SEEING_TEAMS:
        team = team_rep_ids_for(user=by, on=timezone.localdate())
        if team is None or plan.rep_id in team:
            return
    raise ValidationError(
        {"plan": _("Only the rep's regional manager, a director or an administrator edits it.")}
    )


def call_plan_line_update(
    *,
    by: User,
    line: CallPlanLine,
    planned_visits: int,
    in_person_goal: int,
    phone_goal: int,
    remote_goal: int,
    messenger_goal: int,
    products: Sequence[Product] = (),
    reason: str = "",
) -> CallPlanLine:
    """Set a line's goals and priority products and mark it manual; audited.

    Raises ``ValidationError`` naming ``plan`` when ``by`` does not manage the plan's rep and
    ``planned_visits`` when the channel goals add up to more than it; nothing is saved then.
    """
    _require_manager_of(by=by, plan=line.plan)
    goals = {
        "in_person_goal": in_person_goal,
        "phone_goal": phone_goal,
        "remote_goal": remote_goal,
        "messenger_goal": messenger_goal,
    }
    if sum(goals.values()) > planned_visits:
        raise ValidationError(
            {
                "planned_visits": _(
                    "The channel goals add up to %(goals)d, more than the %(planned)d planned "
                    "visits."
                )
                % {"goals": sum(goals.values()), "planned": planned_visits}
            }
        )
    line.planned_visits = planned_visits
    for name, value in goals.items():
        setattr(line, name, value)
    line.is_manual = True
    line.full_clean()
    with transaction.atomic():
        stamp(line, by=by, reason=reason.strip())
        line.save()
        line.products.set(products)
    return line


def _ranked(counter: Counter[int], limit: int) -> list[int]:
    return [pk for pk, _n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def call_plan_priorities_generate(
    *, by: User | None, plan: CallPlan, limit: int = 3, lookback_days: int = 90
) -> int:
    """Give each generated line without priorities its products by the module's rule.

    Returns the number of lines that got products. Audited as ``by`` (``None`` for the system).
    """
    since = plan.period_start - timedelta(days=lookback_days)
    lines = list(
        CallPlanLine.objects.filter(
            plan=plan, contact__isnull=True, is_manual=False, products__isnull=True
        )
    )
    if not lines:
        return 0
    discussed = Visit.objects.filter(
        status=VisitStatus.DONE,
        at__date__gte=since,
        at__date__lt=plan.period_start,
        products__isnull=False,
    )
    by_account: dict[int, Counter[int]] = defaultdict(Counter)
    for account_id, product_id in discussed.filter(
        account_id__in=[line.account_id for line in lines]
    ).values_list("account_id", "products__pk"):
        by_account[account_id][product_id] += 1
    portfolio: Counter[int] = Counter(
        discussed.filter(rep_id=plan.rep_id).values_list("products__pk", flat=True)
    )
    fallback = _ranked(portfolio, limit)
    filled = 0
    with transaction.atomic():
        for line in lines:
            chosen = _ranked(by_account[line.account_id], limit) or fallback
            if not chosen:
                continue
            stamp(line, by=by)
            line.products.set(chosen)
            filled += 1
    return filled
