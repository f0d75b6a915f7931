"""Tables of the field force (DESIGN.md, Field force): call plans, visits and tasks.

Visits and tasks are audited (``HistoricalRecords``) because a manager judges reps by them and
a correction after the fact must show who changed what and why.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pharmacrm.accounts.models import Account, AccountKind, AccountTier, Contact, Grade
from pharmacrm.catalog.models import Product


class VisitChannel(models.TextChoices):
    """How the rep reached the customer."""

    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    REMOTE = "remote", _("Remote meeting")
    MESSENGER = "messenger", _("Messenger")


class CallPlanRule(models.Model):
    """How often a rep must see an account of one grade and tier (and optionally kind).

    A rule with an empty ``kind`` applies to every kind of its tier; a rule naming the kind
    wins over it (a grade S hospital is seen more often than a grade S clinic).
    """

    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices)
    tier = models.CharField(_("tier"), max_length=20, choices=AccountTier.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices, blank=True)
    visits_per_month = models.PositiveSmallIntegerField(_("visits per month"))
    in_person_goal = models.PositiveSmallIntegerField(_("in-person visits a month"), default=0)
    phone_goal = models.PositiveSmallIntegerField(_("phone calls a month"), default=0)
    remote_goal = models.PositiveSmallIntegerField(_("remote meetings a month"), default=0)
    messenger_goal = models.PositiveSmallIntegerField(_("messenger contacts a month"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call-plan rule")
        verbose_name_plural = _("call-plan rules")
        ordering = ["grade", "tier", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["grade", "tier", "kind"], name="field_callplanrule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade} {self.tier} {self.kind or '*'}: {self.visits_per_month}"


class CallPlan(models.Model):
    """The accounts a rep must see in a period (both ends inclusive) and how often."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="call_plans",
        verbose_name=_("rep"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call plan")
        verbose_name_plural = _("call plans")
        ordering = ["-period_start", "rep_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "period_start", "period_end"], name="field_callplan_unique"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="field_callplan_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.period_start}–{self.period_end}"

    def clean(self) -> None:
        """The period must not end before it starts."""
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


class CallPlanLine(models.Model):
    """One account (optionally one contact there) in a plan, with its visit goals."""

    plan = models.ForeignKey(
        CallPlan, on_delete=models.CASCADE, related_name="lines", verbose_name=_("call plan")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    planned_visits = models.PositiveSmallIntegerField(_("planned visits"))
    in_person_goal = models.PositiveSmallIntegerField(_("in-person visits"), default=0)
    phone_goal = models.PositiveSmallIntegerField(_("phone calls"), default=0)
    remote_goal = models.PositiveSmallIntegerField(_("remote meetings"), default=0)
    messenger_goal = models.PositiveSmallIntegerField(_("messenger contacts"), default=0)
    products = models.ManyToManyField(
        Product, blank=True, related_name="+", verbose_name=_("priority products")
    )
    is_manual = models.BooleanField(
        _("edited by hand"),
        default=False,
        help_text=_("Regeneration from the rules leaves a line a manager edited alone."),
    )
    history = HistoricalRecords(m2m_fields=[products])

    class Meta:
        verbose_name = _("call-plan line")
        verbose_name_plural = _("call-plan lines")
        ordering = ["plan_id", "account_id"]
        constraints = [
            # One generated line per account; contact-level lines are added by hand.
            models.UniqueConstraint(
                fields=["plan", "account"],
                condition=Q(contact__isnull=True),
                name="field_callplanline_account_unique",
            ),
            models.UniqueConstraint(
                fields=["plan", "account", "contact"],
                condition=Q(contact__isnull=False),
                name="field_callplanline_contact_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} × {self.planned_visits}"


class VisitStatus(models.TextChoices):
    """A visit is planned until the rep logs it as done."""

    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")


class Visit(models.Model):
    """A call on an account: planned, or done with what was said, shown and given."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("rep"),
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="visits", verbose_name=_("account")
    )
    contacts = models.ManyToManyField(
        Contact, blank=True, related_name="visits", verbose_name=_("contacts met")
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=VisitChannel.choices, default=VisitChannel.IN_PERSON
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DONE
    )
    at = models.DateTimeField(_("at"))
    products = models.ManyToManyField(
        Product, blank=True, related_name="visits", verbose_name=_("products discussed")
    )
    key_messages = models.TextField(_("key messages"), blank=True)
    samples = models.CharField(_("samples or gifts"), max_length=300, blank=True)
    samples_qty = models.PositiveIntegerField(_("samples or gifts quantity"), default=0)
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Comma-separated tags.")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[contacts, products])

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["rep", "at"], name="field_visit_rep_at"),
            models.Index(fields=["account", "at"], name="field_visit_account_at"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.at:%Y-%m-%d}"

    def clean(self) -> None:
        """Samples given need a description; a quantity alone says nothing."""
        if self.samples_qty and not self.samples.strip():
            raise ValidationError({"samples": _("Describe the samples or gifts given.")})


class TaskStatus(models.TextChoices):
    """Open until done or cancelled."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """Something a user must do by a date: a follow-up, a call back, a document to bring."""

    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="field_tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("visit"),
    )
    reminder_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["assignee", "due_on"], name="field_task_assignee_due")]

    def __str__(self) -> str:
        return self.title
