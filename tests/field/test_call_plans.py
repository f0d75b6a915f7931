"""Call-plan generation from the grade × tier rules of the data migration.

Expected lines are worked by hand from the issue's rules: a grade S hospital 4 visits a month,
a grade A terminal account 2, a grade B pharmacy 1, grade C none; a quarter is 3 months.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.accounts import services as account_services
from pharmacrm.field.models import CallPlan, CallPlanLine
from pharmacrm.field.services import call_plans as call_plan_services

from . import factories  # noqa: TID252 - tests/ is not a package
from .conftest import World  # noqa: TID252

Q1_START = date(2026, 1, 1)
Q1_END = date(2026, 3, 31)


def _lines(plan: CallPlan) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        line.account.code: (
            line.planned_visits,
            line.in_person_goal,
            line.phone_goal,
            line.remote_goal,
            line.messenger_goal,
        )
        for line in CallPlanLine.objects.filter(plan=plan).select_related("account")
    }


def test_months_spanned_counts_calendar_months_touched() -> None:
    assert call_plan_services.months_spanned(period_start=Q1_START, period_end=Q1_END) == 3
    assert (
        call_plan_services.months_spanned(
            period_start=date(2026, 5, 15), period_end=date(2026, 5, 20)
        )
        == 1
    )
    assert (
        call_plan_services.months_spanned(
            period_start=date(2025, 12, 1), period_end=date(2026, 1, 31)
        )
        == 2
    )


def test_quarter_plan_follows_grades_of_the_reps_accounts(world: World) -> None:
    factories.account(code="BJ-P-A", grade="A", territory=world.dongcheng)
    factories.account(code="BJ-P-C", grade="C", territory=world.dongcheng)
    factories.account(code="BJ-P-NONE", grade="", territory=world.dongcheng)

    plan = call_plan_services.call_plan_generate(
        by=world.admin, rep=world.rep_inside, period_start=Q1_START, period_end=Q1_END
    )

    # S hospital: 4 a month (3 in person, 1 remote); A terminal: 2 (1 in person, 1 phone);
    # B: 1 in person; C and ungraded: no line; Pudong and Xicheng are not the rep's.
    assert _lines(plan) == {
        "BJ-H-001": (12, 9, 0, 3, 0),
        "BJ-P-A": (6, 3, 3, 0, 0),
        "BJ-P-001": (3, 3, 0, 0, 0),
    }


def test_regenerating_updates_in_place_without_duplicates(world: World) -> None:
    plan = call_plan_services.call_plan_generate(
        by=world.admin, rep=world.rep_inside, period_start=Q1_START, period_end=Q1_END
    )
    account_services.account_update(by=world.admin, account=world.pharmacy, grade="A")
    newcomer = factories.account(code="BJ-P-NEW", grade="B", territory=world.dongcheng)

    again = call_plan_services.call_plan_generate(
        by=world.admin, rep=world.rep_inside, period_start=Q1_START, period_end=Q1_END
    )

    assert again.pk == plan.pk
    assert CallPlan.objects.count() == 1
    assert _lines(again) == {
        "BJ-H-001": (12, 9, 0, 3, 0),
        "BJ-P-001": (6, 3, 3, 0, 0),
        newcomer.code: (3, 3, 0, 0, 0),
    }


def test_regenerating_keeps_a_line_the_manager_edited(world: World) -> None:
    plan = call_plan_services.call_plan_generate(
        by=world.admin, rep=world.rep_inside, period_start=Q1_START, period_end=Q1_END
    )
    CallPlanLine.objects.filter(plan=plan, account=world.hospital).update(
        planned_visits=20, is_manual=True
    )
    account_services.account_update(by=world.admin, account=world.hospital, grade="C")

    call_plan_services.call_plan_generate(
        by=world.admin, rep=world.rep_inside, period_start=Q1_START, period_end=Q1_END
    )

    assert _lines(plan) == {"BJ-H-001": (20, 9, 0, 3, 0), "BJ-P-001": (3, 3, 0, 0, 0)}


def test_plan_uses_territories_covered_on_the_period_start(world: World) -> None:
    # rep_leaving covers Xicheng until 2026-02-15: Q1 includes its grade A pharmacy, Q2 not.
    q1 = call_plan_services.call_plan_generate(
        by=None, rep=world.rep_leaving, period_start=Q1_START, period_end=Q1_END
    )
    q2 = call_plan_services.call_plan_generate(
        by=None, rep=world.rep_leaving, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30)
    )

    assert _lines(q1) == {"BJ-P-002": (6, 3, 3, 0, 0)}
    assert _lines(q2) == {}


def test_plans_for_all_reps_cover_each_rep_once(world: World) -> None:
    plans = call_plan_services.call_plans_generate_all(
        by=world.admin, period_start=Q1_START, period_end=Q1_END
    )

    assert {plan.rep.username: sorted(_lines(plan)) for plan in plans} == {
        "rep_inside": ["BJ-H-001", "BJ-P-001"],
        "rep_outside": ["SH-H-001"],
        "rep_leaving": ["BJ-P-002"],
    }


def test_plan_for_a_non_rep_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        call_plan_services.call_plan_generate(
            by=world.admin, rep=world.director, period_start=Q1_START, period_end=Q1_END
        )

    assert refused.value.message_dict == {"rep": ["director is not a sales rep."]}
    assert CallPlan.objects.count() == 0


def test_period_ending_before_it_starts_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        call_plan_services.call_plan_generate(
            by=world.admin, rep=world.rep_inside, period_start=Q1_END, period_end=Q1_START
        )

    assert refused.value.message_dict == {"period_end": ["The period ends before it starts."]}
    assert CallPlan.objects.count() == 0
