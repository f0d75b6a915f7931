"""Reassigning an opportunity to another rep: who may (the owner's manager, director,
administrator), to whom (an active rep who covers the account today), audited, scoped, on the
page and the API; refused attempts change nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.field.models import Opportunity
from pharmacrm.field.services import opportunities as opportunity_services
from pharmacrm.territories import services as territory_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

START = date(2020, 1, 1)


@pytest.fixture
def team(world: World) -> World:
    """A second Dongcheng rep (``rep_second``) and Beijing's regional manager."""
    world.rep_second = core_services.user_create(  # type: ignore[attr-defined]
        username="rep_second", role=Role.SALES_REP, email="rep_second@pharma.test"
    )
    world.manager_beijing = core_services.user_create(  # type: ignore[attr-defined]
        username="manager_beijing", role=Role.REGIONAL_MANAGER, email="mb@pharma.test"
    )
    assign = territory_services.assignment_create
    assign(by=None, user=world.rep_second, territory=world.dongcheng, starts_on=START)  # type: ignore[attr-defined]
    assign(
        by=None,
        user=world.manager_beijing,  # type: ignore[attr-defined]
        territory=world.dongcheng.parent,
        starts_on=START,
    )
    return world


@pytest.fixture
def opportunity(team: World) -> Opportunity:
    """rep_inside's listing at the Dongcheng hospital."""
    return opportunity_services.opportunity_create(
        by=team.rep_inside,
        owner=team.rep_inside,
        account=team.hospital,
        title="Cardiology listing",
        kind="hospital_listing",
        expected_value=Decimal("80000.00"),
        currency="CNY",
        probability=30,
    )


def test_the_reps_manager_hands_it_to_a_rep_covering_the_account(team, opportunity) -> None:  # noqa: ANN001
    opportunity_services.opportunity_reassign(
        by=team.manager_beijing,
        opportunity=opportunity,
        owner=team.rep_second,
        reason="rep_inside moves to oncology",
    )

    opportunity.refresh_from_db()
    entry = opportunity.history.latest()
    assert opportunity.owner == team.rep_second
    assert entry.history_user == team.manager_beijing
    assert entry.history_change_reason == (
        "Reassigned from rep_inside to rep_second. rep_inside moves to oncology"
    )
    assert opportunity.stage_changes.count() == 1


@pytest.mark.parametrize(
    ("who", "new_owner", "field"),
    [
        ("rep_inside", "rep_second", "owner"),  # a rep does not hand work to a colleague
        ("director", "rep_outside", "owner"),  # does not cover the Dongcheng hospital
        ("director", "rep_inside", "owner"),  # already the owner
        ("director", "manager_beijing", "owner"),  # covers it, but is not a sales rep
        ("director", "rep_leaving", "owner"),  # Xicheng, and only until 15 February 2026
    ],
)
def test_refused_reassignments_change_nothing(team, opportunity, who, new_owner, field) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as refused:
        opportunity_services.opportunity_reassign(
            by=getattr(team, who), opportunity=opportunity, owner=getattr(team, new_owner)
        )

    assert list(refused.value.message_dict) == [field]
    opportunity.refresh_from_db()
    assert opportunity.owner == team.rep_inside
    assert opportunity.history.count() == 1


def test_a_closed_opportunity_is_not_reassigned(team, opportunity) -> None:  # noqa: ANN001
    opportunity_services.opportunity_move(
        by=team.rep_inside, opportunity=opportunity, to_stage="lost", reason="Budget frozen"
    )

    with pytest.raises(ValidationError) as refused:
        opportunity_services.opportunity_reassign(
            by=team.director, opportunity=opportunity, owner=team.rep_second
        )

    assert refused.value.message_dict == {"stage": ["A closed opportunity cannot be changed."]}
    assert Opportunity.objects.get().owner == team.rep_inside


def test_a_rep_who_left_the_company_is_not_offered(team, opportunity) -> None:  # noqa: ANN001
    team.rep_second.is_active = False
    team.rep_second.save()

    with pytest.raises(ValidationError):
        opportunity_services.opportunity_reassign(
            by=team.director, opportunity=opportunity, owner=team.rep_second
        )

    assert Opportunity.objects.get().owner == team.rep_inside


@pytest.mark.parametrize(
    ("who", "status", "owner"),
    [
        ("anonymous", 401, "rep_inside"),
        ("rep_inside", 403, "rep_inside"),
        ("rep_second", 404, "rep_inside"),  # another rep's opportunity: not in sight
        ("manager_other", 404, "rep_inside"),  # Shanghai's manager: not in sight
        ("manager_beijing", 200, "rep_second"),
        ("director", 200, "rep_second"),
        ("admin", 200, "rep_second"),
    ],
)
def test_reassign_api_by_role(team, opportunity, client_for, who, status, owner) -> None:  # noqa: ANN001
    response = client_for(who).post(
        f"/api/v1/field/pipeline/opportunities/{opportunity.pk}/reassign",
        {"owner_id": team.rep_second.pk, "reason": "Territory re-cut"},
        content_type="application/json",
    )

    assert response.status_code == status
    assert Opportunity.objects.get().owner.username == owner
    if status == 200:
        assert response.json()["owner_id"] == team.rep_second.pk
    if status in {401, 403, 404}:
        assert "Cardiology listing" not in response.content.decode()


def test_api_names_the_owner_field_and_no_user_for_a_wrong_owner(
    team, opportunity, client_for
) -> None:  # noqa: ANN001
    client = client_for("director")

    outside = client.post(
        f"/api/v1/field/pipeline/opportunities/{opportunity.pk}/reassign",
        {"owner_id": team.rep_outside.pk},
        content_type="application/json",
    )
    unknown = client.post(
        f"/api/v1/field/pipeline/opportunities/{opportunity.pk}/reassign",
        {"owner_id": 999_999},
        content_type="application/json",
    )

    for response in (outside, unknown):
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "owner"
        assert "rep_outside" not in response.content.decode()
    assert Opportunity.objects.get().owner == team.rep_inside


def test_page_offers_the_covering_reps_and_reassigns(team, opportunity, client_for) -> None:  # noqa: ANN001
    client = client_for("manager_beijing")

    detail = client.get(f"/field/pipeline/{opportunity.pk}/").content.decode()
    done = client.post(
        f"/field/pipeline/{opportunity.pk}/reassign/",
        {"owner": team.rep_second.pk, "reason": "Territory re-cut"},
    )
    rep_view = client_for("rep_inside").get(f"/field/pipeline/{opportunity.pk}/")
    rep_post = client_for("rep_inside").post(
        f"/field/pipeline/{opportunity.pk}/reassign/", {"owner": team.rep_inside.pk}
    )

    assert 'data-testid="reassign-form"' in detail
    assert f'<option value="{team.rep_second.pk}">rep_second</option>' in detail
    assert "rep_outside" not in detail
    assert done.status_code == 302
    assert Opportunity.objects.get().owner == team.rep_second
    # rep_inside no longer owns it: the page and the action are out of their sight.
    assert rep_view.status_code == 404
    assert rep_post.status_code == 404


def test_a_rep_sees_no_reassign_form_on_their_own_opportunity(
    team, opportunity, client_for
) -> None:  # noqa: ANN001
    page = client_for("rep_inside").get(f"/field/pipeline/{opportunity.pk}/")
    post = client_for("rep_inside").post(
        f"/field/pipeline/{opportunity.pk}/reassign/", {"owner": team.rep_second.pk}
    )

    assert page.status_code == 200
    assert 'data-testid="reassign-form"' not in page.content.decode()
    assert post.status_code == 403
    assert Opportunity.objects.get().owner == team.rep_inside
