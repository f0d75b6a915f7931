"""Stamping of audit entries, shared by the field services."""

from __future__ import annotations

from django.db import models

from pharmacrm.core.models import User


def stamp(obj: models.Model, *, by: User | None, reason: str = "") -> None:
    """Tell django-simple-history who makes the next save of ``obj`` and why."""
    obj._history_user = by  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
