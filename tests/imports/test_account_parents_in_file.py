"""Outlets may name as parent a chain that is a later row of the same file.

The chain does not exist yet when the file is read, so the import writes rows in waves,
parents before the rows that name them (a chain under a group takes one more wave); this is
also the path the 100 k-row Excel benchmark (bench/customer_master) exercises with 35 k
outlets.
"""

from __future__ import annotations

import pytest

from pharmacrm.accounts.models import Account
from pharmacrm.territories import services as territory_services

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "code,name,kind,parent_code,region\n"
    "OUT-1,Laobaixing Pharmacy No 1,pharmacy,CHAIN-LBX,R1\n"
    "OUT-2,Laobaixing Pharmacy No 2,pharmacy,CHAIN-LBX,R1\n"
    "OUT-3,Yifeng Pharmacy No 7,pharmacy,CHAIN-YF,R1\n"
    "OUT-4,Independent Pharmacy,pharmacy,,R1\n"
    "CHAIN-LBX,Laobaixing Pharmacy Chain,pharmacy_chain,,R1\n"
    "CHAIN-YF,Yifeng Pharmacy Chain Hunan,pharmacy_chain,GROUP-YF,R1\n"
    "GROUP-YF,Yifeng Pharmacy Group,pharmacy_chain,,R1\n"
)


@pytest.fixture
def accounts_file(tmp_path):
    territory_services.territory_upsert(by=None, code="R1", name="Region One")
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS, encoding="utf-8")
    return path


def _parents() -> dict[str, str | None]:
    rows = Account.objects.values_list("code", "parent__code").order_by("code")
    return dict(rows)


def test_outlets_are_linked_to_chains_that_come_later_in_the_file(run_import, accounts_file):
    # OUT-3 sits under a regional chain that itself sits under a group: two levels in one file.
    (report,) = run_import("accounts", accounts_file)

    assert report.first_errors == []
    assert _parents() == {
        "CHAIN-LBX": None,
        "CHAIN-YF": "GROUP-YF",
        "GROUP-YF": None,
        "OUT-1": "CHAIN-LBX",
        "OUT-2": "CHAIN-LBX",
        "OUT-3": "CHAIN-YF",
        "OUT-4": None,
    }
    assert Account.objects.get(code="OUT-3").name == "Yifeng Pharmacy No 7"
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (7, 7, 0)
    # Written once each, with the parent: one "created" audit entry per account, no update.
    history = Account.history.values_list("code", "history_type")  # type: ignore[attr-defined]
    assert sorted(history) == sorted((code, "+") for code in _parents())


def test_re_importing_the_file_changes_nothing(run_import, accounts_file):
    run_import("accounts", accounts_file)
    history_before = Account.history.count()  # type: ignore[attr-defined]

    run_import("accounts", accounts_file)

    assert Account.objects.count() == 7
    assert Account.history.count() == history_before  # type: ignore[attr-defined]
    assert _parents()["OUT-1"] == "CHAIN-LBX"
