"""The territories API: who may read the tree, who may change it, and handover over the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from pharmacrm.core.roles import Role
from pharmacrm.territories.models import Assignment, Territory

BACKEND = "pharmacrm.core.auth_backends.RoleModelBackend"
JSON = "application/json"


def _client(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend=BACKEND)
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.DIRECTOR, 200),
        (Role.REGIONAL_MANAGER, 200),
        (Role.SALES_REP, 403),
        (Role.ANALYST, 403),
    ],
)
def test_tree_is_read_by_administrators_directors_and_managers(tree, make_user, role, status):
    client = _client(make_user(role))

    response = client.get("/api/v1/territories/?limit=3&offset=1")

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["count"] == 6
        assert [node["code"] for node in body["items"]] == ["CN-BJ", "CN-BJ-DC", "CN-BJ-XC"]
        assert body["items"][1]["parent_id"] == tree.beijing.pk
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert "CN-BJ" not in response.content.decode()


def test_anonymous_gets_401(tree):
    response = _client(None).get("/api/v1/territories/")

    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_one_node_and_an_unknown_one(tree, make_user):
    client = _client(make_user(Role.DIRECTOR))

    found = client.get(f"/api/v1/territories/{tree.pudong.pk}")
    missing = client.get("/api/v1/territories/999999")

    assert found.json() == {
        "id": tree.pudong.pk,
        "code": "CN-SH-PD",
        "name": "Pudong",
        "level": "district",
        "parent_id": tree.shanghai.pk,
        "needs_review": False,
    }
    assert missing.status_code == 404


def test_administrator_adds_a_node_under_a_parent(tree, make_user):
    client = _client(make_user(Role.ADMINISTRATOR))
    payload = {"code": "CN-SH-JA", "name": "Jing'an", "level": "district", "parent_code": "CN-SH"}

    response = client.post("/api/v1/territories/", payload, content_type=JSON)

    assert response.status_code == 201
    node = Territory.objects.get(code="CN-SH-JA")
    assert (node.name, node.parent_id) == ("Jing'an", tree.shanghai.pk)


def test_director_may_not_change_the_tree(tree, make_user):
    client = _client(make_user(Role.DIRECTOR))
    payload = {"code": "CN-SH-JA", "name": "Jing'an", "parent_code": "CN-SH"}

    response = client.post("/api/v1/territories/", payload, content_type=JSON)

    assert response.status_code == 403
    assert not Territory.objects.filter(code="CN-SH-JA").exists()


def test_node_without_a_name_is_a_problem_naming_the_field(tree, make_user):
    client = _client(make_user(Role.ADMINISTRATOR))

    response = client.post("/api/v1/territories/", {"code": "CN-SH-JA"}, content_type=JSON)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["name"]
    assert Territory.objects.count() == 6


def test_assignments_are_listed_by_date_and_handed_over(tree, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    make_user(Role.SALES_REP, username="rep_leaving")
    make_user(Role.SALES_REP, username="rep_new")
    client = _client(admin)
    start = {"username": "rep_leaving", "territory_code": "CN-BJ-DC", "starts_on": "2025-01-01"}

    created = client.post("/api/v1/territories/assignments", start, content_type=JSON)
    handed = client.post(
        "/api/v1/territories/handover",
        {"from_username": "rep_leaving", "to_username": "rep_new", "on": "2025-06-01"},
        content_type=JSON,
    )
    in_may = client.get("/api/v1/territories/assignments?on=2025-05-31").json()["items"]
    in_june = client.get("/api/v1/territories/assignments?on=2025-06-01").json()["items"]

    assert created.status_code == 201
    assert handed.status_code == 200
    assert [(a["username"], a["starts_on"], a["ends_on"]) for a in in_may] == [
        ("rep_leaving", "2025-01-01", "2025-05-31")
    ]
    assert [(a["username"], a["starts_on"], a["ends_on"]) for a in in_june] == [
        ("rep_new", "2025-06-01", None)
    ]
    assert Assignment.objects.count() == 2


def test_assignment_for_an_unknown_user_is_404_and_creates_nothing(tree, make_user):
    client = _client(make_user(Role.ADMINISTRATOR))
    payload = {"username": "nobody", "territory_code": "CN-BJ-DC", "starts_on": "2025-01-01"}

    response = client.post("/api/v1/territories/assignments", payload, content_type=JSON)

    assert response.status_code == 404
    assert Assignment.objects.count() == 0
    assert date(2025, 1, 1) not in Assignment.objects.values_list("starts_on", flat=True)
