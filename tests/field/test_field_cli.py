"""``pharmacrm field generate-plans`` and ``pharmacrm field import-targets`` through the real
Typer application (the console script's ``app``), against the test database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from typer.testing import CliRunner

from pharmacrm.cli import app
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.field.models import CallPlan, CallPlanLine, Target
from pharmacrm.field.services import call_plans as call_plan_services

from .conftest import World  # noqa: TID252 - tests/ is not a package


def _plans() -> list[tuple[str, str, int]]:
    return sorted(
        (line.plan.rep.username, line.account.code, line.planned_visits)
        for line in CallPlanLine.objects.select_related("plan__rep", "account")
    )


def test_generate_plans_for_a_quarter_for_every_rep_and_again(world: World) -> None:
    # Q1 2026 on 1 January: rep_inside covers Dongcheng (S hospital 4/month → 12, B pharmacy
    # 1/month → 3), rep_leaving Xicheng (A pharmacy 2/month → 6), rep_outside Pudong (S hospital
    # → 12). The rules are data migration 0002's defaults.
    runner = CliRunner()

    first = runner.invoke(app, ["field", "generate-plans", "--period", "2026Q1"])
    lines_first = _plans()
    again = runner.invoke(app, ["field", "generate-plans", "--period", "2026Q1"])

    assert first.exit_code == 0, first.output
    assert "3 plans for 2026Q1 (2026-01-01 – 2026-03-31), 4 lines." in first.output
    assert lines_first == [
        ("rep_inside", "BJ-H-001", 12),
        ("rep_inside", "BJ-P-001", 3),
        ("rep_leaving", "BJ-P-002", 6),
        ("rep_outside", "SH-H-001", 12),
    ]
    assert again.exit_code == 0, again.output
    assert _plans() == lines_first
    assert CallPlan.objects.count() == 3


def test_generate_plans_for_a_month_after_a_handover(world: World) -> None:
    # On 1 March rep_leaving's assignment (ended 15 February) no longer counts.
    result = CliRunner().invoke(app, ["field", "generate-plans", "--period", "2026-03"])

    assert result.exit_code == 0, result.output
    assert _plans() == [
        ("rep_inside", "BJ-H-001", 4),
        ("rep_inside", "BJ-P-001", 1),
        ("rep_outside", "SH-H-001", 4),
    ]
    assert CallPlan.objects.get(rep=world.rep_leaving).lines.count() == 0


def test_generate_all_matches_one_rep_at_a_time(world: World) -> None:
    # A user who is sales rep and director sees every account: the per-rep path, not the map.
    both = core_services.user_create(username="rep_director", role=Role.SALES_REP, email="")
    both.groups.add(Group.objects.get(name=Role.DIRECTOR.value))

    call_plan_services.call_plans_generate_all(
        by=None, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)
    )
    together = _plans()
    CallPlan.objects.all().delete()
    for rep in (world.rep_inside, world.rep_outside, world.rep_leaving, both):
        call_plan_services.call_plan_generate(
            by=None, rep=rep, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)
        )

    assert _plans() == together
    assert [code for name, code, _n in together if name == "rep_director"] == [
        "BJ-H-001",
        "BJ-P-001",
        "BJ-P-002",
        "SH-H-001",
    ]


def test_generate_plans_refuses_a_bad_period(world: World) -> None:
    result = CliRunner().invoke(app, ["field", "generate-plans", "--period", "2026Q7"])

    assert result.exit_code == 2
    assert "write a quarter as 2026Q1 or a month as 2026-01" in result.output
    assert CallPlan.objects.count() == 0


@pytest.fixture
def targets_csv(tmp_path: Path) -> Path:
    """Two good rows and one with an unknown rep."""
    path = tmp_path / "targets.csv"
    path.write_text(
        "rep,territory,period,amount,currency\n"
        "rep_inside,,2026Q1,5000,CNY\n"
        ",CN-BJ-DC,2026-01,1200.50,CNY\n"
        "ghost,,2026Q1,100,CNY\n",
        encoding="utf-8",
    )
    return path


def test_import_targets_dry_run_then_import_then_again(world, targets_csv, settings) -> None:  # noqa: ANN001
    runner = CliRunner()

    dry = runner.invoke(app, ["field", "import-targets", str(targets_csv), "--dry-run"])
    stored_after_dry = Target.objects.count()
    real = runner.invoke(app, ["field", "import-targets", str(targets_csv)])
    again = runner.invoke(app, ["field", "import-targets", str(targets_csv)])

    assert dry.exit_code == 1
    assert "targets.csv, row 3, column rep: unknown user or not a sales rep" in dry.output
    assert "3 rows read, 2 good, 1 quarantined. Dry run, nothing stored." in dry.output
    assert stored_after_dry == 0
    assert "2 created, 0 updated, 0 unchanged" in real.output
    assert "0 created, 0 updated, 2 unchanged" in again.output
    assert sorted(Target.objects.values_list("amount", flat=True)) == [
        Decimal("1200.50"),
        Decimal("5000.00"),
    ]


def test_import_targets_names_a_missing_column(world, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "no_amount.csv"
    path.write_text("rep,period,currency\nrep_inside,2026Q1,CNY\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["field", "import-targets", str(path)])

    assert result.exit_code == 2
    assert "amount" in result.output
    assert Target.objects.count() == 0
