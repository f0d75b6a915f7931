"""URLs of the field force, mounted at ``/field/``."""

from __future__ import annotations

from django.urls import path

from pharmacrm.field import views, views_pipeline, views_targets

urlpatterns = [
    path("", views.day_plan, name="field-day-plan"),
    path("visits/new/", views.visit_log, name="field-visit-log"),
]

# New-account pipeline and sales targets (issue 9, items 5 and 6).
urlpatterns += [
    path("pipeline/", views_pipeline.pipeline_list, name="field-pipeline"),
    path("pipeline/new/", views_pipeline.opportunity_create, name="field-opportunity-create"),
    path(
        "pipeline/<int:opportunity_id>/",
        views_pipeline.opportunity_detail,
        name="field-opportunity-detail",
    ),
    path(
        "pipeline/<int:opportunity_id>/edit/",
        views_pipeline.opportunity_edit,
        name="field-opportunity-edit",
    ),
    path(
        "pipeline/<int:opportunity_id>/reassign/",
        views_pipeline.opportunity_reassign,
        name="field-opportunity-reassign",
    ),
    path(
        "pipeline/<int:opportunity_id>/move/",
        views_pipeline.opportunity_move,
        name="field-opportunity-move",
    ),
    path("targets/", views_targets.target_attainment, name="field-targets"),
    path(
        "targets/territories/",
        views_targets.target_territory_attainment,
        name="field-target-territories",
    ),
    path("targets/list/", views_targets.target_list, name="field-target-list"),
    path("targets/new/", views_targets.target_create, name="field-target-create"),
    path("targets/import/", views_targets.target_import, name="field-target-import"),
]

# Offline web app, managers' team pages and plan editing (issue 9, items 1, 4 and 8).
from pharmacrm.field import views_offline, views_plans, views_team  # noqa: E402

urlpatterns += [
    path("manifest.webmanifest", views_offline.manifest, name="field-manifest"),
    path("sw.js", views_offline.service_worker, name="field-service-worker"),
    path("offline/accounts.json", views_offline.offline_accounts, name="field-offline-accounts"),
    path("visits/<int:visit_id>/edit/", views_offline.visit_edit, name="field-visit-edit"),
    path("team/", views_team.team_execution, name="field-team"),
    path("team/<int:rep_id>/", views_team.team_rep_detail, name="field-team-rep"),
    path(
        "team/visits/<int:visit_id>/correct/",
        views_team.visit_correct,
        name="field-team-visit-correct",
    ),
    path("plans/", views_plans.plan_list, name="field-plans"),
    path("plans/<int:plan_id>/", views_plans.plan_detail, name="field-plan-detail"),
    path(
        "plans/<int:plan_id>/lines/<int:line_id>/edit/",
        views_plans.plan_line_edit,
        name="field-plan-line-edit",
    ),
    path(
        "plans/<int:plan_id>/priorities/",
        views_plans.plan_priorities_generate,
        name="field-plan-priorities",
    ),
]

# Tasks, calendar with its iCalendar feed, knowledge base (issue 9, items 3 and 7).
from pharmacrm.field.urls_tasks_calendar_materials import (  # noqa: E402
    urlpatterns as tasks_calendar_materials,
)

urlpatterns += tasks_calendar_materials
