"""``pharmacrm demo`` set-up: the generated business lands whole, and a second run adds nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
from rich.console import Console

from pharmacrm.demo_setup import DEMO_USERS, DemoConflictError, demo_setup, generated_dir


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _row in csv.DictReader(handle))


def _last_day(root: Path) -> object:
    days = [
        pc.max(ds.dataset(root / fact, partitioning="hive").to_table(columns=["day"])["day"])
        for fact in ("receipt_lines", "online_orders", "invoice_lines")
    ]
    return max(day.as_py() for day in days)


@pytest.mark.django_db
def test_demo_loads_the_generated_business_and_a_second_run_adds_nothing(
    tmp_path: Path, settings, demo_scale
) -> None:
    from pharmacrm.accounts.models import Account, Consumer, Contact
    from pharmacrm.insights.models import AnalyticsRun
    from pharmacrm.territories.models import Assignment

    settings.VAR_DIR = tmp_path / "var"
    settings.WAREHOUSE_DIR = str(tmp_path / "var" / "warehouse")
    console = Console(file=io.StringIO(), width=120)

    first = demo_setup(market="en", console=console, scale=demo_scale, seed=5)

    out = generated_dir(settings.VAR_DIR, market="en", scale=demo_scale, seed=5)
    counts = json.loads((out / "truth" / "population.json").read_text("utf-8"))["counts"]
    reps = _csv_rows(out / "master" / "reps.csv")
    assert first.counts == {
        "users": len(DEMO_USERS) + reps,
        "territories": _csv_rows(out / "master" / "territories.csv"),
        "accounts": counts["accounts"],
        "contacts": counts["contacts"],
        "consumers": counts["members"],
        "products": _csv_rows(out / "master" / "products.csv"),
        "receipt_lines": counts["receipt_lines"],
        "invoice_lines": counts["invoice_lines"],
        "online_orders": counts["online_orders"],
        "flow_lines": counts["flow_lines"],
    }
    run = AnalyticsRun.objects.get()
    assert run.status == "succeeded", run.error
    assert run.as_of == _last_day(out / "warehouse")
    assert [u for u, _role in first.users] == [u for u, *_rest in DEMO_USERS]
    history = (Account.history.count(), Contact.history.count(), Consumer.history.count())
    assignments = Assignment.objects.count()
    manifest = (Path(settings.WAREHOUSE_DIR) / "manifest.json").read_bytes()

    second = demo_setup(market="en", console=console, scale=demo_scale, seed=5)

    assert second.counts == first.counts
    assert Assignment.objects.count() == assignments
    assert AnalyticsRun.objects.count() == 1
    assert f"Analytics: run {run.pk} (as of {run.as_of}) is current; nothing to do." in second.notes
    assert (Account.history.count(), Contact.history.count(), Consumer.history.count()) == history
    assert (Path(settings.WAREHOUSE_DIR) / "manifest.json").read_bytes() == manifest


@pytest.mark.django_db
def test_demo_refuses_to_load_a_second_market_into_the_same_install(
    tmp_path: Path, settings, demo_scale
) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.WAREHOUSE_DIR = str(tmp_path / "var" / "warehouse")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "demo-business.txt").write_text("cn-small-7\n", "utf-8")

    with pytest.raises(DemoConflictError) as refused:
        demo_setup(market="ru", console=Console(file=io.StringIO()), scale=demo_scale, seed=5)

    assert refused.value.message == (
        "this install already holds the demo business 'cn-small-7'; to see "
        "'ru-small-300m-5', use another state folder (PHARMACRM_VAR=var-ru-small-300m-5 "
        "pharmacrm demo …) or delete var/"
    )
    assert not (tmp_path / "var" / "generated").exists()
