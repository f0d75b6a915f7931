"""The rep's day plan and the visit log form, over the role matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pharmacrm.field.models import Task, Visit
from pharmacrm.field.services import tasks as task_services
from pharmacrm.field.services import visits as visit_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

HOSPITAL = "Peking Union Medical College Hospital, Cardiology"


@pytest.fixture
def today_work(world: World) -> None:
    """rep_inside: a visit planned for today at the hospital, an overdue and a future task."""
    visit_services.visit_log(
        by=world.rep_inside, account=world.hospital, at=timezone.now(), status="planned"
    )
    today = timezone.localdate()
    task_services.task_create(
        by=world.rep_inside, title="Send the tender documents", due_on=today - timedelta(days=2)
    )
    task_services.task_create(
        by=world.rep_inside, title="Quarterly review", due_on=today + timedelta(days=30)
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("rep_inside", 200),
        ("rep_outside", 200),
        ("manager_other", 403),
        ("director", 403),
        ("admin", 403),
    ],
)
def test_day_plan_by_role(world, client_for, today_work, who, status) -> None:  # noqa: ANN001
    response = client_for(who).get("/field/")

    assert response.status_code == status
    body = response.content.decode()
    if who == "rep_inside":
        assert HOSPITAL in body
        assert "Send the tender documents" in body
        assert "Quarterly review" not in body
    else:
        assert HOSPITAL not in body
        assert "Send the tender documents" not in body
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/auth/login/")


def test_rep_logs_a_visit_through_the_form(world, client_for) -> None:  # noqa: ANN001
    response = client_for("rep_inside").post(
        "/field/visits/new/",
        {
            "account": world.hospital.pk,
            "at": "2026-01-12T09:30",
            "channel": "in_person",
            "status": "done",
            "outcome": "Agreed to a department meeting",
            "next_step": "Bring the lipid guideline summary",
            "follow_up_on": "2026-01-19",
        },
    )

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.account, visit.rep, visit.outcome) == (
        world.hospital,
        world.rep_inside,
        "Agreed to a department meeting",
    )
    assert Task.objects.get().title == "Bring the lipid guideline summary"


def test_rep_outside_cannot_log_a_visit_to_an_account_they_do_not_see(
    world,  # noqa: ANN001
    client_for,  # noqa: ANN001
) -> None:
    response = client_for("rep_outside").post(
        "/field/visits/new/",
        {
            "account": world.hospital.pk,
            "at": "2026-01-12T09:30",
            "channel": "in_person",
            "status": "done",
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice." in body
    assert HOSPITAL not in body
    assert Visit.objects.count() == 0


def test_visit_form_offers_only_accounts_covered_today(
    world,  # noqa: ANN001
    client_for,  # noqa: ANN001
) -> None:
    # rep_leaving's Xicheng assignment ended on 2026-02-15, before today; the rule on the
    # visit's own date is the service's and is tested in test_visits.py.
    response = client_for("rep_leaving").get("/field/visits/new/")

    assert response.status_code == 200
    assert "Jinxiangyuan Pharmacy Xicheng" not in response.content.decode()


def test_day_plan_query_count_does_not_grow_with_visits(world, client_for) -> None:  # noqa: ANN001
    # N+1 guard: the page's queries are the same for one and for five visits and tasks.
    client = client_for("rep_inside")

    def queries_with(extra_visits: int) -> int:
        for _ in range(extra_visits):
            visit_services.visit_log(
                by=world.rep_inside, account=world.pharmacy, at=timezone.now(), status="planned"
            )
            task_services.task_create(
                by=world.rep_inside, title="Call back", due_on=timezone.localdate()
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/field/").status_code == 200
        return len(captured)

    assert queries_with(1) == queries_with(5)
