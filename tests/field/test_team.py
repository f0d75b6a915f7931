"""Managers' team execution: figures worked by hand on a small quarter, scoping by role, the
rep drill-down, manager corrections of visits, and the weekly summary over real SMTP.

The hand-worked week (day ``ON`` = Wednesday 4 March 2026, window of 7 days = 26 February to
4 March, working days Thu 26, Fri 27, Mon 2, Tue 3, Wed 4 = 5):

- rep_inside, Q1 plan 15 visits (grade S hospital 4/month × 3 = 12, grade B pharmacy 1 × 3 =
  3). Visits: hospital 12 Jan and 2 Mar, pharmacy 3 Mar (phone) and 4 Mar → done 4 (2 + 2,
  both under their caps), 3 in the window → 3/5 a day; the one S/A account (the hospital) seen
  → coverage 1/1; one open follow-up due 1 March → 1 overdue (the one due 4 March is not).
- rep_outside, Q1 plan 12 (Pudong hospital), no visits → 0/12, coverage 0/1, no activity.
- rep_leaving left Xicheng on 15 February: not on any team on 4 March.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.field import selectors_team as team_selectors
from pharmacrm.field.mail_weekly import weekly_summary_send
from pharmacrm.field.models import Visit
from pharmacrm.field.services import call_plans as call_plan_services
from pharmacrm.field.services import tasks as task_services
from pharmacrm.field.services import visits as visit_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

ON = date(2026, 3, 4)
Q1 = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture
def quarter(world: World) -> World:
    """The plans, visits and tasks of the module docstring."""
    for rep in (world.rep_inside, world.rep_outside):
        call_plan_services.call_plan_generate(
            by=None, rep=rep, period_start=Q1[0], period_end=Q1[1]
        )
    log = visit_services.visit_log
    log(by=world.rep_inside, account=world.hospital, at=datetime(2026, 1, 12, 9, tzinfo=UTC))
    log(by=world.rep_inside, account=world.hospital, at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    log(
        by=world.rep_inside,
        account=world.pharmacy,
        at=datetime(2026, 3, 3, 14, tzinfo=UTC),
        channel="phone",
    )
    log(by=world.rep_inside, account=world.pharmacy, at=datetime(2026, 3, 4, 10, tzinfo=UTC))
    task_services.task_create(
        by=world.rep_inside, title="Bring the formulary file", due_on=date(2026, 3, 1)
    )
    task_services.task_create(by=world.rep_inside, title="Call the head nurse", due_on=ON)
    return world


def test_team_execution_figures_match_the_hand_worked_week(quarter: World) -> None:
    reps = [quarter.rep_inside, quarter.rep_outside]

    inside, outside = team_selectors.team_execution(reps=reps, on=ON, days=7)

    assert (inside.planned, inside.done, inside.window_visits, inside.working_days) == (15, 4, 3, 5)
    assert inside.visits_per_day == Fraction(3, 5)
    assert (inside.top_accounts, inside.top_accounts_seen, inside.overdue_follow_ups) == (1, 1, 1)
    assert not inside.is_inactive
    assert (outside.planned, outside.done, outside.top_accounts, outside.top_accounts_seen) == (
        12,
        0,
        1,
        0,
    )
    assert outside.is_inactive


def test_team_execution_costs_the_same_queries_for_one_rep_and_two(
    quarter: World, django_assert_num_queries
) -> None:  # noqa: ANN001
    with django_assert_num_queries(5):
        team_selectors.team_execution(reps=[quarter.rep_inside], on=ON)
    with django_assert_num_queries(5):
        team_selectors.team_execution(reps=[quarter.rep_inside, quarter.rep_outside], on=ON)


@pytest.mark.parametrize(
    ("who", "team"),
    [
        ("rep_inside", set()),
        ("manager_other", {"rep_outside"}),
        ("director", {"rep_inside", "rep_outside", "rep_leaving"}),
        ("admin", {"rep_inside", "rep_outside", "rep_leaving"}),
    ],
)
def test_team_membership_by_role(world: World, who: str, team: set[str]) -> None:
    user = world.user(who)
    assert user is not None

    reps = team_selectors.team_rep_list_for(user=user, on=ON)

    rep_ids = team_selectors.team_rep_ids_for(user=user, on=ON)
    if who == "rep_inside":
        assert rep_ids == frozenset()
        assert {r.username for r in reps} == set()
    else:
        assert {r.username for r in reps} == team


def test_a_manager_no_longer_sees_a_rep_whose_assignment_ended(world: World) -> None:
    from pharmacrm.territories import services as territory_services

    territory_services.assignment_create(
        by=None, user=world.manager_other, territory=world.xicheng, starts_on=date(2020, 1, 1)
    )

    before = team_selectors.team_rep_list_for(user=world.manager_other, on=date(2026, 2, 14))
    after = team_selectors.team_rep_list_for(user=world.manager_other, on=date(2026, 2, 16))

    assert {r.username for r in before} == {"rep_outside", "rep_leaving"}
    assert {r.username for r in after} == {"rep_outside"}


def test_channel_attainment_of_the_plan(quarter: World) -> None:
    plan = quarter.rep_inside.call_plans.get()

    rows = team_selectors.call_plan_channel_attainment(plan=plan)

    # Goals: hospital 3 in person + 1 remote a month, pharmacy 1 in person, over 3 months.
    assert [(r.key, r.goal, r.done) for r in rows] == [
        ("in_person", 12, 3),
        ("phone", 0, 1),
        ("remote", 3, 0),
        ("messenger", 0, 0),
    ]


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "listed", "hidden"),
    [
        ("anonymous", 302, [], ["rep_inside", "rep_outside"]),
        ("rep_inside", 403, [], ["rep_outside"]),
        ("rep_outside", 403, [], ["rep_inside"]),
        ("manager_other", 200, ["rep_outside"], ["rep_inside"]),
        ("director", 200, ["rep_inside", "rep_outside"], []),
        ("admin", 200, ["rep_inside", "rep_outside"], []),
    ],
)
def test_team_page_by_role(world, client_for, who, status, listed, hidden) -> None:  # noqa: ANN001
    response = client_for(who).get("/field/team/")

    body = response.content.decode()
    assert response.status_code == status
    for name in listed:
        assert f">{name}</a>" in body
    for name in hidden:
        assert f">{name}</a>" not in body


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("rep_inside", 403),
        ("rep_outside", 403),
        ("manager_other", 404),
        ("director", 200),
        ("admin", 200),
    ],
)
def test_rep_drill_down_by_role(quarter, client_for, who, status) -> None:  # noqa: ANN001
    response = client_for(who).get(f"/field/team/{quarter.rep_inside.pk}/")

    assert response.status_code == status
    body = response.content.decode()
    if status == 200:
        assert body.count("data-visit=") == 4
        assert "Tongrentang Pharmacy Dongcheng" in body
    else:
        assert "Tongrentang Pharmacy Dongcheng" not in body


def test_team_page_search_finds_a_rep_and_says_when_nothing_matches(world, client_for) -> None:  # noqa: ANN001
    client = client_for("director")

    found = client.get("/field/team/", {"q": "outside"}).content.decode()
    nothing = client.get("/field/team/", {"q": "nobody-called-this"}).content.decode()

    assert ">rep_outside</a>" in found
    assert ">rep_inside</a>" not in found
    assert "Nothing matches your search or filters." in nothing


# --- corrections by a manager ----------------------------------------------------------------


def test_a_director_corrects_a_visit_with_a_reason_kept_in_history(quarter: World) -> None:
    visit = Visit.objects.get(at=datetime(2026, 3, 2, 9, tzinfo=UTC))

    visit_services.visit_correct(
        by=quarter.director,
        visit=visit,
        reason="The rep logged the wrong channel",
        channel="remote",
    )

    visit.refresh_from_db()
    latest = visit.history.latest()
    assert (visit.channel, visit.version) == ("remote", 2)
    assert latest.history_user == quarter.director
    assert latest.history_change_reason == "The rep logged the wrong channel"


def test_a_manager_correction_without_a_reason_is_refused(quarter: World) -> None:
    visit = Visit.objects.get(at=datetime(2026, 3, 2, 9, tzinfo=UTC))

    with pytest.raises(ValidationError) as refused:
        visit_services.visit_correct(by=quarter.director, visit=visit, channel="remote")

    assert refused.value.message_dict == {"reason": ["Say why you correct your rep's visit."]}
    visit.refresh_from_db()
    assert (visit.channel, visit.version) == ("in_person", 1)


def test_a_manager_of_another_region_cannot_correct(quarter: World, client_for) -> None:  # noqa: ANN001
    visit = Visit.objects.get(at=datetime(2026, 3, 2, 9, tzinfo=UTC))

    with pytest.raises(ValidationError) as refused:
        visit_services.visit_correct(
            by=quarter.manager_other, visit=visit, reason="x", channel="remote"
        )
    page = client_for("manager_other").post(
        f"/field/team/visits/{visit.pk}/correct/",
        {"at": "2026-03-02T09:00", "channel": "remote", "status": "done", "reason": "x"},
    )

    assert refused.value.message_dict == {"visit": ["Only the rep who logged a visit corrects it."]}
    assert page.status_code == 404
    visit.refresh_from_db()
    assert (visit.channel, visit.version) == ("in_person", 1)


def test_correction_page_saves_and_requires_a_reason(quarter: World, client_for) -> None:  # noqa: ANN001
    visit = Visit.objects.get(at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    client = client_for("director")
    form = {"at": "2026-03-02T09:00", "channel": "phone", "status": "done", "outcome": ""}

    refused = client.post(f"/field/team/visits/{visit.pk}/correct/", form)
    saved = client.post(
        f"/field/team/visits/{visit.pk}/correct/", {**form, "reason": "Was a phone call"}
    )

    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert saved.status_code == 302
    visit.refresh_from_db()
    assert (visit.channel, visit.history.latest().history_change_reason) == (
        "phone",
        "Was a phone call",
    )


# --- weekly summary ---------------------------------------------------------------------------


def test_weekly_summary_goes_to_each_manager_with_their_team_only(
    quarter: World, smtp_server
) -> None:  # noqa: ANN001
    sent = weekly_summary_send(week_end=ON, base_url="https://crm.example.test")

    messages = {m["To"]: m for m in smtp_server.wait_for(2)}
    assert sent == 2
    assert set(messages) == {"director@pharma.test", "manager_other@pharma.test"}
    regional = smtp_server.text_of(messages["manager_other@pharma.test"])
    director = smtp_server.text_of(messages["director@pharma.test"])
    assert messages["manager_other@pharma.test"]["Subject"] == (
        "Field force week ending 2026-03-04: 0 visits by 1 reps"
    )
    assert "rep_outside | 0 | 0 / 12 (0 %) | 0 / 1 | 0" in regional
    assert "rep_inside" not in regional
    assert "No visits this week: rep_outside" in regional
    assert "https://crm.example.test/field/team/" in regional
    assert "rep_inside | 3 | 4 / 15 (27 %) | 1 / 1 | 1" in director
