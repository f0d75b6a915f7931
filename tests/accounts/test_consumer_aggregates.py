"""Consumers by role: directors and regional managers get counts, never a person.

Five members, counted by hand: Li Na (F, born 1986) and Zhao Lei (M, 2010) at the Dongcheng
pharmacy in Beijing; Chen Jing (F, 1960) and Sun Yu (gender unknown, no birth year) at the
Pudong pharmacy in Shanghai; Huang Mei (F, 2001) in Guangdong with no home outlet. On
2026-06-30 their ages are 40, 16, 66, unknown and 25. Li Na consents to e-mail and SMS,
Chen Jing withdrew her e-mail consent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts import services as account_services

from . import factories  # noqa: TID252 - tests/ is not a package; the sibling factories module

ON = date(2026, 6, 30)
NAMES = ("Li Na", "Zhao Lei", "Chen Jing", "Sun Yu", "Huang Mei")


@pytest.fixture
def members(world):  # noqa: ANN201
    """The five members of the module docstring."""
    li_na = factories.consumer(
        name="Li Na", gender="F", birth_year=1986, province="Beijing", home_outlet=world.pharmacy
    )
    factories.consumer(
        name="Zhao Lei", gender="M", birth_year=2010, province="Beijing", home_outlet=world.pharmacy
    )
    chen_jing = factories.consumer(
        name="Chen Jing",
        gender="F",
        birth_year=1960,
        province="Shanghai",
        home_outlet=world.other_pharmacy,
    )
    factories.consumer(
        name="Sun Yu",
        gender="U",
        birth_year=None,
        birth_date=None,
        province="Shanghai",
        home_outlet=world.other_pharmacy,
    )
    factories.consumer(name="Huang Mei", gender="F", birth_year=2001, province="Guangdong")
    at = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
    consent = account_services.consumer_consent_set
    consent(by=None, consumer=li_na, channel="email", granted=True, at=at, source="app")
    consent(by=None, consumer=li_na, channel="sms", granted=True, at=at, source="till")
    consent(by=None, consumer=chen_jing, channel="email", granted=False, at=at, source="app")
    return world


def _consents(aggregates: account_selectors.ConsumerAggregates) -> dict[str, tuple[int, ...]]:
    return {c.channel: (c.granted, c.withdrawn, c.unknown) for c in aggregates.by_consent}


def test_director_counts_every_member_by_region_gender_age_band_and_consent(members):
    aggregates = account_selectors.consumer_aggregates_for(user=members.director, on=ON)

    assert aggregates.total == 5
    assert aggregates.by_region == [("Beijing", 2), ("Guangdong", 1), ("Shanghai", 2)]
    assert aggregates.by_gender == [("F", 3), ("M", 1), ("U", 1)]
    assert aggregates.by_age_band == [("<18", 1), ("25-34", 1), ("35-44", 1), ("65+", 1), ("", 1)]
    assert _consents(aggregates) == {
        "email": (1, 1, 3),
        "sms": (1, 0, 4),
        "phone": (0, 0, 5),
        "messenger": (0, 0, 5),
        "post": (0, 0, 5),
    }


def test_regional_manager_counts_only_members_of_outlets_in_their_region(members):
    aggregates = account_selectors.consumer_aggregates_for(user=members.manager_other, on=ON)

    assert aggregates.total == 2
    assert aggregates.by_region == [("Shanghai", 2)]
    assert aggregates.by_gender == [("F", 1), ("U", 1)]
    assert aggregates.by_age_band == [("65+", 1), ("", 1)]
    assert _consents(aggregates)["email"] == (0, 1, 1)


def test_sales_rep_may_not_count_consumers(members):
    with pytest.raises(PermissionDenied):
        account_selectors.consumer_aggregates_for(user=members.rep_inside, on=ON)


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [
        (2009, "<18"),
        (2008, "18-24"),
        (2002, "18-24"),
        (2001, "25-34"),
        (1961, "65+"),
        (1962, "55-64"),
    ],
)
def test_age_band_counts_whole_years_from_the_birth_year(birth_year, band):
    assert account_selectors.age_band(birth_year=birth_year, on=ON) == band


@pytest.mark.parametrize(
    ("who", "page_status", "list_status", "api_status", "total"),
    [
        ("admin", 200, 200, 200, 5),
        ("analyst", 200, 200, 200, 5),
        ("director", 200, 302, 403, 5),
        ("manager_other", 200, 302, 403, 2),
        ("rep_inside", 403, 403, 403, None),
        ("rep_outside", 403, 403, 403, None),
    ],
)
def test_consumer_role_matrix(
    members, client_for, who, page_status, list_status, api_status, total
):
    client = client_for(who)
    chen_jing = account_selectors.Consumer.objects.get(name="Chen Jing")

    page = client.get("/crm/consumers/aggregates/")
    rows_page = client.get("/crm/consumers/")
    api = client.get("/api/v1/accounts/consumers/aggregates")
    api_rows = client.get("/api/v1/accounts/consumers")
    api_one = client.get(f"/api/v1/accounts/consumers/{chen_jing.pk}")

    assert (page.status_code, rows_page.status_code) == (page_status, list_status)
    assert (api.status_code, api_rows.status_code, api_one.status_code) == (
        page_status,
        api_status,
        api_status,
    )
    if list_status == 302:
        assert rows_page["Location"] == "/crm/consumers/aggregates/"
    if total is not None:
        assert api.json()["total"] == total
    leaked = [
        name
        for name in NAMES
        for response in (page, rows_page, api, api_rows, api_one)
        if name in response.content.decode()
    ]
    if who != "admin":
        assert leaked == []


def test_anonymous_is_sent_to_sign_in_and_the_api_refuses(members, client_for):
    client = client_for("anonymous")

    page = client.get("/crm/consumers/aggregates/")
    api = client.get("/api/v1/accounts/consumers/aggregates")

    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/auth/login/")
    assert api.status_code == 401


def test_aggregates_page_shows_the_managers_region_counts(members, client_for):
    page = client_for("manager_other").get("/crm/consumers/aggregates/").content.decode()

    assert "2 loyalty members" in page
    assert "Shanghai" in page
    assert "Beijing" not in page
