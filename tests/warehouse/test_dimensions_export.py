"""Dimension export: the master data the analytics engine joins, as Parquet, without personal data.

The rows are created here through the owning apps' services; the expected Parquet rows are
those values (ids aside, which the database assigns), so nothing is compared with our own output.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pharmacrm.accounts import services as account_services
from pharmacrm.catalog import services as catalog_services
from pharmacrm.cli import app
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.territories import services as territory_services
from pharmacrm.warehouse import services as warehouse_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def master(settings, tmp_path: Path) -> dict[str, object]:
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    admin = core_services.user_create(username="admin", role=Role.ADMINISTRATOR)
    china, _ = territory_services.territory_upsert(by=admin, code="CN", name="China")
    beijing, _ = territory_services.territory_upsert(
        by=admin, code="CN-BJ", name="Beijing", parent=china
    )
    chain = account_services.account_create(
        by=admin, code="CH-1", name="Tongrentang", kind="pharmacy_chain", tier="terminal",
        province="Beijing",
    )  # fmt: skip
    outlet = account_services.account_create(
        by=admin, code="PH-7", name="Tongrentang Wangfujing", kind="pharmacy", tier="terminal",
        province="Beijing", city="Beijing", parent=chain, territory=beijing,
    )  # fmt: skip
    account_services.contact_create(
        by=admin, account=outlet, name="Wang Fang", title="Head pharmacist", is_key_contact=True
    )
    account_services.consumer_upsert(
        by=admin, card_no="C00000042", name="Li Na", phone="+86 138 0013 8000", gender="F",
        birth_year=1986, province="Beijing", city="Beijing", home_outlet=outlet,
        registered_on=date(2024, 3, 1),
    )  # fmt: skip
    catalog_services.product_create(
        by=admin, sku_code="SKU-ASP-100", brand="Aspirin Cardio", inn="acetylsalicylic acid",
        atc_code="B01AC06", category="medicines", rx_otc="otc",
    )  # fmt: skip
    return {"chain": chain, "outlet": outlet, "beijing": beijing, "china": china}


def _rows(folder: Path, name: str) -> list[dict[str, object]]:
    return pq.read_table(folder / f"{name}.parquet").to_pylist()


def test_every_dimension_is_written_with_its_rows(master):
    counts = warehouse_services.dimensions_export()

    folder = Path(warehouse_services.warehouse_root()) / "dimensions"
    assert counts == {"accounts": 2, "contact_accounts": 1, "consumers": 1, "products": 1,
                      "territories": 2}  # fmt: skip
    outlet = _rows(folder, "accounts")[1]
    assert (outlet["code"], outlet["kind"], outlet["region"], outlet["parent_id"]) == (
        "PH-7", "pharmacy", "Beijing", master["chain"].pk,
    )  # fmt: skip
    assert outlet["territory_id"] == master["beijing"].pk
    [contact] = _rows(folder, "contact_accounts")
    assert (contact["account_id"], contact["title"], contact["is_key_contact"]) == (
        master["outlet"].pk, "Head pharmacist", True,
    )  # fmt: skip
    [consumer] = _rows(folder, "consumers")
    assert (consumer["card_no"], consumer["gender"], consumer["birth_year"]) == (
        "C00000042",
        "F",
        1986,
    )
    assert consumer["home_outlet_id"] == master["outlet"].pk
    assert consumer["registered_on"] == date(2024, 3, 1)
    [product] = _rows(folder, "products")
    assert (product["sku_code"], product["atc_code"], product["category"]) == (
        "SKU-ASP-100", "B01AC06", "medicines",
    )  # fmt: skip
    territories = {row["code"]: row["parent_id"] for row in _rows(folder, "territories")}
    assert territories == {"CN": None, "CN-BJ": master["china"].pk}


def test_no_personal_data_reaches_the_dimensions(master):
    warehouse_services.dimensions_export()

    folder = Path(warehouse_services.warehouse_root()) / "dimensions"
    values = [
        str(value)
        for path in sorted(folder.glob("*.parquet"))
        for row in pq.read_table(path).to_pylist()
        for value in row.values()
    ]
    text = " ".join(values)
    assert "Li Na" not in text
    assert "+86 138 0013 8000" not in text
    assert "Wang Fang" not in text
    assert sorted(p.name for p in folder.iterdir()) == [
        "accounts.parquet", "consumers.parquet", "contact_accounts.parquet", "products.parquet",
        "territories.parquet",
    ]  # fmt: skip


def test_cli_exports_dimensions_on_demand(master, tmp_path):
    out = tmp_path / "dims"

    result = CliRunner().invoke(app, ["export-dimensions", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "accounts: 2 rows" in result.output
    assert pq.read_table(out / "products.parquet").num_rows == 1
