"""Lifecycle stage of each customer at ``as_of``, with the recommended play."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from pharmacrm.analytics.schemas import REQUIRED_COLUMNS, require
from pharmacrm.analytics.transactions import purchase_days


@dataclass(frozen=True)
class LifecycleRules:
    """Stage thresholds (days) and the play recommended for each stage.

    Checked in this order, with d_first = ``as_of`` − first purchase day and d_last =
    ``as_of`` − last purchase day: **new** if d_first < ``new_days`` (30); **active** if
    d_last < ``active_days`` (90); **inactive** if d_last < ``inactive_days`` (180 — "stopped
    for 3 months"); else **lost**. Plays: welcome (new), loyalty offers and birthday greetings
    (active), reactivation (inactive), win-back (lost).
    """

    new_days: int = 30
    active_days: int = 90
    inactive_days: int = 180
    play_new: str = "welcome"
    play_active: str = "loyalty offers and birthday greetings"
    play_inactive: str = "reactivation"
    play_lost: str = "win-back"


DEFAULT_LIFECYCLE_RULES = LifecycleRules()
STAGES: tuple[str, ...] = ("new", "active", "inactive", "lost")


def lifecycle_stage(
    tx: ir.Table, *, as_of: date, rules: LifecycleRules = DEFAULT_LIFECYCLE_RULES
) -> ir.Table:
    """Stage each customer with a purchase on or before ``as_of``.

    Stages per :class:`LifecycleRules` (new / active / inactive / lost, checked in that
    order). Purchase days are days with a purchase document; a refund does not make a customer
    active again.

    Parameters
    ----------
    tx
        Transactions view (``customer_id, day, doc_id, amount``, ``is_return`` if present).
    as_of
        Observation date, inclusive.
    rules
        Thresholds and plays.

    Returns
    -------
    ir.Table
        One row per customer: ``customer_id, first_day, last_day, stage, play``.
    """
    require(tx, REQUIRED_COLUMNS, function="lifecycle_stage")
    days = purchase_days(tx, as_of=as_of)
    per_customer = days.group_by("customer_id").agg(
        first_day=days.day.min(), last_day=days.day.max()
    )
    as_of_key = (as_of - date(1970, 1, 1)).days
    d_first = as_of_key - per_customer.first_day.epoch_days()
    d_last = as_of_key - per_customer.last_day.epoch_days()
    stage = ibis.cases(
        (d_first < rules.new_days, "new"),
        (d_last < rules.active_days, "active"),
        (d_last < rules.inactive_days, "inactive"),
        else_="lost",
    )
    staged = per_customer.mutate(stage=stage)
    play = ibis.cases(
        (staged.stage == "new", rules.play_new),
        (staged.stage == "active", rules.play_active),
        (staged.stage == "inactive", rules.play_inactive),
        else_=rules.play_lost,
    )
    return staged.mutate(play=play)
