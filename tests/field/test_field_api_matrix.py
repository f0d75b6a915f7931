"""Role matrix of the field API: anonymous, rep inside / outside the territory, manager of
another region, director, administrator — status, body and nothing leaked."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pharmacrm.field.models import Task, Visit
from pharmacrm.field.services import call_plans as call_plan_services
from pharmacrm.field.services import visits as visit_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

HOSPITAL = "Peking Union Medical College Hospital, Cardiology"


@pytest.fixture
def logged(world: World) -> Visit:
    """rep_inside's Q1 plan and one visit to the Dongcheng hospital on 12 January."""
    call_plan_services.call_plan_generate(
        by=None, rep=world.rep_inside, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)
    )
    return visit_services.visit_log(
        by=world.rep_inside,
        account=world.hospital,
        at=datetime(2026, 1, 12, 9, 30, tzinfo=UTC),
        outcome="Agreed to a department meeting",
    )


@pytest.mark.parametrize(
    ("who", "status", "planned", "done"),
    [
        ("anonymous", 401, None, None),
        ("rep_inside", 200, 15, 1),
        ("rep_outside", 404, None, None),
        ("manager_other", 404, None, None),
        ("director", 200, 15, 1),
        ("admin", 200, 15, 1),
    ],
)
def test_plan_detail_by_role(world, client_for, logged, who, status, planned, done) -> None:  # noqa: ANN001
    plan_id = world.rep_inside.call_plans.get().pk

    response = client_for(who).get(f"/api/v1/field/plans/{plan_id}")

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert (body["planned_visits"], body["done_visits"], body["attainment"]) == (
            planned,
            done,
            round(1 / 15, 4),
        )
        assert [
            (x["account_name"], x["planned_visits"], x["done_visits"]) for x in body["lines"]
        ] == [
            (HOSPITAL, 12, 1),
            ("Tongrentang Pharmacy Dongcheng", 3, 0),
        ]
    else:
        assert HOSPITAL not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status", "accounts"),
    [
        ("anonymous", 401, None),
        ("rep_inside", 200, [HOSPITAL]),
        ("rep_outside", 200, []),
        ("manager_other", 200, []),
        ("director", 200, [HOSPITAL]),
        ("admin", 200, [HOSPITAL]),
    ],
)
def test_visit_list_by_role(world, client_for, logged, who, status, accounts) -> None:  # noqa: ANN001
    response = client_for(who).get("/api/v1/field/visits")

    assert response.status_code == status
    if status == 200:
        assert [v["account_name"] for v in response.json()["items"]] == accounts


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("rep_inside", 201),
        ("rep_outside", 404),
        ("manager_other", 403),
        ("director", 403),
        ("admin", 403),
    ],
)
def test_visit_create_by_role(world, client_for, who, status) -> None:  # noqa: ANN001
    payload = {
        "account_id": world.hospital.pk,
        "at": "2026-01-12T09:30:00Z",
        "outcome": "Listed in the formulary",
        "follow_up_on": "2026-01-19",
    }

    response = client_for(who).post(
        "/api/v1/field/visits", payload, content_type="application/json"
    )

    assert response.status_code == status
    if status == 201:
        assert response.json()["account_name"] == HOSPITAL
        assert Visit.objects.get().rep == world.rep_inside
        assert Task.objects.get().due_on == date(2026, 1, 19)
    else:
        assert HOSPITAL not in response.content.decode()
        assert Visit.objects.count() == 0
        assert Task.objects.count() == 0


def test_plan_list_shows_only_plans_in_scope(world, client_for, logged) -> None:  # noqa: ANN001
    call_plan_services.call_plan_generate(
        by=None, rep=world.rep_outside, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)
    )

    def reps(who: str) -> list[str]:
        items = client_for(who).get("/api/v1/field/plans").json()["items"]
        return sorted(p["rep_username"] for p in items)

    assert reps("rep_inside") == ["rep_inside"]
    assert reps("rep_outside") == ["rep_outside"]
    assert reps("manager_other") == ["rep_outside"]
    assert reps("director") == ["rep_inside", "rep_outside"]


def test_tasks_list_own_open_tasks_due_by_a_date(world, client_for) -> None:  # noqa: ANN001
    client = client_for("rep_inside")
    client.post(
        "/api/v1/field/tasks",
        {"title": "Send the tender documents", "due_on": "2026-01-20"},
        content_type="application/json",
    )
    client.post(
        "/api/v1/field/tasks",
        {"title": "Quarterly review with the chain", "due_on": "2026-03-30"},
        content_type="application/json",
    )

    mine = client.get("/api/v1/field/tasks", {"due_by": "2026-01-31"}).json()["items"]
    theirs = client_for("rep_outside").get("/api/v1/field/tasks", {"due_by": "2026-12-31"})

    assert [t["title"] for t in mine] == ["Send the tender documents"]
    assert theirs.json()["items"] == []
