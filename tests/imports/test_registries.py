"""Real registries import through the same path as any file; counts come from each README
in /work/shared/data (never from our own output)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pharmacrm.accounts.models import Account, AccountKind, AccountStatus
from pharmacrm.catalog.models import Product
from pharmacrm.territories.models import Territory

DATA = Path("/work/shared/data")

pytestmark = pytest.mark.django_db


def test_nhs_ods_import_keeps_same_name_outlets_apart_and_builds_chains(run_import):
    path = DATA / "nhs_pharmacies" / "edispensary_2025-04.csv"

    (report,) = run_import("accounts", path, mapping="nhs-ods")

    # README: 20,932 rows — 11,276 active, 9,558 closed, 98 proposed; 7,179 distinct values
    # of the parent code, one of which is empty (469 pharmacies have no head office).
    assert (report.status, report.rows_read, report.rows_quarantined) == ("committed", 20932, 0)
    pharmacies = Account.objects.filter(kind=AccountKind.PHARMACY)
    assert pharmacies.count() == 20932
    assert pharmacies.filter(status=AccountStatus.ACTIVE).count() == 11276
    assert pharmacies.filter(status=AccountStatus.TERMINATED).count() == 9558
    assert pharmacies.filter(status=AccountStatus.PROSPECT).count() == 98
    assert Account.objects.filter(kind=AccountKind.PHARMACY_CHAIN).count() == 7179 - 1
    # README: 1,841 pharmacies are named BOOTS; each stays its own account.
    assert pharmacies.filter(name="BOOTS").count() == 1841
    boots = Account.objects.get(code="ODS-P08F")
    assert boots.name == "BOOTS"
    assert Account.objects.filter(parent=boots).count() == 2118
    # Regions came from the registry, flagged for review. README: 20 national groupings and
    # 124 ICB codes, each count including the empty value (61 and 54 rows lack them).
    assert Territory.objects.filter(code__startswith="ODS-NG-", needs_review=True).count() == 20 - 1
    assert (
        Territory.objects.filter(code__startswith="ODS-ICB-", needs_review=True).count() == 124 - 1
    )


def test_nhs_ods_reimport_adds_nothing(run_import):
    path = DATA / "nhs_pharmacies" / "edispensary_2025-04.csv"
    run_import("accounts", path, mapping="nhs-ods")
    history_before = Account.history.count()

    (report,) = run_import("accounts", path, mapping="nhs-ods")

    assert report.message == "0 created, 0 updated, 20932 unchanged"
    assert Account.objects.count() == 20932 + 7179 - 1
    assert Account.history.count() == history_before


def test_cms_hospitals_import(run_import):
    path = DATA / "us_hospitals" / "cms_hospital_general_information_2026.csv"

    (report,) = run_import("accounts", path, mapping="cms-hospitals")

    # README: 5,432 rows, Facility ID = CCN with its leading zeros kept.
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (5432, 5432, 0)
    assert Account.objects.filter(kind=AccountKind.HOSPITAL).count() == 5432
    first = Account.objects.get(code="CCN-010001")
    assert (first.name, first.city, first.province, first.postcode) == (
        "SOUTHEAST HEALTH MEDICAL CENTER", "DOTHAN", "AL", "36301",
    )  # fmt: skip
    assert first.territory is not None
    assert (first.territory.code, first.territory.parent.code) == ("US-AL", "US")


def test_beijing_insurance_import_keeps_chinese_names_and_codes(run_import):
    path = DATA / "china_hospitals" / "beijing_insurance_designated_2023.csv"

    (report,) = run_import("accounts", path, mapping="beijing-insurance")

    # README: 4,279 rows; categories 对外综合 551, 对外专科 188, 对外中医 203 (hospitals),
    # 社区卫生站 1,632, 村卫生室 1,482, 对内 223 (clinics).
    assert (report.rows_read, report.rows_quarantined) == (4279, 0)
    assert Account.objects.filter(kind=AccountKind.HOSPITAL).count() == 551 + 188 + 203
    assert Account.objects.filter(kind=AccountKind.CLINIC).count() == 1632 + 1482 + 223
    tongren = Account.objects.get(code="BJYB-01110001")
    assert (tongren.name, tongren.hospital_grade, tongren.district) == (
        "首都医科大学附属北京同仁医院", "三级甲等", "东城区",
    )  # fmt: skip
    assert tongren.territory.code == "CN-BJ-东城区"
    assert tongren.territory.needs_review is True


def test_drugs_at_fda_products_take_rx_otc_from_marketing_status(run_import):
    folder = DATA / "drugs_at_fda"

    (report,) = run_import(
        "products",
        folder / "Products.txt",
        folder / "MarketingStatus.txt",
        folder / "Applications.txt",
        mapping="drugs-at-fda",
    )

    # README: 45,334 products, each with exactly one marketing status.
    assert (report.rows_read, report.rows_quarantined) == (45334, 0)
    assert Product.objects.count() == 45334
    # README example: UNISOM / DOXYLAMINE SUCCINATE is over the counter.
    unisom = Product.objects.filter(brand="UNISOM", inn="DOXYLAMINE SUCCINATE").first()
    assert (unisom.rx_otc, unisom.is_active) == ("otc", True)
    # README first row: 000004/004 PAREDRINE is discontinued (status 3): kept, inactive.
    paredrine = Product.objects.get(sku_code="FDA-000004-004")
    assert (paredrine.brand, paredrine.is_active, paredrine.rx_otc) == ("PAREDRINE", False, "")
    assert (paredrine.form, paredrine.strength) == ("SOLUTION/DROPS;OPHTHALMIC", "1%")
