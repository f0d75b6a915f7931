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
        self._register_tasks_calendar_materials()
        self._register_team_plans_weekly_mail()
        self._register_pipeline_targets()

    def _register_tasks_calendar_materials(self) -> None:
        # Everyone signed in has tasks and a calendar; the knowledge base is read by all.
        from pharmacrm.core import schedule
        from pharmacrm.core.navigation import ALL_ROLES, NavItem, register
        from pharmacrm.field.tasks import TASK_REMINDERS_TASK

        section = _("Field force")
        register(NavItem("field-tasks", _("Tasks"), "field-task-list", ALL_ROLES, section=section))
        register(
            NavItem("field-calendar", _("Calendar"), "field-calendar", ALL_ROLES, section=section)
        )
        register(
            NavItem(
                "field-materials",
                _("Knowledge base"),
                "field-material-list",
                ALL_ROLES,
                section=section,
            )
        )
        schedule.SCHEDULABLE.add(TASK_REMINDERS_TASK)

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

    def _register_pipeline_targets(self) -> None:
        # Reps work their own pipeline and see their attainment; managers up see their scope.
        from pharmacrm.core.navigation import NavItem, register
        from pharmacrm.core.roles import Role

        section = _("Field force")
        seeing = frozenset(
            {Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER, Role.SALES_REP}
        )
        register(
            NavItem("field-pipeline", _("Pipeline"), "field-pipeline", seeing, section=section)
        )
        register(NavItem("field-targets", _("Targets"), "field-targets", seeing, section=section))
