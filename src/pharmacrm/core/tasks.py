"""Background tasks of the core app (Django tasks, database backend, `pharmacrm worker`)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.tasks import task


@task()
def system_check(*, requested_by: str = "cli") -> dict[str, Any]:
    """Count what the installation holds; proves the worker, the database and the queue work.

    Returns plain JSON (task results are stored as JSON).
    """
    from pharmacrm.core.models import User

    return {
        "requested_by": requested_by,
        "database": connection.vendor,
        "users": User.objects.count(),
        "active_users": User.objects.filter(is_active=True).count(),
    }
