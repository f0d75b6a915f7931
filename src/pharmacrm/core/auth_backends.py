"""Authentication backends."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class RoleModelBackend(ModelBackend):
    """Django's model backend; a named subclass so role rules can grow here, not in views."""
