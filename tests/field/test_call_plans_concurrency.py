"""Two ``generate-plans`` runs for one period at the same time (PostgreSQL: real row locks).

Before the reps' rows were locked, both runs saw the quarter's plans missing, both inserted
them, and the second failed on the plan's unique key (rep, period); a re-run completed.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from pharmacrm.field.models import CallPlan, CallPlanLine, CallPlanRule
from pharmacrm.field.services import call_plans as call_plan_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite locks it all"
    ),
    # Threads commit on their own connections: a transactional test; serialized_rollback
    # puts back migration 0002's default rules for the tests after it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _rules() -> None:
    # Set here, not taken from migration 0002: an earlier transactional test may have flushed.
    for grade, kind, per_month in (("S", "", 4), ("A", "", 2), ("B", "pharmacy", 1)):
        CallPlanRule.objects.update_or_create(
            grade=grade,
            tier="terminal",
            kind=kind,
            defaults={"visits_per_month": per_month, "in_person_goal": per_month},
        )


def _run_twice_at_once(period_start: date, period_end: date) -> list[BaseException]:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            call_plan_services.call_plans_generate_all(
                by=None, period_start=period_start, period_end=period_end
            )
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.parametrize(
    ("period_start", "period_end"),
    [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2025, 10, 1), date(2025, 12, 31)),
    ],
)
def test_two_runs_at_once_write_each_plan_once(
    world: World, period_start: date, period_end: date
) -> None:
    _rules()
    months = call_plan_services.months_spanned(period_start=period_start, period_end=period_end)

    errors = _run_twice_at_once(period_start, period_end)

    assert errors == []
    # Worked by hand: rep_inside a grade S hospital (4 a month) and a grade B pharmacy (1),
    # rep_leaving a grade A pharmacy (2; the assignment ends 15 February 2026), rep_outside a
    # grade S hospital.
    lines = sorted(
        (line.plan.rep.username, line.account.code, line.planned_visits)
        for line in CallPlanLine.objects.select_related("plan__rep", "account")
    )
    assert lines == [
        ("rep_inside", "BJ-H-001", 4 * months),
        ("rep_inside", "BJ-P-001", 1 * months),
        ("rep_leaving", "BJ-P-002", 2 * months),
        ("rep_outside", "SH-H-001", 4 * months),
    ]
    assert CallPlan.objects.count() == 3
    assert CallPlan.history.filter(history_type="+").count() == 3
