"""URLs of the customer-value pages (grades, CLV, clusters), spliced into ``insights.urls``."""

from __future__ import annotations

from django.urls import path

from pharmacrm.insights import grades_views

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
]
