"""The eight roles of DESIGN.md ("Roles and what they see") and what each may do.

Roles are Django groups, so permissions stay inspectable in the admin; this module is the single
source of which permission codenames each group holds. Scoping of *which records* a role sees is
the territories app's job; this is only *which actions*.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    """Role slugs, as the CLI (`createuser --role`) and DESIGN.md spell them."""

    ADMINISTRATOR = "administrator"
    DIRECTOR = "director"
    REGIONAL_MANAGER = "regional_manager"
    SALES_REP = "sales_rep"
    ANALYST = "analyst"
    CAMPAIGN_MANAGER = "campaign_manager"
    CHANNEL_MANAGER = "channel_manager"
    SUPPLIER_MANAGER = "supplier_manager"

    @property
    def label(self) -> Promise:
        """Translated display name."""
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, Promise] = {
    Role.ADMINISTRATOR: _("Administrator"),
    Role.DIRECTOR: _("Director"),
    Role.REGIONAL_MANAGER: _("Regional manager"),
    Role.SALES_REP: _("Sales rep"),
    Role.ANALYST: _("Analyst"),
    Role.CAMPAIGN_MANAGER: _("Campaign manager"),
    Role.CHANNEL_MANAGER: _("Channel manager"),
    Role.SUPPLIER_MANAGER: _("Supplier manager"),
}


@dataclass(frozen=True)
class RolePermissions:
    """Permission codenames (``app_label.codename``) a role's group holds.

    ``all_permissions`` gives every permission of the installation (administrator only).
    Codenames of apps that are not installed yet are skipped when groups are synced, so a
    role can list what later issues will add.
    """

    codenames: frozenset[str] = frozenset()
    all_permissions: bool = False


_VIEW_MASTER = frozenset(
    {
        "accounts.view_account",
        "accounts.view_contact",
        "catalog.view_product",
        "territories.view_territory",
    }
)

ROLE_PERMISSIONS: dict[Role, RolePermissions] = {
    Role.ADMINISTRATOR: RolePermissions(all_permissions=True),
    Role.DIRECTOR: RolePermissions(_VIEW_MASTER | {"core.view_audit", "insights.view_snapshot"}),
    Role.REGIONAL_MANAGER: RolePermissions(
        _VIEW_MASTER | {"accounts.change_account", "field.change_callplan", "field.add_target"}
    ),
    Role.SALES_REP: RolePermissions(
        _VIEW_MASTER
        | {"accounts.add_contact", "accounts.change_contact", "field.add_visit", "field.add_task"}
    ),
    Role.ANALYST: RolePermissions(
        _VIEW_MASTER
        | {
            "accounts.view_consumer",
            "insights.view_snapshot",
            "insights.add_run",
            "warehouse.view_importjob",
        }
    ),
    Role.CAMPAIGN_MANAGER: RolePermissions(
        _VIEW_MASTER | {"accounts.view_consumer", "insights.view_snapshot"}
    ),
    Role.CHANNEL_MANAGER: RolePermissions(
        _VIEW_MASTER
        | {"catalog.add_channelprice", "catalog.change_channelprice", "warehouse.view_importjob"}
    ),
    Role.SUPPLIER_MANAGER: RolePermissions(frozenset({"catalog.view_product"})),
}
