"""The catalog app: what the company sells and buys, and at which price in which channel."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Registers the product pages in the shell's navigation."""

    name = "pharmacrm.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pharmacrm.core.navigation import ALL_ROLES, NavItem, register

        register(
            NavItem("products", _("Products"), "product-list", ALL_ROLES, section=_("Master data"))
        )
