"""The new-account pipeline: stage history on every move, reasons to close, conversion rates
worked by hand, and who sees which opportunity (API and pages)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.field import selectors_pipeline as pipeline_selectors
from pharmacrm.field.models import Opportunity, OpportunityStageChange
from pharmacrm.field.services import opportunities as opportunity_services

from . import factories  # noqa: TID252 - tests/ is not a package
from .conftest import World  # noqa: TID252

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _open(world: World, owner_name: str = "rep_inside", title: str = "Listing") -> Opportunity:
    owner = getattr(world, owner_name)
    account = world.pudong_hospital if owner_name == "rep_outside" else world.hospital
    return opportunity_services.opportunity_create(
        by=owner,
        owner=owner,
        account=account,
        title=title,
        kind="hospital_listing",
        expected_value=Decimal("120000.00"),
        currency="CNY",
        probability=20,
        at=T0,
    )


def _moves(opportunity: Opportunity, by, *stages: str) -> None:  # noqa: ANN001
    for day, stage in enumerate(stages, start=6):
        reason = "Formulary committee approved" if stage == "won" else ""
        reason = "Chose a competitor" if stage == "lost" else reason
        opportunity_services.opportunity_move(
            by=by,
            opportunity=opportunity,
            to_stage=stage,
            reason=reason,
            at=datetime(2026, 1, day, 9, 0, tzinfo=UTC),
        )


def test_every_move_is_recorded_in_the_stage_history(world: World) -> None:
    opportunity = _open(world)

    _moves(opportunity, world.rep_inside, "qualified", "proposal", "won")

    history = [
        (c.from_stage, c.to_stage, c.changed_at.day, c.changed_by.username)
        for c in pipeline_selectors.opportunity_stage_history(opportunity=opportunity)
    ]
    assert history == [
        ("", "lead", 5, "rep_inside"),
        ("lead", "qualified", 6, "rep_inside"),
        ("qualified", "proposal", 7, "rep_inside"),
        ("proposal", "won", 8, "rep_inside"),
    ]
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability, opportunity.close_reason) == (
        "won",
        100,
        "Formulary committee approved",
    )
    assert opportunity.closed_at == datetime(2026, 1, 8, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("stage", ["won", "lost"])
def test_closing_without_a_reason_is_refused_and_changes_nothing(world: World, stage) -> None:  # noqa: ANN001
    opportunity = _open(world)

    with pytest.raises(ValidationError) as refused:
        opportunity_services.opportunity_move(
            by=world.rep_inside, opportunity=opportunity, to_stage=stage, reason="   "
        )

    assert refused.value.message_dict == {
        "close_reason": ["Say why the opportunity was won or lost before closing it."]
    }
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.closed_at) == ("lead", None)
    assert OpportunityStageChange.objects.filter(opportunity=opportunity).count() == 1


def test_a_closed_opportunity_cannot_move_or_change(world: World) -> None:
    opportunity = _open(world)
    _moves(opportunity, world.rep_inside, "lost")

    with pytest.raises(ValidationError) as moved:
        opportunity_services.opportunity_move(
            by=world.rep_inside, opportunity=opportunity, to_stage="qualified"
        )
    with pytest.raises(ValidationError) as edited:
        opportunity_services.opportunity_update(
            by=world.rep_inside, opportunity=opportunity, probability=90
        )

    assert moved.value.message_dict == {"stage": ["This opportunity is closed; open a new one."]}
    assert edited.value.message_dict == {"stage": ["A closed opportunity cannot be changed."]}
    assert OpportunityStageChange.objects.filter(opportunity=opportunity).count() == 2


def test_probability_above_100_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        opportunity_services.opportunity_create(
            by=world.rep_inside,
            owner=world.rep_inside,
            account=world.hospital,
            title="Listing",
            kind="hospital_listing",
            expected_value=Decimal(1000),
            currency="CNY",
            probability=130,
        )

    assert refused.value.message_dict == {
        "probability": ["Probability is a percentage from 0 to 100."]
    }
    assert Opportunity.objects.count() == 0


def test_conversion_rates_by_stage_and_rep_worked_by_hand(world: World) -> None:
    # A (rep_inside): lead → qualified → proposal → won (skips negotiation)
    # B (rep_inside): lead → qualified → lost
    # C (rep_outside): lead → lost
    # D (rep_outside): lead → qualified → proposal → negotiation (open)
    # Reached lead 4, qualified 3 (A B D), proposal 2 (A D), negotiation 2 (A by skipping, D),
    # won 1 (A). Rates: 3/4, 2/3, 2/2, 1/2; win rate won / closed = 1 / 3 (A; B, C lost).
    # rep_inside: reached 2, 2, 1, 1, 1 → 1, 1/2, 1, 1; win 1/2.
    # rep_outside: reached 2, 1, 1, 1, 0 → 1/2, 1, 1, 0; win 0/1.
    a, b = _open(world, title="A"), _open(world, title="B")
    c, d = _open(world, "rep_outside", "C"), _open(world, "rep_outside", "D")
    _moves(a, world.rep_inside, "qualified", "proposal", "won")
    _moves(b, world.rep_inside, "qualified", "lost")
    _moves(c, world.rep_outside, "lost")
    _moves(d, world.rep_outside, "qualified", "proposal", "negotiation")

    overall, per_rep = pipeline_selectors.pipeline_conversion(
        opportunities=pipeline_selectors.opportunity_list_for(user=world.director)
    )

    assert [(s.stage, s.reached, s.advanced, s.rate) for s in overall.stages] == [
        ("lead", 4, 3, Fraction(3, 4)),
        ("qualified", 3, 2, Fraction(2, 3)),
        ("proposal", 2, 2, Fraction(1)),
        ("negotiation", 2, 1, Fraction(1, 2)),
    ]
    assert (overall.won, overall.lost, overall.win_rate) == (1, 2, Fraction(1, 3))
    inside, outside = per_rep[world.rep_inside.pk], per_rep[world.rep_outside.pk]
    assert [s.rate for s in inside.stages] == [1, Fraction(1, 2), 1, 1]
    assert inside.win_rate == Fraction(1, 2)
    assert [s.rate for s in outside.stages] == [Fraction(1, 2), 1, 1, 0]
    assert outside.win_rate == 0


def test_board_counts_and_weights_value_by_probability(world: World) -> None:
    _open(world, title="A")
    b = _open(world, title="B")
    opportunity_services.opportunity_update(by=world.rep_inside, opportunity=b, probability=50)

    board = pipeline_selectors.pipeline_board(
        opportunities=pipeline_selectors.opportunity_list_for(user=world.rep_inside)
    )

    lead = next(column for column in board if column.stage == "lead")
    # 120 000 × 20 % + 120 000 × 50 % = 24 000 + 60 000
    assert (lead.count, lead.value, lead.weighted_value) == (
        2,
        Decimal("240000.00"),
        Decimal("84000.00"),
    )


@pytest.mark.parametrize(
    ("who", "status", "titles"),
    [
        ("anonymous", 401, None),
        ("rep_inside", 200, ["Inside"]),
        ("rep_outside", 200, ["Outside"]),
        ("manager_other", 200, ["Outside"]),
        ("director", 200, ["Outside", "Inside"]),
        ("admin", 200, ["Outside", "Inside"]),
    ],
)
def test_opportunity_list_api_by_role(world, client_for, who, status, titles) -> None:  # noqa: ANN001
    _open(world, title="Inside")
    _open(world, "rep_outside", "Outside")

    response = client_for(who).get("/api/v1/field/pipeline/opportunities")

    assert response.status_code == status
    if status == 200:
        assert [row["title"] for row in response.json()["items"]] == titles


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("rep_inside", 200),
        ("rep_outside", 404),
        ("manager_other", 404),
        ("director", 200),
        ("admin", 200),
    ],
)
def test_opportunity_detail_api_by_role(world, client_for, who, status) -> None:  # noqa: ANN001
    opportunity = _open(world, title="Inside")

    response = client_for(who).get(f"/api/v1/field/pipeline/opportunities/{opportunity.pk}")

    assert response.status_code == status
    if status == 200:
        assert response.json()["stage_history"][0]["to_stage"] == "lead"
    else:
        assert "Inside" not in response.content.decode()


def test_api_open_outside_the_territory_is_404_and_stores_nothing(world, client_for) -> None:  # noqa: ANN001
    payload = {
        "account_id": world.pudong_hospital.pk,
        "title": "Pudong listing",
        "kind": "hospital_listing",
        "expected_value": "50000.00",
        "currency": "cny",
        "probability": 30,
    }

    outside = client_for("rep_inside").post(
        "/api/v1/field/pipeline/opportunities", payload, content_type="application/json"
    )
    inside = client_for("rep_outside").post(
        "/api/v1/field/pipeline/opportunities", payload, content_type="application/json"
    )

    assert outside.status_code == 404
    assert inside.status_code == 201
    assert inside.json()["currency"] == "CNY"
    assert list(Opportunity.objects.values_list("title", "owner__username")) == [
        ("Pudong listing", "rep_outside")
    ]


def test_api_close_without_reason_is_422_naming_the_field(world, client_for) -> None:  # noqa: ANN001
    opportunity = _open(world)

    response = client_for("rep_inside").post(
        f"/api/v1/field/pipeline/opportunities/{opportunity.pk}/move",
        {"stage": "won"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {
            "field": "close_reason",
            "message": "Say why the opportunity was won or lost before closing it.",
        }
    ]


def test_conversion_api_worked_example(world, client_for) -> None:  # noqa: ANN001
    a, b = _open(world, title="A"), _open(world, title="B")
    _moves(a, world.rep_inside, "qualified", "won")
    _moves(b, world.rep_inside, "lost")

    body = client_for("rep_inside").get("/api/v1/field/pipeline/conversion").json()

    # reached: lead 2, qualified 1 (A), proposal 1 and negotiation 1 (A skipped them), won 1
    assert [s["rate"] for s in body["overall"]["stages"]] == [0.5, 1.0, 1.0, 1.0]
    assert body["overall"]["win_rate"] == 0.5
    assert [r["owner_id"] for r in body["per_rep"]] == [world.rep_inside.pk]


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep_inside", 200), ("manager_other", 200), ("director", 200), ("anonymous", 302)],
)
def test_pipeline_page_by_role(world, client_for, who, status) -> None:  # noqa: ANN001
    _open(world, title="Inside listing")

    response = client_for(who).get("/field/pipeline/")

    assert response.status_code == status
    if who in {"rep_inside", "director"}:
        assert "Inside listing" in response.content.decode()
    if who == "manager_other":
        assert "Inside listing" not in response.content.decode()


def test_page_create_move_and_refused_close(world, client_for) -> None:  # noqa: ANN001
    prospect = factories.account(
        code="BJ-P-009", name="Yifeng Pharmacy Dongcheng", territory=world.dongcheng
    )
    client = client_for("rep_inside")

    created = client.post(
        "/field/pipeline/new/",
        {
            "account": prospect.pk,
            "title": "Yifeng chain entry",
            "kind": "new_pharmacy",
            "expected_value": "80000",
            "currency": "cny",
            "probability": "40",
        },
    )
    opportunity = Opportunity.objects.get()
    refused = client.post(
        f"/field/pipeline/{opportunity.pk}/move/", {"stage": "lost", "reason": ""}
    )
    moved = client.post(f"/field/pipeline/{opportunity.pk}/move/", {"stage": "qualified"})
    detail = client.get(f"/field/pipeline/{opportunity.pk}/").content.decode()

    assert created.status_code == 302
    assert (opportunity.account_id, opportunity.currency) == (prospect.pk, "CNY")
    assert refused.status_code == 200
    assert "Say why the opportunity was won or lost before closing it." in refused.content.decode()
    assert moved.status_code == 302
    assert list(opportunity.stage_changes.values_list("to_stage", flat=True)) == [
        "lead",
        "qualified",
    ]
    assert 'data-testid="stage-history"' in detail
    assert "Qualified" in detail
