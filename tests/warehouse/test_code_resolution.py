"""Every interface's import fills the OLTP ids beside the source codes (issue 6).

The master data here is made by hand to match ``job_files.RECEIPTS``: outlet ``O1``, card
``CARD1`` and SKU ``SKU-A`` exist; ``SKU-B`` does not. The two stored rows (1 and 2, both at O1
on CARD1) so get the outlet's and the card's ids, row 1 SKU-A's product id and row 2 none —
kept, counted and listed as one unresolved SKU. Rows 3–5 are quarantined (their own reasons), so
``O2`` and ``CARD2`` never reach resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from job_files import RECEIPTS, receipts_file
from typer.testing import CliRunner

from pharmacrm.accounts import services as account_services
from pharmacrm.catalog import services as catalog_services
from pharmacrm.cli import app
from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role
from pharmacrm.warehouse import services as warehouse_services
from pharmacrm.warehouse.models import ImportJob, JobStatus
from pharmacrm.warehouse.resolution import MasterDataResolver
from pharmacrm.warehouse.store import WarehouseStore


@dataclass(frozen=True)
class Master:
    outlet_id: int
    consumer_id: int
    product_id: int
    wholesaler_id: int


@pytest.fixture
def warehouse_dir(settings, tmp_path: Path) -> Path:
    root = tmp_path / "var" / "warehouse"
    settings.WAREHOUSE_DIR = str(root)
    return root


def _master() -> Master:
    admin = core_services.user_create(username="admin", role=Role.ADMINISTRATOR)
    outlet = account_services.account_create(
        by=None, code="O1", name="Tongrentang Pharmacy Xidan", kind="pharmacy", tier="terminal",
        province="Beijing", city="Beijing",
    )  # fmt: skip
    wholesaler = account_services.account_create(
        by=None, code="W1", name="Sinopharm Beijing", kind="distributor", tier="downstream",
        province="Beijing", city="Beijing",
    )  # fmt: skip
    consumer, _created = account_services.consumer_upsert(
        by=None, card_no="CARD1", name="Li Na", gender="F", birth_year=1986, city="Beijing"
    )
    product = catalog_services.product_create(
        by=admin, sku_code="SKU-A", brand="Panadol", inn="paracetamol", category="medicines"
    )
    return Master(outlet.pk, consumer.pk, product.pk, wholesaler.pk)


@pytest.fixture
def master(db: None) -> Master:
    return _master()


def _stored_ids(warehouse_dir: Path) -> list[tuple[int, int | None, int | None, int | None]]:
    facts = pl.from_arrow(WarehouseStore(warehouse_dir).read_fact("receipt_lines"))
    assert isinstance(facts, pl.DataFrame)
    rows = facts.sort("source_row").select("source_row", "outlet_id", "consumer_id", "product_id")
    return rows.rows()


def _expected(master: Master) -> list[tuple[int, int | None, int | None, int | None]]:
    return [
        (1, master.outlet_id, master.consumer_id, master.product_id),
        (2, master.outlet_id, master.consumer_id, None),  # SKU-B is not in the catalogue
    ]


def test_cli_import_fills_the_ids_and_lists_the_unknown_sku(warehouse_dir, master, tmp_path):
    path = receipts_file(tmp_path)

    result = CliRunner().invoke(app, ["import", "receipts", str(path)])

    assert result.exit_code == 0, result.output
    assert _stored_ids(warehouse_dir) == _expected(master)
    job = ImportJob.objects.get()
    assert job.codes_unresolved == 1
    assert job.reports[0]["unresolved"] == {"sku_code": 1}
    unresolved = pl.read_csv(job.reports[0]["unresolved_path"])
    assert unresolved.rows() == [("sku_code", "SKU-B")]
    assert "unresolved codes kept with empty ids (sku_code: 1)" in result.output


def test_api_upload_run_by_the_worker_fills_the_ids(warehouse_dir, client, transactional_db):
    master = _master()
    client.force_login(core_services.user_create(username="cm", role=Role.CHANNEL_MANAGER))

    created = client.post(
        "/api/v1/warehouse/jobs",
        {"file": SimpleUploadedFile("pos-march.csv", RECEIPTS.encode()), "kind": "receipts"},
    )
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", "--no-startup-delay")

    assert created.status_code == 202
    job = ImportJob.objects.get(pk=created.json()["id"])
    assert (job.status, job.rows_stored, job.codes_unresolved) == (JobStatus.SUCCEEDED, 2, 1)
    assert _stored_ids(warehouse_dir) == _expected(master)


def test_web_upload_run_by_the_worker_fills_the_ids(warehouse_dir, client, transactional_db):
    master = _master()
    client.force_login(core_services.user_create(username="cm", role=Role.CHANNEL_MANAGER))

    response = client.post(
        "/warehouse/upload/",
        {"file": SimpleUploadedFile("pos-march.csv", RECEIPTS.encode(), "text/csv"),
         "kind": "receipts", "mapping": "", "source": "", "save_as": "", "action": "import"},
    )  # fmt: skip
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-reload", "--no-startup-delay")

    assert response.status_code == 302
    assert ImportJob.objects.get().status == JobStatus.SUCCEEDED
    assert _stored_ids(warehouse_dir) == _expected(master)


def test_invoice_seller_and_buyer_codes_resolve_to_accounts(warehouse_dir, master, tmp_path):
    path = tmp_path / "sinopharm-2024-03.csv"
    path.write_text(
        "seller_code,invoice_id,line_no,day,buyer_code,sku_code,qty,unit_price\n"
        "W1,INV-1,1,2024-03-04,O1,SKU-A,10,3.20\n"
        "W1,INV-1,2,2024-03-04,O9,SKU-A,5,3.20\n",  # O9: a buyer not in the master
        encoding="utf-8",
    )
    job = warehouse_services.import_job_create(by=None, kind="invoices", files=[path])

    job = warehouse_services.import_job_run(job=job)

    facts = pl.from_arrow(WarehouseStore(warehouse_dir).read_fact("invoice_lines"))
    assert isinstance(facts, pl.DataFrame)
    assert facts.sort("line_no").select("seller_id", "buyer_id", "product_id").rows() == [
        (master.wholesaler_id, master.outlet_id, master.product_id),
        (master.wholesaler_id, None, master.product_id),
    ]
    assert job.reports[0]["unresolved"] == {"buyer_code": 1}


def test_resolver_asks_the_database_once_per_code(master, django_assert_num_queries):
    resolver = MasterDataResolver()
    first_batch = pl.Series(["CARD1", "CARD1", None, "CARD-X"])
    second_batch = pl.Series(["CARD-X", "CARD1"])

    with django_assert_num_queries(1):
        first = resolver.resolve("consumer", first_batch)
    with django_assert_num_queries(0):
        second = resolver.resolve("consumer", second_batch)

    assert first.to_list() == [master.consumer_id, master.consumer_id, None, None]
    assert second.to_list() == [None, master.consumer_id]
    assert first.dtype == pl.Int64


def test_resolver_forgets_when_its_memory_is_full(master, django_assert_num_queries):
    resolver = MasterDataResolver(cache_limit=2)
    resolver.resolve("product", pl.Series(["SKU-A", "SKU-Z"]))

    with django_assert_num_queries(1):
        again = resolver.resolve("product", pl.Series(["SKU-Y", "SKU-A"]))

    assert again.to_list() == [None, master.product_id]
