"""The public OpenAPI document is valid, and the API keeps to it (schemathesis, bounded)."""

from __future__ import annotations

import copy

import jsonschema
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi.definitions import OPENAPI_31

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role

# The OpenAPI Initiative's JSON Schema for 3.1 documents (shipped inside schemathesis).
OPENAPI_31_VALIDATOR = jsonschema.Draft202012Validator(OPENAPI_31)


def test_openapi_document_is_public_and_valid_openapi_31(client, db):
    response = client.get("/api/v1/openapi.json")

    document = response.json()
    assert response.status_code == 200
    assert document["openapi"] == "3.1.0"
    assert list(OPENAPI_31_VALIDATOR.iter_errors(document)) == []
    assert {"/api/v1/core/me", "/api/v1/core/tokens", "/api/v1/core/tasks/system-check"} <= set(
        document["paths"]
    )


def test_the_validator_rejects_a_broken_document(client, db):
    document = client.get("/api/v1/openapi.json").json()
    broken = copy.deepcopy(document)
    del broken["info"]

    assert not OPENAPI_31_VALIDATOR.is_valid(broken)


def test_api_docs_page_is_public(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content


@pytest.fixture
def api_schema(db):
    """The live document, loaded through the WSGI app (the same process and test database).

    Django closes "old" connections at the start and end of every request it serves; inside a
    test's transaction that closes the test's own PostgreSQL connection (SQLite's in-memory
    test database ignores it). Django's test client unhooks that for its requests; calling the
    WSGI app directly, as schemathesis does, needs the same for the whole test.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_bearer(db) -> dict[str, str]:
    admin = core_services.user_create(
        username="admin", role=Role.ADMINISTRATOR, email="admin@example.test"
    )
    core_services.user_create(username="anna", role=Role.ANALYST, email="anna@example.test")
    _token, raw = core_services.api_token_create(by=admin, user=admin, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


def test_loaded_schema_passes_schemathesis_validation(api_schema):
    api_schema.validate()


def test_api_answers_within_its_schema(api_schema, admin_bearer):
    """Every operation, ten generated requests each: no 5xx, no response outside the schema.

    All of schemathesis' default checks run but ``positive_data_acceptance``: STYLE.md keeps
    domain rules (a choice list, a price's precision) in services, not in the schemas, so a
    schema-valid request may rightly be refused with a 422 problem naming the field.

    Driven through ``as_strategy`` rather than ``schemathesis.pytest.from_fixture``: the lazy
    loader of schemathesis 4.32 reads ``request.node._nodeid``, which pytest 9 no longer has.
    Derandomised so that CI and a local run see the same examples.
    """

    class AdminBearer:
        """Registered as the schema's auth so schemathesis knows these credentials are real
        (and drops the session cookie it would otherwise generate for the other scheme)."""

        def get(self, case, context):
            return admin_bearer["Authorization"]

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": data}

    api_schema.auth()(AdminBearer)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report them all at once
            failures[operation.label] = f"{type(exc).__name__}: {exc}"

    assert len(operations) >= 7
    assert failures == {}, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
