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
