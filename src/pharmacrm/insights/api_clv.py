"""Customer-value API: CLV and cluster reports, the what-if model, grade rules and changes.

Mounted on the insights router (``/api/v1/insights/…``). The reports, the what-if model and
the audit of grade changes are for the analytics roles (administrators, directors,
analysts); the grade rules with their preview for those who edit them (administrators,
analysts). Others get 403 (problem+json through ``core``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.insights import grades, selectors_clv
from pharmacrm.insights import selectors as insights_selectors
from pharmacrm.insights.access import ANALYTICS_ROLES, RUN_ROLES
from pharmacrm.insights.grades_models import GradeChange

router = Router(tags=["customer value"])

Kind = Literal["consumer", "account"]


def _authorised(request: HttpRequest, roles: frozenset[str]) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(*roles):  # type: ignore[arg-type]
        raise HttpError(403, "Your role does not allow customer value analytics.")
    return user


class WhatIfQuery(Schema):
    """A scenario: relative frequency change of active members and share reactivated."""

    frequency_uplift: float = Field(0.1, ge=-1.0, le=10.0, description="0.10 = +10 %")
    reactivated_share: float = Field(0.2, ge=0.0, le=1.0, description="share of inactive")


class WhatIfOut(Schema):
    """Projected revenue of one cluster over the CLV horizon, with the model's assumptions."""

    cluster: int
    baseline_revenue: float
    projected_revenue: float
    revenue_change: float
    margin_change: float
    assumptions: list[str]


class GradeRuleOut(Schema):
    """A value rule with how many snapshot customers it would grade now."""

    id: int
    position: int
    name: str
    grade: str
    abc_classes: str
    vip_only: bool
    min_clv: float | None
    min_p_alive: float | None
    min_revenue: float | None
    min_potential: float | None
    preview_customers: int


class GradeChangeOut(Schema):
    """One audited grade change."""

    changed_at: datetime
    changed_by: str | None
    run_id: int | None
    rule_name: str
    customer_kind: str
    customer_key: int
    old_grade: str
    new_grade: str

    @staticmethod
    def resolve_changed_by(change: GradeChange) -> str | None:
        """The acting user's username; ``None`` when an analytics run applied the rules."""
        return change.changed_by.username if change.changed_by else None


@router.get("/clv/{kind}", response=dict[str, Any], summary="CLV report of the latest run")
def clv_report(request: HttpRequest, kind: Kind) -> dict[str, Any]:
    """Fitted parameters, distributions, churn bands, top customers and the holdout."""
    _authorised(request, ANALYTICS_ROLES)
    report = selectors_clv.clv_report(run=insights_selectors.run_latest(), kind=kind)
    if report is None:
        raise Http404("The latest run has no CLV report for these customers.")
    return report


@router.get("/clusters/{kind}", response=dict[str, Any], summary="Cluster report of the latest run")
def cluster_report(request: HttpRequest, kind: Kind) -> dict[str, Any]:
    """Profiles (labels in the request's language), stability, map sample, economics."""
    _authorised(request, ANALYTICS_ROLES)
    report = selectors_clv.cluster_report(run=insights_selectors.run_latest(), kind=kind)
    if report is None:
        raise Http404("The latest run has no clusters for these customers.")
    return report


@router.get(
    "/clusters/{kind}/{cluster}/what-if",
    response=WhatIfOut,
    summary="Project a cluster's revenue under a scenario",
)
def cluster_what_if(
    request: HttpRequest, kind: Kind, cluster: int, scenario: Query[WhatIfQuery]
) -> WhatIfOut:
    """The what-if model of the cluster page, on the latest run's economics."""
    _authorised(request, ANALYTICS_ROLES)
    report = selectors_clv.cluster_report(run=insights_selectors.run_latest(), kind=kind)
    if report is None:
        raise Http404("The latest run has no clusters for these customers.")
    result = selectors_clv.cluster_what_if(
        report=report,
        cluster=cluster,
        frequency_uplift=scenario.frequency_uplift,
        reactivated_share=scenario.reactivated_share,
    )
    if result is None:
        raise Http404("No such cluster, or the cluster has no CLV scores to cost it.")
    return WhatIfOut(
        cluster=cluster,
        baseline_revenue=result.baseline_revenue,
        projected_revenue=result.projected_revenue,
        revenue_change=result.revenue_change,
        margin_change=result.margin_change,
        assumptions=list(result.assumptions),
    )


@router.get(
    "/grade-rules/{kind}",
    response=list[GradeRuleOut],
    summary="Value rules of a customer kind with their preview",
)
def grade_rules(request: HttpRequest, kind: Kind) -> list[GradeRuleOut]:
    """The kind's rules in the order they are tried, each with its customers now."""
    _authorised(request, RUN_ROLES)
    preview = grades.grade_preview(kind=kind)
    return [
        GradeRuleOut(
            id=row.rule.pk,
            position=row.rule.position,
            name=row.rule.name,
            grade=row.rule.grade,
            abc_classes=row.rule.abc_classes,
            vip_only=row.rule.vip_only,
            min_clv=row.rule.min_clv,
            min_p_alive=row.rule.min_p_alive,
            min_revenue=row.rule.min_revenue,
            min_potential=None if row.rule.min_potential is None else float(row.rule.min_potential),
            preview_customers=row.customers,
        )
        for row in preview.by_rule
        if row.rule is not None
    ]


@router.get("/grade-changes", response=list[GradeChangeOut], summary="Audit of grade changes")
@paginate(BoundedPagination)
def grade_changes(
    request: HttpRequest, kind: str = "", customer_key: int | None = None
) -> list[GradeChangeOut]:
    """Grade changes newest first (``kind`` consumer or account; empty: both)."""
    _authorised(request, ANALYTICS_ROLES)
    rows = grades.grade_change_list(kind=kind if kind in ("consumer", "account") else None)
    if customer_key is not None:
        rows = rows.filter(customer_key=customer_key)
    return rows  # type: ignore[return-value]  # paginate slices the queryset
