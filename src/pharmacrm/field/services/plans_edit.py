"""Managers' edits of call plans, and priority products of generated lines.

**Editing a line.** A regional manager (for the reps of their team), a director or an
administrator changes a line's visit goals or priority products. The line becomes *manual*
(``is_manual``): regeneration from the rules leaves it alone from then on. Audited with the
editor and an optional reason. Channel goals may not add up to more than the planned visits
(a plan of 2 visits with 3 in-person goals cannot be met and hides a typing error).

**Priority products.** Generation from the grade × tier rules (``call_plans``) says how often;
which products to detail comes from here, by a documented rule a manager can override per line:

1. the products discussed most often on done visits to the account in the ``lookback_days``
   before the period start (what this customer already talks about with us), up to ``limit``;
2. if the account has no such history, the products discussed most often by the same rep over
   all their accounts in that window (the rep's portfolio focus), up to ``limit``.

Ties break on the product id, so the same history gives the same priorities. Manual lines and
lines that already have priorities are left alone (idempotent). Generation applies the rule
itself (``call_plan_priorities_fill``, one SQL statement, with the default ``limit`` 3 and
``lookback_days`` 90), so every generated plan — CLI, demo, pages, API — has them; the plan
page's button (``call_plan_priorities_generate``) fills lines that got none then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.catalog.models import Product
from pharmacrm.core.models import User
from pharmacrm.field.models import CallPlan, CallPlanLine, Visit, VisitStatus
from pharmacrm.field.selectors_team import ROLES_SEEING_TEAMS, team_rep_ids_for
from pharmacrm.field.services._audit import stamp

GOALS = ("in_person_goal", "phone_goal", "remote_goal", "messenger_goal")


def _require_manager_of(*, by: User, plan: CallPlan) -> None:
    if by.roles & ROLES_SEEING_TEAMS:
        team = team_rep_ids_for(user=by, on=timezone.localdate())
        if team is None or plan.rep_id in team:
            return
    raise ValidationError(
        {"plan": _("Only the rep's regional manager, a director or an administrator edits it.")}
    )


def call_plan_line_update(
    *,
    by: User,
    line: CallPlanLine,
    planned_visits: int,
    in_person_goal: int,
    phone_goal: int,
    remote_goal: int,
    messenger_goal: int,
    products: Sequence[Product] = (),
    reason: str = "",
) -> CallPlanLine:
    """Set a line's goals and priority products and mark it manual; audited.

    Raises ``ValidationError`` naming ``plan`` when ``by`` does not manage the plan's rep and
    ``planned_visits`` when the channel goals add up to more than it; nothing is saved then.
    """
    _require_manager_of(by=by, plan=line.plan)
    goals = {
        "in_person_goal": in_person_goal,
        "phone_goal": phone_goal,
        "remote_goal": remote_goal,
        "messenger_goal": messenger_goal,
    }
    if sum(goals.values()) > planned_visits:
        raise ValidationError(
            {
                "planned_visits": _(
                    "The channel goals add up to %(goals)d, more than the %(planned)d planned "
                    "visits."
                )
                % {"goals": sum(goals.values()), "planned": planned_visits}
            }
        )
    line.planned_visits = planned_visits
    for name, value in goals.items():
        setattr(line, name, value)
    line.is_manual = True
    line.full_clean()
    with transaction.atomic():
        stamp(line, by=by, reason=reason.strip())
        line.save()
        line.products.set(products)
    return line


# The rule as one query, so generation inserts 180 k links (60 k lines × 3) in the database
# instead of shipping the visit history to Python and the links back (that took 15 s of a
# 20 s generation on the bench; PostgreSQL and SQLite both run it). ``todo`` is the lines to
# fill; ``mentions`` counts products by account, rep and product on done visits in the
# window [{since}, {until}); an account with history ranks its own products, one without
# takes its rep's; ``place`` breaks ties on the product id.
_CHOICES_SQL = """
WITH todo AS (
    SELECT l.id AS line_id, l.account_id AS account_id, p.rep_id AS rep_id
    FROM {line} l JOIN {plan} p ON p.id = l.plan_id
    WHERE l.plan_id IN ({plan_ids}) AND l.contact_id IS NULL AND l.is_manual = %s
      AND NOT EXISTS (SELECT 1 FROM {link} k WHERE k.callplanline_id = l.id)
),
mentions AS (
    SELECT v.account_id AS account_id, v.rep_id AS rep_id, vp.product_id AS product_id,
           COUNT(*) AS n
    FROM {visit_link} vp JOIN {visit} v ON v.id = vp.visit_id
    WHERE v.status = %s AND v.at >= %s AND v.at < %s {narrow}
    GROUP BY v.account_id, v.rep_id, vp.product_id
),
by_account AS (
    SELECT account_id, product_id, SUM(n) AS n FROM mentions GROUP BY account_id, product_id
),
by_rep AS (
    SELECT rep_id, product_id, SUM(n) AS n FROM mentions GROUP BY rep_id, product_id
),
ranked AS (
    SELECT t.line_id AS line_id, a.product_id AS product_id,
           ROW_NUMBER() OVER (PARTITION BY t.line_id ORDER BY a.n DESC, a.product_id) AS place
    FROM todo t JOIN by_account a ON a.account_id = t.account_id
    UNION ALL
    SELECT t.line_id, r.product_id,
           ROW_NUMBER() OVER (PARTITION BY t.line_id ORDER BY r.n DESC, r.product_id)
    FROM todo t JOIN by_rep r ON r.rep_id = t.rep_id
    WHERE NOT EXISTS (SELECT 1 FROM by_account a WHERE a.account_id = t.account_id)
)
"""
# For one plan: only visits to its accounts or by its rep (the indexes on account and on
# (rep, at) serve them); the complete window is read when every plan of a period is filled.
_NARROW_SQL = (
    "AND (v.account_id IN (SELECT account_id FROM todo) OR v.rep_id IN (SELECT rep_id FROM todo))"
)


def _choices_query(
    *, plans: Sequence[CallPlan], period_start: date, lookback_days: int, narrow: bool
) -> tuple[str, list[Any]]:
    tz = timezone.get_current_timezone()
    first = period_start - timedelta(days=lookback_days)
    sql = _CHOICES_SQL.format(
        line=CallPlanLine._meta.db_table,
        plan=CallPlan._meta.db_table,
        link=CallPlanLine.products.through._meta.db_table,
        visit=Visit._meta.db_table,
        visit_link=Visit.products.through._meta.db_table,
        plan_ids=", ".join(["%s"] * len(plans)),
        narrow=_NARROW_SQL if narrow else "",
    )
    params: list[Any] = [
        *(plan.pk for plan in plans),
        False,
        VisitStatus.DONE.value,
        # As the ORM would bind them (SQLite keeps UTC text, PostgreSQL a timestamptz).
        connection.ops.adapt_datetimefield_value(datetime.combine(first, time.min, tzinfo=tz)),
        connection.ops.adapt_datetimefield_value(
            datetime.combine(period_start, time.min, tzinfo=tz)
        ),
    ]
    return sql, params


def _lines_to_fill(plans: Sequence[CallPlan]) -> QuerySet[CallPlanLine]:
    # The ``todo`` of the query above, as the ORM reads it.
    return CallPlanLine.objects.filter(
        plan__in=[plan.pk for plan in plans],
        contact__isnull=True,
        is_manual=False,
        products__isnull=True,
    )


def _by_period(plans: Sequence[CallPlan]) -> dict[date, list[CallPlan]]:
    grouped: dict[date, list[CallPlan]] = defaultdict(list)
    for plan in plans:
        grouped[plan.period_start].append(plan)
    return grouped


# A period's plans are filled 500 at a time (an IN list SQLite and PostgreSQL take easily).
_PLANS_PER_STATEMENT = 500


def call_plan_priorities_fill(
    *, plans: Sequence[CallPlan], limit: int = 3, lookback_days: int = 90
) -> int:
    """Give the generated lines of ``plans`` that have no priorities their products, in bulk.

    Called by generation (``call_plans``) inside a transaction: one ``INSERT … SELECT`` per
    period start computes the rule in the database. Like the lines generation inserts in
    bulk, the links get no per-line audit row (the plan's own row records who generated it).
    Idempotent: lines with priorities are skipped, and a link a concurrent run inserted
    first is ignored. Returns the number of links inserted.
    """
    link = CallPlanLine.products.through._meta.db_table
    inserted = 0
    # A re-run where every line has its products skips the history read (seconds on 2 M
    # visits) after this one indexed look-up.
    if not _lines_to_fill(plans).exists():
        return 0
    with connection.cursor() as cursor:
        for period_start, group in _by_period(plans).items():
            for at in range(0, len(group), _PLANS_PER_STATEMENT):
                chunk = group[at : at + _PLANS_PER_STATEMENT]
                sql, params = _choices_query(
                    plans=chunk,
                    period_start=period_start,
                    lookback_days=lookback_days,
                    narrow=len(chunk) == 1,
                )
                # "WHERE place <= %s" also keeps SQLite from reading ON CONFLICT as a join.
                cursor.execute(
                    f"{sql} INSERT INTO {link} (callplanline_id, product_id) "  # noqa: S608 - names from _meta, values bound
                    "SELECT line_id, product_id FROM ranked WHERE place <= %s "
                    "ON CONFLICT DO NOTHING",
                    [*params, limit],
                )
                inserted += cursor.rowcount
    return inserted


def call_plan_priorities_generate(
    *, by: User | None, plan: CallPlan, limit: int = 3, lookback_days: int = 90
) -> int:
    """Give each generated line without priorities its products by the module's rule.

    The plan page's button: for lines that had no history when the plan was generated (or
    whose products a manager cleared). Same query as generation; each line changed gets an
    audit row as ``by`` (``None`` for the system). Returns the number of lines that got
    products.
    """
    sql, params = _choices_query(
        plans=[plan], period_start=plan.period_start, lookback_days=lookback_days, narrow=True
    )
    chosen: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} SELECT line_id, product_id FROM ranked WHERE place <= %s",  # noqa: S608 - as above
            [*params, limit],
        )
        for line_id, product_id in cursor.fetchall():
            chosen[line_id].append(product_id)
    if not chosen:
        return 0
    with transaction.atomic():
        for line in CallPlanLine.objects.filter(pk__in=list(chosen)).order_by("pk"):
            stamp(line, by=by)
            line.products.set(chosen[line.pk])
    return len(chosen)
