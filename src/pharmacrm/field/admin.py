"""Admin of the field force: rules, plans with their lines, visits and tasks (audited)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pharmacrm.field.models import CallPlan, CallPlanLine, CallPlanRule, Task, Visit


@admin.register(CallPlanRule)
class CallPlanRuleAdmin(SimpleHistoryAdmin):
    """Grade × tier rules; editing them changes the next generated plans."""

    list_display = ("grade", "tier", "kind", "visits_per_month")
    list_filter = ("grade", "tier")


class CallPlanLineInline(admin.TabularInline):
    """Lines edited inside their plan."""

    model = CallPlanLine
    raw_id_fields = ("account", "contact")
    filter_horizontal = ("products",)
    extra = 0


@admin.register(CallPlan)
class CallPlanAdmin(SimpleHistoryAdmin):
    """A rep's plan for a period."""

    list_display = ("rep", "period_start", "period_end")
    list_filter = ("period_start",)
    raw_id_fields = ("rep",)
    inlines = [CallPlanLineInline]


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    """Visits, with their audit history."""

    list_display = ("at", "rep", "account", "channel", "status")
    list_filter = ("status", "channel")
    search_fields = ("account__name", "notes", "keywords")
    raw_id_fields = ("rep", "account", "contacts", "products")
    date_hierarchy = "at"


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    """Tasks and follow-ups."""

    list_display = ("title", "due_on", "assignee", "status")
    list_filter = ("status",)
    raw_id_fields = ("assignee", "created_by", "account", "visit")


# Knowledge base and calendar feeds (issue 9, items 3 and 7). Approval goes through the
# pages (services record who and when); the back office shows the state and the history.
from pharmacrm.field.models import CalendarFeed, Material, MaterialVersion  # noqa: E402


class MaterialVersionInline(admin.TabularInline):
    """Versions of a material, read-only: a new version is uploaded on the material's page."""

    model = MaterialVersion
    fields = ("number", "status", "expires_on", "approved_by", "approved_at", "file")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Material)
class MaterialAdmin(SimpleHistoryAdmin):
    """Materials of the knowledge base with their versions."""

    list_display = ("title", "kind", "therapeutic_area", "owner", "created_at")
    list_filter = ("kind",)
    search_fields = ("title", "therapeutic_area")
    raw_id_fields = ("owner", "products")
    inlines = [MaterialVersionInline]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Feed addresses (only their hashes): an administrator may revoke a leaked one."""

    list_display = ("user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    raw_id_fields = ("user",)
    readonly_fields = ("user", "created_at", "last_used_at")
