"""Writes of sales targets: periods named as people write them, and the upsert by natural key.

A target belongs to a rep, a territory or both, optionally to one product, over one calendar
month or quarter. :class:`~pharmacrm.field.models.Target` keeps ``key`` = (rep, territory,
product, period) spelled out, and every writer here goes through it, so a form entry and a
re-imported file update the one row instead of adding a second.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pharmacrm.catalog.models import Product
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field.models import Target, TargetPeriod
from pharmacrm.field.services._audit import stamp
from pharmacrm.territories.models import Territory

_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter: its type and both (inclusive) ends."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        """``2026Q1`` or ``2026-01``: the spelling ``period_parse`` reads."""
        if self.kind == TargetPeriod.QUARTER:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def previous(self) -> Period:
        """The month or quarter just before this one (for period-over-period change)."""
        months = 3 if self.kind == TargetPeriod.QUARTER else 1
        index = self.start.year * 12 + self.start.month - 1 - months
        return _period(self.kind, index // 12, index % 12 + 1, months)


def _period(kind: str, year: int, month: int, months: int) -> Period:
    last_month = month + months - 1
    last_day = calendar.monthrange(year, last_month)[1]
    return Period(kind=kind, start=date(year, month, 1), end=date(year, last_month, last_day))


def period_parse(text: str) -> Period:
    """Read ``2026Q1`` (also ``2026-Q1``, ``2026 q1``) or ``2026-01``.

    Raises ``ValueError`` with a message that shows both accepted spellings.
    """
    value = text.strip()
    if match := _QUARTER.match(value):
        year, quarter = int(match[1]), int(match[2])
        return _period(TargetPeriod.QUARTER, year, 3 * quarter - 2, 3)
    if (match := _MONTH.match(value)) and 1 <= int(match[2]) <= 12:
        return _period(TargetPeriod.MONTH, int(match[1]), int(match[2]), 1)
    raise ValueError(
        _("%(value)s is not a period; write a quarter as 2026Q1 or a month as 2026-01.")
        % {"value": value or "''"}
    )


def period_containing(day: date, *, kind: str = TargetPeriod.QUARTER) -> Period:
    """The quarter (or month) that holds ``day``."""
    if kind == TargetPeriod.MONTH:
        return _period(kind, day.year, day.month, 1)
    return _period(kind, day.year, 3 * ((day.month - 1) // 3) + 1, 3)


def target_upsert(
    *,
    by: User | None,
    period: Period,
    amount: Decimal,
    currency: str,
    rep: User | None = None,
    territory: Territory | None = None,
    product: Product | None = None,
    quantity: Decimal | None = None,
    source: str = "",
) -> tuple[Target, str]:
    """Create or update the one target of (rep, territory, product, period).

    Returns the target and what happened: ``created``, ``updated`` or ``unchanged`` (equal
    values write nothing, so re-importing a file adds no audit entries). Raises
    ``ValidationError`` on ``rep`` when neither rep nor territory is given or the user is not
    a sales rep, on ``amount`` / ``quantity`` when negative, and the model's field errors.
    """
    if rep is None and territory is None:
        raise ValidationError({"rep": _("A target needs a rep, a territory or both.")})
    if rep is not None and Role.SALES_REP not in rep.roles:
        raise ValidationError(
            {"rep": _("%(user)s is not a sales rep.") % {"user": rep.get_username()}}
        )
    if amount < 0:
        raise ValidationError({"amount": _("The target amount cannot be negative.")})
    if quantity is not None and quantity < 0:
        raise ValidationError({"quantity": _("The target quantity cannot be negative.")})
    key = Target.key_for(
        rep.pk if rep else None,
        territory.pk if territory else None,
        product.pk if product else None,
        period.start,
        period.end,
    )
    values = {
        "amount": Decimal(amount).quantize(Decimal("0.01")),
        "quantity": None if quantity is None else Decimal(quantity).quantize(Decimal("0.01")),
        "currency": currency.strip().upper(),
    }
    target = Target.objects.filter(key=key).first()
    if target is not None:
        if all(getattr(target, name) == value for name, value in values.items()):
            return target, "unchanged"
        outcome = "updated"
    else:
        target = Target(
            rep=rep,
            territory=territory,
            product=product,
            period=period.kind,
            period_start=period.start,
            period_end=period.end,
        )
        outcome = "created"
    for name, value in values.items():
        setattr(target, name, value)
    target.source = source or target.source
    target.full_clean(exclude=["key"])
    stamp(target, by=by, reason=source)
    target.save()
    return target, outcome
