"""URLs of the customer-value pages (grades, CLV, clusters), spliced into ``insights.urls``."""

from __future__ import annotations

from django.urls import path

from pharmacrm.insights import grades_views, views_clv

urlpatterns = [
    path("grades/rules/", grades_views.grade_rules, name="grade-rules"),
    path("grades/rules/<int:rule_id>/", grades_views.grade_rule_edit, name="grade-rule-edit"),
    path(
        "grades/rules/<int:rule_id>/delete/",
        grades_views.grade_rule_delete,
        name="grade-rule-delete",
    ),
    path("grades/rules/<int:rule_id>/move/", grades_views.grade_rule_move, name="grade-rule-move"),
    path("grades/apply/", grades_views.grades_apply_now, name="grades-apply"),
    path("grades/changes/", grades_views.grade_changes, name="grade-changes"),
    path("clv/", views_clv.clv_report, name="clv"),
    path("clv/holdout/", views_clv.clv_holdout, name="clv-holdout"),
    path("clusters/", views_clv.clusters, name="clusters"),
    path("clv/charts/<slug:name>.csv", views_clv.clv_chart_csv, name="clv-chart-csv"),
]
