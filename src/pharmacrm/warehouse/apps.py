"""The warehouse app: import jobs, mapping templates and the Parquet fact store."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    """Registers the import pages in the navigation."""

    name = "pharmacrm.warehouse"
    label = "warehouse"
    verbose_name = _("Warehouse")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pharmacrm.core.navigation import NavItem, register
        from pharmacrm.warehouse.access import IMPORT_ROLES, VIEW_ROLES

        section = _("Data")
        register(NavItem("warehouse-jobs", _("Import jobs"), "warehouse:jobs", VIEW_ROLES, section))
        register(
            NavItem(
                "warehouse-upload", _("Import a file"), "warehouse:upload", IMPORT_ROLES, section
            )
        )
