"""URLs of the warehouse pages (mounted at ``/warehouse/``)."""

from __future__ import annotations

from django.urls import path

from pharmacrm.warehouse import views

app_name = "warehouse"

urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("upload/", views.upload, name="upload"),
    path("jobs/<int:job_id>/", views.job_detail, name="job-detail"),
    path(
        "jobs/<int:job_id>/quarantine/<int:index>.<str:fmt>",
        views.quarantine_download,
        name="quarantine",
    ),
]
