"""Outlets may name as parent a chain that is a later row of the same file.

The chain does not exist when the outlets are first written, so the import links them in a
second pass; this is also the path the 100 k-row Excel benchmark (bench/customer_master)
exercises with 35 k outlets, where a per-row scan once made it quadratic.
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
    "CHAIN-YF,Yifeng Pharmacy Chain,pharmacy_chain,,R1\n"
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
    (report,) = run_import("accounts", accounts_file)

    assert report.first_errors == []
    assert _parents() == {
        "CHAIN-LBX": None,
        "CHAIN-YF": None,
        "OUT-1": "CHAIN-LBX",
        "OUT-2": "CHAIN-LBX",
        "OUT-3": "CHAIN-YF",
        "OUT-4": None,
    }
    # The second pass keeps every other value of the outlet row.
    assert Account.objects.get(code="OUT-3").name == "Yifeng Pharmacy No 7"


def test_re_importing_the_file_changes_nothing(run_import, accounts_file):
    run_import("accounts", accounts_file)
    history_before = Account.history.count()  # type: ignore[attr-defined]

    run_import("accounts", accounts_file)

    assert Account.objects.count() == 6
    assert Account.history.count() == history_before  # type: ignore[attr-defined]
    assert _parents()["OUT-1"] == "CHAIN-LBX"
