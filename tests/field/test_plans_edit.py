"""Managers edit call-plan lines (manual, audited, kept by regeneration); priority products by
the documented rule; per-product attainment; the plan pages' role matrix."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.catalog import services as catalog_services
from pharmacrm.catalog.models import Product
from pharmacrm.field import selectors_team as team_selectors
from pharmacrm.field.models import CallPlan, CallPlanLine
from pharmacrm.field.services import call_plans as call_plan_services
from pharmacrm.field.services import plans_edit as plan_services
from pharmacrm.field.services import visits as visit_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def _product(world: World, sku: str, brand: str) -> Product:
    return catalog_services.product_create(
        by=world.admin, sku_code=sku, inn="atorvastatin", brand=brand, category="medicines"
    )


@pytest.fixture
def plan(world: World) -> CallPlan:
    """rep_inside's Q1 plan: hospital 12 visits (9 in person, 3 remote), pharmacy 3."""
    return call_plan_services.call_plan_generate(
        by=None, rep=world.rep_inside, period_start=Q1[0], period_end=Q1[1]
    )


def _line(plan: CallPlan, world: World) -> CallPlanLine:
    return CallPlanLine.objects.get(plan=plan, account=world.hospital)


def test_a_director_edits_a_line_which_regeneration_then_keeps(world: World, plan) -> None:  # noqa: ANN001
    lipitor = _product(world, "ATV-20", "Lipitor")

    plan_services.call_plan_line_update(
        by=world.director,
        line=_line(plan, world),
        planned_visits=6,
        in_person_goal=4,
        phone_goal=2,
        remote_goal=0,
        messenger_goal=0,
        products=[lipitor],
        reason="Department closed for renovation in February",
    )
    call_plan_services.call_plan_generate(
        by=None, rep=world.rep_inside, period_start=Q1[0], period_end=Q1[1]
    )

    line = _line(plan, world)
    assert (line.planned_visits, line.in_person_goal, line.phone_goal, line.is_manual) == (
        6,
        4,
        2,
        True,
    )
    assert list(line.products.all()) == [lipitor]
    entry = line.history.filter(history_user=world.director).latest()
    assert entry.history_change_reason == "Department closed for renovation in February"


def test_channel_goals_above_the_planned_visits_are_refused(world: World, plan) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as refused:
        plan_services.call_plan_line_update(
            by=world.admin,
            line=_line(plan, world),
            planned_visits=2,
            in_person_goal=2,
            phone_goal=1,
            remote_goal=0,
            messenger_goal=0,
        )

    assert refused.value.message_dict == {
        "planned_visits": ["The channel goals add up to 3, more than the 2 planned visits."]
    }
    line = _line(plan, world)
    assert (line.planned_visits, line.is_manual) == (12, False)


@pytest.mark.parametrize("who", ["rep_inside", "manager_other"])
def test_a_rep_or_a_manager_of_another_region_cannot_edit(world: World, plan, who: str) -> None:  # noqa: ANN001
    user = world.user(who)
    assert user is not None

    with pytest.raises(ValidationError) as refused:
        plan_services.call_plan_line_update(
            by=user,
            line=_line(plan, world),
            planned_visits=1,
            in_person_goal=1,
            phone_goal=0,
            remote_goal=0,
            messenger_goal=0,
        )

    assert list(refused.value.message_dict) == ["plan"]
    assert _line(plan, world).planned_visits == 12


def test_priority_products_follow_the_account_history_then_the_reps_portfolio(
    world: World,
) -> None:
    lipitor, crestor, zocor = (
        _product(world, "ATV-20", "Lipitor"),
        _product(world, "RSV-10", "Crestor"),
        _product(world, "SMV-20", "Zocor"),
    )
    # Generated before any history exists: its lines get no priorities; the page's button
    # fills them once visits are on record (generation itself is in test_plan_priorities).
    plan = call_plan_services.call_plan_generate(
        by=None, rep=world.rep_inside, period_start=Q1[0], period_end=Q1[1]
    )
    empty_after_generation = CallPlanLine.products.through.objects.filter(
        callplanline__plan=plan
    ).count()
    log = visit_services.visit_log
    december = datetime(2025, 12, 3, 9, tzinfo=UTC)
    # Hospital: Lipitor twice, Crestor and Zocor once each (Zocor by another rep's visit).
    log(by=world.rep_inside, account=world.hospital, at=december, products=[lipitor, crestor])
    log(by=world.rep_inside, account=world.hospital, at=december, products=[lipitor])
    # The pharmacy has no history: it gets the rep's portfolio (Lipitor 2, Crestor 1).
    other_rep = world.rep_leaving
    from pharmacrm.territories import services as territory_services

    territory_services.assignment_create(
        by=None, user=other_rep, territory=world.dongcheng, starts_on=date(2025, 1, 1)
    )
    log(by=other_rep, account=world.hospital, at=december, products=[zocor])

    filled = plan_services.call_plan_priorities_generate(by=None, plan=plan, limit=2)
    again = plan_services.call_plan_priorities_generate(by=None, plan=plan, limit=2)

    hospital = CallPlanLine.objects.get(plan=plan, account=world.hospital)
    pharmacy = CallPlanLine.objects.get(plan=plan, account=world.pharmacy)
    # Crestor and Zocor tie at one mention: the lower product id (Crestor, created first) wins.
    assert empty_after_generation == 0
    assert (filled, again) == (2, 0)
    assert sorted(p.brand for p in hospital.products.all()) == ["Crestor", "Lipitor"]
    assert sorted(p.brand for p in pharmacy.products.all()) == ["Crestor", "Lipitor"]


def test_product_attainment_counts_visits_that_discussed_the_product(world: World, plan) -> None:  # noqa: ANN001
    lipitor = _product(world, "ATV-20", "Lipitor")
    _line(plan, world).products.set([lipitor])
    log = visit_services.visit_log
    log(
        by=world.rep_inside,
        account=world.hospital,
        at=datetime(2026, 1, 12, 9, tzinfo=UTC),
        products=[lipitor],
    )
    log(by=world.rep_inside, account=world.hospital, at=datetime(2026, 2, 2, 9, tzinfo=UTC))
    # Discussed at the pharmacy, whose line does not prioritise it: does not count.
    log(
        by=world.rep_inside,
        account=world.pharmacy,
        at=datetime(2026, 2, 3, 9, tzinfo=UTC),
        products=[lipitor],
    )

    rows = team_selectors.call_plan_product_attainment(plan=plan)

    assert [(r.label, r.goal, r.done) for r in rows] == [("Lipitor", 12, 1)]


@pytest.mark.parametrize(
    ("who", "detail", "edit"),
    [
        ("anonymous", 302, 302),
        ("rep_inside", 200, 403),
        ("rep_outside", 404, 403),
        ("manager_other", 404, 404),
        ("director", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_plan_pages_by_role(world, client_for, plan, who, detail, edit) -> None:  # noqa: ANN001
    client = client_for(who)
    line = _line(plan, world)

    shown = client.get(f"/field/plans/{plan.pk}/")
    form = client.get(f"/field/plans/{plan.pk}/lines/{line.pk}/edit/")
    posted = client.post(
        f"/field/plans/{plan.pk}/lines/{line.pk}/edit/",
        {
            "planned_visits": 1,
            "in_person_goal": 1,
            "phone_goal": 0,
            "remote_goal": 0,
            "messenger_goal": 0,
        },
    )

    assert (shown.status_code, form.status_code) == (detail, edit)
    hospital = "Peking Union Medical College Hospital"
    assert (hospital in shown.content.decode()) == (detail == 200)
    assert (hospital in form.content.decode()) == (edit == 200)
    assert posted.status_code == (302 if edit == 200 else edit)
    assert _line(plan, world).planned_visits == (1 if edit == 200 else 12)
