"""The weekly field-force summary e-mailed to each manager (a scheduled job).

Every regional manager and director with an e-mail address and at least one rep on their
team gets one message for the week ending on a day: per rep, visits done that week, plan
attainment so far, S/A coverage and overdue follow-ups, then the reps with no visit that
week, and the address of the team page. The figures are those of the team page
(``selectors_team``) with a seven-day window, so the mail and the page never disagree.

Schedule: the task ``WEEKLY_SUMMARY_TASK`` is registered as schedulable; an administrator adds
the job in the back office (weekly, e.g. Monday 07:00, ``interval_minutes`` 10080). The
scheduler enqueues each occurrence once, so a manager gets one mail per week.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors_team as team_selectors

WEEKLY_SUMMARY_TASK = "pharmacrm.field.mail_weekly.weekly_summary_task"
MANAGER_ROLES = (Role.REGIONAL_MANAGER, Role.DIRECTOR)


def _percent(done: int, planned: int) -> str:
    return f"{round(100 * done / planned)} %" if planned else "—"


def weekly_summary_body(
    *, manager: User, rows: list[team_selectors.RepExecution], week_end: date, team_url: str
) -> str:
    """The plain-text body of one manager's summary."""
    lines = [
        _("Field force, week ending %(day)s") % {"day": week_end.isoformat()},
        "",
        _("Rep | visits this week | plan done / planned | S/A seen | overdue follow-ups"),
    ]
    for row in rows:
        lines.append(
            f"{row.rep_name} | {row.window_visits} | {row.done} / {row.planned} "
            f"({_percent(row.done, row.planned)}) | {row.top_accounts_seen} / {row.top_accounts}"
            f" | {row.overdue_follow_ups}"
        )
    inactive = [row.rep_name for row in rows if row.is_inactive]
    lines.append("")
    if inactive:
        lines.append(_("No visits this week: %(reps)s") % {"reps": ", ".join(inactive)})
    else:
        lines.append(_("Every rep logged visits this week."))
    lines += ["", _("Team page: %(url)s") % {"url": team_url}]
    return "\n".join(lines)


def weekly_summary_send(*, week_end: date, base_url: str = "") -> int:
    """Send each manager their team's summary for the week ending ``week_end``.

    ``base_url`` (e.g. ``https://crm.example.com``) makes the team page address absolute.
    Managers without an e-mail address or without reps are skipped. Returns the number sent.
    """
    managers = (
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in MANAGER_ROLES])
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    team_url = base_url.rstrip("/") + reverse("field-team")
    sent = 0
    for manager in managers:
        reps = list(team_selectors.team_rep_list_for(user=manager, on=week_end))
        if not reps:
            continue
        rows = team_selectors.team_execution(reps=reps, on=week_end, days=7)
        total = sum(row.window_visits for row in rows)
        subject = _("Field force week ending %(day)s: %(visits)d visits by %(reps)d reps") % {
            "day": week_end.isoformat(),
            "visits": total,
            "reps": len(rows),
        }
        body = weekly_summary_body(manager=manager, rows=rows, week_end=week_end, team_url=team_url)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [manager.email]).send()
        sent += 1
    return sent


@task()
def weekly_summary_task(*, week_end: str | None = None, base_url: str = "") -> dict[str, int | str]:
    """Scheduled entry point: ``week_end`` is an ISO date (default: today, local)."""
    day = date.fromisoformat(week_end) if week_end else timezone.localdate()
    return {
        "week_end": day.isoformat(),
        "sent": weekly_summary_send(week_end=day, base_url=base_url),
    }
