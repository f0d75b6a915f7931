"""URLs of the territory pages, mounted at ``/territories/``."""

from __future__ import annotations

from django.urls import path

from pharmacrm.territories import views

urlpatterns = [
    path("", views.territory_tree, name="territory-tree"),
    path("assignments/", views.assignment_create, name="assignment-create"),
    path("handover/", views.territory_handover, name="territory-handover"),
]
