"""Back office for users and API tokens, with the audit history of each."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from pharmacrm.core import services as core_services
from pharmacrm.core.models import ApiToken, ScheduledJob, User


@admin.register(User)
class PharmaUserAdmin(SimpleHistoryAdmin, UserAdmin):  # type: ignore[misc]
    """Users with their role groups; the History button shows the audit trail."""

    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ("preferred_language",)}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Tokens are created here; the raw value is shown once in a message, then only its hash."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        by = request.user
        assert isinstance(by, User)
        token, raw = core_services.api_token_create(by=by, user=obj.user, name=obj.name)
        obj.pk = token.pk
        obj.prefix, obj.token_hash, obj.created_at = (
            token.prefix,
            token.token_hash,
            token.created_at,
        )
        messages.warning(
            request, _("Copy the token now, it will not be shown again: %(raw)s") % {"raw": raw}
        )

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        by = request.user
        assert isinstance(by, User)
        for token in queryset:
            core_services.api_token_revoke(by=by, token=token)


@admin.register(ScheduledJob)
class ScheduledJobAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """The periodic jobs the worker enqueues."""

    list_display = ("name", "task_path", "interval_minutes", "next_run_at", "is_enabled")
    list_filter = ("is_enabled",)
    readonly_fields = ("last_enqueued_at", "last_task_id")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "task_path":
            from django import forms

            from pharmacrm.core.schedule import SCHEDULABLE

            return forms.ChoiceField(
                choices=[(p, p) for p in sorted(SCHEDULABLE)], label=db_field.verbose_name
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
