"""Who may see consumer and account analytics (DESIGN.md, Roles and what they see).

Administrators, directors and analysts see all of it. Regional managers will see their region
once the snapshot can be scoped by territory (a customer's territory is not in the snapshot
yet); until then they are refused rather than shown everyone. Sales reps never see consumer
analytics.
"""

from __future__ import annotations

from pharmacrm.core.roles import Role

ANALYTICS_ROLES = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.ANALYST})
"""Roles that see every page and endpoint of the insights app."""

RUN_ROLES = frozenset({Role.ADMINISTRATOR, Role.ANALYST})
"""Roles that may start an analytics run (DESIGN.md: analysts own analytics runs)."""
