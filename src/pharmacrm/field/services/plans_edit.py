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
lines that already have priorities are left alone (idempotent). Generation applies the rule
itself (``call_plan_priorities_fill``, in bulk, with the default ``limit`` 3 and
``lookback_days`` 90), so every generated plan — CLI, demo, pages, API — has them; the plan
page's button (``call_plan_priorities_generate``) fills lines that got none then.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
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


@dataclass(frozen=True)
class ProductHistory:
    """How often each product was discussed on done visits in the window before a period.

    ``by_account``: account id → product id → mentions (by any rep); ``by_rep``: rep id →
    product id → mentions over all the rep's accounts (the portfolio focus).
    """

    by_account: dict[int, Counter[int]]
    by_rep: dict[int, Counter[int]]

    def priorities(self, *, account_id: int, rep_id: int, limit: int) -> list[int]:
        """The module's rule: the account's own history, else the rep's portfolio."""
        return _ranked(self.by_account.get(account_id, Counter()), limit) or _ranked(
            self.by_rep.get(rep_id, Counter()), limit
        )


def product_history_read(
    *,
    period_start: date,
    lookback_days: int = 90,
    account_ids: Collection[int] | None = None,
    rep_ids: Collection[int] | None = None,
) -> ProductHistory:
    """Mentions of products on done visits in the ``lookback_days`` before ``period_start``.

    Two grouped queries over the visits' product links (counted in the database, so 2 M
    visits send back one row per account × product, not per mention). The window is local
    days, read as a range on the visit time (the ``at`` index serves it). ``account_ids`` and
    ``rep_ids`` narrow the reads for one plan; ``None`` reads every account or rep (bulk
    generation of all plans reads the window once).
    """
    tz = timezone.get_current_timezone()
    first = period_start - timedelta(days=lookback_days)
    links = Visit.products.through.objects.filter(
        visit__status=VisitStatus.DONE,
        visit__at__gte=datetime.combine(first, time.min, tzinfo=tz),
        visit__at__lt=datetime.combine(period_start, time.min, tzinfo=tz),
    )
    by_account: dict[int, Counter[int]] = defaultdict(Counter)
    accounts = links if account_ids is None else links.filter(visit__account_id__in=account_ids)
    for account_id, product_id, mentions in (
        accounts.values_list("visit__account_id", "product_id")
        .annotate(mentions=Count("pk"))
        .order_by()
    ):
        by_account[account_id][product_id] = mentions
    by_rep: dict[int, Counter[int]] = defaultdict(Counter)
    reps = links if rep_ids is None else links.filter(visit__rep_id__in=rep_ids)
    for rep_id, product_id, mentions in (
        reps.values_list("visit__rep_id", "product_id").annotate(mentions=Count("pk")).order_by()
    ):
        by_rep[rep_id][product_id] = mentions
    return ProductHistory(by_account=dict(by_account), by_rep=dict(by_rep))


def _lines_to_fill(plans: Sequence[CallPlan]) -> QuerySet[CallPlanLine]:
    # Generated account lines that have no priorities yet; manual lines are the manager's.
    return CallPlanLine.objects.filter(
        plan__in=[plan.pk for plan in plans],
        contact__isnull=True,
        is_manual=False,
        products__isnull=True,
    )


def call_plan_priorities_fill(
    *, plans: Sequence[CallPlan], history: ProductHistory, limit: int = 3
) -> int:
    """Give the generated lines of ``plans`` that have no priorities their products, in bulk.

    Called by generation (``call_plans``) inside its transaction: one read of the lines to
    fill and one insert of the links in batches, whatever the number of lines. Like the
    lines generation inserts in bulk, the links get no per-line audit row (the plan's own
    row records who generated it). Idempotent: lines with priorities are skipped, and a link
    a concurrent run inserted first is ignored. Returns the number of lines that got products.
    """
    if not plans:
        return 0
    rep_of = {plan.pk: plan.rep_id for plan in plans}
    link = CallPlanLine.products.through
    links: list[Any] = []
    filled = 0
    for line_id, plan_id, account_id in _lines_to_fill(plans).values_list(
        "pk", "plan_id", "account_id"
    ):
        chosen = history.priorities(account_id=account_id, rep_id=rep_of[plan_id], limit=limit)
        if chosen:
            filled += 1
            links.extend(link(callplanline_id=line_id, product_id=pk) for pk in chosen)
    link.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    return filled


def call_plan_priorities_generate(
    *, by: User | None, plan: CallPlan, limit: int = 3, lookback_days: int = 90
) -> int:
    """Give each generated line without priorities its products by the module's rule.

    The plan page's button: for lines that had no history when the plan was generated (or
    whose products a manager cleared). Each line changed gets an audit row as ``by``
    (``None`` for the system). Returns the number of lines that got products.
    """
    lines = list(_lines_to_fill([plan]))
    if not lines:
        return 0
    history = product_history_read(
        period_start=plan.period_start,
        lookback_days=lookback_days,
        account_ids=[line.account_id for line in lines],
        rep_ids=[plan.rep_id],
    )
    filled = 0
    with transaction.atomic():
        for line in lines:
            chosen = history.priorities(account_id=line.account_id, rep_id=plan.rep_id, limit=limit)
            if not chosen:
                continue
            stamp(line, by=by)
            line.products.set(chosen)
            filled += 1
    return filled
