"""The back office (Django admin), closed to everyone but administrators.

Django's stock admin sends a signed-in non-staff user to its own login form, which reads as
"log in again" to a sales rep; we answer 403 instead, so the refusal is explicit and testable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class PharmaAdminSite(admin.AdminSite):
    """Admin site that refuses signed-in non-administrators with 403."""

    site_header = _("pharmacrm back office")
    site_title = _("pharmacrm back office")
    index_title = _("Administration")

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner: Callable[..., HttpResponse] = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied(_("The back office is for administrators."))
            return inner(request, *args, **kwargs)

        guarded.__dict__.update(inner.__dict__)
        return guarded


class PharmaAdminConfig(AdminConfig):
    """Installs :class:`PharmaAdminSite` as ``admin.site``."""

    default_site = "pharmacrm.core.admin_site.PharmaAdminSite"
