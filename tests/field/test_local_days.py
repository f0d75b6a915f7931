"""Field reads count visits by the installation's local day, as a range on the visit time.

The day plan and the team figures used ``at__date`` (a cast the (rep, at) index cannot use);
they now ask for the instants between two local midnights. The local day must stay the same:
a visit at 23:30 in Beijing belongs to that day even though it is 15:30 UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from pharmacrm.field import selectors as field_selectors
from pharmacrm.field import selectors_team as team_selectors
from pharmacrm.field.models import Visit, VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.uses_db]
BEIJING = ZoneInfo("Asia/Shanghai")


def _visit(world, when: datetime) -> Visit:  # noqa: ANN001
    return Visit.objects.create(
        rep=world.rep_inside, account=world.hospital, at=when, status=VisitStatus.DONE
    )


def test_a_late_evening_visit_belongs_to_its_local_day(world, settings) -> None:  # noqa: ANN001
    settings.TIME_ZONE = "Asia/Shanghai"
    late = _visit(world, datetime(2026, 3, 2, 23, 30, tzinfo=BEIJING))
    _visit(world, datetime(2026, 3, 3, 0, 10, tzinfo=BEIJING))  # the next local day
    _visit(world, datetime(2026, 3, 1, 23, 59, tzinfo=BEIJING))  # the day before

    plan = field_selectors.visit_day_plan_for(user=world.rep_inside, on=date(2026, 3, 2))
    per_day = team_selectors.visits_per_day(
        rep=world.rep_inside, first=date(2026, 3, 1), last=date(2026, 3, 3)
    )

    assert list(plan) == [late]
    assert per_day == [(date(2026, 3, 1), 1), (date(2026, 3, 2), 1), (date(2026, 3, 3), 1)]
