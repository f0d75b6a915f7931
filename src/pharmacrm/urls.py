"""Root URLconf: pages of each app, the API, the back office, auth and i18n."""

from __future__ import annotations

import importlib

from django.contrib import admin
from django.urls import include, path

from pharmacrm.api import api

urlpatterns = [
    path("", include("pharmacrm.core.urls")),
    path("accounts/auth/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# Each domain app mounts its pages under its own prefix once it exists in this tree.
for _prefix, _module in (
    ("territories/", "pharmacrm.territories.urls"),
    ("crm/", "pharmacrm.accounts.urls"),
    ("catalog/", "pharmacrm.catalog.urls"),
    ("warehouse/", "pharmacrm.warehouse.urls"),
    ("insights/", "pharmacrm.insights.urls"),
    ("field/", "pharmacrm.field.urls"),
):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name not in {_module, _module.rsplit(".", 1)[0]}:
            raise
        continue
    urlpatterns.append(path(_prefix, include(_module)))
