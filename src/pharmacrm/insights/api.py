"""Insights API: the customer snapshot, a run's aggregates, and run history.

Administrators, directors and analysts read everything; analysts and administrators queue
runs. Regional managers read the snapshot of their region and the KPI region slice of their
provinces; sales reps the snapshot of their accounts (:mod:`pharmacrm.insights.scope`). Other
roles, and whole-business figures asked by a scoped role, get 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination
from pharmacrm.insights import api_clv
from pharmacrm.insights import selectors as insights_selectors
from pharmacrm.insights import services as insights_services
from pharmacrm.insights.access import ANALYTICS_ROLES, RUN_ROLES
from pharmacrm.insights.models import AnalyticsRun, CustomerKind, CustomerSnapshot
from pharmacrm.insights.schemas import AggregateOut, RunIn, RunOut, SegmentOut, SnapshotOut
from pharmacrm.insights.scope import AnalyticsScope, Reach, analytics_scope_for, scope_date

router = Router()


def _authorised(request: HttpRequest, roles: frozenset[str]) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(*roles):  # type: ignore[arg-type]
        raise HttpError(403, "Your role does not allow customer analytics.")
    return user


def _scope(request: HttpRequest) -> AnalyticsScope:
    """The caller's analytics scope on the latest run's ``as_of``; 403 when they have none."""
    user = request.user
    if not isinstance(user, User):
        raise HttpError(403, "Your role does not allow customer analytics.")
    try:
        return analytics_scope_for(user=user, on=scope_date(insights_selectors.run_latest()))
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc


def _checked(check: object, *args: object) -> None:
    """Run one of the scope's ``require_*`` checks, as a 403 problem for the API."""
    try:
        check(*args)  # type: ignore[operator]
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc


def _run_out(run: AnalyticsRun) -> dict[str, object]:
    return {
        "id": run.pk,
        "status": run.status,
        "as_of": run.as_of,
        "engine": run.engine,
        "requested_by": run.requested_by.username if run.requested_by else None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_seconds": run.duration_seconds,
        "customer_count": run.customer_count,
        "row_counts": run.row_counts,
        "skipped": run.skipped,
        "error": run.error,
    }


def _snapshot_out(row: CustomerSnapshot) -> dict[str, object]:
    fields = SnapshotOut.model_fields.keys() - {"customer_id", "run_id"}
    return {
        **{name: getattr(row, name) for name in fields},
        "customer_id": row.customer_key,
        "run_id": row.run_id,
    }


@router.get("/runs", response=list[RunOut], summary="Analytics runs, newest first")
@paginate(BoundedPagination)
def run_list(request: HttpRequest) -> list[dict[str, object]]:
    _authorised(request, ANALYTICS_ROLES)
    return [_run_out(run) for run in insights_selectors.run_list(limit=1000)]


@router.get("/runs/{run_id}", response=RunOut, summary="One analytics run")
def run_get(request: HttpRequest, run_id: int) -> dict[str, object]:
    _authorised(request, ANALYTICS_ROLES)
    return _run_out(insights_selectors.run_get(run_id=run_id))


@router.post("/runs", response={202: RunOut}, summary="Queue an analytics run")
def run_create(request: HttpRequest, payload: RunIn) -> Status[dict[str, object]]:
    user = _authorised(request, RUN_ROLES)
    run = insights_services.analytics_run_enqueue(
        by=user, as_of=payload.as_of, engine=payload.engine
    )
    return Status(202, _run_out(run))


@router.get("/snapshot", response=list[SnapshotOut], summary="Customers' latest analytics")
@paginate(BoundedPagination)
def snapshot_list(
    request: HttpRequest,
    kind: str = CustomerKind.CONSUMER,
    segment: str = "",
    stage: str = "",
    abc: str = "",
    vip: str = "",
) -> list[dict[str, object]]:
    scope = _scope(request)
    filters = insights_selectors.SnapshotFilters.from_params(
        {"kind": kind, "segment": segment, "stage": stage, "abc": abc, "vip": vip}
    )
    _checked(scope.require_rows, filters.kind)
    # A queryset, not a list: the paginator slices it in the database (millions of rows).
    rows = insights_selectors.snapshot_list(filters=filters, scope=scope).order_by("customer_key")
    return rows.annotate(customer_id=F("customer_key"))  # type: ignore[return-value]


@router.get(
    "/snapshot/{kind}/{customer_id}", response=SnapshotOut, summary="One customer's analytics"
)
def snapshot_get(request: HttpRequest, kind: str, customer_id: int) -> dict[str, object]:
    scope = _scope(request)
    if kind not in CustomerKind.values:
        raise Http404
    _checked(scope.require_rows, kind)
    filters = insights_selectors.SnapshotFilters(kind=kind)
    rows = insights_selectors.snapshot_list(filters=filters, scope=scope)
    # Outside the scope looks the same as unknown: existence is not revealed.
    row = rows.filter(customer_key=customer_id).first()
    if row is None:
        raise Http404
    return _snapshot_out(row)


@router.get("/segments", response=list[SegmentOut], summary="Customers and revenue per segment")
def segment_list(
    request: HttpRequest, kind: str = CustomerKind.CONSUMER
) -> list[dict[str, object]]:
    scope = _scope(request)
    if kind not in CustomerKind.values:
        raise Http404
    _checked(scope.require_kind, kind)
    return insights_selectors.segment_summary(kind=kind, scope=scope)


@router.get(
    "/aggregates/{name}", response=AggregateOut, summary="One aggregate of a run (latest: default)"
)
def aggregate_get(
    request: HttpRequest, name: str, kind: str = CustomerKind.CONSUMER, run_id: int | None = None
) -> dict[str, object]:
    scope = _scope(request)
    # A regional manager may read the latest run's KPI region slice, cut to their provinces.
    regional = scope.reach is Reach.REGION and name == "kpi_slices" and run_id is None
    if not regional:
        _checked(scope.require_everything)
    _checked(scope.require_kind, kind)
    run = (
        insights_selectors.run_latest()
        if run_id is None
        else insights_selectors.run_get(run_id=run_id)
    )
    if run is None or name not in insights_selectors.AGGREGATES:
        raise Http404
    if regional:
        rows = insights_selectors.kpi_region_rows(
            run=run, kind=kind, regions=scope.regions or frozenset(), columns=()
        )
    else:
        rows = insights_selectors.aggregate_rows(run=run, name=name, kind=kind)
    return {"run_id": run.pk, "as_of": run.as_of, "name": name, "customer_kind": kind, "rows": rows}


router.add_router("", api_clv.router)  # customer value: CLV, clusters, grades (issue 8)
