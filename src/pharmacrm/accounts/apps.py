"""The accounts app: every organisation and person the business deals with."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Registers the customer-master pages in the shell's navigation."""

    name = "pharmacrm.accounts"
    label = "accounts"
    verbose_name = _("Customer master")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pharmacrm.core.navigation import ALL_ROLES, NavItem, register
        from pharmacrm.core.roles import Role

        section = _("Master data")
        # A supplier manager sees the suppliers assigned to them and their contacts.
        account_roles = ALL_ROLES
        consumer_roles = frozenset(
            {
                Role.ADMINISTRATOR,
                Role.DIRECTOR,
                Role.REGIONAL_MANAGER,
                Role.ANALYST,
                Role.CAMPAIGN_MANAGER,
            }
        )
        register(NavItem("accounts", _("Accounts"), "account-list", account_roles, section=section))
        register(NavItem("contacts", _("Contacts"), "contact-list", account_roles, section=section))
        register(
            NavItem("consumers", _("Consumers"), "consumer-list", consumer_roles, section=section)
        )
        from pharmacrm.accounts.tasks import QUALIFICATION_REMINDERS_TASK
        from pharmacrm.core import schedule

        schedule.SCHEDULABLE.add(QUALIFICATION_REMINDERS_TASK)
