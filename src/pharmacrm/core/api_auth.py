"""API authentication: the browser's session (with CSRF) or a bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from pharmacrm.core import services as core_services


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pcrm_…`` with a token an administrator created."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = core_services.api_token_authenticate(raw=token)
        if user is None:
            return None
        request.user = user
        return user


API_AUTH = [SessionAuth(csrf=True), TokenAuth()]
