"""Cluster economics: what a cluster is worth, and what a campaign could change.

A pure what-if model the cluster page drives ("raise this cluster's purchase frequency by
10 %", "reactivate 20 % of its inactive members"). Its assumptions are stated on the result so
the page can show them next to the figure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterEconomics:
    """A cluster's expected value over the CLV horizon, split by activity.

    Attributes
    ----------
    active_members, inactive_members
        Members with P(alive) at or above the activity threshold, and below it.
    expected_revenue_active, expected_revenue_inactive
        Sum of expected purchases × expected spend per purchase over the horizon
        (undiscounted), for each group.
    margin_rate
        Margin / revenue of the cluster's past purchases (0 … 1).
    """

    active_members: int
    inactive_members: int
    expected_revenue_active: float
    expected_revenue_inactive: float
    margin_rate: float


@dataclass(frozen=True)
class WhatIf:
    """Projected effect of a scenario on one cluster over the CLV horizon.

    Attributes
    ----------
    baseline_revenue, projected_revenue, revenue_change
        Expected revenue without and with the scenario, and the difference.
    margin_change
        ``revenue_change`` × the cluster's margin rate.
    assumptions
        The model's assumptions in plain English, to be shown beside the numbers.
    """

    baseline_revenue: float
    projected_revenue: float
    revenue_change: float
    margin_change: float
    assumptions: tuple[str, ...]


def what_if(
    cluster: ClusterEconomics,
    *,
    frequency_uplift: float = 0.0,
    reactivated_share: float = 0.0,
) -> WhatIf:
    """Project the cluster's revenue under a frequency uplift and a reactivation campaign.

    Projected = active × (1 + uplift) + inactive + reactivated × (active revenue per active
    member) × (1 + uplift), where reactivated = ``reactivated_share`` × inactive members.

    Parameters
    ----------
    cluster
        The cluster's expected revenue split by activity.
    frequency_uplift
        Relative change of active members' purchase frequency (0.10 = +10 %; ≥ −1).
    reactivated_share
        Share of inactive members brought back (0 … 1).

    Returns
    -------
    WhatIf
        Baseline, projection, change and the assumptions.
    """
    if frequency_uplift < -1.0:
        raise ValueError("frequency_uplift cannot lower frequency below zero (>= -1)")
    if not 0.0 <= reactivated_share <= 1.0:
        raise ValueError("reactivated_share must be between 0 and 1")
    baseline = cluster.expected_revenue_active + cluster.expected_revenue_inactive
    per_active = (
        cluster.expected_revenue_active / cluster.active_members if cluster.active_members else 0.0
    )
    reactivated = reactivated_share * cluster.inactive_members
    projected = (
        cluster.expected_revenue_active * (1.0 + frequency_uplift)
        + cluster.expected_revenue_inactive
        + reactivated * per_active * (1.0 + frequency_uplift)
    )
    change = projected - baseline
    return WhatIf(
        baseline_revenue=baseline,
        projected_revenue=projected,
        revenue_change=change,
        margin_change=change * cluster.margin_rate,
        assumptions=(
            "Expected purchases of active members scale with the frequency change; "
            "spend per purchase stays as the Gamma-Gamma model expects.",
            "Reactivated members buy like the cluster's average active member for the whole "
            "horizon; the others keep their current (low) expected revenue.",
            "No cannibalisation, no cost of the campaign, no discounting: revenue over the "
            "CLV horizon at today's prices; margin at the cluster's past margin rate.",
        ),
    )
