"""The field app: what reps plan, do and follow up."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """Call plans, visits and tasks of the field force; registers the rep's day plan."""

    name = "pharmacrm.field"
    label = "field"
    verbose_name = _("Field force")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pharmacrm.core.navigation import NavItem, register
        from pharmacrm.core.roles import Role

        # Only reps have a day plan; the managers' team page comes with its own entry.
        register(
            NavItem(
                "field-day-plan",
                _("My day"),
                "field-day-plan",
                frozenset({Role.SALES_REP}),
                section=_("Field force"),
            )
        )
