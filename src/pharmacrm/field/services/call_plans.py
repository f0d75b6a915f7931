"""Generation of call plans from the grade × tier rules.

A plan line says how often a rep must see an account in a period. Lines come from
:class:`~pharmacrm.field.models.CallPlanRule` over the accounts in the rep's territories on
the period start, read through the customer master's one scoping door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.models import CallPlan, CallPlanLine, CallPlanRule
from pharmacrm.field.services._audit import stamp

GOAL_FIELDS = ("in_person_goal", "phone_goal", "remote_goal", "messenger_goal")


@dataclass(frozen=True)
class LineGoals:
    """What the rules ask of one account over a whole period."""

    planned_visits: int
    in_person_goal: int
    phone_goal: int
    remote_goal: int
    messenger_goal: int


def months_spanned(*, period_start: date, period_end: date) -> int:
    """Calendar months the period touches: 1 January–31 March is 3, 15–20 May is 1.

    Plans are made for whole months or quarters; a part month counts as a month so that a
    grade S account is never planned for zero visits.
    """
    return (period_end.year - period_start.year) * 12 + period_end.month - period_start.month + 1


def _rules_by_key() -> dict[tuple[str, str, str], CallPlanRule]:
    return {(r.grade, r.tier, r.kind): r for r in CallPlanRule.objects.all()}


def _goals_for(
    grade: str, tier: str, kind: str, rules: dict[tuple[str, str, str], CallPlanRule], months: int
) -> LineGoals | None:
    # A rule naming the account's kind wins over the tier-wide rule (empty kind).
    rule = rules.get((grade, tier, kind)) or rules.get((grade, tier, ""))
    if rule is None or rule.visits_per_month == 0:
        return None
    return LineGoals(
        planned_visits=rule.visits_per_month * months,
        in_person_goal=rule.in_person_goal * months,
        phone_goal=rule.phone_goal * months,
        remote_goal=rule.remote_goal * months,
        messenger_goal=rule.messenger_goal * months,
    )


def _goals_of(line: CallPlanLine) -> LineGoals:
    return LineGoals(
        planned_visits=line.planned_visits,
        in_person_goal=line.in_person_goal,
        phone_goal=line.phone_goal,
        remote_goal=line.remote_goal,
        messenger_goal=line.messenger_goal,
    )


# Only changed lines are rewritten: bulk_update of every line is one CASE per column over the
# whole plan and made a re-run 8× slower than the first run (50 reps × 160 lines, SQLite).
def call_plan_generate(
    *, by: User | None, rep: User, period_start: date, period_end: date
) -> CallPlan:
    """Create or refresh ``rep``'s plan for the period from the call-plan rules.

    Accounts are those the rep covers on ``period_start`` (ungraded accounts and grades whose
    rule plans zero visits get no line). Idempotent: a second run updates goals in place,
    adds lines for new accounts and removes generated lines of accounts no longer covered;
    lines a manager edited (``is_manual``) and contact lines are left alone. One transaction;
    rows are written in bulk. Raises ``ValidationError`` on ``rep`` when the user is not a
    sales rep and on ``period_end`` when the period ends before it starts.
    """
    if Role.SALES_REP not in rep.roles:
        raise ValidationError(
            {"rep": _("%(user)s is not a sales rep.") % {"user": rep.get_username()}}
        )
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    months = months_spanned(period_start=period_start, period_end=period_end)
    rules = _rules_by_key()
    accounts = (
        account_selectors.account_list_for(user=rep, on=period_start)
        .select_related(None)
        .values_list("pk", "grade", "tier", "kind")
    )
    wanted = {
        account_id: goals
        for account_id, grade, tier, kind in accounts
        if (goals := _goals_for(grade, tier, kind, rules, months)) is not None
    }
    with transaction.atomic():
        plan, created = CallPlan.objects.get_or_create(
            rep=rep, period_start=period_start, period_end=period_end
        )
        if created:
            stamp(plan, by=by)
        existing = {
            line.account_id: line
            for line in CallPlanLine.objects.filter(plan=plan, contact__isnull=True)
        }
        stale = [
            line.pk
            for account_id, line in existing.items()
            if account_id not in wanted and not line.is_manual
        ]
        CallPlanLine.objects.filter(pk__in=stale).delete()
        to_update = []
        for account_id, line in existing.items():
            goals = wanted.get(account_id)
            if goals is None or line.is_manual or _goals_of(line) == goals:
                continue
            line.planned_visits = goals.planned_visits
            for name in GOAL_FIELDS:
                setattr(line, name, getattr(goals, name))
            to_update.append(line)
        CallPlanLine.objects.bulk_update(to_update, ["planned_visits", *GOAL_FIELDS])
        CallPlanLine.objects.bulk_create(
            [
                CallPlanLine(
                    plan=plan,
                    account_id=account_id,
                    planned_visits=goals.planned_visits,
                    in_person_goal=goals.in_person_goal,
                    phone_goal=goals.phone_goal,
                    remote_goal=goals.remote_goal,
                    messenger_goal=goals.messenger_goal,
                )
                for account_id, goals in sorted(wanted.items())
                if account_id not in existing
            ]
        )
    return plan


def call_plans_generate_all(
    *, by: User | None, period_start: date, period_end: date
) -> list[CallPlan]:
    """Generate the plan of every active sales rep for the period (see ``call_plan_generate``)."""
    reps = User.objects.filter(is_active=True, groups__name=Role.SALES_REP.value).order_by("pk")
    return [
        call_plan_generate(by=by, rep=rep, period_start=period_start, period_end=period_end)
        for rep in reps
    ]
