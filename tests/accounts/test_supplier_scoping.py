"""Supplier managers see the suppliers assigned to them on a date, their contacts and products.

DESIGN.md, Roles: a supplier manager sees "upstream suppliers and their products" and no
consumers. The world of ``conftest.py`` gains two upstream manufacturers, GlaxoSmithKline
(assigned to the supplier manager from 2024-01-01) and Pfizer (assigned to nobody), a contact
and a product at each. Every entry point is checked: account list page, 360 page, quick
search, CSV export, account API (list, one, search), contacts (page and API), consumers,
product list page and export, product page, product API (list, one, prices) and the back
office; the director and the sales rep keep their own sight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts import services_suppliers as supplier_services
from pharmacrm.accounts.models import Account, Contact, SupplierAssignment
from pharmacrm.catalog import services as catalog_services
from pharmacrm.catalog.models import Product
from pharmacrm.core import services as core_services
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role

from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module
from .conftest import BACKEND, World  # noqa: TID252 - the sibling conftest's world

GSK = "GlaxoSmithKline China"
PFIZER = "Pfizer Investment Co"


@dataclass
class Suppliers:
    """The supplier manager, both suppliers, a contact and a product at each."""

    manager: User
    gsk: Account
    pfizer: Account
    gsk_contact: Contact
    pfizer_contact: Contact
    panadol: Product
    lipitor: Product
    assignment: SupplierAssignment


def _product(maker: Account, sku: str, brand: str, atc: str) -> Product:
    return catalog_services.product_create(
        by=None,
        sku_code=sku,
        brand=brand,
        atc_code=atc,
        category="medicines",
        rx_otc="otc",
        manufacturer_id=maker.pk,
        list_price=Decimal("12.5000"),
        currency="CNY",
    )


@pytest.fixture
def suppliers(world: World) -> Suppliers:
    """Two manufacturers, one of them assigned to the supplier manager since 2024-01-01."""
    manager = core_services.user_create(
        username="supplier_mgr", role=Role.SUPPLIER_MANAGER, email="supplier_mgr@pharma.test"
    )
    gsk = factories.account(
        code="MFR-GSK", name=GSK, kind="manufacturer", tier="upstream", city="Tianjin"
    )
    pfizer = factories.account(
        code="MFR-PFE", name=PFIZER, kind="manufacturer", tier="upstream", city="Dalian"
    )
    assignment = supplier_services.supplier_assignment_create(
        by=world.admin, user=manager, supplier=gsk, starts_on=date(2024, 1, 1)
    )
    return Suppliers(
        manager=manager,
        gsk=gsk,
        pfizer=pfizer,
        gsk_contact=factories.contact(account=gsk, name="Chen Jing", title="Key account lead"),
        pfizer_contact=factories.contact(account=pfizer, name="Zhao Lei", title="Trade manager"),
        panadol=_product(gsk, "SKU-GSK-1", "Panadol", "N02BE01"),
        lipitor=_product(pfizer, "SKU-PFE-1", "Lipitor", "C10AA05"),
        assignment=assignment,
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


# --- the account side ---------------------------------------------------------------------


def test_supplier_manager_lists_exactly_their_supplier_on_page_api_and_export(suppliers, world):
    client = _client(suppliers.manager)

    page = client.get("/crm/accounts/").content.decode()
    api = client.get("/api/v1/accounts/").json()
    export = b"".join(client.get("/crm/accounts/export.csv").streaming_content).decode()

    assert GSK in page
    assert PFIZER not in page
    assert world.pharmacy.name not in page
    assert (api["count"], [row["code"] for row in api["items"]]) == (1, ["MFR-GSK"])
    assert [line.split(",")[0] for line in export.splitlines()] == ["code", "MFR-GSK"]


@pytest.mark.parametrize(
    ("name", "visible"), [("gsk", True), ("pfizer", False)], ids=["assigned", "not_assigned"]
)
def test_supplier_manager_opens_only_their_supplier(suppliers, name, visible):
    account = getattr(suppliers, name)
    client = _client(suppliers.manager)

    page = client.get(f"/crm/accounts/{account.pk}/")
    api = client.get(f"/api/v1/accounts/{account.pk}")

    expected = 200 if visible else 404
    assert (page.status_code, api.status_code) == (expected, expected)
    assert (account.name in page.content.decode()) is visible
    assert (account.name in api.content.decode()) is visible


def test_supplier_manager_searches_only_their_supplier_and_its_contacts(suppliers, world):
    client = _client(suppliers.manager)

    gsk = client.get("/api/v1/accounts/search", {"q": "glaxosmithklne"}).json()
    pfizer = client.get("/api/v1/accounts/search", {"q": "pfizer investment"}).json()
    pharmacy = client.get("/api/v1/accounts/search", {"q": "tongrentang dongcheng"}).json()
    contacts = client.get("/api/v1/accounts/search", {"q": "zhao lei"}).json()
    quick = client.get("/crm/search/", {"q": "chen jing"}).content.decode()

    assert [(hit["kind"], hit["title"]) for hit in gsk] == [("account", GSK)]
    assert (pfizer, pharmacy, contacts) == ([], [], [])
    assert "Chen Jing" in quick


def test_contacts_of_a_supplier_follow_the_assignment(suppliers):
    client = _client(suppliers.manager)

    own = client.get(f"/crm/contacts/{suppliers.gsk_contact.pk}/")
    other = client.get(f"/crm/contacts/{suppliers.pfizer_contact.pk}/")
    listed = client.get("/api/v1/accounts/contacts").json()

    assert (own.status_code, other.status_code) == (200, 404)
    assert "Zhao Lei" not in other.content.decode()
    assert [row["name"] for row in listed["items"]] == ["Chen Jing"]


def test_supplier_manager_sees_no_consumers(suppliers, world):
    factories.consumer(home_outlet=world.pharmacy)
    client = _client(suppliers.manager)

    page = client.get("/crm/consumers/")
    api = client.get("/api/v1/accounts/consumers")

    assert (page.status_code, api.status_code) == (403, 403)
    assert "Li Na" not in page.content.decode() + api.content.decode()


def test_supplier_manager_cannot_edit_their_supplier(suppliers):
    client = _client(suppliers.manager)

    response = client.patch(
        f"/api/v1/accounts/{suppliers.gsk.pk}",
        '{"name": "Renamed"}',
        content_type="application/json",
    )

    assert response.status_code == 403
    assert Account.objects.get(pk=suppliers.gsk.pk).name == GSK


def test_the_back_office_stays_closed_to_supplier_managers(suppliers):
    response = _client(suppliers.manager).get("/admin/accounts/account/")

    assert response.status_code == 403
    assert GSK not in response.content.decode()


@pytest.mark.parametrize(
    ("starts", "ends", "visible"),
    [
        (-30, None, True),
        (-30, 0, True),
        (-30, -1, False),
        (1, None, False),
    ],
    ids=["open_ended", "ends_today", "ended_yesterday", "starts_tomorrow"],
)
def test_the_assignment_counts_only_between_its_dates(world, starts, ends, visible):
    today = timezone.localdate()
    manager = core_services.user_create(username="sm", role=Role.SUPPLIER_MANAGER)
    sanofi = factories.account(code="MFR-SNY", name="Sanofi", kind="manufacturer", tier="upstream")
    supplier_services.supplier_assignment_create(
        by=world.admin,
        user=manager,
        supplier=sanofi,
        starts_on=today + timedelta(days=starts),
        ends_on=None if ends is None else today + timedelta(days=ends),
    )

    seen = list(account_selectors.account_list_for(user=manager).values_list("code", flat=True))

    assert seen == (["MFR-SNY"] if visible else [])


def test_other_roles_keep_their_sight(suppliers, world):
    director = sorted(
        account_selectors.account_list_for(user=world.director).values_list("code", flat=True)
    )
    rep = sorted(
        account_selectors.account_list_for(user=world.rep_inside).values_list("code", flat=True)
    )

    assert director == ["BJ-0001", "MFR-GSK", "MFR-PFE", "SH-0001"]
    assert rep == ["BJ-0001"]


# --- the product side ---------------------------------------------------------------------


def test_supplier_manager_lists_only_their_suppliers_products(suppliers):
    client = _client(suppliers.manager)

    page = client.get("/catalog/products/").content.decode()
    export = client.get("/catalog/products/?export=csv")
    api = client.get("/api/v1/catalog/products").json()

    export_body = b"".join(export.streaming_content).decode()
    assert "Panadol" in page
    assert "Lipitor" not in page
    assert "SKU-GSK-1" in export_body
    assert "SKU-PFE-1" not in export_body
    assert (api["count"], [row["sku_code"] for row in api["items"]]) == (1, ["SKU-GSK-1"])


@pytest.mark.parametrize(
    ("name", "visible"), [("panadol", True), ("lipitor", False)], ids=["own", "other"]
)
def test_supplier_manager_opens_only_their_suppliers_products(suppliers, name, visible):
    product = getattr(suppliers, name)
    client = _client(suppliers.manager)

    page = client.get(f"/catalog/products/{product.pk}/")
    api = client.get(f"/api/v1/catalog/products/{product.pk}")
    prices = client.get(f"/api/v1/catalog/products/{product.pk}/prices")

    expected = 200 if visible else 404
    assert (page.status_code, api.status_code, prices.status_code) == (expected,) * 3
    assert (product.brand in page.content.decode()) is visible
    assert (product.brand in api.content.decode()) is visible


def test_ending_the_assignment_hides_the_supplier_and_its_products_from_the_next_day(
    suppliers, world
):
    today = timezone.localdate()
    supplier_services.supplier_assignment_end(
        by=world.admin, assignment=suppliers.assignment, ends_on=today - timedelta(days=1)
    )
    client = _client(suppliers.manager)

    accounts = client.get("/api/v1/accounts/").json()
    products = client.get("/api/v1/catalog/products").json()

    assert (accounts["count"], products["count"]) == (0, 0)
    assert SupplierAssignment.objects.get(pk=suppliers.assignment.pk).ends_on == today - timedelta(
        days=1
    )


@pytest.mark.parametrize("who", ["director", "rep_inside", "analyst"])
def test_other_roles_still_see_the_whole_catalogue(suppliers, world, who):
    client = _client(getattr(world, who))

    api = client.get("/api/v1/catalog/products").json()

    assert sorted(row["sku_code"] for row in api["items"]) == ["SKU-GSK-1", "SKU-PFE-1"]


# --- managing the link --------------------------------------------------------------------


def test_only_upstream_accounts_can_be_assigned(suppliers, world):
    with pytest.raises(ValidationError) as refused:
        supplier_services.supplier_assignment_create(
            by=world.admin,
            user=suppliers.manager,
            supplier=world.pharmacy,
            starts_on=timezone.localdate(),
        )

    assert refused.value.message_dict == {
        "supplier": [
            "Tongrentang Pharmacy Dongcheng is not an upstream supplier; only upstream accounts "
            "can be assigned to a supplier manager."
        ]
    }
    assert SupplierAssignment.objects.count() == 1


def test_only_supplier_managers_can_be_assigned(suppliers, world):
    with pytest.raises(ValidationError) as refused:
        supplier_services.supplier_assignment_create(
            by=world.admin,
            user=world.rep_inside,
            supplier=suppliers.pfizer,
            starts_on=timezone.localdate(),
        )

    assert refused.value.message_dict == {"user": ["rep_inside is not a supplier manager."]}
    assert SupplierAssignment.objects.count() == 1


def test_an_overlapping_period_of_the_same_supplier_is_refused(suppliers, world):
    with pytest.raises(ValidationError) as refused:
        supplier_services.supplier_assignment_create(
            by=world.admin,
            user=suppliers.manager,
            supplier=suppliers.gsk,
            starts_on=date(2025, 6, 1),
            ends_on=date(2025, 12, 31),
        )

    assert refused.value.message_dict == {
        "starts_on": [f"supplier_mgr already manages {GSK} in that period."]
    }
    assert SupplierAssignment.objects.count() == 1


def test_an_end_before_the_start_is_refused_and_nothing_changes(suppliers, world):
    with pytest.raises(ValidationError) as refused:
        supplier_services.supplier_assignment_end(
            by=world.admin, assignment=suppliers.assignment, ends_on=date(2023, 12, 31)
        )

    assert refused.value.message_dict == {
        "ends_on": ["The end date cannot be before the start date 2024-01-01."]
    }
    assert SupplierAssignment.objects.get(pk=suppliers.assignment.pk).ends_on is None


def test_assignments_are_audited_with_their_author(suppliers, world):
    supplier_services.supplier_assignment_end(
        by=world.director, assignment=suppliers.assignment, ends_on=date(2025, 3, 31)
    )

    history = suppliers.assignment.history.order_by("history_date", "history_id")  # type: ignore[attr-defined]

    assert [(h.history_type, h.history_user.username, h.ends_on) for h in history] == [
        ("+", "admin", None),
        ("~", "director", date(2025, 3, 31)),
    ]


def test_administrator_assigns_a_supplier_in_the_back_office(suppliers, world):
    client = _client(world.admin)

    form = client.get("/admin/accounts/supplierassignment/add/")
    refused = client.post(
        "/admin/accounts/supplierassignment/add/",
        {"user": world.rep_inside.pk, "supplier": suppliers.pfizer.pk, "starts_on": "2025-01-01"},
    )
    saved = client.post(
        "/admin/accounts/supplierassignment/add/",
        {"user": suppliers.manager.pk, "supplier": suppliers.pfizer.pk, "starts_on": "2025-01-01"},
    )

    assert form.status_code == 200
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert saved.status_code == 302
    created = SupplierAssignment.objects.get(supplier=suppliers.pfizer)
    assert (created.user, created.starts_on, created.ends_on) == (
        suppliers.manager,
        date(2025, 1, 1),
        None,
    )
    assert created.history.get().history_user == world.admin  # type: ignore[attr-defined]


# --- the supplier's 360 page --------------------------------------------------------------


def test_supplier_360_lists_its_supplier_managers_with_their_periods(suppliers, world):
    later = core_services.user_create(username="supplier_mgr2", role=Role.SUPPLIER_MANAGER)
    supplier_services.supplier_assignment_end(
        by=world.admin, assignment=suppliers.assignment, ends_on=date(2024, 12, 31)
    )
    supplier_services.supplier_assignment_create(
        by=world.admin, user=later, supplier=suppliers.gsk, starts_on=date(2025, 1, 1)
    )

    gsk = _client(world.director).get(f"/crm/accounts/{suppliers.gsk.pk}/").content.decode()
    pfizer = _client(world.director).get(f"/crm/accounts/{suppliers.pfizer.pk}/").content.decode()
    pharmacy = _client(world.director).get(f"/crm/accounts/{world.pharmacy.pk}/").content.decode()

    assert 'data-supplier-manager="supplier_mgr2"' in gsk
    assert 'data-supplier-manager="supplier_mgr"' in gsk
    assert "2024-01-01 – 2024-12-31" in gsk
    assert "2025-01-01 – …" in gsk
    assert gsk.index('"supplier_mgr2"') < gsk.index('"supplier_mgr"')  # newest first
    assert 'data-testid="supplier-managers"' in pfizer
    assert "data-supplier-manager=" not in pfizer  # Pfizer has nobody yet
    assert 'data-testid="supplier-managers"' not in pharmacy  # not a supplier
