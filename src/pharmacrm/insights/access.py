"""Who may see consumer and account analytics (DESIGN.md, Roles and what they see).

Administrators, directors and analysts see all of it and the run history; analysts and
administrators start runs. How far regional managers and sales reps see (their region, their
accounts) is decided by :mod:`pharmacrm.insights.scope`, the door every page asks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from pharmacrm.core.models import User
from pharmacrm.core.roles import Role

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])

ANALYTICS_ROLES = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.ANALYST})
"""Roles that see every page and endpoint of the insights app."""

RUN_ROLES = frozenset({Role.ADMINISTRATOR, Role.ANALYST})
"""Roles that may start an analytics run (DESIGN.md: analysts own analytics runs)."""


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a page request (the middleware has refused anonymous ones)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in first."))
    return user


def roles_required(roles: frozenset[Role]) -> Callable[[_View], _View]:
    """Decorator: 403 unless the signed-in user holds one of ``roles``."""

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not acting_user(request).has_role(*roles):
                raise PermissionDenied(_("Your role does not allow this page."))
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
