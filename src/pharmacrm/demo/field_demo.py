"""Field-force demo data: call plans, a quarter of visits, follow-ups and targets.

So that the demo's day plan, team page, call plans and targets show a working field force.
Deterministic: the same reps, accounts, ``as_of`` and ``seed`` give the same rows.

Patterns (what a manager would see in a real team):

- plans for the quarter before ``as_of``'s and for ``as_of``'s quarter, generated from the
  grade × tier rules by the field services; priority products filled by their documented rule
  after the first quarter's visits exist;
- each rep has a diligence between 55 % and 105 % of plan; the visits to each plan line are
  spread over working days (Monday to Friday) between 08:30 and 17:30 local time, grade S and
  A accounts first; the channel follows the line's channel goals;
- about one visit in eight sets a follow-up a week later (an open task, some of them overdue);
- one rep in six has logged nothing in the last week (the team page flags them);
- a quarterly sales target per rep for ``as_of``'s quarter, in the installation's currency.

Visits are written in bulk with their audit rows (``bulk_create_with_history``); everything
else goes through the field services. A second run adds nothing (it stops when the demo reps
already have visits).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.models import (
    CallPlan,
    CallPlanLine,
    Task,
    Visit,
    VisitChannel,
    VisitStatus,
)
from pharmacrm.field.services import call_plans as call_plan_services
from pharmacrm.field.services import targets as target_services

OUTCOMES = (
    "Presented the efficacy data; the head of department asked for the study reprint.",
    "Stock checked with the pharmacist; reorder placed through the distributor.",
    "Agreed to a department meeting next month.",
    "Discussed the dosing schedule and interactions; samples left.",
    "Pharmacy manager asked about the loyalty promotion for next quarter.",
    "Listing in the hospital formulary is under review; follow up with the committee.",
)
NEXT_STEPS = (
    "Bring the study reprint",
    "Confirm the department meeting",
    "Check the reorder arrived",
    "Send the promotion terms",
)
CHANNEL_GOALS = (
    (VisitChannel.IN_PERSON, "in_person_goal"),
    (VisitChannel.PHONE, "phone_goal"),
    (VisitChannel.REMOTE, "remote_goal"),
    (VisitChannel.MESSENGER, "messenger_goal"),
)
TOP_GRADES = {"S": 0, "A": 1}


@dataclass
class FieldDemoSummary:
    """What the loader wrote."""

    plans: int = 0
    visits: int = 0
    tasks: int = 0
    targets: int = 0


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _working_days(first: date, last: date) -> list[date]:
    return [
        first + timedelta(n)
        for n in range((last - first).days + 1)
        if (first + timedelta(n)).weekday() < 5
    ]


def _channel(line: CallPlanLine, rng: random.Random) -> str:
    weights = [getattr(line, field) for _channel, field in CHANNEL_GOALS]
    if not any(weights):
        return VisitChannel.IN_PERSON
    return rng.choices([c for c, _f in CHANNEL_GOALS], weights=weights)[0]


def _visits_for_plan(
    plan: CallPlan,
    *,
    last_day: date,
    diligence: float,
    quiet_from: date | None,
    rng: random.Random,
) -> tuple[list[Visit], list[tuple[int, list[int]]]]:
    """Unsaved visits of one plan up to ``last_day`` and, per visit index, its products."""
    days = _working_days(plan.period_start, min(plan.period_end, last_day))
    if quiet_from is not None:
        days = [d for d in days if d < quiet_from]
    if not days:
        return [], []
    elapsed = len(days) / len(_working_days(plan.period_start, plan.period_end))
    lines = sorted(
        CallPlanLine.objects.filter(plan=plan, contact__isnull=True)
        .select_related("account")
        .prefetch_related("products"),
        key=lambda line: (TOP_GRADES.get(line.account.grade, 2), line.account_id),
    )
    products_all = [p.pk for p in catalog_selectors.product_list().order_by("pk")[:40]]
    zone = timezone.get_current_timezone()
    visits: list[Visit] = []
    products: list[tuple[int, list[int]]] = []
    for line in lines:
        # Top accounts are seen more faithfully than the long tail.
        care = diligence * (1.1 if line.account.grade in TOP_GRADES else 0.85)
        count = round(line.planned_visits * elapsed * care + rng.uniform(-0.5, 0.5))
        line_products = [p.pk for p in line.products.all()] or rng.sample(
            products_all, k=min(2, len(products_all))
        )
        for _n in range(max(count, 0)):
            day = rng.choice(days)
            start = datetime.combine(day, time(8, 30), tzinfo=zone)
            at = start + timedelta(minutes=rng.randrange(0, 540, 15))
            follow_up = day + timedelta(days=7) if rng.random() < 0.125 else None
            visits.append(
                Visit(
                    rep_id=plan.rep_id,
                    account_id=line.account_id,
                    channel=_channel(line, rng),
                    status=VisitStatus.DONE,
                    at=at,
                    closed_at=at + timedelta(minutes=45),
                    outcome=rng.choice(OUTCOMES),
                    next_step=rng.choice(NEXT_STEPS) if follow_up else "",
                    follow_up_on=follow_up,
                    key_messages="Efficacy, safety profile, dosing",
                )
            )
            if line_products:
                products.append((len(visits) - 1, rng.sample(line_products, k=1)))
    return visits, products


def field_demo_load(*, by: User | None, as_of: date, seed: int = 7) -> FieldDemoSummary:
    """Write the demo field force (see the module docstring); returns what was written."""
    summary = FieldDemoSummary()
    reps = list(
        User.objects.filter(is_active=True, groups__name=Role.SALES_REP.value).order_by("pk")
    )
    if not reps or Visit.objects.filter(rep__in=reps).exists():
        return summary
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    current = _quarter_start(as_of)
    previous = _quarter_start(current - timedelta(days=1))
    periods = [
        (previous, current - timedelta(days=1)),
        (current, _quarter_start(current + timedelta(days=92)) - timedelta(days=1)),
    ]
    diligence = {rep.pk: rng.uniform(0.55, 1.05) for rep in reps}
    quiet = {rep.pk for rep in reps if rng.random() < 1 / 6}
    with transaction.atomic():
        for start, end in periods:
            plans = call_plan_services.call_plans_generate_all(
                by=by, period_start=start, period_end=end
            )
            # Generation fills priority products itself: the current quarter's come from the
            # previous quarter's visits made below.
            summary.plans += len(plans)
            for plan in plans:
                visits, products = _visits_for_plan(
                    plan,
                    last_day=as_of,
                    diligence=diligence[plan.rep_id],
                    quiet_from=as_of - timedelta(days=6) if plan.rep_id in quiet else None,
                    rng=rng,
                )
                saved = bulk_create_with_history(visits, Visit, default_user=by)
                through = Visit.products.through
                through.objects.bulk_create(
                    [
                        through(visit_id=saved[index].pk, product_id=product_id)
                        for index, ids in products
                        for product_id in ids
                    ]
                )
                tasks = [
                    Task(
                        title=visit.next_step,
                        due_on=visit.follow_up_on,
                        assignee_id=visit.rep_id,
                        created_by_id=visit.rep_id,
                        account_id=visit.account_id,
                        visit_id=visit.pk,
                    )
                    for visit in saved
                    # Older follow-ups were dealt with; the recent ones are open, some overdue.
                    if visit.follow_up_on is not None
                    and visit.follow_up_on >= as_of - timedelta(days=14)
                ]
                bulk_create_with_history(tasks, Task, default_user=by)
                summary.visits += len(saved)
                summary.tasks += len(tasks)
        period = target_services.period_containing(as_of)
        currency = getattr(settings, "BASE_CURRENCY", "CNY")
        for rep in reps:
            amount = Decimal(rng.randrange(600, 1800) * 1000)
            target_services.target_upsert(
                by=by, period=period, amount=amount, currency=currency, rep=rep, source="demo"
            )
            summary.targets += 1
    return summary


def field_demo_note(*, by: User | None) -> str:
    """Load the field demo as of today (local) and say what was written, for the summary."""
    done = field_demo_load(by=by, as_of=timezone.localdate())
    return (
        f"Field force: {done.plans} call plans, {done.visits} visits, "
        f"{done.tasks} follow-up tasks, {done.targets} targets"
    )
