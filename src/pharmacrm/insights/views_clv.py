"""Pages of customer value: the CLV report, the holdout calibration, cluster cards and what-if.

Every page reads the latest run's reports (:mod:`pharmacrm.insights.selectors_clv`); every
chart has a CSV of its rows (``clv/charts/<name>.csv``) and PNG/SVG from the chart's menu.
Consumer figures are aggregates and customer ids (pseudonymised), so the analytics roles —
administrators, directors, analysts — see these pages; other roles get 403.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET

from pharmacrm.core.exports import ExportColumn, export_response
from pharmacrm.insights import selectors as insights_selectors
from pharmacrm.insights import selectors_clv, views_clv_charts
from pharmacrm.insights.access import ANALYTICS_ROLES, roles_required
from pharmacrm.insights.models import AnalyticsRun, CustomerKind

WHAT_IF_ASSUMPTIONS = {
    gettext_noop(
        "Expected purchases of active members scale with the frequency change; spend per "
        "purchase stays as the Gamma-Gamma model expects."
    ),
    gettext_noop(
        "Reactivated members buy like the cluster's average active member for the whole "
        "horizon; the others keep their current (low) expected revenue."
    ),
    gettext_noop(
        "No cannibalisation, no cost of the campaign, no discounting: revenue over the CLV "
        "horizon at today's prices; margin at the cluster's past margin rate."
    ),
}
"""The what-if model's assumptions as :func:`pharmacrm.analytics.clusters.what_if` states
them, marked here so the page shows them in the user's language."""

CHURN_BANDS = (
    ("low", gettext_lazy("low")),
    ("medium", gettext_lazy("medium")),
    ("high", gettext_lazy("high")),
)


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", CustomerKind.CONSUMER)
    return kind if kind in CustomerKind.values else CustomerKind.CONSUMER


def _context(request: HttpRequest, page: str) -> dict[str, Any]:
    return {
        "run": insights_selectors.run_latest(),
        "kind": _kind(request),
        "kinds": CustomerKind.choices,
        "page": page,
    }


def _churn_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    counts = report["distributions"]["churn_bands"]
    return [{"band": str(label), "customers": counts.get(band, 0)} for band, label in CHURN_BANDS]


def _percent(request: HttpRequest, name: str, default: float) -> tuple[float, str]:
    """A percentage from the query string as a fraction, and an error message if invalid."""
    raw = request.GET.get(name, "").strip().replace(",", ".")
    if not raw:
        return default, ""
    try:
        return float(raw) / 100.0, ""
    except ValueError:
        return default, _("Enter a number of per cent, e.g. 10.")


@roles_required(ANALYTICS_ROLES)
@require_GET
def clv_report(request: HttpRequest) -> HttpResponse:
    """Fitted parameters, CLV and P(alive) distributions, churn bands, top customers."""
    context = _context(request, "clv")
    report = selectors_clv.clv_report(run=context["run"], kind=context["kind"])
    if report is not None:
        distributions = report["distributions"]
        context |= {
            "report": report,
            "spec_p_alive": views_clv_charts.histogram(
                distributions["p_alive"], title=_("P(alive)"), x_title=_("P(alive)")
            ),
            "spec_clv": views_clv_charts.histogram(
                distributions["clv"], title=_("CLV"), x_title=_("CLV (last bar: top 1 %)")
            ),
            "spec_churn": views_clv_charts.churn_bars(_churn_rows(report), title=_("Churn risk")),
            "top": selectors_clv.top_customers(kind=context["kind"]),
        }
    return render(request, "insights/clv/clv.html", context)


@roles_required(ANALYTICS_ROLES)
@require_GET
def clv_holdout(request: HttpRequest) -> HttpResponse:
    """BG/NBD and Pareto/NBD fitted on the calibration period against the holdout."""
    context = _context(request, "holdout")
    report = selectors_clv.clv_report(run=context["run"], kind=context["kind"])
    holdout = (report or {}).get("holdout")
    context["holdout"] = holdout
    if holdout and not holdout.get("message"):
        context |= {
            "spec_frequency": views_clv_charts.holdout_by_frequency(
                holdout["by_frequency"], title=_("Mean repeat purchases in the holdout")
            ),
            "spec_tracking": views_clv_charts.tracking(
                holdout["tracking"],
                calibration_end=holdout["calibration_end"],
                title=_("Cumulative repeat purchases"),
            ),
        }
    return render(request, "insights/clv/holdout.html", context)


@roles_required(ANALYTICS_ROLES)
@require_GET
def clusters(request: HttpRequest) -> HttpResponse:
    """Cluster cards, the cluster map and the what-if model of one cluster."""
    context = _context(request, "clusters")
    report = selectors_clv.cluster_report(run=context["run"], kind=context["kind"])
    context["report"] = report
    if report is None:
        return render(request, "insights/clv/clusters.html", context)
    labels = {profile["cluster"]: profile["label"] for profile in report["profiles"]}
    points = [
        {**point, "label": f"{point['cluster']} · {labels.get(point['cluster'], '')}"}
        for point in report["projection"]["points"]
    ]
    context["spec_map"] = views_clv_charts.cluster_map(points, title=_("Cluster map"))
    context["spec_k"] = views_clv_charts.k_choice(
        _k_rows(report), chosen=report["k"], title=_("Choosing k: silhouette and elbow")
    )
    uplift, uplift_error = _percent(request, "uplift", 0.10)
    reactivate, reactivate_error = _percent(request, "reactivate", 0.20)
    try:
        chosen = int(request.GET.get("cluster", report["profiles"][0]["cluster"]))
    except ValueError:
        chosen = report["profiles"][0]["cluster"]
    errors = [error for error in (uplift_error, reactivate_error) if error]
    result = None
    if not errors:
        try:
            result = selectors_clv.cluster_what_if(
                report=report,
                cluster=chosen,
                frequency_uplift=uplift,
                reactivated_share=reactivate,
            )
        except ValueError:
            errors.append(
                _(
                    "The frequency change cannot be below −100 % and the reactivated share "
                    "must be between 0 and 100 %."
                )
            )
    context |= {
        "chosen": chosen,
        "uplift_percent": round(uplift * 100, 2),
        "reactivate_percent": round(reactivate * 100, 2),
        "what_if": result,
        "what_if_errors": errors,
        "assumptions": [_(text) for text in result.assumptions] if result else [],
    }
    return render(request, "insights/clv/clusters.html", context, status=400 if errors else 200)


def _k_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per k tried: silhouette and inertia (reports of older runs lack inertia)."""
    inertia = report.get("inertia_by_k", {})
    return [
        {"k": int(k), "silhouette": value, "inertia": inertia.get(k)}
        for k, value in sorted(report["silhouette_by_k"].items(), key=lambda item: int(item[0]))
    ]


def _chart_rows(
    run: AnalyticsRun | None, kind: str, name: str
) -> tuple[list[dict[str, Any]], list[ExportColumn]]:
    clv_data = selectors_clv.clv_report(run=run, kind=kind) or {}
    holdout = clv_data.get("holdout") or {}
    cluster_data = selectors_clv.cluster_report(run=run, kind=kind) or {}
    bars = [ExportColumn(_("from"), "start"), ExportColumn(_("to"), "end"),
            ExportColumn(_("customers"), "customers")]  # fmt: skip
    models = [ExportColumn("BG/NBD", "bgnbd"), ExportColumn("Pareto/NBD", "pareto_nbd")]
    if name == "p-alive" and clv_data:
        return clv_data["distributions"]["p_alive"], bars
    if name == "clv" and clv_data:
        return clv_data["distributions"]["clv"], bars
    if name == "churn" and clv_data:
        return _churn_rows(clv_data), [
            ExportColumn(_("churn risk"), "band"),
            ExportColumn(_("customers"), "customers"),
        ]
    if name == "holdout-frequency" and holdout.get("by_frequency"):
        return holdout["by_frequency"], [
            ExportColumn(_("purchases in calibration"), "frequency_bucket"),
            ExportColumn(_("customers"), "customers"),
            ExportColumn(_("actual"), "actual"),
            *models,
        ]
    if name == "holdout-tracking" and holdout.get("tracking"):
        return holdout["tracking"], [
            ExportColumn(_("day"), "day"),
            ExportColumn(_("in holdout"), "in_holdout"),
            ExportColumn(_("actual"), "actual"),
            *models,
        ]
    if name == "cluster-map" and cluster_data:
        return cluster_data["projection"]["points"], [
            ExportColumn("PC1", "x"),
            ExportColumn("PC2", "y"),
            ExportColumn(_("cluster"), "cluster"),
        ]
    if name == "k-choice" and cluster_data:
        return _k_rows(cluster_data), [
            ExportColumn("k", "k"),
            ExportColumn(_("silhouette"), "silhouette"),
            ExportColumn(_("inertia"), "inertia"),
        ]
    if name == "clusters" and cluster_data:
        return cluster_data["profiles"], [
            ExportColumn(_("cluster"), "cluster"),
            ExportColumn(_("label"), "label"),
            ExportColumn(_("customers"), "customers"),
            ExportColumn(_("size share"), "size_share"),
            ExportColumn(_("revenue share"), "revenue_share"),
            ExportColumn(_("margin share"), "margin_share"),
            ExportColumn(_("mean CLV"), "mean_clv"),
        ]
    raise Http404(_("No such chart in the latest run."))


@roles_required(ANALYTICS_ROLES)
@require_GET
def clv_chart_csv(request: HttpRequest, name: str) -> HttpResponseBase:
    """The rows behind one chart of these pages, as CSV."""
    kind = _kind(request)
    rows, columns = _chart_rows(insights_selectors.run_latest(), kind, name)
    return export_response(rows, columns, fmt="csv", filename=f"{name}-{kind}")
