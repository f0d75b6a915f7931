"""The territory tree and dated assignments of users to its nodes (DESIGN.md, Territory).

An account sits in one leaf territory; a user covers a node (and so its subtree) between two
dates. Assignments are never edited away when a rep leaves: a handover closes one and opens
another, so "who covered this pharmacy in March" stays answerable.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TerritoryLevel(models.TextChoices):
    """Usual levels of the tree; installations may use ``other`` for extra layers."""

    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    OTHER = "other", _("Other")


class Territory(models.Model):
    """A node of the territory tree (country → region → … → leaf).

    ``needs_review`` marks nodes an import adapter created on its own (a registry named a
    region we did not know); an administrator confirms or renames them.
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(
        _("level"), max_length=20, choices=TerritoryLevel.choices, default=TerritoryLevel.OTHER
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    needs_review = models.BooleanField(_("needs review"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        """Refuse a parent that is the node itself or one of its descendants (a cycle)."""
        node = self.parent
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A territory cannot be placed under itself or its own subtree.")}
                )
            node = node.parent


class Assignment(models.Model):
    """A user covers a territory node from ``starts_on`` to ``ends_on`` (both inclusive).

    An open end (``ends_on`` empty) means "until further notice".
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="territory_assignments",
        verbose_name=_("user"),
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("territory"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "starts_on"], name="assignment_user_start")]

    def __str__(self) -> str:
        end = self.ends_on.isoformat() if self.ends_on else "…"
        return f"{self.user} · {self.territory} · {self.starts_on.isoformat()}–{end}"

    def is_active_on(self, on: date) -> bool:
        """True when the assignment covers the day ``on``."""
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)
