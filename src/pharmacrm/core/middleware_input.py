"""Refuse request parameters holding NUL characters before any view sees them.

PostgreSQL text cannot contain NUL (0x00); a search box fed ``%00`` reached the database and
answered 500 there (SQLite accepts it, so only the PostgreSQL run of the API fuzz test saw it).
Rejecting it at the door gives every page and endpoint the same clear answer: 422 in the API's
problem+json shape naming the parameter, 400 for pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from pharmacrm.core.problems import problem


class RejectNulInputMiddleware:
    """Answer 422 (API) or 400 (pages) when a query or form parameter contains NUL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = _first_nul_parameter(request)
        if bad is None:
            return self.get_response(request)
        message = _("The parameter “%(name)s” contains a NUL character.") % {"name": bad}
        if request.path.startswith("/api/"):
            return problem(
                status=422,
                title=_("Invalid request"),
                detail=message,
                errors=[{"field": bad, "message": message}],
            )
        return HttpResponseBadRequest(message)


def _first_nul_parameter(request: HttpRequest) -> str | None:
    """The name of the first query (or urlencoded form) parameter with a NUL, else None."""
    sources = [request.GET]
    if request.content_type == "application/x-www-form-urlencoded":
        sources.append(request.POST)
    for source in sources:
        for name, values in source.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")
    return None
