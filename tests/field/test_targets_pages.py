"""Target entry and import pages: who may use them, field errors, the dry-run report."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pharmacrm.field.models import Target

from .conftest import World  # noqa: TID252 - tests/ is not a package

CSV = b"rep,period,amount,currency\nrep_outside,2026Q1,8000,CNY\nrep_outside,2026Q9,100,CNY\n"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("rep_inside", 403), ("manager_other", 200), ("admin", 200)],
)
def test_target_entry_page_by_role(world: World, client_for, who, status) -> None:  # noqa: ANN001
    response = client_for(who).get("/field/targets/new/")

    assert response.status_code == status


def test_manager_enters_a_target_for_a_team_rep_only(world: World, client_for) -> None:  # noqa: ANN001
    client = client_for("manager_other")

    outside_team = client.post(
        "/field/targets/new/",
        {"rep": world.rep_inside.pk, "period": "2026Q1", "amount": "100", "currency": "CNY"},
    )
    bad_period = client.post(
        "/field/targets/new/",
        {"rep": world.rep_outside.pk, "period": "Q1", "amount": "100", "currency": "CNY"},
    )
    saved = client.post(
        "/field/targets/new/",
        {"rep": world.rep_outside.pk, "period": "2026-02", "amount": "2500", "currency": "CNY"},
    )

    assert outside_team.status_code == 200
    assert "Select a valid choice." in outside_team.content.decode()
    assert "Q1 is not a period; write a quarter as 2026Q1 or a month as 2026-01." in (
        bad_period.content.decode()
    )
    assert saved.status_code == 302
    assert list(Target.objects.values_list("rep__username", "period", "amount")) == [
        ("rep_outside", "month", Decimal("2500.00"))
    ]


def test_import_page_dry_run_lists_errors_and_stores_nothing(world: World, client_for) -> None:  # noqa: ANN001
    client = client_for("admin")

    dry = client.post(
        "/field/targets/import/",
        {"file": SimpleUploadedFile("targets.csv", CSV, "text/csv"), "dry_run": "on"},
    )
    stored_after_dry = Target.objects.count()
    real = client.post(
        "/field/targets/import/", {"file": SimpleUploadedFile("targets.csv", CSV, "text/csv")}
    )

    body = dry.content.decode()
    assert "Dry run: nothing was stored" in body
    assert "<td>2</td><td>period</td><td>2026Q9</td>" in body
    assert stored_after_dry == 0
    assert "1 created, 0 updated, 0 unchanged" in real.content.decode()
    assert Target.objects.get().amount == Decimal("8000.00")


def test_target_list_shows_only_the_reps_own(world: World, client_for) -> None:  # noqa: ANN001
    from pharmacrm.field.services import targets as target_services

    q1 = target_services.period_parse("2026Q1")
    for rep in (world.rep_inside, world.rep_outside):
        target_services.target_upsert(
            by=None, rep=rep, period=q1, amount=Decimal(1234), currency="CNY"
        )

    body = client_for("rep_inside").get("/field/targets/list/").content.decode()

    assert "rep_inside" in body
    assert "rep_outside" not in body
