"""URLs of the field force, mounted at ``/field/``."""

from __future__ import annotations

from django.urls import path

from pharmacrm.field import views

urlpatterns = [
    path("", views.day_plan, name="field-day-plan"),
    path("visits/new/", views.visit_log, name="field-visit-log"),
]
