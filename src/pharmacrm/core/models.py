"""Users and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pharmacrm.core.roles import Role


class User(AbstractUser):
    """A person who signs in. Their role is the group they belong to (see ``roles``)."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("view_audit", _("Can view the audit trail"))]

    @property
    def roles(self) -> set[Role]:
        """The user's roles; superusers count as administrators."""
        names = {g.name for g in self.groups.all()}
        found = {r for r in Role if r.value in names}
        if self.is_superuser:
            found.add(Role.ADMINISTRATOR)
        return found

    def has_role(self, *roles: Role) -> bool:
        """True when the user holds any of ``roles``."""
        return bool(self.roles & set(roles))


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for API clients, stored only as its SHA-256 hash.

    The raw value is shown once, when an administrator creates it; revoking sets
    ``revoked_at`` so the audit keeps the token's existence.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw() -> str:
        """A fresh random token value: 'pcrm_' + 40 url-safe characters."""
        return "pcrm_" + secrets.token_urlsafe(30)

    @staticmethod
    def hash(raw: str) -> str:
        """The stored form of a raw token."""
        return _hash_token(raw)


class ScheduledJob(models.Model):
    """A task the worker enqueues every ``interval_minutes`` (reminders, weekly summaries, runs).

    The worker's scheduler loop reads this table; claiming a due job is a compare-and-set on
    ``next_run_at`` so two workers never enqueue the same occurrence twice.
    """

    name = models.SlugField(_("name"), max_length=80, unique=True)
    task_path = models.CharField(
        _("task"),
        max_length=200,
        help_text=_("Dotted path of a task registered in pharmacrm.core.schedule.SCHEDULABLE."),
    )
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    interval_minutes = models.PositiveIntegerField(_("every (minutes)"), default=60 * 24)
    next_run_at = models.DateTimeField(_("next run at"))
    is_enabled = models.BooleanField(_("enabled"), default=True)
    last_enqueued_at = models.DateTimeField(_("last queued at"), null=True, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)
    history = HistoricalRecords(excluded_fields=["next_run_at", "last_enqueued_at", "last_task_id"])

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_minutes__gte=1), name="scheduledjob_interval_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name
