"""Sales targets: periods, entry, the Excel import (dry run, quarantine, upsert, re-import),
actuals from a hand-made Parquet warehouse and attainment worked by hand, with drill-down,
period-over-period change, ranking and role scoping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ValidationError

from pharmacrm.catalog import services as catalog_services
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors_targets as target_selectors
from pharmacrm.field.models import Target
from pharmacrm.field.services import targets as target_services
from pharmacrm.field.services import targets_import as target_import_services
from pharmacrm.territories import services as territory_services
from pharmacrm.warehouse.facts import INVOICE_LINES, RECEIPT_LINES

from .conftest import World  # noqa: TID252 - tests/ is not a package

Q1 = target_services.period_parse("2026Q1")


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("2026Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31), "2026Q1"),
        ("2026-q4", "quarter", date(2026, 10, 1), date(2026, 12, 31), "2026Q4"),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2026-12", "month", date(2026, 12, 1), date(2026, 12, 31), "2026-12"),
    ],
)
def test_period_parse(text, kind, start, end, label) -> None:  # noqa: ANN001
    period = target_services.period_parse(text)

    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)


@pytest.mark.parametrize("text", ["2026Q5", "2026-13", "Q1 2026", ""])
def test_period_parse_refuses_other_spellings(text) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="write a quarter as 2026Q1 or a month as 2026-01"):
        target_services.period_parse(text)


def test_previous_period_crosses_the_year() -> None:
    assert Q1.previous().label == "2025Q4"
    assert target_services.period_parse("2026-01").previous().label == "2025-12"


def test_target_upsert_updates_the_one_row_of_its_key(world: World) -> None:
    first, created = target_services.target_upsert(
        by=world.admin, rep=world.rep_inside, period=Q1, amount=Decimal(5000), currency="cny"
    )
    again, unchanged = target_services.target_upsert(
        by=world.admin, rep=world.rep_inside, period=Q1, amount=Decimal(5000), currency="CNY"
    )
    changed, updated = target_services.target_upsert(
        by=world.admin, rep=world.rep_inside, period=Q1, amount=Decimal(6000), currency="CNY"
    )

    assert (created, unchanged, updated) == ("created", "unchanged", "updated")
    assert first.pk == again.pk == changed.pk
    assert Target.objects.get().amount == Decimal("6000.00")
    assert first.history.count() == 2


def test_target_needs_a_rep_or_a_territory(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        target_services.target_upsert(by=None, period=Q1, amount=Decimal(1), currency="CNY")

    assert refused.value.message_dict == {"rep": ["A target needs a rep, a territory or both."]}
    assert Target.objects.count() == 0


# ---------------------------------------------------------------------------- import


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["代表", "区域", "SKU", "期间", "目标金额", "数量", "币种"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def product(world: World):  # noqa: ANN201
    """Atorvastatin 20 mg, SKU ATV-20."""
    return catalog_services.product_create(
        by=world.admin, sku_code="ATV-20", brand="Lipitor", inn="atorvastatin"
    )


def test_import_dry_run_reports_every_error_by_row_and_column(world, product, tmp_path) -> None:  # noqa: ANN001
    path = _xlsx(
        tmp_path / "targets.xlsx",
        [
            ["rep_inside", None, None, "2026Q1", 5000, None, "CNY"],  # row 1: good
            ["rep_inside", None, "ATV-20", "2026Q1", 2000, 100, "CNY"],  # row 2: good
            ["nobody", None, None, "2026Q1", 100, None, "CNY"],  # 3: unknown rep
            ["director", None, None, "2026Q1", 100, None, "CNY"],  # 4: not a sales rep
            [None, "CN-BJ-XX", None, "2026-13", 100, None, "CNY"],  # 5: territory + period
            ["rep_outside", None, "NOPE", "2026Q1", -5, None, "CNY"],  # 6: negative
            ["rep_inside", None, None, "2026Q1", 5100, None, "CNY"],  # 7: repeats row 1
            [None, "CN-BJ-DC", None, "2026-01", 900, None, None],  # 8: no currency
        ],
    )

    result = target_import_services.targets_import(
        by=world.admin, path=path, dry_run=True, quarantine_dir=tmp_path / "q"
    )

    report = result.report
    assert (report.status, report.rows_read, report.rows_stored, report.rows_quarantined) == (
        "dry_run",
        8,
        2,
        6,
    )
    assert sorted((e.row, e.column, e.reason) for e in report.first_errors) == [
        (3, "代表", "unknown user or not a sales rep"),
        (4, "代表", "unknown user or not a sales rep"),
        (5, "区域", "unknown territory"),
        (5, "期间", "not a period; write 2026Q1 or 2026-01"),
        # A value the kit refuses keeps the row from the database checks (SKU not looked up).
        (6, "目标金额", "must not be negative"),
        (7, "期间", "duplicate target in this file (first at row 1)"),
        (8, "币种", "required value missing"),
    ]
    assert Target.objects.count() == 0
    assert report.quarantine_path is not None
    assert report.quarantine_path.exists()


def test_import_stores_good_rows_and_a_reimport_adds_nothing(world, product, tmp_path) -> None:  # noqa: ANN001
    path = _xlsx(
        tmp_path / "targets.xlsx",
        [
            ["rep_inside", None, None, "2026Q1", 5000, None, "CNY"],
            ["rep_inside", None, "ATV-20", "2026Q1", 2000, 100, "CNY"],
            [None, "CN-BJ-DC", None, "2026-01", 900.5, None, "cny"],
            ["nobody", None, None, "2026Q1", 100, None, "CNY"],
        ],
    )

    first = target_import_services.targets_import(
        by=world.admin, path=path, quarantine_dir=tmp_path / "q"
    ).report
    stored = sorted(
        Target.objects.values_list(
            "rep__username", "territory__code", "product__sku_code", "period", "amount", "currency"
        ),
        key=str,
    )
    second = target_import_services.targets_import(
        by=world.admin, path=path, quarantine_dir=tmp_path / "q"
    ).report

    assert (first.rows_stored, first.rows_quarantined, first.message) == (
        3,
        1,
        "3 created, 0 updated, 0 unchanged",
    )
    assert stored == sorted(
        [
            ("rep_inside", None, None, "quarter", Decimal("5000.00"), "CNY"),
            ("rep_inside", None, "ATV-20", "quarter", Decimal("2000.00"), "CNY"),
            (None, "CN-BJ-DC", None, "month", Decimal("900.50"), "CNY"),
        ],
        key=str,
    )
    assert second.message == "0 created, 0 updated, 3 unchanged"
    assert Target.objects.count() == 3
    assert Target.history.count() == 3


# ---------------------------------------------------------------------------- attainment


def _write(root: Path, fact: str, schema: pa.Schema, month: str, rows: list[dict]) -> None:
    folder = root / fact / "source=test" / f"month={month}"
    folder.mkdir(parents=True, exist_ok=True)
    full = [{name: row.get(name) for name in schema.names} for row in rows]
    pq.write_table(pa.Table.from_pylist(full, schema=schema), folder / "part-0.parquet")


def _invoice(n: int, day: date, buyer_id: int | None, amount: float, **extra: object) -> dict:
    return {
        "import_id": "t", "source_row": n, "seller_code": "DIST", "invoice_id": f"I{n}",
        "line_no": 1, "day": day, "buyer_code": f"B{buyer_id}", "buyer_id": buyer_id,
        "sku_code": "ATV-20", "product_id": extra.get("product_id"), "qty": 10.0,
        "amount": amount, "currency": extra.get("currency", "CNY"),
    }  # fmt: skip


@pytest.fixture
def sales(world: World, product, settings, tmp_path):  # noqa: ANN001, ANN201
    """A handover in Xicheng on 16 February and sales around it, worked by hand.

    rep_leaving covers Xicheng until 15 Feb, rep_new from 16 Feb; rep_inside covers Dongcheng.
    Q1 2026 actuals (CNY): rep_leaving 1000 (10 Jan) + 500 (receipt, 15 Feb) = 1500;
    rep_new 2000 (16 Feb) − 300 (return, 1 Mar) = 1700; rep_inside 4000 (5 Jan).
    Not counted: 999 USD (other currency), 700 unresolved buyer, 800 on 1 April (Q2).
    Q4 2025: rep_leaving 1200 (1 Nov), rep_inside 5000 (2 Dec).
    Targets Q1: rep_leaving 3000 → 50 %, rep_new 2000 → 85 %, rep_inside 5000 → 80 %;
    Beijing region 10 000 target, 7200 actual → 72 %, previous 6200 → change +16.13 %.
    """
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    root = tmp_path / "warehouse"
    rep_new = core_services.user_create(username="rep_new", role=Role.SALES_REP, email="")
    territory_services.assignment_create(
        by=None, user=rep_new, territory=world.xicheng, starts_on=date(2026, 2, 16)
    )
    xc, dc, pid = world.xicheng_pharmacy.pk, world.hospital.pk, product.pk
    _write(root, "invoice_lines", INVOICE_LINES, "2026-01", [
        _invoice(1, date(2026, 1, 10), xc, 1000.0, product_id=pid),
        _invoice(2, date(2026, 1, 5), dc, 4000.0, product_id=pid),
        _invoice(3, date(2026, 1, 20), xc, 999.0, currency="USD"),
        _invoice(4, date(2026, 1, 21), None, 700.0),
    ])  # fmt: skip
    _write(root, "invoice_lines", INVOICE_LINES, "2026-02", [
        _invoice(5, date(2026, 2, 16), xc, 2000.0, product_id=pid),
    ])  # fmt: skip
    _write(root, "invoice_lines", INVOICE_LINES, "2026-03", [
        _invoice(6, date(2026, 3, 1), xc, -300.0, product_id=pid),
    ])  # fmt: skip
    _write(root, "invoice_lines", INVOICE_LINES, "2026-04", [
        _invoice(7, date(2026, 4, 1), xc, 800.0),
    ])  # fmt: skip
    _write(root, "invoice_lines", INVOICE_LINES, "2025-11", [
        _invoice(8, date(2025, 11, 1), xc, 1200.0),
    ])  # fmt: skip
    _write(root, "invoice_lines", INVOICE_LINES, "2025-12", [
        _invoice(9, date(2025, 12, 2), dc, 5000.0),
    ])  # fmt: skip
    _write(root, "receipt_lines", RECEIPT_LINES, "2026-02", [{
        "import_id": "t", "source_row": 1, "outlet_code": "BJ-P-002", "outlet_id": xc,
        "check_id": "C1", "line_no": 1, "ts": datetime(2026, 2, 15, 2, 0, tzinfo=UTC),
        "day": date(2026, 2, 15),
        "sku_code": "ATV-20", "product_id": None, "qty": 1.0, "amount": 500.0,
        "currency": "CNY",
    }])  # fmt: skip
    for rep, amount in ((world.rep_leaving, 3000), (rep_new, 2000), (world.rep_inside, 5000)):
        target_services.target_upsert(
            by=None, rep=rep, period=Q1, amount=Decimal(amount), currency="CNY"
        )
    return rep_new


def _rows(report: target_selectors.AttainmentReport) -> list[tuple]:
    return [
        (
            r.rank,
            r.label,
            r.target,
            r.actual,
            None if r.attainment is None else round(float(r.attainment), 4),
            r.previous,
        )
        for r in report.rows
    ]


def test_region_level_attainment_worked_by_hand(world, sales) -> None:  # noqa: ANN001
    report = target_selectors.attainment_report(user=world.director, period=Q1)

    assert report.level == "region"
    # Shanghai: rep_outside's region, no target and no sales, ranked after every target.
    assert _rows(report) == [
        (1, "Beijing", Decimal(10000), 7200.0, 0.72, 6200.0),
        (2, "Shanghai", None, 0.0, None, 0.0),
    ]
    assert round(report.rows[0].change or 0, 4) == round(1000 / 6200, 4)


def test_rep_level_ranks_by_attainment_across_a_handover(world, sales) -> None:  # noqa: ANN001
    beijing = world.xicheng.parent_id

    report = target_selectors.attainment_report(user=world.admin, period=Q1, region_id=beijing)

    assert _rows(report) == [
        (1, "rep_new", Decimal(2000), 1700.0, 0.85, 0.0),
        (2, "rep_inside", Decimal(5000), 4000.0, 0.8, 5000.0),
        (3, "rep_leaving", Decimal(3000), 1500.0, 0.5, 1200.0),
    ]
    assert report.total.actual == 7200.0
    assert report.total.target == Decimal(10000)


def test_drill_down_to_account_and_product(world, sales, product) -> None:  # noqa: ANN001
    accounts = target_selectors.attainment_report(user=world.admin, period=Q1, rep_id=sales.pk)
    products = target_selectors.attainment_report(
        user=world.admin, period=Q1, rep_id=sales.pk, account_id=world.xicheng_pharmacy.pk
    )

    assert [(r.label, r.actual) for r in accounts.rows] == [
        ("Jinxiangyuan Pharmacy Xicheng", 1700.0)
    ]
    assert accounts.total.target == Decimal(2000)
    assert [(r.label, r.actual) for r in products.rows] == [("ATV-20 Lipitor", 1700.0)]


@pytest.mark.parametrize(
    ("who", "reps"),
    [
        ("rep_inside", ["rep_inside"]),
        ("rep_outside", []),
        ("manager_other", []),
        ("director", ["rep_new", "rep_inside", "rep_leaving"]),
    ],
)
def test_attainment_api_by_role(world, sales, client_for, who, reps) -> None:  # noqa: ANN001
    beijing = world.xicheng.parent_id

    response = client_for(who).get(
        f"/api/v1/field/targets/attainment?period=2026Q1&region_id={beijing}"
    )

    assert response.status_code == 200
    assert [row["label"] for row in response.json()["rows"]] == reps


def test_attainment_api_refuses_a_bad_period(world, client_for) -> None:  # noqa: ANN001
    response = client_for("director").get("/api/v1/field/targets/attainment?period=2026Q9")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period"


def test_attainment_page_shows_the_chart_and_drills_down(world, sales, client_for) -> None:  # noqa: ANN001
    page = client_for("director").get("/field/targets/?period=2026Q1")
    rep_page = client_for("rep_inside").get("/field/targets/?period=2026Q1")

    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="attainment-spec"' in body
    assert f"region={world.xicheng.parent_id}" in body
    assert "72 %" in body
    assert rep_page.status_code == 200
    assert "Peking Union Medical College Hospital, Cardiology" in rep_page.content.decode()
