"""Back office for territories and assignments (administrators only, see core.admin_site)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from pharmacrm.territories.models import Assignment, Territory


@admin.register(Territory)
class TerritoryAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Nodes, filterable by level and by the adapters' "needs review" flag."""

    list_display = ("code", "name", "level", "parent", "needs_review")
    list_filter = ("level", "needs_review")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Dated assignments; ending one keeps it as history."""

    list_display = ("user", "territory", "starts_on", "ends_on")
    list_filter = ("starts_on",)
    search_fields = ("user__username", "territory__code", "territory__name")
    autocomplete_fields = ("territory",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("user", "territory")
