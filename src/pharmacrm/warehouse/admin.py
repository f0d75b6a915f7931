"""Back office for import jobs (read-only: jobs are records) and mapping templates."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from pharmacrm.warehouse.models import ImportJob, MappingTemplate


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Jobs are written by the import service only; the back office reads them."""

    list_display = ("pk", "kind", "status", "rows_read", "rows_stored", "rows_quarantined",
                    "created_by", "created_at")  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("kind", "mapping_name", "files")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MappingTemplate)
class MappingTemplateAdmin(admin.ModelAdmin):
    """Versions are immutable: a change is a new save through the service."""

    list_display = ("name", "version", "kind", "source", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "source")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
