"""Territory targets (a territory, no rep) against their actuals: the sales of the accounts in
the territory's subtree on each day, worked by hand from the hand-made warehouse of
test_targets; drill-down territory → account → product, ranking, change, CSV, scoping."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pharmacrm.accounts import services as account_services
from pharmacrm.field import selectors_targets as target_selectors
from pharmacrm.field.services import targets as target_services

from .conftest import World  # noqa: TID252 - tests/ is not a package
from .test_targets import Q1, product, sales  # noqa: F401, TID252 - shared fixtures

MONTHS = (target_services.period_parse("2026-01"), target_services.period_parse("2026-02"))


@pytest.fixture
def territory_targets(world: World, sales, product) -> None:  # noqa: ANN001, F811
    """Territory targets for Q1 2026 over the sales of test_targets' ``sales`` fixture.

    Actuals (CNY) by hand, Q1 2026 / Q4 2025:
    Xicheng pharmacy: 1000 (10 Jan) + 500 (receipt, 15 Feb) + 2000 (16 Feb) − 300 (1 Mar)
    = 3200 / 1200; of which ATV-20 2700 and no product 500.
    Dongcheng hospital: 4000 / 5000. Beijing (both districts): 7200 / 6200. Pudong: 0 / 0.
    Not counted: 999 USD, 700 with no buyer, 800 on 1 April.
    Targets: Xicheng 4000 (80 %) and ATV-20 there 3000 (90 %); Beijing 8000 (90 %);
    Dongcheng only monthly, January 1500 + February 1500 = 3000 (133.33 %); Pudong 1000
    (0 %). Not territory targets: rep_inside's in Dongcheng (it names a rep), and Dongcheng's
    quarter in USD.
    """
    upsert = target_services.target_upsert
    beijing = world.xicheng.parent
    upsert(by=None, territory=world.xicheng, period=Q1, amount=Decimal(4000), currency="CNY")
    upsert(
        by=None,
        territory=world.xicheng,
        product=product,
        period=Q1,
        amount=Decimal(3000),
        currency="CNY",
    )
    upsert(by=None, territory=beijing, period=Q1, amount=Decimal(8000), currency="CNY")
    for month in MONTHS:
        upsert(
            by=None, territory=world.dongcheng, period=month, amount=Decimal(1500), currency="CNY"
        )
    upsert(by=None, territory=world.pudong, period=Q1, amount=Decimal(1000), currency="CNY")
    upsert(
        by=None,
        rep=world.rep_inside,
        territory=world.dongcheng,
        period=Q1,
        amount=Decimal(9999),
        currency="CNY",
    )
    # Counted, it would replace Dongcheng's monthly targets (an exact quarter total wins).
    upsert(by=None, territory=world.dongcheng, period=Q1, amount=Decimal(50), currency="USD")


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


def test_territory_level_ranks_territory_targets_against_actuals(
    world: World, territory_targets: None
) -> None:
    report = target_selectors.territory_attainment_report(user=world.director, period=Q1)

    assert report.level == "territory"
    assert _rows(report) == [
        (1, "Dongcheng", Decimal(3000), 4000.0, 1.3333, 5000.0),
        (2, "Beijing", Decimal(8000), 7200.0, 0.9, 6200.0),
        (3, "Xicheng", Decimal(4000), 3200.0, 0.8, 1200.0),
        (4, "Pudong", Decimal(1000), 0.0, 0.0, 0.0),
    ]
    assert [round(r.change, 4) if r.change is not None else None for r in report.rows] == [
        -0.2,
        round(1000 / 6200, 4),
        round(2000 / 1200, 4),
        None,
    ]


def test_drill_down_to_accounts_and_products_of_a_territory(
    world: World, territory_targets: None
) -> None:
    accounts = target_selectors.territory_attainment_report(
        user=world.admin, period=Q1, territory_id=world.xicheng.parent_id
    )
    products = target_selectors.territory_attainment_report(
        user=world.admin,
        period=Q1,
        territory_id=world.xicheng.pk,
        account_id=world.xicheng_pharmacy.pk,
    )

    assert accounts.level == "account"
    assert [(r.label, r.actual, r.previous) for r in accounts.rows] == [
        ("Peking Union Medical College Hospital, Cardiology", 4000.0, 5000.0),
        ("Jinxiangyuan Pharmacy Xicheng", 3200.0, 1200.0),
    ]
    assert accounts.total.target == Decimal(8000)
    assert products.level == "product"
    assert _rows(products) == [
        (1, "ATV-20 Lipitor", Decimal(3000), 2700.0, 0.9, 0.0),
        (2, "—", None, 500.0, None, 1200.0),
    ]


def test_an_account_that_moved_counts_for_each_territory_on_its_days(
    world: World, territory_targets: None
) -> None:
    # The pharmacy was created in 2025 and moved from Xicheng to Dongcheng on 1 March 2026:
    # the 300 return of 1 March now lowers Dongcheng (4000 − 300), not Xicheng (1000 + 500 +
    # 2000). Beijing, above both, is unchanged.
    pharmacy = world.xicheng_pharmacy
    account_services.account_update(by=world.admin, account=pharmacy, territory=world.dongcheng)
    created, moved = pharmacy.history.order_by("history_date", "history_id")
    pharmacy.history.filter(history_id=created.history_id).update(
        history_date=datetime(2025, 1, 1, tzinfo=UTC)
    )
    pharmacy.history.filter(history_id=moved.history_id).update(
        history_date=datetime(2026, 3, 1, 8, tzinfo=UTC)
    )

    report = target_selectors.territory_attainment_report(user=world.director, period=Q1)

    assert {r.label: r.actual for r in report.rows} == {
        "Dongcheng": 3700.0,
        "Beijing": 7200.0,
        "Xicheng": 3500.0,
        "Pudong": 0.0,
    }


@pytest.mark.parametrize(
    ("who", "labels"),
    [
        ("rep_inside", ["Dongcheng"]),
        ("rep_outside", ["Pudong"]),
        ("rep_leaving", []),  # the assignment to Xicheng ended on 15 February
        ("manager_other", ["Pudong"]),
        ("admin", ["Dongcheng", "Beijing", "Xicheng", "Pudong"]),
    ],
)
def test_territory_attainment_api_by_role(
    world: World, territory_targets: None, client_for, who, labels
) -> None:  # noqa: ANN001
    response = client_for(who).get("/api/v1/field/targets/territory-attainment?period=2026Q1")

    assert response.status_code == 200
    assert [row["label"] for row in response.json()["rows"]] == labels


def test_a_rep_cannot_drill_into_a_territory_above_their_own(
    world: World, territory_targets: None, client_for
) -> None:  # noqa: ANN001
    beijing = world.xicheng.parent_id

    response = client_for("rep_inside").get(
        f"/api/v1/field/targets/territory-attainment?period=2026Q1&territory_id={beijing}"
    )
    page = client_for("rep_inside").get(
        f"/field/targets/territories/?period=2026Q1&territory={beijing}"
    )

    assert response.status_code == 200
    assert response.json()["rows"] == []
    assert response.json()["total"]["actual"] == 0.0
    assert "Jinxiangyuan" not in page.content.decode()
    assert "empty-state" in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status", "shown", "hidden"),
    [
        ("anonymous", 302, [], ["Dongcheng", "Pudong"]),
        ("rep_inside", 200, ["Dongcheng", "133 %"], ["Pudong", "Xicheng", "Beijing"]),
        ("rep_outside", 200, ["Pudong"], ["Dongcheng", "Xicheng", "Beijing"]),
        ("manager_other", 200, ["Pudong"], ["Dongcheng", "Xicheng", "Beijing"]),
        ("director", 200, ["Dongcheng", "Beijing", "90 %", "Xicheng", "Pudong"], []),
    ],
)
def test_territory_page_by_role(
    world: World, territory_targets: None, client_for, who, status, shown, hidden
) -> None:  # noqa: ANN001
    response = client_for(who).get("/field/targets/territories/?period=2026Q1")

    body = response.content.decode()
    assert response.status_code == status
    for text in shown:
        assert text in body
    for text in hidden:
        assert text not in body


def test_territory_page_links_down_and_exports_csv(
    world: World, territory_targets: None, client_for
) -> None:  # noqa: ANN001
    client = client_for("director")

    page = client.get("/field/targets/territories/?period=2026Q1").content.decode()
    export = client.get(
        f"/field/targets/territories/?period=2026Q1&territory={world.xicheng.pk}&export=csv"
    )

    assert f"territory={world.xicheng.pk}" in page
    assert 'id="attainment-spec"' in page
    assert export.status_code == 200
    assert export["Content-Disposition"] == (
        'attachment; filename="territory-attainment-2026Q1-account.csv"'
    )
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Rank", "Name", "Target", "Actual", "Attainment", "Previous period", "Change"],
        ["1", "Jinxiangyuan Pharmacy Xicheng", "", "3200.0", "", "1200.0", "1.6667"],
    ]


def test_rep_attainment_page_exports_csv_too(world: World, sales, client_for) -> None:  # noqa: ANN001, F811
    beijing = world.xicheng.parent_id

    export = client_for("director").get(
        f"/field/targets/?period=2026Q1&region={beijing}&export=csv"
    )

    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["1", "rep_new", "2000.00", "1700.0", "0.85", "0.0", ""],
        ["2", "rep_inside", "5000.00", "4000.0", "0.8", "5000.0", "-0.2"],
        ["3", "rep_leaving", "3000.00", "1500.0", "0.5", "1200.0", "0.25"],
    ]


def test_a_rep_sees_their_territorys_targets_in_the_list(
    world: World, territory_targets: None, client_for
) -> None:  # noqa: ANN001
    body = client_for("rep_inside").get("/field/targets/list/").content.decode()

    # Dongcheng's monthly territory targets (only territory targets are monthly here).
    assert "2026-01-01 – 2026-01-31" in body
    assert "2026-02-01 – 2026-02-28" in body
    assert "Pudong" not in body
    assert "Xicheng" not in body
    assert "Beijing" not in body
