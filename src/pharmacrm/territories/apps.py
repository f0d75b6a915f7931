"""The territories app: who covers which part of the market, on which date."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    """Registers the territory pages in the shell's navigation."""

    name = "pharmacrm.territories"
    label = "territories"
    verbose_name = _("Territories")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pharmacrm.core.navigation import NavItem, register
        from pharmacrm.core.roles import Role

        managers = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER})
        register(
            NavItem(
                "territories",
                _("Territories"),
                "territory-tree",
                managers,
                section=_("Master data"),
            )
        )
