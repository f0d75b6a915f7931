"""API tokens: created by an administrator, used as Bearer, stored hashed, revocable."""

from __future__ import annotations

import hashlib

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from pharmacrm.core import services as core_services
from pharmacrm.core.models import ApiToken
from pharmacrm.core.roles import Role

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


@pytest.fixture
def admin(db):
    return core_services.user_create(
        username="admin", role=Role.ADMINISTRATOR, email="admin@example.test"
    )


@pytest.fixture
def analyst(db):
    return core_services.user_create(username="anna", role=Role.ANALYST, email="anna@example.test")


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_created_token_works_as_bearer(client, admin, analyst):
    _token, raw = core_services.api_token_create(by=admin, user=analyst, name="BI export")

    response = client.get("/api/v1/core/me", headers=bearer(raw))

    assert response.status_code == 200
    assert response.json() == {
        "id": analyst.pk,
        "username": "anna",
        "email": "anna@example.test",
        "roles": ["analyst"],
        "language": "",
    }


def test_token_is_stored_only_as_its_sha256(admin, analyst):
    token, raw = core_services.api_token_create(by=admin, user=analyst, name="BI export")

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith("pcrm_")
    assert len(raw) == 45  # "pcrm_" + 30 random bytes in url-safe base64 (40 characters)
    assert all(raw not in str(value) for value in model_to_dict(stored).values())
    assert stored.prefix == raw[:12]


def test_revoked_token_gets_401(client, admin, analyst):
    token, raw = core_services.api_token_create(by=admin, user=analyst, name="BI export")
    assert client.get("/api/v1/core/me", headers=bearer(raw)).status_code == 200

    core_services.api_token_revoke(by=admin, token=token)
    response = client.get("/api/v1/core/me", headers=bearer(raw))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) == PROBLEM_KEYS
    assert response.json()["status"] == 401


def test_unknown_token_gets_401(client, db):
    response = client.get("/api/v1/core/me", headers=bearer("pcrm_" + "x" * 40))

    assert response.status_code == 401


def test_token_of_a_deactivated_user_gets_401(client, admin, analyst):
    _token, raw = core_services.api_token_create(by=admin, user=analyst, name="BI export")
    analyst.is_active = False
    analyst.save()

    response = client.get("/api/v1/core/me", headers=bearer(raw))

    assert response.status_code == 401


def test_administrator_creates_and_revokes_tokens_through_the_api(client, admin, analyst):
    _token, admin_raw = core_services.api_token_create(by=admin, user=admin, name="ops")

    created = client.post(
        "/api/v1/core/tokens",
        {"username": "anna", "name": "dashboard"},
        content_type="application/json",
        headers=bearer(admin_raw),
    )
    new_raw = created.json()["token"]
    works = client.get("/api/v1/core/me", headers=bearer(new_raw))
    revoked = client.delete(
        f"/api/v1/core/tokens/{created.json()['id']}", headers=bearer(admin_raw)
    )
    after = client.get("/api/v1/core/me", headers=bearer(new_raw))

    assert created.status_code == 201
    assert created.json()["username"] == "anna"
    assert created.json()["prefix"] == new_raw[:12]
    assert works.json()["username"] == "anna"
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert after.status_code == 401


def test_non_administrator_cannot_create_tokens(client, admin, analyst):
    _token, analyst_raw = core_services.api_token_create(by=admin, user=analyst, name="BI")

    response = client.post(
        "/api/v1/core/tokens",
        {"username": "anna", "name": "more power"},
        content_type="application/json",
        headers=bearer(analyst_raw),
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Only administrators can create API tokens."
    assert ApiToken.objects.count() == 1


def test_token_list_is_paginated_with_a_maximum_page_size(client, admin):
    _token, raw = core_services.api_token_create(by=admin, user=admin, name="ops")

    response = client.get("/api/v1/core/tokens", {"limit": 10_000}, headers=bearer(raw))

    # NINJA_PAGINATION_MAX_LIMIT is 200: a larger limit is a validation error, not a dump.
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "query.limit"


def test_invalid_payload_gets_422_with_field_errors(client, admin):
    _token, raw = core_services.api_token_create(by=admin, user=admin, name="ops")

    response = client.post(
        "/api/v1/core/tokens",
        {"name": "no user"},
        content_type="application/json",
        headers=bearer(raw),
    )

    assert response.status_code == 422
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["errors"] == [{"field": "username", "message": "Field required"}]


def test_bearer_client_posts_without_csrf_token(admin):
    _token, raw = core_services.api_token_create(by=admin, user=admin, name="ops")
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/core/tasks/system-check", headers=bearer(raw))

    assert response.status_code == 202
    assert response.json()["status"] == "READY"


def test_anonymous_post_is_401_not_a_csrf_refusal(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/core/tasks/system-check")

    assert response.status_code == 401
    assert response.json()["title"] == "Authentication required"
