"""Every paginated endpoint refuses an offset SQL cannot hold with 422, never a 500."""

from __future__ import annotations

import re

import pytest

from pharmacrm.core import services as core_services
from pharmacrm.core.pagination import MAX_OFFSET
from pharmacrm.core.roles import Role

PAST_64_BITS = 2**63


@pytest.fixture
def admin_headers(db) -> dict[str, str]:
    admin = core_services.user_create(
        username="admin", role=Role.ADMINISTRATOR, email="admin@example.test"
    )
    _token, raw = core_services.api_token_create(by=admin, user=admin, name="pagination")
    return {"Authorization": f"Bearer {raw}"}


def _paginated_paths(client) -> list[str]:
    document = client.get("/api/v1/openapi.json").json()
    paths = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if get and any(p["name"] == "offset" for p in get.get("parameters", [])):
            paths.append(re.sub(r"\{[^}]+\}", "1", path))
    return sorted(paths)


def test_every_paginated_endpoint_bounds_its_offset(client, admin_headers):
    paths = _paginated_paths(client)

    # The list endpoints of every app that pages (accounts, catalogue, field, insights, …).
    assert len(paths) >= 10
    for path in paths:
        refused = client.get(path, {"offset": PAST_64_BITS}, headers=admin_headers)
        allowed = client.get(path, {"offset": MAX_OFFSET, "limit": 1}, headers=admin_headers)

        assert refused.status_code == 422, path
        assert "offset" in refused.content.decode(), path
        # The bound is not a refusal of large offsets as such: past the end is an empty page
        # (or the endpoint's own answer, e.g. 404 for an unknown parent), never a 500.
        assert allowed.status_code < 500, path
