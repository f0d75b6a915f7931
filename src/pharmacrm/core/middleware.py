"""Every page needs a signed-in user, except the few that are public by design."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase

# The API answers 401 in problem+json itself (a redirect to a login page means nothing to a
# client); static files, the health probe and the language switch are public.
PUBLIC_PREFIXES = ("/api/", "/static/", "/healthz", "/i18n/", "/favicon.ico")


class LoginRequiredPagesMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, minus the paths that authenticate differently."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path.startswith(PUBLIC_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
