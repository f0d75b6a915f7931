"""How much of the analytics a user sees (DESIGN.md, "Roles and what they see").

One door for every insights page, endpoint and the 360 cards, so the rules live in one place:

* administrators, directors and analysts reach **everything**: every customer's snapshot row and
  the whole-business aggregates of a run (KPIs, leaky bucket, cohorts, Lorenz, ABC × XYZ);
* a regional manager reaches **their region**: snapshot rows of the accounts in the territories
  they cover on the run's ``as_of`` date and of the loyalty members whose home outlet is one of
  those accounts, and the KPIs of the region slice (the provinces of those accounts). The
  whole-business aggregates (leaky bucket, cohorts, Lorenz, ABC × XYZ matrices) cannot be cut to
  a region from what a run stores, so those pages refuse them rather than show the business;
* a sales rep reaches **their accounts**: account snapshot rows of the territories they cover on
  ``as_of``; no consumer analytics, no aggregate-only pages;
* consumer-level rows (a list of member ids with scores) go only to the roles that see consumer
  rows at all — full or pseudonymised access (administrator, analyst). Directors and regional
  managers see consumers as aggregates: segment and stage counts, never a row.

Anyone else gets no scope (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.insights.models import AnalyticsRun, CustomerKind, CustomerSnapshot


class Reach(StrEnum):
    """How far a user's analytics reach."""

    EVERYTHING = "everything"
    REGION = "region"
    OWN_ACCOUNTS = "own_accounts"


EVERYTHING_ROLES = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.ANALYST})
CONSUMER_ROW_ACCESS = frozenset({"full", "pseudonymised"})
"""Values of ``accounts.selectors.consumer_access`` that may see consumer-level rows."""


@dataclass(frozen=True)
class AnalyticsScope:
    """What one user may see of the analytics as of one date.

    ``account_ids`` and ``consumer_ids`` are unevaluated id subqueries (``None``: no limit), so
    a scoped list stays one SQL query however large the region. ``regions`` are the provinces
    (the KPI ``region`` slice values) of the accounts in scope, ``None`` for everything.
    """

    reach: Reach
    on: date
    kinds: tuple[str, ...]
    consumer_rows: bool
    account_ids: QuerySet[Any] | None = None
    consumer_ids: QuerySet[Any] | None = None
    regions: frozenset[str] | None = None

    @property
    def sees_everything(self) -> bool:
        """Whole-business aggregates are shown only to this reach."""
        return self.reach is Reach.EVERYTHING

    def require_everything(self) -> None:
        """Refuse a page or endpoint that shows only whole-business figures."""
        if not self.sees_everything:
            raise PermissionDenied(
                _(
                    "These figures cover the whole business; your region's or accounts' "
                    "analytics are on the segment, lifecycle and customer pages."
                )
            )

    def require_kind(self, kind: str) -> None:
        """Refuse a customer kind the user may not see at all (a rep and consumers)."""
        if kind not in self.kinds:
            raise PermissionDenied(_("Your role does not allow analytics of this customer kind."))

    def require_rows(self, kind: str) -> None:
        """Refuse per-customer rows the user may only see as counts (consumers, aggregates)."""
        self.require_kind(kind)
        if kind == CustomerKind.CONSUMER and not self.consumer_rows:
            raise PermissionDenied(_("Your role sees consumer analytics as aggregates only."))

    def restrict(
        self, rows: QuerySet[CustomerSnapshot], *, kind: str
    ) -> QuerySet[CustomerSnapshot]:
        """Keep the snapshot rows of ``kind`` inside the scope (``rows`` are of that kind)."""
        self.require_kind(kind)
        if self.sees_everything:
            return rows
        ids = self.consumer_ids if kind == CustomerKind.CONSUMER else self.account_ids
        if ids is None:
            return rows.none()
        return rows.filter(customer_key__in=ids)

    def includes(self, *, kind: str, customer_id: int) -> bool:
        """Whether one customer lies inside the scope."""
        if kind not in self.kinds:
            return False
        if self.sees_everything:
            return True
        ids = self.consumer_ids if kind == CustomerKind.CONSUMER else self.account_ids
        return ids is not None and ids.filter(pk=customer_id).exists()


def scope_date(run: AnalyticsRun | None) -> date:
    """The date territories are read on: the run's ``as_of`` (today before any run)."""
    if run is not None and run.as_of is not None:
        return run.as_of
    return timezone.localdate()


def analytics_scope_for(*, user: User, on: date) -> AnalyticsScope:
    """The user's scope on ``on``; ``PermissionDenied`` for roles without analytics.

    Roles are checked from the widest reach down, so a user holding two roles gets the wider.
    """
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Your role does not allow customer analytics."))
    consumer_rows = account_selectors.consumer_access(user=user) in CONSUMER_ROW_ACCESS
    both = (CustomerKind.CONSUMER.value, CustomerKind.ACCOUNT.value)
    if user.has_role(*EVERYTHING_ROLES):
        return AnalyticsScope(
            reach=Reach.EVERYTHING, on=on, kinds=both, consumer_rows=consumer_rows
        )
    accounts = account_selectors.account_list_for(user=user, on=on, include_merged=True)
    if user.has_role(Role.REGIONAL_MANAGER):
        provinces = accounts.exclude(province="").values_list("province", flat=True).distinct()
        return AnalyticsScope(
            reach=Reach.REGION,
            on=on,
            kinds=both,
            consumer_rows=consumer_rows,
            account_ids=accounts.values("pk"),
            # A member belongs to the region of their home outlet (as the consumer
            # aggregates count them).
            consumer_ids=account_selectors.consumer_ids_homed_at(outlets=accounts),
            regions=frozenset(provinces),
        )
    if user.has_role(Role.SALES_REP):
        return AnalyticsScope(
            reach=Reach.OWN_ACCOUNTS,
            on=on,
            kinds=(CustomerKind.ACCOUNT.value,),
            consumer_rows=False,
            account_ids=accounts.values("pk"),
        )
    raise PermissionDenied(_("Your role does not allow customer analytics."))
