"""Reads of the field force: plans, visits, tasks and attainment against plan.

Attainment of a plan line = visits done to its account by the plan's rep on days inside the
plan period (local dates, both ends inclusive) / planned visits. A rep's attainment adds the
lines up with each line's done visits capped at its plan, so that ten visits to one friendly
pharmacy do not hide a grade S hospital never seen; the uncapped count is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import Count, Q, QuerySet

from pharmacrm.accounts.models import Account
from pharmacrm.core.models import User
from pharmacrm.field.models import CallPlan, CallPlanLine, Task, TaskStatus, Visit, VisitStatus


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
            rep_id=rep_id,
            status=VisitStatus.DONE,
            at__date__gte=period_start,
            at__date__lte=period_end,
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


def call_plan_list_for(*, user: User) -> QuerySet[CallPlan]:
    """Plans ``user`` may see: a rep their own, everyone else none yet (see NOTES.md)."""
    return CallPlan.objects.filter(rep=user).order_by("-period_start")


def visit_list_for(*, user: User) -> QuerySet[Visit]:
    """Visits ``user`` logged, newest first, with account (the manager view comes later)."""
    return Visit.objects.filter(rep=user).select_related("account")


def task_list_open_for(*, user: User, due_by: date) -> QuerySet[Task]:
    """Open tasks assigned to ``user`` due on or before ``due_by`` (overdue ones included)."""
    return Task.objects.filter(
        Q(assignee=user) & Q(status=TaskStatus.OPEN) & Q(due_on__lte=due_by)
    ).select_related("account")
