"""Signal receivers that must not know their sender's business (STYLE.md: wiring only)."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps


def sync_roles_after_migrate(*, app_config: AppConfig, **kwargs: Any) -> None:
    """Create/refresh the role groups once the permissions table is complete.

    ``post_migrate`` fires once per app in INSTALLED_APPS order, and each app's permissions
    are created by auth's receiver for that app. Syncing on core's own signal missed every
    app listed after core (the administrator group lacked ``catalog.view_product``); syncing
    on the last app's signal sees them all.
    """
    from pharmacrm.core.services import roles_sync

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if app_config is not with_models[-1]:
        return
    roles_sync()
