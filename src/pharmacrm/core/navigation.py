"""The shell's navigation, per role: each app registers its entries in ``AppConfig.ready``.

An entry names a URL and the roles that see it; the base template shows the entries the
signed-in user's roles allow, grouped by section, in registration order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from pharmacrm.core.roles import Role


@dataclass(frozen=True)
class NavItem:
    """One navigation link."""

    key: str
    label: str | Promise
    url_name: str
    roles: frozenset[Role]
    section: str | Promise = ""
    order: int = 50  # sorts entries (and so sections); ties keep registration order


_REGISTRY: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add (or replace, by key) a navigation entry."""
    _REGISTRY[item.key] = item


def items_for(roles: set[Role]) -> list[dict[str, object]]:
    """The entries visible to someone holding ``roles``, with resolved URLs."""
    visible: list[dict[str, object]] = []
    for item in sorted(_REGISTRY.values(), key=lambda i: i.order):
        if not (item.roles & roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"key": item.key, "label": item.label, "url": url, "section": item.section})
    return visible


ALL_ROLES = frozenset(Role)
