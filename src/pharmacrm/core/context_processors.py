"""Template context every page of the shell needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from pharmacrm.core import navigation
from pharmacrm.core.models import User


def shell(request: HttpRequest) -> dict[str, object]:
    """Navigation for the user's roles and the language list for the switcher."""
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        roles = user.roles
        nav = navigation.items_for(roles)
        role_labels = [str(r.label) for r in sorted(roles)]
    else:
        nav, role_labels = [], []
    return {"nav_items": nav, "user_role_labels": role_labels, "LANGUAGES": settings.LANGUAGES}
