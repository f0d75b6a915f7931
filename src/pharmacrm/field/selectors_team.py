"""Reads for managers: team membership, team execution, attainment by channel and product.

Team scoping: a regional manager's team is the sales reps assigned, on the day asked, to a
territory under the manager's node; directors and administrators see every rep; anyone else
has no team (the pages answer 403). A rep outside the team is answered with 404, so a manager
of another region learns nothing about them.

Definitions on the team page, for a day ``on`` and a window of ``days`` days ending on it:

- **plan** — the rep's call plan whose period contains ``on``; *planned* is its planned
  visits, *done* the visits done to its accounts inside the period, each line capped at its
  plan (as in ``selectors.call_plan_attainment``);
- **visits per day** — visits done in the window / working days (Monday–Friday) in it;
- **S/A coverage** — of the plan's grade S and A accounts, the share with at least one visit
  done in the plan period (the accounts a manager worries about first);
- **overdue follow-ups** — open tasks of the rep due before ``on``;
- **no activity** — no visit done in the window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.models import (
    CallPlan,
    CallPlanLine,
    Task,
    TaskStatus,
    Visit,
    VisitChannel,
    VisitStatus,
)
from pharmacrm.field.selectors import local_days
from pharmacrm.territories import selectors as territory_selectors

# Roles that see field work beyond their own: managers their team, the rest everyone.
ROLES_SEEING_TEAMS = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER})
TOP_GRADES = ("S", "A")


def team_rep_ids_for(*, user: User, on: date) -> frozenset[int] | None:
    """Sales reps on ``user``'s team on ``on``; ``None`` means every rep (director, admin).

    A regional manager's team: reps assigned on ``on`` to a territory under their node. Other
    roles (reps included) have no team: an empty set.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if not user.roles & ROLES_SEEING_TEAMS:
        return frozenset()
    covered = territory_selectors.territory_ids_covered_by(user=user, on=on)
    if covered is None:
        return None
    assigned = territory_selectors.assignments_active_on(on=on).filter(territory_id__in=covered)
    reps = User.objects.filter(
        pk__in=assigned.values("user_id"), groups__name=Role.SALES_REP.value
    ).exclude(pk=user.pk)
    return frozenset(reps.values_list("pk", flat=True))


def team_rep_list_for(*, user: User, on: date) -> QuerySet[User]:
    """The active reps of ``user``'s team on ``on``, by name then username."""
    rep_ids = team_rep_ids_for(user=user, on=on)
    reps = User.objects.filter(is_active=True, groups__name=Role.SALES_REP.value)
    if rep_ids is not None:
        reps = reps.filter(pk__in=sorted(rep_ids))
    return reps.order_by("last_name", "first_name", "username").distinct()


def team_rep_get_for(*, user: User, rep_id: int, on: date) -> User:
    """The rep if on ``user``'s team on ``on``; ``Http404`` otherwise (existence not revealed)."""
    rep = team_rep_list_for(user=user, on=on).filter(pk=rep_id).first()
    if rep is None:
        raise Http404(_("No such rep on your team."))
    return rep


def overdue_follow_ups_for(*, rep: User, on: date) -> QuerySet[Task]:
    """Open tasks of ``rep`` due before ``on``, oldest first."""
    return Task.objects.filter(assignee=rep, status=TaskStatus.OPEN, due_on__lt=on).select_related(
        "account"
    )


@dataclass(frozen=True)
class RepExecution:
    """One row of the team page (definitions in the module docstring)."""

    rep_id: int
    rep_name: str
    plan_id: int | None
    planned: int
    done: int
    window_visits: int
    working_days: int
    top_accounts: int
    top_accounts_seen: int
    overdue_follow_ups: int

    @property
    def attainment(self) -> Fraction:
        """Capped done over planned; zero without a plan."""
        return Fraction(self.done, self.planned) if self.planned else Fraction(0)

    @property
    def visits_per_day(self) -> Fraction:
        """Visits done in the window per working day in it."""
        return Fraction(self.window_visits, self.working_days) if self.working_days else Fraction(0)

    @property
    def visits_per_day_float(self) -> float:
        """``visits_per_day`` for display."""
        return float(self.visits_per_day)

    @property
    def top_coverage(self) -> Fraction:
        """Share of the plan's S and A accounts seen at least once in the plan period."""
        if not self.top_accounts:
            return Fraction(0)
        return Fraction(self.top_accounts_seen, self.top_accounts)

    @property
    def is_inactive(self) -> bool:
        """No visit done in the window."""
        return self.window_visits == 0


def working_days(*, first: date, last: date) -> int:
    """Monday-to-Friday days from ``first`` to ``last``, both included."""
    return sum(1 for n in range((last - first).days + 1) if (first + timedelta(n)).weekday() < 5)


def _current_plans(rep_ids: list[int], on: date) -> dict[int, CallPlan]:
    plans = CallPlan.objects.filter(
        rep_id__in=rep_ids, period_start__lte=on, period_end__gte=on
    ).order_by("rep_id", "period_start", "pk")
    # Two plans containing the same day (a month inside a quarter): the later-starting wins.
    return {plan.rep_id: plan for plan in plans}


def _done_in_plans(plans: dict[int, CallPlan]) -> dict[tuple[int, int], int]:
    """Done visits per (rep, account) inside each rep's own plan period; one query."""
    if not plans:
        return {}
    in_period = Q()
    for plan in plans.values():
        in_period |= Q(rep_id=plan.rep_id) & local_days(plan.period_start, plan.period_end)
    rows = (
        Visit.objects.filter(in_period, status=VisitStatus.DONE)
        .values("rep_id", "account_id")
        .annotate(n=Count("pk"))
    )
    return {(row["rep_id"], row["account_id"]): row["n"] for row in rows}


def team_execution(*, reps: list[User], on: date, days: int = 7) -> list[RepExecution]:
    """One :class:`RepExecution` per rep in ``reps`` (scoped by the caller), same order.

    A fixed number of queries whatever the team size.
    """
    rep_ids = [rep.pk for rep in reps]
    window_start = on - timedelta(days=days - 1)
    plans = _current_plans(rep_ids, on)
    done = _done_in_plans(plans)
    lines = CallPlanLine.objects.filter(
        plan_id__in=[plan.pk for plan in plans.values()], contact__isnull=True
    ).values_list("plan__rep_id", "account_id", "planned_visits", "account__grade")
    planned: dict[int, int] = defaultdict(int)
    done_capped: dict[int, int] = defaultdict(int)
    top: dict[int, int] = defaultdict(int)
    top_seen: dict[int, int] = defaultdict(int)
    for rep_id, account_id, planned_visits, grade in lines:
        n = done.get((rep_id, account_id), 0)
        planned[rep_id] += planned_visits
        done_capped[rep_id] += min(n, planned_visits)
        if grade in TOP_GRADES:
            top[rep_id] += 1
            top_seen[rep_id] += n > 0
    window = dict(
        Visit.objects.filter(
            local_days(window_start, on), rep_id__in=rep_ids, status=VisitStatus.DONE
        )
        .values("rep_id")
        .annotate(n=Count("pk"))
        .values_list("rep_id", "n")
    )
    overdue = dict(
        Task.objects.filter(assignee_id__in=rep_ids, status=TaskStatus.OPEN, due_on__lt=on)
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .values_list("assignee_id", "n")
    )
    workdays = working_days(first=window_start, last=on)
    return [
        RepExecution(
            rep_id=rep.pk,
            rep_name=rep.get_full_name() or rep.get_username(),
            plan_id=plans[rep.pk].pk if rep.pk in plans else None,
            planned=planned[rep.pk],
            done=done_capped[rep.pk],
            window_visits=window.get(rep.pk, 0),
            working_days=workdays,
            top_accounts=top[rep.pk],
            top_accounts_seen=top_seen[rep.pk],
            overdue_follow_ups=overdue.get(rep.pk, 0),
        )
        for rep in reps
    ]


def visits_per_day(*, rep: User, first: date, last: date) -> list[tuple[date, int]]:
    """Done visits of ``rep`` on each local day from ``first`` to ``last`` (zeros included)."""
    counts = dict(
        Visit.objects.filter(local_days(first, last), rep=rep, status=VisitStatus.DONE)
        .values_list("at__date")
        .annotate(n=Count("pk"))
        .values_list("at__date", "n")
    )
    return [
        (first + timedelta(n), counts.get(first + timedelta(n), 0))
        for n in range((last - first).days + 1)
    ]


@dataclass(frozen=True)
class GoalAttainment:
    """Done against a goal for one channel or one product."""

    key: str
    label: str
    goal: int
    done: int

    @property
    def share(self) -> Fraction:
        """Done over goal; zero when there is no goal."""
        return Fraction(self.done, self.goal) if self.goal else Fraction(0)


CHANNEL_GOAL_FIELDS = {
    VisitChannel.IN_PERSON: "in_person_goal",
    VisitChannel.PHONE: "phone_goal",
    VisitChannel.REMOTE: "remote_goal",
    VisitChannel.MESSENGER: "messenger_goal",
}


def _plan_visits(plan: CallPlan) -> Q:
    return local_days(plan.period_start, plan.period_end) & Q(
        rep_id=plan.rep_id,
        status=VisitStatus.DONE,
        account_id__in=CallPlanLine.objects.filter(plan=plan, contact__isnull=True).values(
            "account_id"
        ),
    )


def call_plan_channel_attainment(*, plan: CallPlan) -> list[GoalAttainment]:
    """Per channel: the plan's goal (sum over lines) and visits done by that channel.

    Done counts visits by the plan's rep to the plan's accounts inside the period, uncapped.
    """
    goals = CallPlanLine.objects.filter(plan=plan, contact__isnull=True).aggregate(
        **{name: Sum(name) for name in CHANNEL_GOAL_FIELDS.values()}
    )
    done = dict(
        Visit.objects.filter(_plan_visits(plan))
        .values("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return [
        GoalAttainment(
            key=str(channel),
            label=str(channel.label),
            goal=goals[name] or 0,
            done=done.get(channel.value, 0),
        )
        for channel, name in CHANNEL_GOAL_FIELDS.items()
    ]


def call_plan_product_attainment(*, plan: CallPlan) -> list[GoalAttainment]:
    """Per priority product of the plan: planned visits and visits that discussed it.

    A product's goal is the planned visits of the lines that list it as a priority; done is
    the visits to those lines' accounts in the period where the product was discussed.
    """
    lines = CallPlanLine.objects.filter(plan=plan, contact__isnull=True)
    pairs = list(
        lines.filter(products__isnull=False).values_list(
            "products__pk", "products__brand", "account_id", "planned_visits"
        )
    )
    goal: dict[int, int] = defaultdict(int)
    label: dict[int, str] = {}
    accounts: dict[int, set[int]] = defaultdict(set)
    for product_id, name, account_id, planned_visits in pairs:
        goal[product_id] += planned_visits
        label[product_id] = name
        accounts[product_id].add(account_id)
    discussed = (
        Visit.objects.filter(_plan_visits(plan), products__pk__in=list(goal))
        .values_list("products__pk", "account_id")
        .annotate(n=Count("pk", distinct=True))
    )
    done: dict[int, int] = defaultdict(int)
    for product_id, account_id, n in discussed:
        if account_id in accounts[product_id]:
            done[product_id] += n
    return [
        GoalAttainment(key=str(pk), label=label[pk], goal=goal[pk], done=done[pk])
        for pk in sorted(goal, key=lambda pk: (label[pk], pk))
    ]
