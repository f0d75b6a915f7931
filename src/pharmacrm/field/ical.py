"""The iCalendar (RFC 5545) document of a user's feed: their visits and open tasks.

Visits are timed events (an hour long: a visit records when it started, not when it ended).
Open tasks are all-day events on their due date rather than VTODO components, because the
common calendar applications (Google Calendar, Outlook) show VEVENTs of a subscribed feed but
ignore VTODOs. UIDs are stable (``visit-<id>@<host>``), so a client updates an event it already
has instead of duplicating it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from pharmacrm.field.models import Task, Visit, VisitStatus

VISIT_LENGTH = timedelta(hours=1)
PRODID = "-//pharmacrm//field calendar//EN"


def _visit_event(visit: Visit, *, host: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"visit-{visit.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", visit.at)
    event.add("dtend", visit.at + VISIT_LENGTH)
    event.add("summary", _("Visit: %(account)s") % {"account": visit.account.name})
    event.add("status", "CONFIRMED" if visit.status == VisitStatus.DONE else "TENTATIVE")
    place = ", ".join(p for p in (visit.account.address, visit.account.city) if p)
    if place:
        event.add("location", place)
    details = [visit.get_channel_display()]
    if visit.next_step:
        details.append(_("Next step: %(step)s") % {"step": visit.next_step})
    event.add("description", "\n".join(details))
    event.add("categories", ["visit"])
    return event


def _task_event(task: Task, *, host: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"task-{task.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", task.due_on)
    event.add("dtend", task.due_on + timedelta(days=1))
    event.add("summary", _("Task: %(title)s") % {"title": task.title})
    event.add("transp", "TRANSPARENT")  # a due date does not make the user busy all day
    details = [task.description] if task.description else []
    if task.account is not None:
        details.append(_("Account: %(account)s") % {"account": task.account.name})
    if details:
        event.add("description", "\n".join(details))
    event.add("categories", ["task"])
    return event


def calendar_ics(
    *, name: str, visits: Iterable[Visit], tasks: Iterable[Task], host: str, stamp: datetime
) -> bytes:
    """The feed as RFC 5545 bytes (CRLF lines, folded at 75 octets, text escaped).

    ``stamp`` is the DTSTAMP of every event (the time the feed was made, aware); ``host``
    makes the UIDs globally unique.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for visit in visits:
        calendar.add_component(_visit_event(visit, host=host, stamp=stamp))
    for task in tasks:
        calendar.add_component(_task_event(task, host=host, stamp=stamp))
    return calendar.to_ical()
