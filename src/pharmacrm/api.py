"""The one NinjaAPI of pharmacrm, mounted at ``/api/v1``; every app contributes a Router.

The OpenAPI schema (``/api/v1/openapi.json``) and its docs page are public; every operation
requires a session (browser, with CSRF on writes) or a bearer token. Errors are problem+json
(:mod:`pharmacrm.core.problems`). Lists page with ``limit``/``offset``; ``limit`` is capped by
``NINJA_PAGINATION_MAX_LIMIT``.
"""

from __future__ import annotations

import importlib
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from pharmacrm.core.api_auth import API_AUTH
from pharmacrm.core.problems import PROBLEM_CONTENT_TYPE, install_problem_handlers

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "errors"],
}
# The refusals any operation can answer with, all in the one problem+json shape.
ERROR_RESPONSES = {
    "401": "Not signed in, or the bearer token is unknown or revoked.",
    "403": "Signed in, but the role does not allow this (or the CSRF check failed).",
    "404": "No such record, or not one this user may see.",
    "422": "The request is invalid; ``errors`` names each field.",
}
_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


class PharmaNinjaAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the problem+json error responses.

    Endpoints declare only their success schema; without this, every 401/403/404/422 the API
    really answers with would be undocumented (clients and schemathesis see a contract breach).
    """

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if method not in _HTTP_METHODS:
                    continue
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(
                        status,
                        {"description": description, "content": {PROBLEM_CONTENT_TYPE: problem}},
                    )
        return schema


api = PharmaNinjaAPI(
    title="pharmacrm API",
    version="1",
    description="Customer master, warehouse, analytics and field force of pharmacrm.",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
install_problem_handlers(api)

# (module, prefix, tag). An app's router is mounted only once its app exists in this tree.
_ROUTERS = (
    ("pharmacrm.core.api", "/core", "core"),
    ("pharmacrm.territories.api", "/territories", "territories"),
    ("pharmacrm.accounts.api", "/accounts", "accounts"),
    ("pharmacrm.catalog.api", "/catalog", "catalog"),
    ("pharmacrm.warehouse.api", "/warehouse", "warehouse"),
    ("pharmacrm.insights.api", "/insights", "insights"),
    ("pharmacrm.field.api", "/field", "field"),
    ("pharmacrm.field.api_tasks", "/field/tasks", "field"),
    ("pharmacrm.field.api_materials", "/field/materials", "field"),
    ("pharmacrm.field.api_pipeline", "/field/pipeline", "field"),
    ("pharmacrm.field.api_targets", "/field/targets", "field"),
    ("pharmacrm.field.api_sync", "/field/sync", "field"),
)
for _module_name, _prefix, _tag in _ROUTERS:
    try:
        _module = importlib.import_module(_module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in {_module_name, _module_name.rsplit(".", 1)[0]}:
            raise
        continue
    api.add_router(_prefix, _module.router, tags=[_tag])
