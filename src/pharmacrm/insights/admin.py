"""Back office for the insights app: runs and saved lists to inspect, the snapshot read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from pharmacrm.insights.models import AnalyticsRun, CustomerSnapshot, SavedCustomerList


@admin.register(AnalyticsRun)
class AnalyticsRunAdmin(admin.ModelAdmin[AnalyticsRun]):
    """Runs are written by the run service only; the back office shows them."""

    list_display = (
        "pk",
        "as_of",
        "engine",
        "status",
        "requested_by",
        "started_at",
        "customer_count",
    )
    list_filter = ("status", "engine")
    readonly_fields = [f.name for f in AnalyticsRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CustomerSnapshot)
class CustomerSnapshotAdmin(admin.ModelAdmin[CustomerSnapshot]):
    """The snapshot is the last run's output: searchable, never edited by hand."""

    list_display = (
        "customer_kind",
        "customer_key",
        "rfm_segment",
        "lifecycle_stage",
        "abc_class",
        "is_vip",
        "monetary",
    )
    list_filter = ("customer_kind", "rfm_segment", "lifecycle_stage", "abc_class", "is_vip")
    search_fields = ("=customer_key",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(SavedCustomerList)
class SavedCustomerListAdmin(admin.ModelAdmin[SavedCustomerList]):
    """Saved lists: renamed or deleted here; their customers are frozen when saved."""

    list_display = ("name", "customer_kind", "size", "created_by", "created_at")
    list_filter = ("customer_kind",)
    search_fields = ("name",)
    readonly_fields = ("customer_keys", "filters", "size", "run", "created_by", "created_at")
