"""The one NinjaAPI of pharmacrm, mounted at ``/api/v1``; every app contributes a Router.

The OpenAPI schema (``/api/v1/openapi.json``) and its docs page are public; every operation
requires a session (browser, with CSRF on writes) or a bearer token. Errors are problem+json
(:mod:`pharmacrm.core.problems`). Lists page with ``limit``/``offset``; ``limit`` is capped by
``NINJA_PAGINATION_MAX_LIMIT``.
"""

from __future__ import annotations

import importlib

from ninja import NinjaAPI

from pharmacrm.core.api_auth import API_AUTH
from pharmacrm.core.problems import install_problem_handlers

api = NinjaAPI(
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
)
for _module_name, _prefix, _tag in _ROUTERS:
    try:
        _module = importlib.import_module(_module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in {_module_name, _module_name.rsplit(".", 1)[0]}:
            raise
        continue
    api.add_router(_prefix, _module.router, tags=[_tag])
