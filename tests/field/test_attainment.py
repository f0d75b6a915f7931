"""Attainment arithmetic on a hand-worked quarter.

rep_inside's Q1 2026 plan: the grade S hospital 12 visits, the grade B pharmacy 3. Logged:
hospital 5 done in the quarter, 1 still planned (not counted) and 1 done on 1 April (outside);
pharmacy 4 done (one over plan). By hand: hospital 5/12, pharmacy 4/3; the rep's capped
attainment (5 + min(4, 3)) / (12 + 3) = 8/15, uncapped done 9.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

from pharmacrm.field import selectors as field_selectors
from pharmacrm.field.models import VisitStatus
from pharmacrm.field.services import call_plans as call_plan_services
from pharmacrm.field.services import visits as visit_services

from .conftest import World  # noqa: TID252 - tests/ is not a package


def _log(world: World, account_name: str, day: date, status: str = VisitStatus.DONE) -> None:
    visit_services.visit_log(
        by=world.rep_inside,
        account=getattr(world, account_name),
        at=datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC),
        status=status,
    )


def test_attainment_per_line_rep_and_account_on_a_hand_worked_quarter(world: World) -> None:
    plan = call_plan_services.call_plan_generate(
        by=world.admin,
        rep=world.rep_inside,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
    )
    for day in (date(2026, 1, 1), date(2026, 1, 20), date(2026, 2, 3), date(2026, 3, 2)):
        _log(world, "hospital", day)
    _log(world, "hospital", date(2026, 3, 31))
    _log(world, "hospital", date(2026, 3, 30), status=VisitStatus.PLANNED)
    _log(world, "hospital", date(2026, 4, 1))
    for day in (date(2026, 1, 8), date(2026, 2, 8), date(2026, 3, 8), date(2026, 3, 9)):
        _log(world, "pharmacy", day)

    lines = field_selectors.call_plan_line_attainment(plan=plan)
    overall = field_selectors.call_plan_attainment(plan=plan)
    hospital = field_selectors.account_attainment(
        account=world.hospital, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)
    )

    assert {(x.account_id, x.planned, x.done, x.share) for x in lines} == {
        (world.hospital.pk, 12, 5, Fraction(5, 12)),
        (world.pharmacy.pk, 3, 4, Fraction(4, 3)),
    }
    assert (overall.planned, overall.done, overall.done_capped, overall.share) == (
        15,
        9,
        8,
        Fraction(8, 15),
    )
    assert (hospital.planned, hospital.done, hospital.share) == (12, 5, Fraction(5, 12))


def test_plan_without_visits_has_zero_attainment(world: World) -> None:
    plan = call_plan_services.call_plan_generate(
        by=None, rep=world.rep_outside, period_start=date(2026, 1, 1), period_end=date(2026, 1, 31)
    )

    overall = field_selectors.call_plan_attainment(plan=plan)

    assert (overall.planned, overall.done, overall.share) == (4, 0, Fraction(0))
