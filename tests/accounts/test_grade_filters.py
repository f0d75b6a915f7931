"""Grades (set by hand or by the value rules of the insights app) filter every customer list.

Issue 8: "grades are filterable everywhere" — the account list page, its export and API,
and the consumer list page and API; the filter narrows inside the user's scope, never past it.
"""

from __future__ import annotations

import pytest
from django.test import Client

from pharmacrm.accounts.models import Account, Consumer

from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module
from .conftest import World  # noqa: TID252

pytestmark = [pytest.mark.django_db, pytest.mark.uses_db]


def _grade(account: Account, grade: str) -> Account:
    Account.objects.filter(pk=account.pk).update(grade=grade)
    return account


def _codes_on_page(html: str, codes: list[str]) -> set[str]:
    return {code for code in codes if f'data-account="{code}"' in html}


def test_account_list_page_export_and_api_filter_by_grade(world: World, client_for) -> None:  # noqa: ANN001
    _grade(world.pharmacy, "S")
    _grade(world.other_pharmacy, "B")
    second_s = _grade(factories.account(code="BJ-0002", territory=world.dongcheng), "S")
    client: Client = client_for("director")
    codes = ["BJ-0001", "SH-0001", "BJ-0002"]

    page = client.get("/crm/accounts/", {"grade": "S"}).content.decode()
    assert _codes_on_page(page, codes) == {"BJ-0001", second_s.code}
    page = client.get("/crm/accounts/", {"grade": "B"}).content.decode()
    assert _codes_on_page(page, codes) == {"SH-0001"}
    assert _codes_on_page(client.get("/crm/accounts/").content.decode(), codes) == set(codes)

    export = b"".join(client.get("/crm/accounts/export.csv", {"grade": "S"}).streaming_content)
    assert b"BJ-0001" in export
    assert b"BJ-0002" in export
    assert b"SH-0001" not in export

    api = client.get("/api/v1/accounts/", {"grade": "S"}).json()
    assert sorted(row["code"] for row in api["items"]) == ["BJ-0001", "BJ-0002"]
    assert client.get("/api/v1/accounts/", {"grade": "C"}).json()["items"] == []


def test_grade_filter_stays_inside_a_reps_territory(world: World, client_for) -> None:  # noqa: ANN001
    _grade(world.pharmacy, "A")
    _grade(world.other_pharmacy, "A")  # Pudong: another rep's account
    client: Client = client_for("rep_inside")

    page = client.get("/crm/accounts/", {"grade": "A"}).content.decode()
    assert _codes_on_page(page, ["BJ-0001", "SH-0001"]) == {"BJ-0001"}
    api = client.get("/api/v1/accounts/", {"grade": "A"}).json()
    assert [row["code"] for row in api["items"]] == ["BJ-0001"]


def test_consumer_list_page_and_api_filter_by_grade(world: World, client_for) -> None:  # noqa: ANN001
    vip = factories.consumer(card_no="C-VIP-1")
    plain = factories.consumer(card_no="C-PLAIN-1")
    Consumer.objects.filter(pk=vip.pk).update(grade="S")
    Consumer.objects.filter(pk=plain.pk).update(grade="C")
    client: Client = client_for("admin")

    page = client.get("/crm/consumers/", {"grade": "S"}).content.decode()
    assert "C-VIP-1" in page
    assert "C-PLAIN-1" not in page
    api = client.get("/api/v1/accounts/consumers", {"grade": "C"}).json()
    assert [row["card_no"] for row in api["items"]] == ["C-PLAIN-1"]
