"""django-ninja In/Out schemas of the field API. Shape only; rules live in services."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

from ninja import Schema


class PlanLineOut(Schema):
    """One account of a plan, with what was done against it."""

    account_id: int
    account_name: str
    planned_visits: int
    done_visits: int
    in_person_goal: int
    phone_goal: int
    remote_goal: int
    messenger_goal: int
    priority_product_ids: list[int]


class PlanOut(Schema):
    """A call plan in a list."""

    id: int
    rep_id: int
    rep_username: str
    period_start: date
    period_end: date


class PlanDetailOut(PlanOut):
    """A call plan with its lines and the rep's attainment (capped per line, as a share)."""

    planned_visits: int
    done_visits: int
    attainment: float
    lines: list[PlanLineOut]


class VisitIn(Schema):
    """A visit to log; ``contact_ids`` must work at the account, ``material_ids`` be approved."""

    account_id: int
    at: datetime
    channel: str = "in_person"
    status: str = "done"
    contact_ids: list[int] = []
    key_messages: str = ""
    samples: str = ""
    samples_qty: int = 0
    outcome: str = ""
    next_step: str = ""
    follow_up_on: date | None = None
    notes: str = ""
    keywords: str = ""
    material_ids: list[int] = []


class VisitOut(Schema):
    """A visit as the API returns it."""

    id: int
    rep_id: int
    account_id: int
    account_name: str
    at: datetime
    channel: str
    status: str
    outcome: str
    next_step: str
    follow_up_on: date | None


# "Field" prefix: OpenAPI components are named by class, and core already has a TaskOut (the
# background-task status); two classes of one name made core's endpoint show this shape.
class FieldTaskIn(Schema):
    """A task for oneself."""

    title: str
    due_on: date
    reminder_at: datetime | None = None


class FieldTaskOut(Schema):
    """A task as the API returns it."""

    id: int
    title: str
    due_on: date
    status: str
    assignee_id: int
    account_id: int | None
    visit_id: int | None


def share(value: Fraction) -> float:
    """A fraction as the float JSON carries, rounded to four places."""
    return round(float(value), 4)
