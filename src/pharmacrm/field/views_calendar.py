"""The calendar page (day, week, month) and the iCalendar feed at a secret address.

The calendar is personal, so every signed-in user has one. The feed is the only page reached
without signing in: its secret authenticates exactly one thing, that user's feed, and a wrong
or revoked secret is a 404 that tells nothing.
"""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.core.models import User
from pharmacrm.field import ical, selectors_calendar
from pharmacrm.field.models import TaskStatus
from pharmacrm.field.services import calendar_feeds as feed_services

VIEWS = {"day": gettext_lazy("Day"), "week": gettext_lazy("Week"), "month": gettext_lazy("Month")}
# What the feed carries: visits from three months back to a year ahead, every open task.
FEED_PAST = timedelta(days=92)
FEED_FUTURE = timedelta(days=366)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - LoginRequiredMiddleware admits only users
    return user


def _period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """The period shown (first, last) and the grid around it (first, last) for ``view``."""
    if view == "day":
        return anchor, anchor, anchor, anchor
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, monday + timedelta(days=6), monday, monday + timedelta(days=6)
    first = anchor.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    grid_first = first - timedelta(days=first.weekday())
    grid_last = last + timedelta(days=6 - last.weekday())
    return first, last, grid_first, grid_last


def _step(view: str, anchor: date, direction: int) -> date:
    if view == "day":
        return anchor + timedelta(days=direction)
    if view == "week":
        return anchor + timedelta(days=7 * direction)
    month = anchor.month - 1 + direction
    year = anchor.year + month // 12
    return date(year, month % 12 + 1, 1)


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """The user's visits and tasks for a day, week (Monday first) or month around ``?date``."""
    user = _user(request)
    view = request.GET.get("view", "week")
    if view not in VIEWS:
        view = "week"
    try:
        anchor = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = timezone.localdate()
    first, last, grid_first, grid_last = _period(view, anchor)
    days = selectors_calendar.calendar_days_for(
        user=user, first=grid_first, last=grid_last, period=(first, last)
    )
    context = {
        "view": view,
        "views": list(VIEWS.items()),
        "anchor": anchor,
        "first": first,
        "last": last,
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "previous": _step(view, anchor, -1),
        "next": _step(view, anchor, 1),
        "today": timezone.localdate(),
        "weekday_names": [pycalendar.day_abbr[i] for i in range(7)],
    }
    return render(request, "field/calendar/calendar.html", context)


@require_http_methods(["GET", "POST"])
def feed_list(request: HttpRequest) -> HttpResponse:
    """The user's feed addresses; POST makes a new one and shows its address this once."""
    user = _user(request)
    new_url = None
    if request.method == "POST":
        _feed, secret = feed_services.calendar_feed_create(by=user)
        new_url = request.build_absolute_uri(reverse("field-calendar-ics", args=[secret]))
        messages.success(request, _("Made a new calendar address. Copy it now: it is shown once."))
    context = {"feeds": selectors_calendar.calendar_feed_list_for(user=user), "new_url": new_url}
    response = render(request, "field/calendar/feeds.html", context)
    response["Cache-Control"] = "no-store"  # the page may hold the secret address
    return response


@require_POST
def feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    """Revoke one of the user's feed addresses; another user's feed is a 404."""
    user = _user(request)
    feed = get_object_or_404(selectors_calendar.calendar_feed_list_for(user=user), pk=feed_id)
    try:
        feed_services.calendar_feed_revoke(by=user, feed=feed)
    except ValidationError as refused:  # pragma: no cover - the lookup above is the owner's
        raise Http404 from refused
    messages.success(request, _("Revoked the calendar address. It stops working at once."))
    return redirect("field-calendar-feeds")


@login_not_required
@never_cache
@require_GET
def feed_ics(request: HttpRequest, secret: str) -> HttpResponse:
    """The iCalendar document of the feed whose secret is in the address; 404 otherwise."""
    feed = selectors_calendar.calendar_feed_by_secret(secret=secret)
    if feed is None:
        raise Http404(_("No such calendar."))
    owner = feed.user
    today = timezone.localdate()
    visits = selectors_calendar.calendar_visits_for(
        user=owner, first=today - FEED_PAST, last=today + FEED_FUTURE
    )
    tasks = selectors_calendar.calendar_tasks_for(user=owner, first=date.min, last=date.max).filter(
        status=TaskStatus.OPEN
    )
    body = ical.calendar_ics(
        name=_("pharmacrm — %(user)s") % {"user": owner.get_full_name() or owner.username},
        visits=visits,
        tasks=tasks,
        host=request.get_host().split(":")[0],
        stamp=timezone.now(),
    )
    feed_services.calendar_feed_touch(feed=feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pharmacrm.ics"'
    return response
