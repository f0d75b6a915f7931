"""``pharmacrm analyze`` over the hand-made warehouse of conftest.py."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pharmacrm.cli import app
from pharmacrm.insights.models import AnalyticsRun, CustomerSnapshot

pytestmark = pytest.mark.django_db


def test_analyze_without_as_of_prints_the_last_fact_day_it_used(warehouse):
    result = CliRunner().invoke(app, ["analyze", "--engine", "duckdb"])

    assert result.exit_code == 0, result.output
    assert "as_of: 2024-03-31 (the last day present in the facts)" in result.output
    run = AnalyticsRun.objects.get()
    assert f"Run #{run.pk} on duckdb: 5 customers" in result.output
    assert CustomerSnapshot.objects.count() == 5


def test_analyze_with_as_of_uses_it(warehouse):
    result = CliRunner().invoke(app, ["analyze", "--as-of", "2024-02-29"])

    assert result.exit_code == 0, result.output
    assert "as_of: 2024-02-29 (given)" in result.output
    assert CustomerSnapshot.objects.count() == 4


def test_analyze_refuses_a_bad_date_before_touching_anything(warehouse):
    result = CliRunner().invoke(app, ["analyze", "--as-of", "31.03.2024"])

    assert result.exit_code == 2
    assert "'31.03.2024' is not a date YYYY-MM-DD" in result.output
    assert AnalyticsRun.objects.count() == 0


def test_analyze_over_an_empty_warehouse_says_so(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "empty")

    result = CliRunner().invoke(app, ["analyze", "--engine", "duckdb"])

    assert result.exit_code == 1
    assert "The warehouse holds no sales facts yet: import some first." in result.output
