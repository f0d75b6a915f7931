"""URLs of the core pages."""

from __future__ import annotations

from django.urls import path

from pharmacrm.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("system/users/", views.user_list, name="user-list"),
    path("system/users/<int:user_id>/", views.user_detail, name="user-detail"),
    path("system/tasks/", views.task_list, name="task-list"),
    path("system/tasks/system-check/", views.task_system_check, name="task-system-check"),
]
