"""Who may import into the warehouse and who may look at import jobs (DESIGN.md, Roles).

Administrators and channel managers load files (the channel manager owns online-order and
price feeds); analysts read the job records and quarantines to judge the data they analyse.
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

IMPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.CHANNEL_MANAGER})
"""Roles that may upload files and start imports."""

VIEW_ROLES = frozenset({Role.ADMINISTRATOR, Role.CHANNEL_MANAGER, Role.ANALYST})
"""Roles that may see import jobs and download their quarantines."""


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a request (the middleware has refused anonymous page requests)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in first."))
    return user


def may_import(user: User) -> bool:
    """True when ``user`` may start imports."""
    return user.is_active and user.has_role(*IMPORT_ROLES)


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
