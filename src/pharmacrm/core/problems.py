"""One error shape for every API error: RFC 9457 problem+json.

``{"type", "title", "status", "detail", "errors": [{"field", "message"}]}`` — clients parse one
shape whether the failure is authentication, validation, a missing record or a bug.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    *,
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    type_: str = "about:blank",
) -> HttpResponse:
    """Build a problem+json response."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    body["errors"] = errors or []
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def _ninja_field_errors(exc: NinjaValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        errors.append({"field": ".".join(location), "message": str(error.get("msg", ""))})
    return errors


def _django_field_errors(exc: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


def install_problem_handlers(api: NinjaAPI) -> None:
    """Route every exception the API can raise to the one problem+json shape."""

    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return problem(
            status=422,
            title=_("Invalid request"),
            detail=_("Some fields are invalid."),
            errors=_ninja_field_errors(exc),
        )

    @api.exception_handler(DjangoValidationError)
    def _domain_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return problem(
            status=422,
            title=_("Invalid request"),
            detail=_("Some fields are invalid."),
            errors=_django_field_errors(exc),
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(
            status=401,
            title=_("Authentication required"),
            detail=_("Sign in or send a valid API token (Authorization: Bearer …)."),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(AuthorizationError)
    def _forbidden_ninja(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return problem(status=403, title=_("Forbidden"), detail=str(exc.message))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(status=403, title=_("Forbidden"), detail=str(exc) or _("Not allowed."))

    @api.exception_handler(PermissionError)
    def _forbidden_service(request: HttpRequest, exc: PermissionError) -> HttpResponse:
        return problem(status=403, title=_("Forbidden"), detail=str(exc))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(status=404, title=_("Not found"), detail=_("No such record."))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(status=exc.status_code, title=str(exc.message), detail=str(exc.message))

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s", request.path)
        return problem(
            status=500,
            title=_("Server error"),
            detail=_("Something went wrong on our side; it has been logged."),
        )
