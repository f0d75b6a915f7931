"""Generation of call plans from the grade × tier rules.

A plan line says how often a rep must see an account in a period. Lines come from
:class:`~pharmacrm.field.models.CallPlanRule` over the accounts in the rep's territories on
the period start, read through the customer master's one scoping door.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts.models import Account
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.models import CallPlan, CallPlanLine, CallPlanRule
from pharmacrm.field.services import plans_edit as plan_services
from pharmacrm.field.services._audit import stamp
from pharmacrm.territories import selectors as territory_selectors

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
    rule plans zero visits get no line). Generated lines without priority products get them
    by the rule of ``plans_edit`` (the account's history, else the rep's portfolio).
    Idempotent: a second run updates goals in place, adds lines for new accounts and removes
    generated lines of accounts no longer covered; lines a manager edited (``is_manual``),
    contact lines and lines that have priorities are left alone. One transaction; rows are
    written in bulk. Raises ``ValidationError`` on ``rep`` when the user is not a
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
        _lock_reps([rep.pk])
        plan = _write_plan(
            by=by, rep=rep, period_start=period_start, period_end=period_end, wanted=wanted
        )
        plan_services.call_plan_priorities_fill(plans=[plan])
    return plan


def _lock_reps(rep_ids: list[int]) -> None:
    """Hold the reps' user rows until the transaction ends (PostgreSQL; SQLite locks it all).

    Generation of one rep's plans is serialised: two runs for one period would otherwise both
    see a plan missing and insert it, and the second would fail on the plan's unique key
    (rep, period). The second run waits, then reads what the first wrote and changes nothing.
    Rows are locked in id order, so two runs over overlapping reps cannot deadlock.
    """
    rows = User.objects.select_for_update().filter(pk__in=sorted(rep_ids)).order_by("pk")
    list(rows.values_list("pk", flat=True))


def _write_plan(
    *,
    by: User | None,
    rep: User,
    period_start: date,
    period_end: date,
    wanted: dict[int, LineGoals],
    plan: CallPlan | None = None,
    existing_lines: list[CallPlanLine] | None = None,
    new_lines: list[CallPlanLine] | None = None,
) -> CallPlan:
    """Bring ``rep``'s plan for the period in line with ``wanted`` (account id → goals).

    ``plan`` and ``existing_lines`` (its account lines) are passed when the caller already
    read them; without ``plan`` it is fetched or created. With ``new_lines`` the lines to add
    are appended there for the caller to insert in bulk (inside the caller's transaction).
    """
    with nullcontext() if new_lines is not None else transaction.atomic():
        created = False
        if plan is None:
            plan, created = CallPlan.objects.get_or_create(
                rep=rep, period_start=period_start, period_end=period_end
            )
        if created:
            stamp(plan, by=by)
            existing_lines = []
        elif existing_lines is None:
            existing_lines = list(CallPlanLine.objects.filter(plan=plan, contact__isnull=True))
        existing = {line.account_id: line for line in existing_lines}
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
        adding = [
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
        if new_lines is not None:
            new_lines.extend(adding)
        else:
            CallPlanLine.objects.bulk_create(adding)
    return plan


def _accounts_by_rep(reps: list[User], on: date) -> dict[int, list[tuple[int, str, str, str]]]:
    """(id, grade, tier, kind) of the accounts each rep covers on ``on``, read once for all.

    The same rule as ``account_list_for(user=rep, on=on)`` for a user whose only role is
    sales rep: accounts (not merged away) in the subtree of every node assigned on ``on``.
    One query for the assignments, one for the tree, one for the accounts — instead of
    three per rep (500 reps made generation a scoping-query loop).
    """
    rep_ids = [rep.pk for rep in reps]
    nodes_of: dict[int, set[int]] = {}
    assignments = territory_selectors.assignments_active_on(on=on).filter(user_id__in=rep_ids)
    for user_id, territory_id in assignments.values_list("user_id", "territory_id"):
        nodes_of.setdefault(user_id, set()).add(territory_id)
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in territory_selectors.territory_list().values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    leaves_of: dict[int, set[int]] = {}
    for user_id, roots in nodes_of.items():
        found: set[int] = set()
        stack = list(roots)
        while stack:
            node = stack.pop()
            if node not in found:
                found.add(node)
                stack.extend(children.get(node, ()))
        leaves_of[user_id] = found
    wanted_territories = set().union(*leaves_of.values()) if leaves_of else set()
    in_territory: dict[int, list[tuple[int, str, str, str]]] = {}
    # Read like the customer master's dimension export (warehouse.selectors): the scope rule
    # is applied above, once per rep, exactly as ``account_scope_q`` applies it.
    rows = Account.objects.filter(
        territory_id__in=sorted(wanted_territories), merged_into__isnull=True
    ).values_list("pk", "grade", "tier", "kind", "territory_id")
    for pk, grade, tier, kind, territory_id in rows.iterator(chunk_size=20_000):
        in_territory.setdefault(territory_id, []).append((pk, grade, tier, kind))
    return {
        rep_id: [row for leaf in sorted(leaves) for row in in_territory.get(leaf, ())]
        for rep_id, leaves in leaves_of.items()
    }


GENERATE_ALL_CHUNK = 50


def _plans_and_lines(
    *, rep_ids: list[int], period_start: date, period_end: date
) -> tuple[dict[int, CallPlan], dict[int, list[CallPlanLine]]]:
    """The reps' plans for the period and their account lines, by rep: two queries."""
    plan_of = {
        plan.rep_id: plan
        for plan in CallPlan.objects.filter(
            period_start=period_start, period_end=period_end, rep_id__in=sorted(rep_ids)
        )
    }
    rep_of_plan = {plan.pk: rep_id for rep_id, plan in plan_of.items()}
    lines_of: dict[int, list[CallPlanLine]] = {}
    existing = CallPlanLine.objects.filter(plan_id__in=list(rep_of_plan), contact__isnull=True)
    for line in existing.iterator(chunk_size=20_000):
        lines_of.setdefault(rep_of_plan[line.plan_id], []).append(line)
    return plan_of, lines_of


def _generate_one(
    *,
    by: User | None,
    rep: User,
    period_start: date,
    period_end: date,
    months: int,
    rules: dict[tuple[str, str, str], CallPlanRule],
    accounts: list[tuple[int, str, str, str]] | None,
    plan: CallPlan | None,
    existing_lines: list[CallPlanLine],
    new_lines: list[CallPlanLine],
) -> CallPlan:
    # ``accounts`` None: a rep with another role, whose sight is read through the door.
    if accounts is None:
        return call_plan_generate(by=by, rep=rep, period_start=period_start, period_end=period_end)
    wanted = {
        account_id: goals
        for account_id, grade, tier, kind in accounts
        if (goals := _goals_for(grade, tier, kind, rules, months)) is not None
    }
    return _write_plan(
        by=by,
        rep=rep,
        period_start=period_start,
        period_end=period_end,
        wanted=wanted,
        plan=plan,
        existing_lines=existing_lines if plan is not None else None,
        new_lines=new_lines,
    )


def call_plans_generate_all(
    *,
    by: User | None,
    period_start: date,
    period_end: date,
    progress: Callable[[int, int], None] | None = None,
) -> list[CallPlan]:
    """Generate the plan of every active sales rep for the period (see ``call_plan_generate``).

    Scoping is read once for all reps (``_accounts_by_rep``), each chunk's existing plans and
    lines in one query each after locking its reps (``_lock_reps``: concurrent runs for one
    period do not collide, the later one waits and changes nothing); priority products are
    filled at the end in bulk (``plans_edit.call_plan_priorities_fill``, one history read);
    plans are committed in chunks of ``GENERATE_ALL_CHUNK`` reps, so a failure keeps the
    chunks already written and a re-run finishes the rest. ``progress`` is called with (reps
    done, reps in all) after each rep. Users who hold another role beside sales rep take the
    per-rep path (their sight may be wider than their assignments).
    """
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    reps = list(
        User.objects.filter(is_active=True, groups__name=Role.SALES_REP.value)
        .prefetch_related("groups")
        .order_by("pk")
        .distinct()
    )
    plain = [rep for rep in reps if rep.roles == {Role.SALES_REP}]
    accounts_of = _accounts_by_rep(plain, period_start)
    months = months_spanned(period_start=period_start, period_end=period_end)
    rules = _rules_by_key()
    plain_ids = {rep.pk for rep in plain}
    plans: list[CallPlan] = []
    # Commits in chunks: one per rep cost a WAL flush each (500 reps: most of the run on a
    # busy disk); a failure still keeps every chunk written before it.
    for start in range(0, len(reps), GENERATE_ALL_CHUNK):
        chunk = reps[start : start + GENERATE_ALL_CHUNK]
        with transaction.atomic():
            # Locked first, then read: a concurrent run for the period has committed what it
            # wrote for these reps by now (see ``_lock_reps``).
            _lock_reps([rep.pk for rep in chunk])
            plan_of, lines_of = _plans_and_lines(
                rep_ids=[r.pk for r in chunk if r.pk in plain_ids],
                period_start=period_start,
                period_end=period_end,
            )
            # A quarter's first run: the chunk's plans in one insert (with their audit rows).
            missing = [r for r in chunk if r.pk in plain_ids and r.pk not in plan_of]
            created = bulk_create_with_history(
                [
                    CallPlan(rep=r, period_start=period_start, period_end=period_end)
                    for r in missing
                ],
                CallPlan,
                default_user=by,
            )
            plan_of.update({p.rep_id: p for p in created})
            new_lines: list[CallPlanLine] = []
            for rep in chunk:
                plans.append(
                    _generate_one(
                        by=by,
                        rep=rep,
                        period_start=period_start,
                        period_end=period_end,
                        months=months,
                        rules=rules,
                        accounts=accounts_of.get(rep.pk, []) if rep.pk in plain_ids else None,
                        plan=plan_of.get(rep.pk),
                        existing_lines=lines_of.get(rep.pk, []),
                        new_lines=new_lines,
                    )
                )
                if progress is not None:
                    progress(len(plans), len(reps))
            CallPlanLine.objects.bulk_create(new_lines, batch_size=5000)
    # Priorities after every chunk is in: one history read for the whole period (and none
    # on a re-run where every line has them). A failure here leaves the lines without
    # products; a re-run fills them.
    with transaction.atomic():
        plan_services.call_plan_priorities_fill(plans=plans)
    return plans
