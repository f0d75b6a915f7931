"""A NUL character in a parameter is refused at the door, never reaching PostgreSQL."""

from __future__ import annotations

import pytest

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role


@pytest.fixture
def admin_client(client, db):
    admin = core_services.user_create(
        username="ada", role=Role.ADMINISTRATOR, password="Pharma-test-2024!"
    )
    client.force_login(admin)
    return client


def test_api_query_with_nul_is_a_422_problem_naming_the_parameter(admin_client):
    response = admin_client.get("/api/v1/catalog/products", {"q": "aspirin\x00"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert body["errors"] == [
        {"field": "q", "message": "The parameter “q” contains a NUL character."}
    ]


def test_page_query_with_nul_is_a_400(admin_client):
    response = admin_client.get("/system/users/", {"q": "ad\x00a"})

    assert response.status_code == 400
    assert "The parameter “q” contains a NUL character." in response.content.decode()


def test_ordinary_query_passes(admin_client):
    response = admin_client.get("/system/users/", {"q": "ada"})

    assert response.status_code == 200
