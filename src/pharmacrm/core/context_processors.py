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
    return {
        "nav_items": nav,
        "nav_groups": _grouped(nav),
        "user_role_labels": role_labels,
        "LANGUAGES": settings.LANGUAGES,
    }


def _grouped(nav: list[dict[str, object]]) -> list[dict[str, object]]:
    """Entries grouped by section in first-seen order; unsectioned entries stand alone.

    The navbar shows each section as one dropdown: with every app installed an administrator
    has about twenty entries, which overflow a single row (and stack character by character in
    Chinese).
    """
    groups: list[dict[str, object]] = []
    by_section: dict[str, list[dict[str, object]]] = {}
    for item in nav:
        section = str(item["section"]) if item["section"] else ""
        if not section:
            groups.append({"section": "", "items": [item]})
            continue
        if section not in by_section:
            by_section[section] = []
            groups.append({"section": item["section"], "items": by_section[section]})
        by_section[section].append(item)
    return groups
