"""Reads of the calendar: a user's visits and tasks between two dates, and their feeds.

The calendar is personal: a user sees the visits they planned or logged (as the rep) and the
tasks assigned to them; managers look at their team through the team pages, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from pharmacrm.core.models import User
from pharmacrm.field.models import CalendarFeed, Task, TaskStatus, Visit
from pharmacrm.field.services.calendar_feeds import calendar_feed_secret_hash


@dataclass(frozen=True)
class CalendarDay:
    """One day of a calendar view with its visits (in time order) and tasks due."""

    day: date
    visits: list[Visit]
    tasks: list[Task]
    in_period: bool


def _local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return start, end


def calendar_visits_for(*, user: User, first: date, last: date) -> QuerySet[Visit]:
    """The visits of rep ``user`` on local days ``first``…``last`` (inclusive), in time order."""
    start, end = _local_bounds(first, last)
    return (
        Visit.objects.filter(rep=user, at__gte=start, at__lt=end)
        .select_related("account")
        .order_by("at", "pk")
    )


def calendar_tasks_for(*, user: User, first: date, last: date) -> QuerySet[Task]:
    """Tasks assigned to ``user`` due ``first``…``last``, cancelled ones left out."""
    return (
        Task.objects.filter(assignee=user, due_on__gte=first, due_on__lte=last)
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("account")
        .order_by("due_on", "pk")
    )


def calendar_days_for(
    *, user: User, first: date, last: date, period: tuple[date, date]
) -> list[CalendarDay]:
    """Every day ``first``…``last`` with its entries; ``in_period`` marks days of ``period``.

    Two queries whatever the range (a month grid shows up to 42 days).
    """
    visits: dict[date, list[Visit]] = {}
    for visit in calendar_visits_for(user=user, first=first, last=last):
        visits.setdefault(timezone.localdate(visit.at), []).append(visit)
    tasks: dict[date, list[Task]] = {}
    for task in calendar_tasks_for(user=user, first=first, last=last):
        tasks.setdefault(task.due_on, []).append(task)
    days = []
    day = first
    while day <= last:
        days.append(
            CalendarDay(
                day=day,
                visits=visits.get(day, []),
                tasks=tasks.get(day, []),
                in_period=period[0] <= day <= period[1],
            )
        )
        day += timedelta(days=1)
    return days


def calendar_feed_list_for(*, user: User) -> QuerySet[CalendarFeed]:
    """The feeds ``user`` made, newest first (revoked ones included, marked)."""
    return CalendarFeed.objects.filter(user=user).order_by("-created_at", "-pk")


def calendar_feed_by_secret(*, secret: str) -> CalendarFeed | None:
    """The live (not revoked) feed of ``secret`` with an active owner, or ``None``."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(
            secret_hash=calendar_feed_secret_hash(secret),
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )
