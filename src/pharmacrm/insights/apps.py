"""The insights app: analytics runs, the customer snapshot, and the analysts' pages."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Registers the insights pages in the navigation and the run task with the scheduler."""

    name = "pharmacrm.insights"
    label = "insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pharmacrm.core.navigation import NavItem, register
        from pharmacrm.core.roles import Role
        from pharmacrm.insights.access import ANALYTICS_ROLES, RUN_ROLES

        section = _("Analytics")
        # One entry per area; the analytics pages reach each other through their own tabs.
        # Regional managers see their region's KPIs and lists, reps their accounts' lists.
        for key, label, url_name, roles in (
            (
                "insights",
                _("Analytics"),
                "insights:kpis",
                ANALYTICS_ROLES | {Role.REGIONAL_MANAGER},
            ),
            (
                "insights-customers",
                _("Customer lists"),
                "insights:customers",
                ANALYTICS_ROLES | {Role.REGIONAL_MANAGER, Role.SALES_REP},
            ),
            ("insights-runs", _("Analytics runs"), "insights:runs", ANALYTICS_ROLES),
        ):
            register(NavItem(key, label, url_name, frozenset(roles), section=section))
        # Customer value (issue 8): its pages reach each other through their own tabs.
        value = _("Customer value")
        register(NavItem("insights-value", value, "insights:clv", ANALYTICS_ROLES, section=section))
        rules = _("Grade rules")
        register(
            NavItem("insights-grades", rules, "insights:grade-rules", RUN_ROLES, section=section)
        )
        _register_schedulable()


def _register_schedulable() -> None:
    """Let administrators schedule analytics runs (the core scheduler's allow-list)."""
    try:
        from pharmacrm.core import schedule
    except ImportError:  # the scheduler is not in this tree yet
        return
    schedule.SCHEDULABLE.add("pharmacrm.insights.tasks.analytics_run_task")
