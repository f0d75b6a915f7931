"""A small catalogue for the catalog page, API, export and import tests.

Two manufacturers (GSK, Pfizer) and three products chosen to exercise every column an export
writes: an OTC analgesic with a Chinese INN and a channel price, an Rx statin, and an inactive
Russian-labelled vitamin with no ATC code, maker or price. Users: an administrator, an analyst
and a sales rep; products are not territory-scoped (DESIGN.md, Roles), so no territory is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import Account
from pharmacrm.catalog import services as catalog_services
from pharmacrm.catalog.models import Product
from pharmacrm.core import services as core_services
from pharmacrm.core.importkit.registry import FileReport, ImportRequest, get_kind, load_kinds
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role

BACKEND = "pharmacrm.core.auth_backends.RoleModelBackend"


@dataclass
class Catalogue:
    """Everything the catalog tests need."""

    admin: User
    analyst: User
    sales_rep: User
    gsk: Account
    pfizer: Account
    panadol: Product
    lipitor: Product
    vitamin: Product

    def user(self, name: str) -> User | None:
        """The user a matrix parameter names; ``anonymous`` is ``None``."""
        return None if name == "anonymous" else getattr(self, name)


def _manufacturer(code: str, name: str) -> Account:
    return account_services.account_create(
        by=None, code=code, name=name, kind="manufacturer", tier="upstream", status="active"
    )


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    """The users, manufacturers and products described in the module docstring."""
    # core syncs role groups before the catalog's permissions exist; sync again so each role
    # holds catalog.view_product and the administrator every catalog permission.
    core_services.roles_sync()
    admin = core_services.user_create(username="admin", role=Role.ADMINISTRATOR)
    gsk = _manufacturer("MFR-GSK", "GlaxoSmithKline")
    pfizer = _manufacturer("MFR-PFE", "Pfizer")
    panadol = catalog_services.product_create(
        by=admin,
        sku_code="SKU-0001",
        brand="Panadol",
        inn="对乙酰氨基酚 paracetamol",
        atc_code="N02BE01",
        category="medicines",
        rx_otc="otc",
        form="tablet",
        strength="500 mg",
        pack="20 tablets",
        manufacturer_id=gsk.pk,
        list_price=Decimal("12.5000"),
        cost_price=Decimal("8.2000"),
        currency="CNY",
    )
    lipitor = catalog_services.product_create(
        by=admin,
        sku_code="SKU-0002",
        brand="Lipitor",
        inn="atorvastatin",
        atc_code="C10AA05",
        category="medicines",
        rx_otc="rx",
        form="film-coated tablet",
        strength="20 mg",
        pack="7 tablets",
        manufacturer_id=pfizer.pk,
        list_price=Decimal("58.9000"),
        cost_price=Decimal("41.0500"),
        currency="CNY",
    )
    vitamin = catalog_services.product_create(
        by=admin,
        sku_code="SKU-0003",
        brand="Компливит",
        category="vitamins_supplements",
        currency="RUB",
        is_active=False,
    )
    catalog_services.channel_price_set(
        by=admin,
        product=panadol,
        channel="tmall",
        price=Decimal("11.9000"),
        valid_from=date(2025, 1, 1),
        valid_to=None,
        currency="CNY",
    )
    return Catalogue(
        admin=admin,
        analyst=core_services.user_create(username="analyst", role=Role.ANALYST),
        sales_rep=core_services.user_create(username="rep", role=Role.SALES_REP),
        gsk=gsk,
        pfizer=pfizer,
        panadol=panadol,
        lipitor=lipitor,
        vitamin=vitamin,
    )


@pytest.fixture
def client_for(catalogue: Catalogue) -> Callable[[str], Client]:
    """A test client signed in as the named matrix user (or anonymous)."""

    def make(name: str) -> Client:
        client = Client()
        user = catalogue.user(name)
        if user is not None:
            client.force_login(user, backend=BACKEND)
        return client

    return make


@pytest.fixture
def run_import(tmp_path: Path) -> Callable[..., list[FileReport]]:
    """``run_import(kind, *files)`` → file reports, through the registry every interface uses."""
    load_kinds()

    def run(kind: str, *files: Path) -> list[FileReport]:
        request = ImportRequest(
            files=tuple(files), options={"quarantine_dir": str(tmp_path / "quarantine")}
        )
        return get_kind(kind).handler(request)

    return run
