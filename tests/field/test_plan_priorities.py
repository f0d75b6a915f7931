"""Generated call plans carry priority products (deliverable 1: plans by grade "with product
priorities"), whichever door generates them: the CLI for every rep, one rep's generation, the
API that shows the plan.

The rule (``services/plans_edit``): the products discussed most often on done visits to the
account in the 90 days before the period start, else the rep's most discussed products over
all their accounts in that window; at most 3, ties on the lower product id.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from pharmacrm.catalog import services as catalog_services
from pharmacrm.catalog.models import Product
from pharmacrm.cli import app
from pharmacrm.field.models import CallPlan, CallPlanLine, CallPlanRule
from pharmacrm.field.services import call_plans as call_plan_services
from pharmacrm.field.services import plans_edit as plan_services
from pharmacrm.field.services import visits as visit_services

from . import factories  # noqa: TID252 - tests/ is not a package
from .conftest import World  # noqa: TID252

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture
def products(world: World) -> dict[str, Product]:
    """Five statins and antihypertensives, created in this order (ids ascending)."""
    made = {}
    for sku, inn, brand in (
        ("ATV-20", "atorvastatin", "Lipitor"),
        ("RSV-10", "rosuvastatin", "Crestor"),
        ("SMV-20", "simvastatin", "Zocor"),
        ("AML-5", "amlodipine", "Norvasc"),
        ("VAL-80", "valsartan", "Diovan"),
    ):
        made[brand] = catalog_services.product_create(
            by=world.admin, sku_code=sku, inn=inn, brand=brand, category="medicines"
        )
    return made


@pytest.fixture
def rules(world: World) -> None:
    """The grade rules this module relies on, set here so no other test's flush matters.

    Grade S terminal: 4 a month; grade B pharmacy: 1; grade A terminal: 2; grade C: none.
    """
    for grade, kind, per_month in (("S", "", 4), ("B", "pharmacy", 1), ("A", "", 2), ("C", "", 0)):
        CallPlanRule.objects.update_or_create(
            grade=grade,
            tier="terminal",
            kind=kind,
            defaults={"visits_per_month": per_month, "in_person_goal": per_month},
        )


def _log(world: World, rep_name: str, account_name: str, at: datetime, *brands: str) -> None:
    products = [Product.objects.get(brand=b) for b in brands]
    visit_services.visit_log(
        by=getattr(world, rep_name),
        account=getattr(world, account_name),
        at=at,
        products=products,
    )


@pytest.fixture
def history(world: World, products: dict[str, Product], rules: None) -> None:
    """Visits before Q1 2026 (window: UTC days 3 October – 31 December 2025).

    rep_inside at the hospital (grade S): Norvasc 3× (one at 00:30 on 3 October), Diovan 3×
    (one at 23:30 on 31 December), Lipitor 2×, Crestor 2× → Norvasc and Diovan, then Lipitor
    (ties with Crestor, lower id). Each edge visit decides the set: without the 3 October one
    Crestor would replace Norvasc, without the 31 December one Crestor would replace Diovan.
    Zocor 3× on 2 October (before the window) and 3× on 1 January (in the period, not
    before it): counted, it would tie at 3 with the lowest id and enter. rep_outside at the
    Pudong hospital: Zocor once. The pharmacy (grade B) has no history of its own: it gets
    rep_inside's portfolio, which here has the hospital's counts. A grade C pharmacy of
    rep_inside gets no line at all.
    """
    inside = "rep_inside"
    dec = datetime(2025, 12, 3, 9, tzinfo=UTC)
    _log(world, inside, "hospital", dec, "Norvasc", "Diovan", "Lipitor")
    _log(world, inside, "hospital", dec, "Diovan", "Lipitor", "Crestor")
    _log(world, inside, "hospital", datetime(2025, 11, 15, 9, tzinfo=UTC), "Norvasc", "Crestor")
    _log(world, inside, "hospital", datetime(2025, 10, 3, 0, 30, tzinfo=UTC), "Norvasc")
    _log(world, inside, "hospital", datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "Diovan")
    for at in (datetime(2025, 10, 2, 23, 30, tzinfo=UTC), datetime(2026, 1, 1, 0, 30, tzinfo=UTC)):
        for _ in range(3):
            _log(world, inside, "hospital", at, "Zocor")
    _log(world, "rep_outside", "pudong_hospital", dec, "Zocor")
    factories.account(code="BJ-P-C", grade="C", territory=world.dongcheng)


def _priorities(plan: CallPlan) -> dict[str, list[str]]:
    lines = CallPlanLine.objects.filter(plan=plan).select_related("account")
    return {
        line.account.code: sorted(p.brand for p in line.products.all())
        for line in lines.prefetch_related("products")
    }


def _links() -> list[tuple[int, int]]:
    through = CallPlanLine.products.through
    return sorted(through.objects.values_list("callplanline_id", "product_id"))


def test_cli_generated_plans_carry_priority_products_and_a_rerun_changes_nothing(
    world: World, history: None
) -> None:
    runner = CliRunner()

    first = runner.invoke(app, ["field", "generate-plans", "--period", "2026Q1"])
    links_first = _links()
    again = runner.invoke(app, ["field", "generate-plans", "--period", "2026Q1"])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert _priorities(CallPlan.objects.get(rep=world.rep_inside)) == {
        "BJ-H-001": ["Diovan", "Lipitor", "Norvasc"],
        "BJ-P-001": ["Diovan", "Lipitor", "Norvasc"],
    }
    assert _priorities(CallPlan.objects.get(rep=world.rep_outside)) == {"SH-H-001": ["Zocor"]}
    # rep_leaving's grade A pharmacy: no history there, none in the rep's portfolio.
    assert _priorities(CallPlan.objects.get(rep=world.rep_leaving)) == {"BJ-P-002": []}
    assert _links() == links_first
    assert len(links_first) == 7


def test_one_reps_generation_fills_new_lines_and_keeps_manual_and_filled_ones(
    world: World, history: None, products: dict[str, Product]
) -> None:
    plan = call_plan_services.call_plan_generate(
        by=None, rep=world.rep_inside, period_start=Q1[0], period_end=Q1[1]
    )
    hospital = CallPlanLine.objects.get(plan=plan, account=world.hospital)
    plan_services.call_plan_line_update(
        by=world.director,
        line=hospital,
        planned_visits=12,
        in_person_goal=12,
        phone_goal=0,
        remote_goal=0,
        messenger_goal=0,
        products=[],
        reason="The department buys no statins this quarter",
    )
    # A new grade S account arrives with history of its own; the pharmacy's history changes
    # after its line was filled (a filled line keeps its priorities).
    new = factories.hospital(code="BJ-H-002", name="Beijing Hospital", territory=world.dongcheng)
    visit_services.visit_log(
        by=world.rep_inside,
        account=new,
        at=datetime(2025, 11, 20, 9, tzinfo=UTC),
        products=[products["Zocor"]],
    )
    visit_services.visit_log(
        by=world.rep_inside,
        account=world.pharmacy,
        at=datetime(2025, 11, 21, 9, tzinfo=UTC),
        products=[products["Zocor"]],
    )

    again = call_plan_services.call_plan_generate(
        by=None, rep=world.rep_inside, period_start=Q1[0], period_end=Q1[1]
    )

    assert again.pk == plan.pk
    assert _priorities(plan) == {
        "BJ-H-001": [],
        "BJ-H-002": ["Zocor"],
        "BJ-P-001": ["Diovan", "Lipitor", "Norvasc"],
    }


def test_plan_api_lists_the_priority_products_of_each_line(
    world: World, history: None, products: dict[str, Product], client_for
) -> None:  # noqa: ANN001
    plan = call_plan_services.call_plan_generate(
        by=None, rep=world.rep_inside, period_start=Q1[0], period_end=Q1[1]
    )

    response = client_for("rep_inside").get(f"/api/v1/field/plans/{plan.pk}")

    assert response.status_code == 200
    chosen = sorted(products[b].pk for b in ("Diovan", "Lipitor", "Norvasc"))
    assert [(x["account_id"], x["priority_product_ids"]) for x in response.json()["lines"]] == [
        (world.hospital.pk, chosen),
        (world.pharmacy.pk, chosen),
    ]
