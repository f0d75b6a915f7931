"""Pages of the insights app: dashboards over the latest run, customer lists, run history."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.core.exports import ExportColumn, export_response, requested_export
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.insights import charts
from pharmacrm.insights import selectors as insights_selectors
from pharmacrm.insights import services as insights_services
from pharmacrm.insights.access import (
    ANALYTICS_ROLES,
    RUN_ROLES,
    acting_user,
    roles_required,
)
from pharmacrm.insights.models import AnalyticsRun, CustomerKind
from pharmacrm.insights.pipeline import KPI_SLICES
from pharmacrm.insights.scope import AnalyticsScope, Reach, analytics_scope_for, scope_date

KPI_COLUMNS = ("active_customers", "new_customers", "checks", "net_revenue", "average_check")
SNAPSHOT_EXPORT = [
    ExportColumn(gettext_lazy("kind"), "customer_kind"),
    ExportColumn(gettext_lazy("customer id"), "customer_key"),
    ExportColumn(gettext_lazy("segment"), "rfm_segment"),
    ExportColumn("R", "r_score"),
    ExportColumn("F", "f_score"),
    ExportColumn("M", "m_score"),
    ExportColumn(gettext_lazy("stage"), "lifecycle_stage"),
    ExportColumn("ABC", "abc_class"),
    ExportColumn("VIP", "is_vip"),
    ExportColumn(gettext_lazy("net revenue"), "monetary"),
    ExportColumn(gettext_lazy("purchases"), "frequency"),
    ExportColumn(gettext_lazy("days since last purchase"), "days_since_last"),
    ExportColumn(gettext_lazy("first purchase"), "first_day"),
    ExportColumn(gettext_lazy("last purchase"), "last_day"),
]
SNAPSHOT_SORTS = [
    SortOption("revenue", gettext_lazy("Net revenue"), ("monetary",)),
    SortOption("frequency", gettext_lazy("Purchases"), ("frequency",)),
    SortOption("recency", gettext_lazy("Days since last purchase"), ("days_since_last",)),
    SortOption("customer", gettext_lazy("Customer id"), ("customer_key",)),
]


def _kind(request: HttpRequest, scope: AnalyticsScope | None = None) -> str:
    """The requested customer kind; a scope that lacks consumers defaults to accounts."""
    default = CustomerKind.CONSUMER
    if scope is not None and default not in scope.kinds:
        default = CustomerKind.ACCOUNT
    kind = request.GET.get("kind", default)
    return kind if kind in CustomerKind.values else default


def _scope(request: HttpRequest) -> AnalyticsScope:
    """The signed-in user's analytics scope on the latest run's ``as_of`` (or 403)."""
    run = insights_selectors.run_latest()
    return analytics_scope_for(user=acting_user(request), on=scope_date(run))


def _page(request: HttpRequest, template: str, page: str, context: dict[str, Any]) -> HttpResponse:
    """Render an analytics page with the latest run, the kind switch and the charts."""
    run = context.pop("run", None) or insights_selectors.run_latest()
    scope: AnalyticsScope = context.pop("scope", None) or _scope(request)
    kind = _kind(request, scope)
    base = {
        "run": run,
        "kind": kind,
        # Counts link to their customer list only where the user may see the rows.
        "may_list": kind in scope.kinds and (kind != CustomerKind.CONSUMER or scope.consumer_rows),
        "kinds": [(value, label) for value, label in CustomerKind.choices if value in scope.kinds],
        "page": page,
        "reach": scope.reach.value,
    }
    return render(request, template, {**base, **context})


@require_GET
def kpis(request: HttpRequest) -> HttpResponse:
    """KPIs per month with the change on the previous month, the trend, and one slice.

    A regional manager gets the region slice of their provinces only (never the business
    totals); a sales rep's analytics are their accounts', so this aggregate page refuses them.
    """
    scope = _scope(request)
    run = insights_selectors.run_latest()
    kind = _kind(request, scope)
    scope.require_kind(kind)
    if scope.reach is Reach.REGION:
        return _region_kpis(request, scope=scope, run=run, kind=kind)
    scope.require_everything()
    slices = KPI_SLICES[kind]
    slice_name = request.GET.get("slice", "")
    rows: list[dict[str, Any]] = []
    slice_rows: list[dict[str, Any]] = []
    if run is not None:
        rows = insights_selectors.with_change(
            insights_selectors.aggregate_rows(run=run, name="kpis", kind=kind),
            columns=KPI_COLUMNS,
        )
        if slice_name in slices:
            slice_rows = insights_selectors.kpi_slice_rows(
                run=run, kind=kind, slice_name=slice_name, columns=KPI_COLUMNS
            )
    spec = charts.kpi_trend(rows, measure="net_revenue", title=_("Net revenue")) if rows else None
    return _page(
        request,
        "insights/kpis.html",
        "kpis",
        {
            "run": run,
            "rows": rows,
            "spec": spec,
            "missing": bool(run and "kpis" in run.skipped),
            "slices": slices,
            "slice_name": slice_name if slice_name in slices else "",
            "slice_rows": slice_rows,
        },
    )


def _region_kpis(
    request: HttpRequest, *, scope: AnalyticsScope, run: AnalyticsRun | None, kind: str
) -> HttpResponse:
    """The KPI page of a regional manager: the region slice of their provinces, per month."""
    rows: list[dict[str, Any]] = []
    if run is not None and scope.regions:
        rows = insights_selectors.kpi_region_rows(
            run=run, kind=kind, regions=scope.regions, columns=KPI_COLUMNS
        )
    return _page(
        request,
        "insights/kpis.html",
        "kpis",
        {
            "run": run,
            "scope": scope,
            "region_rows": rows,
            "regions": sorted(scope.regions or ()),
            "missing": bool(run and "kpis" in run.skipped),
        },
    )


@require_GET
def segments(request: HttpRequest) -> HttpResponse:
    """The RFM segment grid: customers and net revenue per segment, each linking to its list."""
    scope = _scope(request)
    kind = _kind(request, scope)
    rows = insights_selectors.segment_summary(kind=kind, scope=scope)
    return _page(
        request,
        "insights/segments.html",
        "segments",
        {
            "rows": rows,
            "spec": charts.segment_bars(rows),
            "scope": scope,
        },
    )


@require_GET
def abc_xyz(request: HttpRequest) -> HttpResponse:
    """ABC × XYZ matrices of customers and of products."""
    _scope(request).require_everything()
    run = insights_selectors.run_latest()
    kind = _kind(request)
    matrices = []
    for name, title in (
        ("abc_xyz_customers", _("Customers")),
        ("abc_xyz_products", _("Products")),
    ):
        rows = (
            [] if run is None else insights_selectors.aggregate_rows(run=run, name=name, kind=kind)
        )
        matrices.append(
            {"name": name, "title": title, "rows": rows, "spec": charts.abc_xyz_heatmap(rows)}
        )
    return _page(
        request,
        "insights/abc_xyz.html",
        "abc-xyz",
        {"run": run, "matrices": matrices, "abc": insights_selectors.abc_summary(kind=kind)},
    )


@require_GET
def pareto(request: HttpRequest) -> HttpResponse:
    """The Lorenz curve with the top-20 % share, the Gini coefficient and the VIP count."""
    _scope(request).require_everything()
    run = insights_selectors.run_latest()
    kind = _kind(request)
    points: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    if run is not None:
        points = insights_selectors.aggregate_rows(run=run, name="lorenz", kind=kind)
        found = insights_selectors.aggregate_rows(run=run, name="pareto_summary", kind=kind)
        summary = found[0] if found else {}
    return _page(
        request,
        "insights/pareto.html",
        "pareto",
        {
            "run": run,
            "summary": summary,
            "spec": charts.lorenz_curve(points),
            "vips": insights_selectors.vip_count(kind=kind),
        },
    )


@require_GET
def lifecycle(request: HttpRequest) -> HttpResponse:
    """The lifecycle funnel with the play recommended for each stage."""
    scope = _scope(request)
    rows = insights_selectors.stage_summary(kind=_kind(request, scope), scope=scope)
    return _page(
        request,
        "insights/lifecycle.html",
        "lifecycle",
        {"rows": rows, "spec": charts.funnel(rows), "scope": scope},
    )


@require_GET
def leaky_bucket(request: HttpRequest) -> HttpResponse:
    """Flows per month or quarter, with one period's waterfall, churn rate and acquisitions."""
    _scope(request).require_everything()
    run = insights_selectors.run_latest()
    grain = "quarter" if request.GET.get("grain") == "quarter" else "month"
    rows: list[dict[str, Any]] = []
    if run is not None:
        rows = insights_selectors.aggregate_rows(
            run=run, name=f"leaky_bucket_{grain}", kind=_kind(request)
        )
    chosen = rows[-1] if rows else None
    wanted = request.GET.get("period", "")
    for row in rows:
        if isinstance(row["period"], date) and row["period"].isoformat() == wanted:
            chosen = row
    return _page(
        request,
        "insights/leaky_bucket.html",
        "leaky-bucket",
        {
            "run": run,
            "rows": rows,
            "grain": grain,
            "chosen": chosen,
            "spec": charts.waterfall(chosen) if chosen else None,
        },
    )


@require_GET
def cohorts(request: HttpRequest) -> HttpResponse:
    """Cohort retention heatmap and the customer life-cycle value curve."""
    _scope(request).require_everything()
    run = insights_selectors.run_latest()
    rows = (
        []
        if run is None
        else insights_selectors.aggregate_rows(run=run, name="cohorts", kind=_kind(request))
    )
    return _page(
        request,
        "insights/cohorts.html",
        "cohorts",
        {
            "run": run,
            "rows": rows,
            "heatmap": charts.cohort_heatmap(rows),
            "curve": charts.value_curve(rows),
        },
    )


_DB_CHARTS = {
    "segments": insights_selectors.segment_summary,
    "lifecycle": insights_selectors.stage_summary,
}


@require_GET
def chart_csv(request: HttpRequest, name: str) -> HttpResponseBase:
    """The rows behind a chart, as CSV (PNG comes from the chart's own export menu).

    Segment and stage counts come cut to the user's scope; a run's aggregates are
    whole-business figures, for the roles that see everything.
    """
    scope = _scope(request)
    kind = _kind(request, scope)
    if name in _DB_CHARTS:
        rows = _DB_CHARTS[name](kind=kind, scope=scope)
    else:
        scope.require_everything()
        run = insights_selectors.run_latest()
        try:
            rows = (
                []
                if run is None
                else insights_selectors.aggregate_rows(run=run, name=name, kind=kind)
            )
        except KeyError:
            return HttpResponse(status=404)
    columns = [ExportColumn(key, key) for key in (rows[0] if rows else {"empty": None})]
    return export_response(rows, columns, fmt="csv", filename=f"{name}-{kind}")


@require_http_methods(["GET", "POST"])
def customers(request: HttpRequest) -> HttpResponseBase:
    """Customers of a segment, stage, class or the VIPs: listed, exported or saved by name.

    Rows are cut to the user's scope; consumer rows only for roles that see consumer rows.
    """
    scope = _scope(request)
    params = request.GET.copy()
    # Roles that see consumers only as counts land on their accounts.
    default_kind = CustomerKind.CONSUMER if scope.consumer_rows else CustomerKind.ACCOUNT
    params.setdefault("kind", default_kind)
    filters = insights_selectors.SnapshotFilters.from_params(params)
    scope.require_rows(filters.kind)
    rows = insights_selectors.snapshot_list(filters=filters, scope=scope)
    if request.method == "POST":
        try:
            saved = insights_services.saved_list_create(
                by=acting_user(request),
                name=request.POST.get("name", ""),
                customer_kind=filters.kind,
                customer_keys=rows.values_list("customer_key", flat=True),
                filters=filters.as_params(),
                run=insights_selectors.run_latest(),
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(
                request,
                _("Saved %(count)s customers as “%(name)s”.")
                % {"count": saved.size, "name": saved.name},
            )
        return redirect(request.get_full_path())
    fmt = requested_export(request)
    if fmt:
        return export_response(
            rows.order_by("customer_key"), SNAPSHOT_EXPORT, fmt=fmt, filename="customers"
        )
    page = list_page(
        request,
        rows,
        sort_options=SNAPSHOT_SORTS,
        default_sort="-revenue",
        filters=filters.as_params(),
    )
    template = (
        "insights/customers.html#rows"
        if getattr(request, "htmx", False)
        else "insights/customers.html"
    )
    return _page(
        request,
        template,
        "customers",
        {
            "list": page,
            "kind": filters.kind,
            "filters": filters,
            "export_query": page.querystring(),
            "saved_lists": insights_selectors.saved_list_list()[:20]
            if scope.sees_everything
            else [],
            "scope": scope,
        },
    )


@roles_required(ANALYTICS_ROLES)
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    """Run history: who ran what, as of when, on which engine, how long, how many rows."""
    return _page(
        request,
        "insights/runs.html",
        "runs",
        {
            "runs": insights_selectors.run_list(),
            "may_run": acting_user(request).has_role(*RUN_ROLES),
        },
    )


@roles_required(RUN_ROLES)
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    """Queue a run for the background worker (as_of: the form's date, else the facts' last)."""
    text = request.POST.get("as_of", "").strip()
    try:
        as_of = date.fromisoformat(text) if text else None
    except ValueError:
        messages.error(request, _("“%(value)s” is not a date YYYY-MM-DD.") % {"value": text})
        return redirect("insights:runs")
    run = insights_services.analytics_run_enqueue(by=acting_user(request), as_of=as_of)
    messages.success(request, _("Analytics run #%(id)s queued.") % {"id": run.pk})
    return redirect("insights:runs")


@roles_required(ANALYTICS_ROLES)
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """One run's record, and its snapshot compared with another run's (``?other=<id>``)."""
    run: AnalyticsRun = insights_selectors.run_get(run_id=run_id)
    other = None
    comparison: list[dict[str, Any]] = []
    other_id = request.GET.get("other", "")
    if other_id.isdigit():
        other = insights_selectors.run_get(run_id=int(other_id))
        comparison = insights_selectors.run_compare(run=run, other=other)
    return _page(
        request,
        "insights/run_detail.html",
        "runs",
        {
            "subject": run,
            "other": other,
            "comparison": comparison,
            "others": insights_selectors.run_list(limit=20),
        },
    )
