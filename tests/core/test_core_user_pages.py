"""The users pages: the shared list helper, the audit trail on the record page, error pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from pharmacrm.core import services as core_services
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role

PASSWORD = "Pharma-test-2024!"  # noqa: S105
ROW = re.compile(r'<tr><td><a href="/system/users/\d+/">([^<]+)</a>')

# (username, first, last, joined) — joined dates make the "joined" sort checkable by hand.
PEOPLE = [
    ("rep-olga", "Olga", "Sokolova", datetime(2024, 3, 1, tzinfo=UTC)),
    ("rep-wei", "Wei", "Zhang", datetime(2023, 7, 15, tzinfo=UTC)),
    ("rep-anna", "Anna", "Ivanova", datetime(2025, 1, 10, tzinfo=UTC)),
    ("mgr-li", "Li", "Wang", datetime(2022, 11, 5, tzinfo=UTC)),
]


def usernames(response) -> list[str]:
    return ROW.findall(response.content.decode())


@pytest.fixture
def admin(db) -> User:
    user = core_services.user_create(
        username="admin", role=Role.ADMINISTRATOR, password=PASSWORD, email="admin@example.test"
    )
    User.objects.filter(pk=user.pk).update(date_joined=datetime(2021, 1, 1, tzinfo=UTC))
    return user


@pytest.fixture
def people(db) -> None:
    for username, first, last, joined in PEOPLE:
        user = core_services.user_create(
            username=username, role=Role.SALES_REP, first_name=first, last_name=last
        )
        User.objects.filter(pk=user.pk).update(date_joined=joined)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_user_list_defaults_to_username_order(admin_client, people):
    response = admin_client.get("/system/users/")

    assert response.status_code == 200
    assert usernames(response) == ["admin", "mgr-li", "rep-anna", "rep-olga", "rep-wei"]


def test_user_list_search_matches_every_word_across_fields(admin_client, people):
    by_last_name = admin_client.get("/system/users/", {"q": "ivanova"})
    by_two_words = admin_client.get("/system/users/", {"q": "rep zh"})

    assert usernames(by_last_name) == ["rep-anna"]
    assert usernames(by_two_words) == ["rep-wei"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-username", ["rep-wei", "rep-olga", "rep-anna", "mgr-li", "admin"]),
        # last name, then first name; admin has neither, and "" sorts first
        ("name", ["admin", "rep-anna", "rep-olga", "mgr-li", "rep-wei"]),
        ("joined", ["admin", "mgr-li", "rep-wei", "rep-olga", "rep-anna"]),
        ("-joined", ["rep-anna", "rep-olga", "rep-wei", "mgr-li", "admin"]),
        # not whitelisted: the default order, never an order_by on a hidden column
        ("password", ["admin", "mgr-li", "rep-anna", "rep-olga", "rep-wei"]),
        ("-is_superuser", ["admin", "mgr-li", "rep-anna", "rep-olga", "rep-wei"]),
    ],
)
def test_user_list_sorts_only_by_whitelisted_columns(admin_client, people, sort, expected):
    response = admin_client.get("/system/users/", {"sort": sort})

    assert response.status_code == 200
    assert usernames(response) == expected


def test_user_list_paginates_stably(admin_client, people):
    pages = [
        usernames(admin_client.get("/system/users/", {"per_page": 2, "page": page}))
        for page in (1, 2, 3)
    ]
    beyond = admin_client.get("/system/users/", {"per_page": 2, "page": 99})

    assert pages == [["admin", "mgr-li"], ["rep-anna", "rep-olga"], ["rep-wei"]]
    # Django's get_page() clamps an out-of-range page to the last one.
    assert usernames(beyond) == ["rep-wei"]


def test_user_list_shows_the_filtered_empty_state(admin_client, people):
    response = admin_client.get("/system/users/", {"q": "no-such-person"})

    content = response.content.decode()
    assert response.status_code == 200
    assert usernames(response) == []
    assert 'data-testid="empty-state"' in content
    assert gettext("Nothing matches your search or filters.") in content


def test_user_list_htmx_request_gets_only_the_rows_partial(admin_client, people):
    response = admin_client.get("/system/users/", {"q": "olga"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert usernames(response) == ["rep-olga"]
    assert "<html" not in content
    assert 'data-testid="nav"' not in content


@pytest.mark.parametrize("extra_people", [0, 30])
def test_user_list_query_count_does_not_grow_with_rows(
    admin_client, django_assert_num_queries, extra_people
):
    for number in range(extra_people):
        core_services.user_create(username=f"rep-{number:02d}", role=Role.SALES_REP)
    # What every page of the shell costs (session, user, role groups, navigation…), measured
    # on the start page so that shell changes do not move this list's own pin.
    with CaptureQueriesContext(connection) as shell:
        admin_client.get("/")

    # the shell's queries, then: count, the page of users, their groups (one prefetch)
    with django_assert_num_queries(len(shell) + 3):
        response = admin_client.get("/system/users/")

    assert response.status_code == 200
    assert len(usernames(response)) == min(1 + extra_people, 25)


def test_editing_a_user_records_who_changed_which_field(admin_client, admin):
    subject = core_services.user_create(
        username="rep-olga",
        role=Role.SALES_REP,
        email="olga@old.example",
        first_name="Olga",
        last_name="Sokolova",
    )
    form = {
        "first_name": "Olga",
        "last_name": "Sokolova",
        "email": "olga.sokolova@new.example",
        "preferred_language": "ru",
        "is_active": "on",
        "role": "sales_rep",
    }

    response = admin_client.post(f"/system/users/{subject.pk}/", form)
    page = admin_client.get(f"/system/users/{subject.pk}/").content.decode()

    assert response.status_code == 302
    start = page.index('data-testid="audit-history"')
    history = page[start : page.index("</section>", start)]
    entries = history.split('<li class="list-group-item small">')[1:]
    assert len(entries) == 2
    newest, creation = entries
    assert re.search(r"<strong>admin</strong>\s*changed", newest)
    changes = dict(re.findall(r'data-field="(\w+)">([^<]*):', newest))
    assert set(changes) == {"email", "preferred_language"}
    assert "<del>olga@old.example</del> → <ins>olga.sokolova@new.example</ins>" in newest
    assert "<del>—</del> → <ins>ru</ins>" in newest
    assert re.search(r"<strong>system</strong>\s*created", creation)
    assert subject.history.count() == 2
    assert subject.history.first().history_user == admin


def test_rejected_edit_changes_nothing_and_records_nothing(admin_client):
    subject = core_services.user_create(
        username="rep-olga", role=Role.SALES_REP, email="olga@old.example"
    )

    response = admin_client.post(
        f"/system/users/{subject.pk}/",
        {"email": "not-an-address", "role": "sales_rep", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    subject.refresh_from_db()
    assert subject.email == "olga@old.example"
    assert subject.history.count() == 1


def test_404_page_uses_the_app_layout(client, db, settings):
    settings.DEBUG = False
    client.force_login(
        core_services.user_create(username="rep", role=Role.SALES_REP, password=PASSWORD)
    )

    response = client.get("/no-such-page/")

    content = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-404"' in content
    assert 'data-testid="nav"' in content
    assert 'data-nav="home"' in content
    assert "/static/vendor/bootstrap/bootstrap.min.css" in content


def test_403_page_uses_the_app_layout(client, db, settings):
    settings.DEBUG = False
    client.force_login(
        core_services.user_create(username="rep", role=Role.SALES_REP, password=PASSWORD)
    )

    response = client.get("/system/users/")

    content = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="error-403"' in content
    assert 'data-testid="nav"' in content
    assert 'data-nav="users"' not in content
    assert "/static/vendor/bootstrap/bootstrap.min.css" in content
