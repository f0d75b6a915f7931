"""The field demo fills plans, a quarter of visits, follow-ups and targets, realistically and
once: visits only to planned accounts, on working days inside working hours, never after the
demo day; a second run adds nothing."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.utils import timezone

from pharmacrm.demo.field_demo import field_demo_load
from pharmacrm.field.models import CallPlan, CallPlanLine, Target, Task, Visit

from .conftest import World  # noqa: TID252 - tests/ is not a package

AS_OF = date(2026, 3, 4)


def test_field_demo_populates_plans_visits_tasks_and_targets_once(world: World) -> None:
    first = field_demo_load(by=None, as_of=AS_OF)
    second = field_demo_load(by=None, as_of=AS_OF)

    # Three reps × (Q4 2025, Q1 2026).
    periods = set(CallPlan.objects.values_list("period_start", "period_end"))
    assert periods == {
        (date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
    }
    assert (first.plans, CallPlan.objects.count()) == (6, 6)
    assert first.visits == Visit.objects.count()
    assert first.visits >= 3 * 2  # every rep with graded accounts saw some of them
    planned = set(CallPlanLine.objects.values_list("plan__rep_id", "account_id"))
    for visit in Visit.objects.all():
        local = timezone.localtime(visit.at)
        assert (visit.rep_id, visit.account_id) in planned
        assert local.weekday() < 5
        assert time(8, 30) <= local.time() <= time(17, 30)
        assert local.date() <= AS_OF
    assert first.tasks == Task.objects.count()
    assert all(t.due_on >= AS_OF - timedelta(days=14) for t in Task.objects.all())
    targets = Target.objects.order_by("rep__username")
    assert [t.rep.username for t in targets] == ["rep_inside", "rep_leaving", "rep_outside"]
    assert {(t.period_start, t.period_end) for t in targets} == {
        (date(2026, 1, 1), date(2026, 3, 31))
    }
    assert (second.plans, second.visits, second.tasks, second.targets) == (0, 0, 0, 0)
    assert Visit.objects.count() == first.visits
