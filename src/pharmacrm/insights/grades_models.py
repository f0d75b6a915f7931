"""Value rules that grade customers from the analytics snapshot, and the audit of grade changes.

DESIGN.md, Grade: S/A/B/C on accounts and consumers, set by value rules over the analytics
snapshot (ABC class, potential, CLV, Pareto share), audited. Rules are ordered per customer
kind; the first rule whose every condition holds gives the customer its grade, and a customer
no rule matches keeps no grade. Imported by :mod:`pharmacrm.insights.models` so Django finds
the tables.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pharmacrm.accounts.models import Grade
from pharmacrm.insights.models import AnalyticsRun, CustomerKind


class GradeRule(models.Model):
    """One ordered value rule: "customers with these analytics get this grade".

    Every filled condition must hold (AND); an empty condition does not restrict. A rule with
    no condition at all matches every customer of its kind (a catch-all, useful last).
    """

    customer_kind = models.CharField(_("customer kind"), max_length=10, choices=CustomerKind)
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Rules are tried in this order; the first that matches wins.")
    )
    name = models.CharField(_("name"), max_length=120)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices)
    abc_classes = models.CharField(
        _("ABC classes"),
        max_length=3,
        blank=True,
        help_text=_("Letters of the ABC classes that match, e.g. “A” or “AB”; empty: any class."),
    )
    vip_only = models.BooleanField(
        _("VIP only"),
        default=False,
        help_text=_("Only customers in the Pareto top share of revenue (the VIP flag)."),
    )
    min_clv = models.FloatField(
        _("minimum CLV"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Predicted customer lifetime value at least this (base currency)."),
    )
    min_p_alive = models.FloatField(
        _("minimum P(alive)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Probability that the customer is still active, 0 to 1."),
    )
    min_revenue = models.FloatField(
        _("minimum net revenue"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Net revenue over the analysed history at least this."),
    )
    min_potential = models.DecimalField(
        _("minimum potential"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Accounts only: the potential recorded on the account at least this."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grade rule")
        verbose_name_plural = _("grade rules")
        ordering = ["customer_kind", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_kind", "position"], name="grade_rule_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_kind} #{self.position} {self.name} → {self.grade}"

    @property
    def is_catch_all(self) -> bool:
        """True when no condition restricts the rule: it matches every customer."""
        return not (
            self.abc_classes
            or self.vip_only
            or self.min_clv is not None
            or self.min_p_alive is not None
            or self.min_revenue is not None
            or self.min_potential is not None
        )

    @property
    def condition_labels(self) -> list[str]:
        """The filled conditions in short words, for the rule list ("ABC ∈ AB", "VIP" …)."""
        labels = []
        if self.abc_classes:
            labels.append(f"ABC ∈ {self.abc_classes}")
        if self.vip_only:
            labels.append("VIP")
        if self.min_clv is not None:
            labels.append(f"CLV ≥ {self.min_clv:,.2f}")
        if self.min_p_alive is not None:
            labels.append(f"P(alive) ≥ {self.min_p_alive:g}")
        if self.min_revenue is not None:
            labels.append(str(_("net revenue ≥ %(value)s")) % {"value": f"{self.min_revenue:,.2f}"})
        if self.min_potential is not None:
            labels.append(str(_("potential ≥ %(value)s")) % {"value": f"{self.min_potential:,.2f}"})
        return labels


class GradeChange(models.Model):
    """One customer's grade changing: who or which run, by which rule, old → new.

    Written in bulk (one ``INSERT`` per batch) by :func:`pharmacrm.insights.grades.grades_apply`
    rather than one history row per model save, so re-grading a million loyalty members stays
    a bulk operation; only customers whose grade actually changes get a row.
    """

    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    run = models.ForeignKey(
        AnalyticsRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run"),
    )
    rule = models.ForeignKey(
        GradeRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule"),
    )
    rule_name = models.CharField(_("rule name"), max_length=120, blank=True)
    customer_kind = models.CharField(_("customer kind"), max_length=10, choices=CustomerKind)
    customer_key = models.BigIntegerField(_("customer id"))
    old_grade = models.CharField(_("old grade"), max_length=2, blank=True)
    new_grade = models.CharField(_("new grade"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["customer_kind", "customer_key"], name="grade_change_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_kind} {self.customer_key}: {self.old_grade} → {self.new_grade}"
