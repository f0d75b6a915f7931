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
        self._register_team_plans_weekly_mail()

    def _register_team_plans_weekly_mail(self) -> None:
        # Managers get the team page; call plans are read by their reps too.
        from pharmacrm.core import schedule
        from pharmacrm.core.navigation import NavItem, register
        from pharmacrm.core.roles import Role
        from pharmacrm.field.mail_weekly import WEEKLY_SUMMARY_TASK

        section = _("Field force")
        managers = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER})
        register(
            NavItem("field-team", _("Team execution"), "field-team", managers, section=section)
        )
        register(
            NavItem(
                "field-plans",
                _("Call plans"),
                "field-plans",
                managers | {Role.SALES_REP},
                section=section,
            )
        )
        schedule.SCHEDULABLE.add(WEEKLY_SUMMARY_TASK)
