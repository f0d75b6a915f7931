"""URLs of the insights pages (mounted at ``/insights/``)."""

from __future__ import annotations

from django.urls import path

from pharmacrm.insights import views, views_clv_urls

app_name = "insights"

urlpatterns = [
    path("", views.kpis, name="kpis"),
    path("segments/", views.segments, name="segments"),
    path("abc-xyz/", views.abc_xyz, name="abc-xyz"),
    path("pareto/", views.pareto, name="pareto"),
    path("lifecycle/", views.lifecycle, name="lifecycle"),
    path("leaky-bucket/", views.leaky_bucket, name="leaky-bucket"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("charts/<slug:name>.csv", views.chart_csv, name="chart-csv"),
    path("customers/", views.customers, name="customers"),
    path("runs/", views.runs, name="runs"),
    path("runs/start/", views.run_start, name="run-start"),
    path("runs/<int:run_id>/", views.run_detail, name="run-detail"),
    *views_clv_urls.urlpatterns,  # grades, CLV and clusters (issue 8)
]
