"""Signal receivers that must not know their sender's business (STYLE.md: wiring only)."""

from __future__ import annotations

from typing import Any


def sync_roles_after_migrate(**kwargs: Any) -> None:
    """Create/refresh the role groups once the permissions table is complete."""
    from pharmacrm.core.services import roles_sync

    roles_sync()
