"""The iCalendar feed: a secret, revocable address that opens one user's calendar and nothing else.

rep_inside has a done visit at the Dongcheng hospital tomorrow 02:00 UTC, an open task
"Send the tender documents" due in three days, a done task and a cancelled one (neither in
the feed); rep_outside has a visit in Pudong (never in rep_inside's feed).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from pharmacrm.field.models import CalendarFeed
from pharmacrm.field.services import calendar_feeds as feed_services
from pharmacrm.field.services import tasks as task_services
from pharmacrm.field.services import visits as visit_services

from .conftest import World  # noqa: TID252 - tests/ is not a package

MATRIX = ["anonymous", "rep_inside", "rep_outside", "manager_other", "director", "admin"]


@pytest.fixture
def rep_calendar(world: World) -> dict[str, object]:
    """The visits and tasks described in the module docstring."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    at = datetime.combine(tomorrow, time(2, 0), tzinfo=UTC)
    visit = visit_services.visit_log(by=world.rep_inside, account=world.hospital, at=at)
    visit_services.visit_log(by=world.rep_outside, account=world.pudong_hospital, at=at)
    due = timezone.localdate() + timedelta(days=3)
    task = task_services.task_create(
        by=world.rep_inside, title="Send the tender documents", due_on=due, account=world.hospital
    )
    done = task_services.task_create(by=world.rep_inside, title="Old call", due_on=due)
    task_services.task_complete(by=world.rep_inside, task=done)
    dropped = task_services.task_create(by=world.rep_inside, title="Dropped", due_on=due)
    task_services.task_cancel(by=world.rep_inside, task=dropped)
    return {"visit": visit, "task": task, "at": at, "due": due}


def _parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def test_feed_parses_and_lists_visits_and_open_tasks_only(world, rep_calendar):
    _feed, secret = feed_services.calendar_feed_create(by=world.rep_inside)

    response = Client().get(f"/field/ical/{secret}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = _parse(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == [
        "Task: Send the tender documents",
        "Visit: Peking Union Medical College Hospital, Cardiology",
    ]
    visit = events["Visit: Peking Union Medical College Hospital, Cardiology"]
    assert visit.decoded("dtstart") == rep_calendar["at"]
    assert visit.decoded("dtend") == rep_calendar["at"] + timedelta(hours=1)
    assert str(visit["uid"]) == f"visit-{rep_calendar['visit'].pk}@testserver"
    task = events["Task: Send the tender documents"]
    assert task.decoded("dtstart") == rep_calendar["due"]
    assert task.decoded("dtend") == rep_calendar["due"] + timedelta(days=1)
    assert str(calendar["version"]) == "2.0"


def test_only_the_hash_is_stored_and_use_is_recorded(world):
    feed, secret = feed_services.calendar_feed_create(by=world.rep_inside)

    Client().get(f"/field/ical/{secret}.ics")

    feed.refresh_from_db()
    assert feed.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not CalendarFeed.objects.filter(secret_hash=secret).exists()
    assert len(secret) >= 43
    assert feed.last_used_at is not None


def test_revoked_or_unknown_secret_is_404(world, rep_calendar):
    feed, secret = feed_services.calendar_feed_create(by=world.rep_inside)

    feed_services.calendar_feed_revoke(by=world.rep_inside, feed=feed)
    revoked = Client().get(f"/field/ical/{secret}.ics")
    unknown = Client().get("/field/ical/not-a-secret.ics")

    assert (revoked.status_code, unknown.status_code) == (404, 404)
    assert b"tender" not in revoked.content


def test_secret_opens_nothing_but_the_feed(world, rep_calendar):
    _feed, secret = feed_services.calendar_feed_create(by=world.rep_inside)
    client = Client()
    client.get(f"/field/ical/{secret}.ics")

    calendar_page = client.get("/field/calendar/")
    task_page = client.get(f"/field/tasks/{rep_calendar['task'].pk}/")
    api = client.get("/api/v1/field/tasks/scope")
    with_query = client.get(f"/field/tasks/?secret={secret}")

    assert [r.status_code for r in (calendar_page, task_page, api, with_query)] == [
        302,
        302,
        401,
        302,
    ]


def test_someone_else_cannot_revoke_my_feed(world, client_for):
    feed, secret = feed_services.calendar_feed_create(by=world.rep_inside)

    response = client_for("rep_outside").post(f"/field/calendar/feeds/{feed.pk}/revoke/")

    assert response.status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert Client().get(f"/field/ical/{secret}.ics").status_code == 200


def test_feed_page_shows_the_address_once_and_revoking_stops_it(world, client_for):
    client = client_for("rep_inside")

    made = client.post("/field/calendar/feeds/")
    body = made.content.decode()
    start = body.index("http://testserver/field/ical/")
    url = body[start : body.index('"', start)]
    again = client.get("/field/calendar/feeds/").content.decode()
    feed = CalendarFeed.objects.get()
    revoke = client.post(f"/field/calendar/feeds/{feed.pk}/revoke/")

    assert made["Cache-Control"] == "no-store"
    assert url.endswith(".ics")
    assert url not in again
    assert revoke.status_code == 302
    assert Client().get(url.removeprefix("http://testserver")).status_code == 404


@pytest.mark.parametrize("who", MATRIX)
def test_feed_pages_by_role(client_for, world, who):
    response = client_for(who).get("/field/calendar/feeds/")

    assert response.status_code == (302 if who == "anonymous" else 200)
