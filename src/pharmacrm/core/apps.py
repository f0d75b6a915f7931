"""The core app: users, roles, audit, the web shell, the API plumbing and shared helpers."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Registers the role groups after every migrate, so new apps' permissions join them."""

    name = "pharmacrm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from pharmacrm.core import signals

        post_migrate.connect(signals.sync_roles_after_migrate, dispatch_uid="pharmacrm-roles-sync")
        _register_navigation()


def _register_navigation() -> None:
    from pharmacrm.core.navigation import ALL_ROLES, NavItem, register
    from pharmacrm.core.roles import Role

    admins = frozenset({Role.ADMINISTRATOR})
    system = _("System")
    register(NavItem("home", _("Home"), "home", ALL_ROLES, order=0))
    register(NavItem("users", _("Users"), "user-list", admins, section=system, order=90))
    register(NavItem("tasks", _("Background tasks"), "task-list", admins, section=system, order=90))
    register(NavItem("admin", _("Back office"), "admin:index", admins, section=system, order=90))
    register(
        NavItem("api-docs", _("API docs"), "api:openapi-view", ALL_ROLES, section=system, order=90)
    )
