"""API authentication: the browser's session (with CSRF) or a bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from pharmacrm.core import services as core_services


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser's session, with Django's CSRF check on unsafe methods.

    ninja's ``SessionAuth`` checks CSRF before it knows whether a session signs anyone in, so
    a token client's POST (no session, no CSRF cookie) was refused with 403 "CSRF check
    Failed" before the bearer token was even looked at. Without a signed-in session this
    scheme steps aside and the next one (the token) decides; with one, CSRF is enforced.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        key: str | None = super()._get_key(request)
        return key


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pcrm_…`` with a token an administrator created."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = core_services.api_token_authenticate(raw=token)
        if user is None:
            return None
        request.user = user
        return user


API_AUTH = [BrowserSessionAuth(csrf=True), TokenAuth()]
