"""A deliberately broken file: every bad row reported by row and column, good rows kept,
re-import adds nothing."""

from __future__ import annotations

import pytest

from pharmacrm.accounts.models import Account
from pharmacrm.catalog.models import Product
from pharmacrm.territories import services as territory_services

pytestmark = pytest.mark.django_db

# A UTF-8 file (row 1 has an umlaut) into which one line was pasted from a cp1251 system.
BROKEN_ACCOUNTS = (
    "code,name,kind,region,status_changed_on\n"
    "A001,Apteka Nörd,pharmacy,R1,2024-01-15\n"
    "A002,Apteka Sued,pharmacy,R1,2024-13-45\n"
    "A003,Apteka West,pharmacy,NOWHERE,2024-02-01\n"
    "A001,Apteka Nord again,pharmacy,R1,\n"
    "A004,,pharmacy,R1,\n"
).encode() + "A005,Аптека,pharmacy,R1,\nA006,Apteka Ost,clinic,R1,\n".encode("cp1251")


@pytest.fixture
def broken_accounts(tmp_path):
    territory_services.territory_upsert(by=None, code="R1", name="Region One")
    path = tmp_path / "accounts.csv"
    path.write_bytes(BROKEN_ACCOUNTS)
    return path


def test_broken_accounts_file_reports_every_bad_row_and_keeps_good_ones(
    run_import, broken_accounts
):
    (report,) = run_import("accounts", broken_accounts)

    found = {(e.row, e.column) for e in report.first_errors}
    assert found == {
        (2, "status_changed_on"),
        (3, "region"),
        (4, "code"),
        (5, "name"),
        (6, "name"),
    }
    reasons = {e.row: e.reason for e in report.first_errors}
    assert reasons[4] == "duplicate code in this file (first at row 1)"
    assert reasons[5] == "required value missing"
    assert reasons[6].startswith("not valid UTF-8 like the rest of the file")
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (7, 2, 5)
    assert sorted(Account.objects.values_list("code", flat=True)) == ["A001", "A006"]
    assert Account.objects.get(code="A001").territory.code == "R1"


def test_dry_run_lists_errors_and_stores_nothing(run_import, broken_accounts):
    (report,) = run_import("accounts", broken_accounts, dry_run=True)

    assert report.status == "dry_run"
    assert report.rows_quarantined == 5
    assert Account.objects.count() == 0


def test_reimport_of_broken_file_adds_nothing(run_import, broken_accounts):
    run_import("accounts", broken_accounts)
    history = Account.history.count()

    (report,) = run_import("accounts", broken_accounts)

    assert report.message == "0 created, 0 updated, 2 unchanged"
    assert Account.objects.count() == 2
    assert Account.history.count() == history


def test_create_regions_turns_unknown_region_into_a_node_for_review(run_import, broken_accounts):
    (report,) = run_import("accounts", broken_accounts, create_regions="1")

    assert report.rows_quarantined == 4
    west = Account.objects.get(code="A003")
    assert (west.territory.name, west.territory.needs_review) == ("NOWHERE", True)


def test_wrong_atc_code_is_reported_with_the_expected_shape(run_import, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text(
        "sku_code,brand,inn,atc_code,rx_otc\n"
        "P1,Panadol,paracetamol,N02BE01,OTC\n"
        "P2,Nurofen,ibuprofen,M01AE1,OTC\n"
        "P3,Lipitor,atorvastatin,X10AA05,Rx\n"
        "P4,Aspirin,acetylsalicylic acid,b01ac06,otc\n"
    )

    (report,) = run_import("products", path)

    assert [(e.row, e.column, e.value) for e in report.first_errors] == [
        (2, "atc_code", "M01AE1"),
        (3, "atc_code", "X10AA05"),
    ]
    assert sorted(Product.objects.values_list("sku_code", "atc_code", "rx_otc")) == [
        ("P1", "N02BE01", "otc"),
        ("P4", "B01AC06", "otc"),
    ]
