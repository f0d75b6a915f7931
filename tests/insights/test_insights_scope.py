"""Who sees which analytics: the role matrix over every insights page and endpoint.

The facts are conftest's hand-made warehouse, keyed to real accounts and members of a small
territory tree, so the snapshot is the one worked by hand in conftest (accounts: buyer "501"
Loyal 1,500.00, buyer "502" Lost 300.00; members: "1" At Risk, "2" Lost, "3" Loyal):

=========  =========  ==========  ===========================================
territory  province   accounts    loyalty members (by home outlet)
=========  =========  ==========  ===========================================
North/N1   Hebei      outlet 900, member 1, member 2 (home outlet 900)
                      buyer 501
South/S1   Guangdong  outlet 901, member 3 (home outlet 901)
                      buyer 502
=========  =========  ==========  ===========================================

All receipts are at outlet 900, so the consumer KPI region slice holds Hebei only; invoices
give the account slice Hebei (501: 2024-01 1,000.00, 2024-03 500.00) and Guangdong (502:
2024-02 300.00). The run is as of 2024-03-31; assignments start 2024-01-01, except the
"late" regional manager's, which starts 2024-06-01 (after ``as_of``: they cover nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.territories.models import Assignment, Territory


@dataclass(frozen=True)
class World:
    """Ids of the accounts and members the hand-made facts are keyed to, and the users."""

    account: dict[str, int]
    member: dict[str, int]
    users: dict[str, Any]


def _territory(code: str, name: str, level: str, parent: Territory | None = None) -> Territory:
    return Territory.objects.create(code=code, name=name, level=level, parent=parent)


def _account(code: str, name: str, kind: str, province: str, territory: Territory) -> int:
    created = account_services.account_create(
        by=None, code=code, name=name, kind=kind, tier="terminal", province=province,
        city="", territory=territory,
    )  # fmt: skip
    return created.pk


def _member(card_no: str, home_outlet_id: int) -> int:
    created, _new = account_services.consumer_upsert(
        by=None, card_no=card_no, name="Li Na", gender="F", birth_year=1986,
        home_outlet=Account.objects.get(pk=home_outlet_id),
    )  # fmt: skip
    return created.pk


def _build_world() -> World:
    root = _territory("SCOPE-CN", "China", "country")
    north = _territory("SCOPE-N", "North", "region", root)
    south = _territory("SCOPE-S", "South", "region", root)
    n1 = _territory("SCOPE-N1", "Shijiazhuang", "district", north)
    s1 = _territory("SCOPE-S1", "Guangzhou", "district", south)
    accounts = {
        "900": _account("SCOPE-900", "Lerentang Pharmacy", "pharmacy", "Hebei", n1),
        "501": _account("SCOPE-501", "Hebei Provincial Hospital", "hospital", "Hebei", n1),
        "901": _account("SCOPE-901", "Dasenlin Pharmacy", "pharmacy", "Guangdong", s1),
        "502": _account("SCOPE-502", "Guangzhou Medical Centre", "hospital", "Guangdong", s1),
    }
    members = {
        "1": _member("SCOPE-C1", accounts["900"]),
        "2": _member("SCOPE-C2", accounts["900"]),
        "3": _member("SCOPE-C3", accounts["901"]),
    }
    users = {
        name: core_services.user_create(username=f"scope-{name}", role=role)
        for name, role in (
            ("admin", Role.ADMINISTRATOR),
            ("director", Role.DIRECTOR),
            ("analyst", Role.ANALYST),
            ("rm_north", Role.REGIONAL_MANAGER),
            ("rm_south", Role.REGIONAL_MANAGER),
            ("rm_late", Role.REGIONAL_MANAGER),
            ("rep_n1", Role.SALES_REP),
            ("rep_s1", Role.SALES_REP),
        )
    }
    started = date(2024, 1, 1)
    for user, node, starts_on in (
        ("rm_north", north, started),
        ("rm_south", south, started),
        ("rm_late", north, date(2024, 6, 1)),
        ("rep_n1", n1, started),
        ("rep_s1", s1, started),
    ):
        Assignment.objects.create(user=users[user], territory=node, starts_on=starts_on)
    return World(account=accounts, member=members, users=users)


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    warehouse_builder: Any,
) -> Iterator[World]:
    """The territory tree, accounts, members and users above, and one committed run."""
    from django.test import override_settings

    from pharmacrm.accounts.models import Consumer
    from pharmacrm.core.models import User
    from pharmacrm.insights import services as insights_services
    from pharmacrm.insights.models import AnalyticsRun

    root = tmp_path_factory.mktemp("scope") / "warehouse"
    with django_db_blocker.unblock():
        built = _build_world()
        warehouse_builder(
            root,
            consumer_ids={int(key): pk for key, pk in built.member.items()},
            account_ids={int(key): pk for key, pk in built.account.items()},
        )
        with override_settings(WAREHOUSE_DIR=str(root)):
            insights_services.run_analytics(by=None, engine="duckdb")
    yield built
    with django_db_blocker.unblock():
        AnalyticsRun.objects.all().delete()
        Consumer.objects.filter(card_no__startswith="SCOPE-").delete()
        Account.objects.filter(code__startswith="SCOPE-").delete()
        Assignment.objects.filter(user__username__startswith="scope-").delete()
        User.objects.filter(username__startswith="scope-").delete()
        for code in ("SCOPE-N1", "SCOPE-S1", "SCOPE-N", "SCOPE-S", "SCOPE-CN"):
            Territory.objects.filter(code=code).delete()


@pytest.fixture
def as_user(client: Any, db: Any, world: World) -> Any:
    def _login(name: str) -> Any:
        if name != "anonymous":
            client.force_login(world.users[name])
        return client

    return _login


def _listed_ids(body: str) -> list[int]:
    """Customer ids in the rows of the customer table, in page order."""
    table = body.split('data-testid="customer-table"', 1)
    if len(table) < 2:
        return []
    return [int(key) for key in re.findall(r"<tr>\s*<td>(\d+)</td>", table[1])]


USERS = ["admin", "director", "analyst", "rm_north", "rm_south", "rep_n1", "rep_s1"]
EVERYTHING = {"admin", "director", "analyst"}
REGIONAL = {"rm_north", "rm_south"}
REPS = {"rep_n1", "rep_s1"}


def _expected(path: str, user: str) -> int:
    """The status each user gets on each page (DESIGN.md, Roles and what they see)."""
    whole_business = (
        "abc-xyz",
        "pareto",
        "leaky-bucket",
        "cohorts",
        "runs",
        "charts/kpis.csv",
    )
    if any(f"/insights/{name}" in path for name in whole_business):
        return 200 if user in EVERYTHING else 403
    if path.startswith("/insights/?"):
        return 403 if user in REPS else 200
    if "customers/" in path and "kind=consumer" in path:
        # Per-member rows: full or pseudonymised access only (not director, not managers).
        return 200 if user in {"admin", "analyst"} else 403
    if "kind=consumer" in path:
        return 403 if user in REPS else 200
    return 200


PAGES = [
    "/insights/?kind=account",
    "/insights/?kind=consumer",
    "/insights/segments/?kind=account",
    "/insights/segments/?kind=consumer",
    "/insights/lifecycle/?kind=account",
    "/insights/lifecycle/?kind=consumer",
    "/insights/customers/?kind=account",
    "/insights/customers/?kind=consumer",
    "/insights/charts/segments.csv?kind=account",
    "/insights/charts/lifecycle.csv?kind=consumer",
    "/insights/charts/kpis.csv?kind=account",
    "/insights/abc-xyz/?kind=account",
    "/insights/pareto/?kind=account",
    "/insights/leaky-bucket/?kind=account",
    "/insights/cohorts/?kind=account",
    "/insights/runs/",
]


def test_anonymous_is_sent_to_sign_in(as_user):
    client = as_user("anonymous")

    found = {path: client.get(path) for path in PAGES}

    assert {path: response.status_code for path, response in found.items()} == dict.fromkeys(
        PAGES, 302
    )
    assert all(
        response["Location"].startswith("/accounts/auth/login/?next=")
        for response in found.values()
    )


@pytest.mark.parametrize("user", USERS)
def test_page_status_by_role_and_region(as_user, world, user):
    """Every page for one user (one test per user keeps the matrix fast on two cores)."""
    client = as_user(user)

    found = {path: client.get(path) for path in PAGES}

    assert {path: response.status_code for path, response in found.items()} == {
        path: _expected(path, user) for path in PAGES
    }
    for response in found.values():
        if response.status_code == 403:
            assert b"At Risk" not in response.content
            assert b"1,500.00" not in response.content


@pytest.mark.parametrize(
    ("user", "inside", "outside"),
    [
        ("rm_north", "501", "502"),
        ("rm_south", "502", "501"),
        ("rep_n1", "501", "502"),
        ("rep_s1", "502", "501"),
    ],
)
def test_account_list_holds_only_the_users_accounts(as_user, world, user, inside, outside):
    client = as_user(user)

    page = client.get("/insights/customers/?kind=account").content.decode()
    exported = client.get("/insights/customers/?kind=account&export=csv")
    export = b"".join(exported.streaming_content).decode()

    assert _listed_ids(page) == [world.account[inside]]
    assert export.splitlines()[1].split(",")[1] == str(world.account[inside])
    assert len(export.splitlines()) == 2
    assert f"<td>{world.account[outside]}</td>" not in page


def test_director_lists_every_account(as_user, world):
    page = as_user("director").get("/insights/customers/?kind=account").content.decode()

    assert _listed_ids(page) == [world.account["501"], world.account["502"]]


@pytest.mark.parametrize(
    ("user", "counts"),
    [
        ("rm_north", {"At Risk": 1, "Lost": 1, "Loyal": 0}),
        ("rm_south", {"At Risk": 0, "Lost": 0, "Loyal": 1}),
        ("director", {"At Risk": 1, "Lost": 1, "Loyal": 1}),
        ("rm_late", {"At Risk": 0, "Lost": 0, "Loyal": 0}),
    ],
)
def test_consumer_segment_counts_follow_the_home_outlets_territory(as_user, user, counts):
    body = as_user(user).get("/insights/segments/?kind=consumer").content.decode()

    found = {
        segment: int(value)
        for segment, value in re.findall(r'data-segment="([^"]+)">(\d+)<', body)
        if segment in counts
    }
    assert found == counts
    # Aggregate-only roles get counts without links to per-member lists.
    assert "/insights/customers/?kind=consumer" not in body


def test_late_assignment_covers_nothing_on_the_runs_as_of(as_user):
    body = as_user("rm_late").get("/insights/customers/?kind=account").content.decode()

    assert _listed_ids(body) == []
    assert 'data-testid="customer-table"' not in body


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        # Hebei buys nothing in February: the slice still has the month, at zero.
        (
            "rm_north",
            [
                ("Hebei", "2024-01", "1,000.00"),
                ("Hebei", "2024-02", "0.00"),
                ("Hebei", "2024-03", "500.00"),
            ],
        ),
        (
            "rm_south",
            [
                ("Guangdong", "2024-01", "0.00"),
                ("Guangdong", "2024-02", "300.00"),
                ("Guangdong", "2024-03", "0.00"),
            ],
        ),
    ],
)
def test_regional_kpis_are_the_region_slice_only(as_user, user, expected):
    body = as_user(user).get("/insights/?kind=account").content.decode()

    rows = re.findall(
        r'data-region="([^"]+)" data-period="([^"]+)">.*?'
        r'<td class="text-end">[\d,]+</td><td class="text-end">[\d,]+</td>'
        r'<td class="text-end">[\d,]+</td>\s*<td class="text-end">([\d,.]+)</td>',
        body,
        flags=re.S,
    )
    assert rows == expected
    assert 'data-testid="kpi-table"' not in body  # no business totals


def test_regional_consumer_kpis_outside_the_receipts_region_are_empty(as_user):
    body = as_user("rm_south").get("/insights/?kind=consumer").content.decode()

    assert 'data-testid="kpi-region-table"' not in body
    assert "The latest run has no sales in your region." in body


# ------------------------------------------------------------------------------ the API

API = [
    "/api/v1/insights/runs",
    "/api/v1/insights/snapshot?kind=account",
    "/api/v1/insights/snapshot?kind=consumer",
    "/api/v1/insights/segments?kind=consumer",
    "/api/v1/insights/segments?kind=account",
    "/api/v1/insights/aggregates/cohorts?kind=account",
    "/api/v1/insights/aggregates/kpi_slices?kind=account",
]


def _api_expected(path: str, user: str) -> int:
    if user in EVERYTHING:
        return 403 if user == "director" and "snapshot?kind=consumer" in path else 200
    if "/runs" in path or "cohorts" in path:
        return 403
    if "kind=consumer" in path:
        return 403 if user in REPS or "snapshot" in path else 200
    if "kpi_slices" in path:
        return 200 if user in REGIONAL else 403
    return 200


@pytest.mark.parametrize("user", USERS)
def test_api_status_by_role_and_region(as_user, user):
    client = as_user(user)

    found = {path: client.get(path) for path in API}

    assert {path: response.status_code for path, response in found.items()} == {
        path: _api_expected(path, user) for path in API
    }
    for response in found.values():
        if response.status_code == 403:
            assert response["Content-Type"] == "application/problem+json"
            assert "customer_id" not in response.content.decode()


def test_api_anonymous_gets_401(as_user):
    client = as_user("anonymous")

    assert {path: client.get(path).status_code for path in API} == dict.fromkeys(API, 401)


@pytest.mark.parametrize(
    ("user", "inside", "outside"),
    [("rm_north", "501", "502"), ("rep_s1", "502", "501")],
)
def test_api_snapshot_stays_inside_the_scope(as_user, world, user, inside, outside):
    client = as_user(user)

    listed = client.get("/api/v1/insights/snapshot?kind=account").json()
    one_inside = client.get(f"/api/v1/insights/snapshot/account/{world.account[inside]}")
    one_outside = client.get(f"/api/v1/insights/snapshot/account/{world.account[outside]}")

    assert [item["customer_id"] for item in listed["items"]] == [world.account[inside]]
    assert one_inside.status_code == 200
    assert one_outside.status_code == 404


def test_api_regional_kpi_slice_holds_their_provinces_only(as_user):
    body = as_user("rm_north").get("/api/v1/insights/aggregates/kpi_slices?kind=account").json()

    assert [(row["slice_value"], row["period"], row["net_revenue"]) for row in body["rows"]] == [
        ("Hebei", "2024-01-01", 1000.0),
        ("Hebei", "2024-02-01", 0.0),
        ("Hebei", "2024-03-01", 500.0),
    ]


def test_api_consumer_segments_of_a_region(as_user):
    body = as_user("rm_north").get("/api/v1/insights/segments?kind=consumer").json()

    counts = {row["segment"]: row["customers"] for row in body}
    assert (counts["At Risk"], counts["Lost"], counts["Loyal"]) == (1, 1, 0)
    assert sum(counts.values()) == 2


# ------------------------------------------------------------- the 360 pages' analytics card


def _card(body: str) -> str:
    """The analytics card's HTML (empty when the page has none)."""
    parts = body.split('data-testid="snapshot-card"', 1)
    return parts[1].split("</section>", 1)[0] if len(parts) == 2 else ""


@pytest.mark.parametrize("user", ["director", "rm_north", "rep_n1", "analyst"])
def test_account_360_shows_the_hand_worked_snapshot(as_user, world, user):
    body = as_user(user).get(f"/crm/accounts/{world.account['501']}/").content.decode()

    card = _card(body)
    assert "as of 2024-03-31" in card
    assert "<strong>Loyal</strong>" in card
    assert "R3 F3 M3" in card
    assert "active · play: <em>loyalty offers and birthday greetings</em>" in card
    assert 'data-testid="snapshot-abc">A <span class="badge text-bg-warning"' in card
    assert 'data-testid="snapshot-monetary">1,500.00<' in card
    assert "2024-01-10 / 2024-03-01" in card


def test_account_outside_the_reps_territory_shows_no_card(as_user, world):
    response = as_user("rep_n1").get(f"/crm/accounts/{world.account['502']}/")

    assert response.status_code == 404
    assert b"snapshot-card" not in response.content


def test_account_without_purchases_says_so_with_the_runs_date(as_user, world):
    body = as_user("director").get(f"/crm/accounts/{world.account['900']}/").content.decode()

    assert "No purchases up to 2024-03-31" in _card(body)
    assert "R" + "1 F" not in _card(body)


def test_consumer_360_card_for_a_pseudonymised_viewer(as_user, world):
    body = as_user("analyst").get(f"/crm/consumers/{world.member['3']}/").content.decode()

    card = _card(body)
    assert "<strong>Loyal</strong>" in card
    assert "R4 F2 M4" in card
    assert "new · play: <em>welcome</em>" in card
    assert 'data-testid="snapshot-vip">VIP<' in card
    assert 'data-testid="snapshot-monetary">200.00<' in card
    assert "Li Na" not in body  # the page's own rule: no name for a pseudonymised viewer


@pytest.mark.parametrize("user", ["director", "rm_north", "rep_n1"])
def test_consumer_360_and_its_card_are_refused_to_aggregate_roles(as_user, world, user):
    response = as_user(user).get(f"/crm/consumers/{world.member['1']}/")

    assert response.status_code == 403
    assert b"At Risk" not in response.content


@pytest.mark.parametrize(
    "path", ["/insights/pareto/", "/insights/abc-xyz/", "/insights/lifecycle/"]
)
def test_director_sees_consumer_counts_without_links_to_member_lists(as_user, path):
    body = as_user("director").get(f"{path}?kind=consumer").content.decode()

    assert "/insights/customers/?kind=consumer" not in body
    assert 'href="/insights/customers/"' in body  # the Customers tab, without member rows
