"""Reads of the new-account pipeline: scoped lists, the stage board and conversion rates.

Scoping follows the call plans': a rep sees the opportunities they own, a regional manager
those of the reps assigned today under their node, director and administrator all of them,
any other role none.

Conversion rates (a funnel over the open stages lead → qualified → proposal → negotiation →
won). An opportunity *reached* a stage when its stage history holds that stage or a later one
(deals skip stages: one that went from proposal straight to won also reached negotiation);
*lost* is no progress. The conversion of stage S is reached(next stage) / reached(S). The win
rate is won / closed (won + lost). Rates are exact fractions; an empty denominator gives
``None`` (no data is not 0 %).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.field import selectors as field_selectors
from pharmacrm.field.models import Opportunity, OpportunityStage, OpportunityStageChange
from pharmacrm.territories import selectors as territory_selectors

FUNNEL = (
    OpportunityStage.LEAD,
    OpportunityStage.QUALIFIED,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
    OpportunityStage.WON,
)
_RANK = {stage.value: rank for rank, stage in enumerate(FUNNEL)}


def opportunity_list_for(
    *,
    user: User,
    stage: str = "",
    owner_id: int | None = None,
    kind: str = "",
    on: date | None = None,
) -> QuerySet[Opportunity]:
    """Opportunities ``user`` may see (module docstring), narrowed by the filters, newest first."""
    rep_ids = field_selectors._rep_ids_visible_to(user=user, on=on or timezone.localdate())
    rows = Opportunity.objects.select_related("account", "owner").order_by("-created_at", "-pk")
    if rep_ids is not None:
        rows = rows.filter(owner_id__in=sorted(rep_ids))
    if stage:
        rows = rows.filter(stage=stage)
    if owner_id is not None:
        rows = rows.filter(owner_id=owner_id)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def opportunity_get_for(*, user: User, opportunity_id: int) -> Opportunity:
    """The opportunity if ``user`` may see it; ``Http404`` otherwise (existence not revealed)."""
    found = opportunity_list_for(user=user).filter(pk=opportunity_id).first()
    if found is None:
        raise Http404(_("No such opportunity."))
    return found


def opportunity_stage_history(*, opportunity: Opportunity) -> QuerySet[OpportunityStageChange]:
    """Every stage the opportunity entered, oldest first, with who moved it."""
    return opportunity.stage_changes.select_related("changed_by").order_by("changed_at", "pk")


def opportunity_owner_choices(*, user: User) -> list[tuple[int, str]]:
    """(id, username) of the owners in ``user``'s pipeline scope, for the owner filter."""
    rows = (
        opportunity_list_for(user=user)
        .order_by()
        .values_list("owner_id", "owner__username")
        .distinct()
    )
    return sorted(set(rows), key=lambda row: row[1])


def opportunity_owner_candidates(*, user: User, opportunity: Opportunity) -> list[User]:
    """Reps ``user`` may hand ``opportunity`` to, by username; the current owner left out.

    Active sales reps in ``user``'s sight (a regional manager's team; everyone for director
    and administrator) whose assignments cover the opportunity's account today. Empty for
    other roles, reps included: they do not reassign.
    """
    territory_id = opportunity.account.territory_id
    if not user.roles & field_selectors.ROLES_SEEING_TEAMS or territory_id is None:
        return []
    today = timezone.localdate()
    covering = territory_selectors.users_covering(territory_id=territory_id, on=today)
    team = field_selectors._rep_ids_visible_to(user=user, on=today)
    return sorted(
        (
            rep
            for rep in covering
            if rep.is_active
            and Role.SALES_REP in rep.roles
            and rep.pk != opportunity.owner_id
            and (team is None or rep.pk in team)
        ),
        key=lambda rep: rep.get_username(),
    )


@dataclass(frozen=True)
class StageColumn:
    """One column of the board: the stage, how many opportunities, total and weighted value."""

    stage: str
    label: str
    count: int
    value: Decimal
    weighted_value: Decimal


def pipeline_board(*, opportunities: QuerySet[Opportunity]) -> list[StageColumn]:
    """Count, value and probability-weighted value per stage, in stage order (all stages).

    Values are summed as stored, whatever their currency: the board is a rep's or a team's
    pipeline, which lives in one currency per installation.
    """
    counts: dict[str, int] = {}
    values: dict[str, Decimal] = {}
    for row in (
        opportunities.order_by()
        .values("stage")
        .annotate(n=Count("pk"), value=Sum("expected_value"))
    ):
        counts[row["stage"]] = row["n"]
        values[row["stage"]] = row["value"] or Decimal(0)
    weighted: dict[str, Decimal] = defaultdict(Decimal)
    for stage, value, probability in opportunities.order_by().values_list(
        "stage", "expected_value", "probability"
    ):
        weighted[stage] += value * probability / 100
    return [
        StageColumn(
            stage=stage.value,
            label=str(stage.label),
            count=counts.get(stage.value, 0),
            value=values.get(stage.value, Decimal(0)),
            weighted_value=weighted.get(stage.value, Decimal(0)).quantize(Decimal("0.01")),
        )
        for stage in OpportunityStage
    ]


@dataclass(frozen=True)
class StageConversion:
    """How many opportunities reached a stage, and the share of them that reached the next."""

    stage: str
    reached: int
    advanced: int

    @property
    def rate(self) -> Fraction | None:
        """Share that advanced: advanced / reached; ``None`` when nothing reached the stage."""
        return Fraction(self.advanced, self.reached) if self.reached else None


@dataclass(frozen=True)
class Conversion:
    """The funnel of one group of opportunities (everyone in scope, or one rep)."""

    stages: list[StageConversion]
    won: int
    lost: int

    @property
    def win_rate(self) -> Fraction | None:
        """Share won: won / (won + lost); ``None`` before anything closed."""
        closed = self.won + self.lost
        return Fraction(self.won, closed) if closed else None


def _conversion(furthest: list[int], won: int, lost: int) -> Conversion:
    reached = [sum(1 for rank in furthest if rank >= index) for index in range(len(FUNNEL))]
    stages = [
        StageConversion(stage=stage.value, reached=reached[index], advanced=reached[index + 1])
        for index, stage in enumerate(FUNNEL[:-1])
    ]
    return Conversion(stages=stages, won=won, lost=lost)


def pipeline_conversion(
    *, opportunities: QuerySet[Opportunity]
) -> tuple[Conversion, dict[int, Conversion]]:
    """The funnel over ``opportunities`` and per owner (owner id → funnel), see module doc.

    Reads the stage history once (two queries whatever the number of opportunities).
    """
    owners = dict(opportunities.order_by().values_list("pk", "owner_id"))
    entered: dict[int, set[str]] = defaultdict(set)
    changes = OpportunityStageChange.objects.filter(opportunity_id__in=opportunities.values("pk"))
    for opportunity_id, stage in changes.order_by().values_list("opportunity_id", "to_stage"):
        entered[opportunity_id].add(stage)
    furthest: dict[int, int] = {}
    for opportunity_id in owners:
        ranks = [_RANK[s] for s in entered.get(opportunity_id, ()) if s in _RANK]
        furthest[opportunity_id] = max(ranks, default=-1)
    is_lost = {pk for pk, stages in entered.items() if OpportunityStage.LOST in stages}

    def funnel(ids: list[int]) -> Conversion:
        won = sum(1 for pk in ids if furthest[pk] == _RANK[OpportunityStage.WON])
        lost = sum(1 for pk in ids if pk in is_lost)
        return _conversion([furthest[pk] for pk in ids], won, lost)

    by_owner: dict[int, list[int]] = defaultdict(list)
    for opportunity_id, owner_id in owners.items():
        by_owner[owner_id].append(opportunity_id)
    return funnel(list(owners)), {
        owner_id: funnel(ids) for owner_id, ids in sorted(by_owner.items())
    }
