"""Users and API tokens."""

from __future__ import annotations

import hashlib
import itertools
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
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
        """The user's roles; superusers count as administrators.

        The role groups are read once per instance (every request loads its user afresh) and
        kept until any membership or role group changes in this process (see
        :func:`_role_groups_changed`): a page asked for the roles 5–7 times, one query each.
        """
        cached = self.__dict__.get("_role_cache")
        if cached is None or cached[0] != _role_generation.value:
            generation = _role_generation.value
            names = {g.name for g in self.groups.all()}
            cached = (generation, frozenset(r for r in Role if r.value in names))
            self.__dict__["_role_cache"] = cached
        found = set(cached[1])
        if self.is_superuser:
            found.add(Role.ADMINISTRATOR)
        return found

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        """Reload the fields and forget the cached roles."""
        self.__dict__.pop("_role_cache", None)
        super().refresh_from_db(*args, **kwargs)

    def has_role(self, *roles: Role) -> bool:
        """True when the user holds any of ``roles``."""
        return bool(self.roles & set(roles))


class _Generation:
    """A process-wide counter of role-group changes; a cached role set older than it is stale."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self.value = 0

    def bump(self) -> None:
        self.value = next(self._counter)  # itertools.count is atomic under the GIL


_role_generation = _Generation()


def role_generation() -> int:
    """Changes whenever a role membership or a role group changes in this process.

    Caches derived from a user's roles (a territory scope) keep it beside their value.
    """
    return _role_generation.value


@receiver(m2m_changed, sender=User.groups.through)
def _role_groups_changed(**_kwargs: Any) -> None:
    """Any membership change, from either side (``user.groups`` or ``group.user_set``)."""
    _role_generation.bump()


@receiver(post_save, sender=Group)
@receiver(post_delete, sender=Group)
def _role_group_saved(**_kwargs: Any) -> None:
    """A renamed or deleted group changes the roles of its members."""
    _role_generation.bump()


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
