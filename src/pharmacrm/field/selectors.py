"""Reads of the field force: plans, visits, tasks and attainment against plan.

Attainment of a plan line = visits done to its account by the plan's rep on days inside the
plan period (local dates, both ends inclusive) / planned visits. A rep's attainment adds the
lines up with each line's done visits capped at its plan, so that ten visits to one friendly
pharmacy do not hide a grade S hospital never seen; the uncapped count is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts.models import Account
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.models import CallPlan, CallPlanLine, Task, TaskStatus, Visit, VisitStatus
from pharmacrm.territories import selectors as territory_selectors


def local_days(first: date, last: date) -> Q:
    """Visits whose time falls on the local days ``first`` to ``last``, as a range on ``at``.

    A range on the timestamp itself, not ``at__date``: the cast to a local date hides ``at``
    from the (rep, at) index, and with millions of visits every team query then reads all of
    a rep's history instead of the days asked.
    """
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return Q(at__gte=start, at__lt=end)


@dataclass(frozen=True)
class LineAttainment:
    """Done against planned for one plan line."""

    line_id: int
    account_id: int
    planned: int
    done: int

    @property
    def share(self) -> Fraction:
        """The share of planned visits done; zero for a line a manager set to zero."""
        return Fraction(self.done, self.planned) if self.planned else Fraction(0)


@dataclass(frozen=True)
class Attainment:
    """Done against planned over several lines: ``done_capped`` counts each line up to plan."""

    planned: int
    done: int
    done_capped: int

    @property
    def share(self) -> Fraction:
        """The capped done visits over planned ones; zero when nothing is planned."""
        return Fraction(self.done_capped, self.planned) if self.planned else Fraction(0)


def _done_by_account(*, rep_id: int, period_start: date, period_end: date) -> dict[int, int]:
    rows = (
        Visit.objects.filter(
            local_days(period_start, period_end), rep_id=rep_id, status=VisitStatus.DONE
        )
        .values("account_id")
        .annotate(n=Count("pk"))
    )
    return {row["account_id"]: row["n"] for row in rows}


def call_plan_line_attainment(*, plan: CallPlan) -> list[LineAttainment]:
    """One entry per account line of ``plan`` (contact lines excluded), by account id."""
    done = _done_by_account(
        rep_id=plan.rep_id, period_start=plan.period_start, period_end=plan.period_end
    )
    lines = CallPlanLine.objects.filter(plan=plan, contact__isnull=True).order_by("account_id")
    return [
        LineAttainment(
            line_id=line.pk,
            account_id=line.account_id,
            planned=line.planned_visits,
            done=done.get(line.account_id, 0),
        )
        for line in lines
    ]


def _sum(lines: list[LineAttainment]) -> Attainment:
    return Attainment(
        planned=sum(x.planned for x in lines),
        done=sum(x.done for x in lines),
        done_capped=sum(min(x.done, x.planned) for x in lines),
    )


def call_plan_attainment(*, plan: CallPlan) -> Attainment:
    """The rep's attainment over the whole plan (see the module docstring)."""
    return _sum(call_plan_line_attainment(plan=plan))


def account_attainment(*, account: Account, period_start: date, period_end: date) -> Attainment:
    """Attainment on one account over every plan of exactly that period.

    Several reps may share an account (a hospital seen by an oncology and a cardiology rep):
    each rep's done visits count against that rep's own line.
    """
    lines: list[LineAttainment] = []
    plans = CallPlan.objects.filter(
        period_start=period_start, period_end=period_end, lines__account=account
    ).distinct()
    for plan in plans:
        lines.extend(x for x in call_plan_line_attainment(plan=plan) if x.account_id == account.pk)
    return _sum(lines)


# Roles that see field work beyond their own: managers their team, the rest everyone.
ROLES_SEEING_TEAMS = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER})


def _rep_ids_visible_to(*, user: User, on: date) -> frozenset[int] | None:
    """Reps whose plans ``user`` sees on ``on``: ``None`` means every rep.

    A rep sees only themself; a regional manager the users assigned on ``on`` to a territory
    under their node; director and administrator everyone; other roles nobody.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if not user.roles & ROLES_SEEING_TEAMS:
        return frozenset({user.pk}) if Role.SALES_REP in user.roles else frozenset()
    covered = territory_selectors.territory_ids_covered_by(user=user, on=on)
    if covered is None:
        return None
    team = territory_selectors.assignments_active_on(on=on).filter(territory_id__in=covered)
    return frozenset(team.values_list("user_id", flat=True)) | {user.pk}


def call_plan_list_for(*, user: User, on: date | None = None) -> QuerySet[CallPlan]:
    """Plans ``user`` may see (see ``_rep_ids_visible_to``), newest period first."""
    rep_ids = _rep_ids_visible_to(user=user, on=on or timezone.localdate())
    rows = CallPlan.objects.select_related("rep").order_by("-period_start", "rep_id")
    if rep_ids is None:
        return rows
    return rows.filter(rep_id__in=sorted(rep_ids))


def call_plan_get_for(*, user: User, plan_id: int) -> CallPlan:
    """The plan if ``user`` may see it; ``Http404`` otherwise (existence is not revealed)."""
    plan = call_plan_list_for(user=user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404(_("No such call plan."))
    return plan


_IDS = 10_000
"""Up to this many accounts a manager's visit scope is sent as a list (SQLite allows 32,766
parameters a statement); a larger region keeps the subquery."""


def visit_list_for(*, user: User, on: date | None = None) -> QuerySet[Visit]:
    """Visits ``user`` may see, newest first.

    A rep sees their own; managers and above the visits to the accounts they see on ``on``
    (today by default); other roles none.
    """
    rows = Visit.objects.select_related("account").order_by("-at", "-pk")
    if not user.is_authenticated or not user.is_active:
        return rows.none()
    if user.roles & {Role.ADMINISTRATOR, Role.DIRECTOR}:
        return rows  # they see every account, so every visit: no scope query at all
    if user.roles & ROLES_SEEING_TEAMS:
        accounts = account_selectors.account_list_for(user=user, on=on, include_merged=True)
        ids = list(accounts.select_related(None).order_by().values_list("pk", flat=True)[:_IDS])
        if len(ids) < _IDS:
            # A region's accounts as a list: the database then walks the (account, at) index
            # for them instead of testing the territory scope against every visit (11 s on
            # 2 M visits through the subquery).
            return rows.filter(account_id__in=ids)
        return rows.filter(account_id__in=accounts.select_related(None).values("pk"))
    if Role.SALES_REP in user.roles:
        return rows.filter(rep=user)
    return rows.none()


def task_list_open_for(*, user: User, due_by: date) -> QuerySet[Task]:
    """Open tasks assigned to ``user`` due on or before ``due_by`` (overdue ones included)."""
    return Task.objects.filter(
        Q(assignee=user) & Q(status=TaskStatus.OPEN) & Q(due_on__lte=due_by)
    ).select_related("account")


def call_plan_line_detail(*, plan: CallPlan) -> list[dict[str, object]]:
    """The account lines of ``plan`` with account names, done visits and priority products.

    Ordered by account name; ``priority_product_ids`` ascending.
    """
    done = {x.line_id: x.done for x in call_plan_line_attainment(plan=plan)}
    lines = (
        CallPlanLine.objects.filter(plan=plan, contact__isnull=True)
        .select_related("account")
        .prefetch_related("products")
        .order_by("account__name", "account_id")
    )
    return [
        {
            "account_id": line.account_id,
            "account_name": line.account.name,
            "planned_visits": line.planned_visits,
            "done_visits": done.get(line.pk, 0),
            "in_person_goal": line.in_person_goal,
            "phone_goal": line.phone_goal,
            "remote_goal": line.remote_goal,
            "messenger_goal": line.messenger_goal,
            "priority_product_ids": sorted(p.pk for p in line.products.all()),
        }
        for line in lines
    ]


def visit_day_plan_for(*, user: User, on: date) -> QuerySet[Visit]:
    """The visits ``user`` planned or logged on the local date ``on``, in time order."""
    return (
        Visit.objects.filter(local_days(on, on), rep=user)
        .select_related("account")
        .order_by("at", "pk")
    )
