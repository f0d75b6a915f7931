"""URLs of tasks, the calendar, its iCalendar feeds and the knowledge base (under ``/field/``)."""

from __future__ import annotations

from django.urls import path

from pharmacrm.field import views_calendar, views_materials, views_tasks

urlpatterns = [
    path("tasks/", views_tasks.task_list, name="field-task-list"),
    path("tasks/new/", views_tasks.task_new, name="field-task-new"),
    path("tasks/<int:task_id>/", views_tasks.task_detail, name="field-task-detail"),
    path("tasks/<int:task_id>/complete/", views_tasks.task_complete, name="field-task-complete"),
    path("tasks/<int:task_id>/cancel/", views_tasks.task_cancel, name="field-task-cancel"),
    path("tasks/<int:task_id>/delegate/", views_tasks.task_delegate, name="field-task-delegate"),
    path("calendar/", views_calendar.calendar, name="field-calendar"),
    path("calendar/feeds/", views_calendar.feed_list, name="field-calendar-feeds"),
    path(
        "calendar/feeds/<int:feed_id>/revoke/",
        views_calendar.feed_revoke,
        name="field-calendar-feed-revoke",
    ),
    path("ical/<str:secret>.ics", views_calendar.feed_ics, name="field-calendar-ics"),
    path("materials/", views_materials.material_list, name="field-material-list"),
    path("materials/new/", views_materials.material_new, name="field-material-new"),
    path(
        "materials/<int:material_id>/",
        views_materials.material_detail,
        name="field-material-detail",
    ),
    path(
        "materials/<int:material_id>/versions/new/",
        views_materials.material_version_new,
        name="field-material-version-new",
    ),
    path(
        "materials/versions/<int:version_id>/status/",
        views_materials.material_version_status,
        name="field-material-version-status",
    ),
    path(
        "materials/versions/<int:version_id>/file/",
        views_materials.material_version_file,
        name="field-material-version-file",
    ),
]
