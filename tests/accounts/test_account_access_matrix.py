"""Territory scoping at every entry point: pages, search, export, API and back office.

The Dongcheng pharmacy is visible to the rep of Dongcheng, the director and the
administrator; the rep of Pudong and the manager of Shanghai get 404 or an empty result, and
its name never appears in what they receive.
"""

from __future__ import annotations

import pytest

NAME = "Tongrentang Pharmacy Dongcheng"
SEES = {
    "rep_inside": True,
    "rep_outside": False,
    "manager_other": False,
    "director": True,
    "admin": True,
}
SIGNED_IN = list(SEES)


def test_anonymous_gets_login_redirect_for_pages_and_401_for_the_api(world, client_for):
    client = client_for("anonymous")
    pk = world.pharmacy.pk

    pages = [
        client.get(p) for p in ("/crm/accounts/", f"/crm/accounts/{pk}/", "/crm/search/?q=tong")
    ]
    api = [
        client.get(p)
        for p in ("/api/v1/accounts/", f"/api/v1/accounts/{pk}", "/api/v1/accounts/search?q=tong")
    ]

    assert [r.status_code for r in pages] == [302, 302, 302]
    assert all(r["Location"].startswith("/accounts/auth/login/") for r in pages)
    assert [r.status_code for r in api] == [401, 401, 401]
    assert all(NAME not in r.content.decode() for r in pages + api)


@pytest.mark.parametrize("who", SIGNED_IN)
def test_account_detail_page(world, client_for, who):
    response = client_for(who).get(f"/crm/accounts/{world.pharmacy.pk}/")

    if SEES[who]:
        assert response.status_code == 200
        assert NAME in response.content.decode()
    else:
        assert response.status_code == 404
        assert NAME not in response.content.decode()


@pytest.mark.parametrize("who", SIGNED_IN)
def test_account_list_page(world, client_for, who):
    response = client_for(who).get("/crm/accounts/")

    assert response.status_code == 200
    assert (NAME in response.content.decode()) is SEES[who]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_quick_search_with_a_typo(world, client_for, who):
    response = client_for(who).get("/crm/search/", {"q": "tongrentan dongchen"})

    assert response.status_code == 200
    assert (NAME in response.content.decode()) is SEES[who]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_csv_export(world, client_for, who):
    response = client_for(who).get("/crm/accounts/export.csv")

    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert body.splitlines()[0] == "code,name,kind,tier,status,grade,province,city,address"
    assert ("BJ-0001," in body) is SEES[who]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_api_list_detail_and_search(world, client_for, who):
    client = client_for(who)

    listed = client.get("/api/v1/accounts/").json()
    detail = client.get(f"/api/v1/accounts/{world.pharmacy.pk}")
    found = client.get("/api/v1/accounts/search", {"q": "Dongcheng Tongrentang"}).json()

    codes = sorted(row["code"] for row in listed["items"])
    if SEES[who]:
        assert "BJ-0001" in codes
        assert detail.status_code == 200
        assert detail.json()["name"] == NAME
        assert [hit["title"] for hit in found] == [NAME]
    else:
        assert "BJ-0001" not in codes
        assert detail.status_code == 404
        assert detail.json()["title"] == "Not found"
        assert found == []
        assert NAME not in detail.content.decode()


@pytest.mark.parametrize("who", SIGNED_IN)
def test_back_office_is_for_administrators_only(world, client_for, who):
    response = client_for(who).get("/admin/accounts/account/")

    if who == "admin":
        assert response.status_code == 200
        assert NAME in response.content.decode()
    else:
        assert response.status_code == 403
        assert NAME not in response.content.decode()


def test_rep_sees_exactly_their_territory_in_the_list_api(world, client_for):
    listed = client_for("rep_outside").get("/api/v1/accounts/").json()

    assert listed["count"] == 1
    assert [row["code"] for row in listed["items"]] == ["SH-0001"]


@pytest.mark.parametrize("who", SIGNED_IN)
def test_contacts_follow_their_account(world, client_for, who):
    from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module

    person = factories.contact(account=world.pharmacy, name="Zhang Wei")
    client = client_for(who)

    page = client.get(f"/crm/contacts/{person.pk}/")
    api = client.get(f"/api/v1/accounts/contacts/{person.pk}")

    expected = 200 if SEES[who] else 404
    assert (page.status_code, api.status_code) == (expected, expected)
    assert ("Zhang Wei" in page.content.decode()) is SEES[who]
