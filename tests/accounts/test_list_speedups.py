"""The speed-ups of the account list and search change no answer.

- A bounded list (a rep's territories, search hits) sorts by ``COALESCE`` keys so PostgreSQL
  fetches the few rows and sorts them; the order must equal the plain column order.
- The search prefilter first asks for strong matches when the lookup would fetch many rows;
  the candidates must be the same as the single full query's.
- Contacts that share only a weak part of the query are skipped when the accounts fill the
  answer, but a contact whose name is typed still comes first.
"""

from __future__ import annotations

import pytest

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts.models import Account
from pharmacrm.accounts.search import query_grams

from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module

CITIES = ["Beijing", "Anyang", "Zhuhai", "Beijing", "Anyang"]


def _dongcheng_accounts(world, n: int = 10) -> None:
    for index in range(n):
        factories.account(
            code=f"BJ-S{index:03d}",
            name=f"{'Yifeng' if index % 2 else 'Laobaixing'} Pharmacy {9 - index}",
            city=CITIES[index % len(CITIES)],
            status="active" if index % 3 else "prospect",
            grade="ABC"[index % 3],
            territory=world.dongcheng,
        )


def _expected(world, *fields: str) -> list[str]:
    rows = Account.objects.filter(territory=world.dongcheng, merged_into__isnull=True)
    return list(rows.order_by(*fields, "pk").values_list("code", flat=True))


@pytest.mark.parametrize(
    ("sort", "fields"),
    [
        ("name", ("name",)),
        ("-name", ("-name",)),
        ("city", ("city", "name")),
        ("-city", ("-city", "-name")),
        ("status", ("status", "name")),
        ("grade", ("grade", "name")),
        ("code", ("code",)),
    ],
)
def test_a_reps_list_page_keeps_the_column_order(world, client_for, sort, fields):
    _dongcheng_accounts(world)
    expected = _expected(world, *fields)
    if sort.startswith("-"):
        expected = list(
            Account.objects.filter(territory=world.dongcheng)
            .order_by(*fields, "-pk")
            .values_list("code", flat=True)
        )

    response = client_for("rep_inside").get(f"/crm/accounts/?sort={sort}&per_page=50")

    body = response.content.decode()
    shown = [code for code in expected if f'data-account="{code}"' in body]
    assert shown == expected  # every row of the rep's territory, none of Pudong's
    assert 'data-account="SH-0001"' not in body
    positions = [body.index(f'data-account="{code}"') for code in expected]
    assert positions == sorted(positions)


def test_a_reps_list_api_and_export_keep_the_order(world, client_for):
    _dongcheng_accounts(world)
    client = client_for("rep_inside")

    api = client.get("/api/v1/accounts/?limit=50").json()["items"]
    export = (
        b"".join(client.get("/crm/accounts/export.csv").streaming_content).decode().splitlines()[1:]
    )

    assert [a["code"] for a in api] == _expected(world, "name")
    assert [line.split(",")[0] for line in export] == _expected(world, "code")


def test_search_hits_on_the_list_page_are_sorted_by_name(world, client_for):
    _dongcheng_accounts(world)

    response = client_for("director").get("/crm/accounts/?q=yifeng%20pharmcy&sort=-name")

    body = response.content.decode()
    yifeng = list(
        Account.objects.filter(name__startswith="Yifeng")
        .order_by("-name", "-pk")
        .values_list("code", flat=True)
    )
    positions = [body.index(f'data-account="{code}"') for code in yifeng]
    assert positions == sorted(positions)
    assert 'data-account="BJ-S000"' not in body  # a Laobaixing pharmacy


@pytest.mark.parametrize(
    "query", ["yifeng pharmcy", "pharmacy laobaixng", "tongrentang", "phrmacy", "wang fang"]
)
def test_strong_matches_first_give_the_same_candidates(world, monkeypatch, query):
    _dongcheng_accounts(world, n=12)
    rows = Account.objects.filter(merged_into__isnull=True)
    grams = query_grams(query)
    monkeypatch.setattr(account_selectors, "SEARCH_CANDIDATES", 3)
    full = [a.pk for a in account_selectors._candidates(rows, grams, budgeted=False)]

    # No lookup budget at all: the first query asks for the strongest level there is.
    monkeypatch.setattr(account_selectors, "SEARCH_LOOKUP_ROWS", 0)
    levelled = [a.pk for a in account_selectors._candidates(rows, grams)]

    assert levelled == full
    assert full or query == "wang fang"


def test_weak_contacts_are_found_when_accounts_leave_room(world):
    factories.contact(account=world.pharmacy, name="Zhao Lei", title="Head pharmacist")

    hits = account_selectors.account_search_for(user=world.director, q="pharmacist", limit=20)

    assert ("contact", "Zhao Lei") in {(h.kind, h.title) for h in hits}


def test_a_contact_named_in_full_wins_even_when_accounts_fill_the_answer(world):
    _dongcheng_accounts(world, n=12)
    factories.contact(account=world.pharmacy, name="Yifeng Li", title="Buyer")

    hits = account_selectors.account_search_for(user=world.director, q="yifeng li", limit=3)

    assert len(hits) == 3
    assert (hits[0].kind, hits[0].title) == ("contact", "Yifeng Li")


def test_a_rep_never_finds_contacts_outside_the_territory(world):
    _dongcheng_accounts(world, n=12)
    factories.contact(account=world.other_pharmacy, name="Yifeng Wu", title="Buyer")

    hits = account_selectors.account_search_for(user=world.rep_inside, q="yifeng wu", limit=3)

    assert "Yifeng Wu" not in {h.title for h in hits}
    assert all(h.account_id != world.other_pharmacy.pk for h in hits)


def test_region_choices_are_exact_at_once_for_every_scope(world, client_for):
    factories.account(
        code="BJ-P1", name="Apteka Rigla", province="Hebei", territory=world.dongcheng
    )
    factories.account(code="SH-P1", name="Boots", province="Zhejiang", territory=world.pudong)
    factories.account(code="NO-P1", name="Wellcare", province="", territory=world.dongcheng)

    director = account_selectors.account_filter_choices(user=world.director)["provinces"]
    rep = account_selectors.account_filter_choices(user=world.rep_inside)["provinces"]

    assert director == sorted(
        set(Account.objects.exclude(province="").values_list("province", flat=True))
    )
    assert director == ["Beijing", "Hebei", "Shanghai", "Zhejiang"]
    assert rep == ["Beijing", "Hebei"]  # Dongcheng's provinces only, none of Pudong's
    factories.account(code="SH-P2", name="Neofarm", province="Anhui", territory=world.pudong)
    page = client_for("director").get("/crm/accounts/").content.decode()
    assert '<option value="Anhui"' in page  # a new province shows on the next page, not later
    assert account_selectors.account_filter_choices(user=world.rep_inside)["provinces"] == rep
