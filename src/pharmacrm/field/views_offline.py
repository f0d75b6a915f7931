"""The offline web app of the rep's day plan and visit log: manifest, worker, account list.

The app keeps the list of the rep's accounts for offline use.

The service worker must be served from ``/field/`` (not ``/static/``) so that its scope covers
the rep's pages; it is a template so that it lists the static files it precaches. Browsers
allow service workers only in a secure context: HTTPS, or 127.0.0.1/localhost for the embedded
install.
"""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.forms_team import VisitEditForm
from pharmacrm.field.models import Visit
from pharmacrm.field.services import offline as offline_services

# Bump when the precached files change, so devices drop the old cache on activation.
CACHE_VERSION = "field-offline-1"


def _rep(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(Role.SALES_REP):
        raise PermissionDenied(_("Your role does not allow this page."))
    return user


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installable app scoped to ``/field/``, opening the day plan.

    Public like any static file: it names the app and its icons, nothing about the user.
    """
    data = {
        "name": _("pharmacrm field"),
        "short_name": _("Field"),
        "description": _("Day plan and visit log that keep working without a connection."),
        "start_url": reverse("field-day-plan"),
        "scope": reverse("field-day-plan"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@login_not_required
@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script (see ``field/offline/sw.js``); never cached by HTTP.

    Public: the script holds no data, and a browser fetches it again to look for updates even
    after the session has ended.
    """
    precache = [
        reverse("field-day-plan"),
        reverse("field-visit-log"),
        reverse("field-offline-accounts"),
        static("vendor/bootstrap/bootstrap.min.css"),
        static("core/app.css"),
        static("vendor/htmx/htmx.min.js"),
        static("vendor/bootstrap/bootstrap.bundle.min.js"),
        static("field/offline.js"),
    ]
    context = {
        "cache_version": CACHE_VERSION,
        "precache_json": json.dumps(precache),
        "login_url": reverse("login"),
    }
    response = render(
        request, "field/offline/sw.js", context, content_type="application/javascript"
    )
    response["Service-Worker-Allowed"] = reverse("field-day-plan")
    return response


@require_GET
def offline_accounts(request: HttpRequest) -> JsonResponse:
    """The rep's accounts today (id, code, name, city), kept by the app for offline logging."""
    user = _rep(request)
    rows = (
        account_selectors.account_list_for(user=user)
        .select_related(None)
        .order_by("name", "pk")
        .values("id", "code", "name", "city")
    )
    return JsonResponse({"accounts": list(rows)})


@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """A rep edits their own visit; online or queued offline, the same sync rules apply.

    The form carries the version it was loaded with, so an edit made on a second device (or
    a page left open) after another change is a conflict: the other change stays and this one
    is kept in the notes, and the page says so. Another rep's visit answers 404.
    """
    user = _rep(request)
    visit = Visit.objects.select_related("account").filter(pk=visit_id, rep=user).first()
    if visit is None:
        raise Http404(_("No such visit."))
    initial = {
        "base_version": visit.version,
        "at": timezone.localtime(visit.at).strftime("%Y-%m-%dT%H:%M"),
        "channel": visit.channel,
        "status": visit.status,
        "outcome": visit.outcome,
        "next_step": visit.next_step,
        "notes": visit.notes,
    }
    form = VisitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        result = offline_services.visit_sync(
            by=user,
            client_uuid=uuid.uuid4(),
            visit_id=visit.pk,
            account=visit.account,
            **values,
        )
        if result.outcome == offline_services.REFUSED:
            for field, errors in result.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            level = (
                messages.WARNING
                if result.outcome == offline_services.CONFLICT
                else messages.SUCCESS
            )
            messages.add_message(request, level, result.message)
            return redirect("field-day-plan")
    return render(request, "field/offline/visit_edit.html", {"form": form, "visit": visit})
