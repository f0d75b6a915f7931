"""Tables of the field force (DESIGN.md, Field force): call plans, visits and tasks.

Visits and tasks are audited (``HistoricalRecords``) because a manager judges reps by them and
a correction after the fact must show who changed what and why.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pharmacrm.accounts.models import Account, AccountKind, AccountTier, Contact, Grade
from pharmacrm.catalog.models import Product, currency_validator
from pharmacrm.territories.models import Territory


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
    materials: models.ManyToManyField[MaterialVersion, Any] = models.ManyToManyField(
        "MaterialVersion",
        blank=True,
        related_name="visits",
        verbose_name=_("materials shown"),
        help_text=_("Only approved material that has not expired can be attached."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    client_uuid = models.UUIDField(
        _("device id of the visit"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Set by the offline app so that a visit synced twice is stored once."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "Raised by every change; an offline edit based on an older version is a conflict."
        ),
    )
    history = HistoricalRecords(m2m_fields=[contacts, products, materials])

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
    reminder_sent_at = models.DateTimeField(
        _("reminder sent at"), null=True, blank=True, editable=False
    )
    description = models.TextField(_("description"), blank=True)
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delegated by"),
        help_text=_("Who handed this task on to its assignee."),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["assignee", "due_on"], name="field_task_assignee_due"),
            models.Index(
                fields=["reminder_at"],
                condition=Q(reminder_sent_at__isnull=True),
                name="field_task_reminder_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A secret, revocable address of a user's iCalendar feed (visits and tasks).

    Only the SHA-256 of the secret is stored, like an API token: the address is shown once
    when it is made; revoking sets ``revoked_at`` and the address answers 404 from then on.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("user"),
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class MaterialKind(models.TextChoices):
    """What a piece of the knowledge base is."""

    PDF = "pdf", _("PDF document")
    IMAGE = "image", _("Image")
    TEXT = "text", _("Text")


class MaterialStatus(models.TextChoices):
    """Only approved material may be shown to customers (and attached to a visit)."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Material(models.Model):
    """An academic or marketing material of the knowledge base; its content lives in versions."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    therapeutic_area = models.CharField(
        _("therapeutic area"),
        max_length=7,
        blank=True,
        help_text=_("An ATC code or its prefix, e.g. C10 for lipid modifying agents."),
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="materials", verbose_name=_("products")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[products])

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class MaterialVersion(models.Model):
    """One version of a material: the file or text, its approval status and expiry date."""

    material = models.ForeignKey(
        Material, on_delete=models.CASCADE, related_name="versions", verbose_name=_("material")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="materials/%Y/%m/", blank=True)
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_("The body of a text material, or text taken from the file for search."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MaterialStatus.choices, default=MaterialStatus.DRAFT
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("material version")
        verbose_name_plural = _("material versions")
        ordering = ["material_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["material", "number"], name="field_materialversion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material} v{self.number}"


class OpportunityKind(models.TextChoices):
    """What kind of new business an opportunity would bring."""

    HOSPITAL_LISTING = "hospital_listing", _("Hospital listing")
    NEW_CHAIN = "new_chain", _("New pharmacy chain")
    NEW_DISTRIBUTOR = "new_distributor", _("New distributor")
    NEW_PHARMACY = "new_pharmacy", _("New pharmacy")
    OTHER = "other", _("Other")


class OpportunityStage(models.TextChoices):
    """The stages of new-account development, in order; won and lost close it."""

    LEAD = "lead", _("Lead")
    QUALIFIED = "qualified", _("Qualified")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Opportunity(models.Model):
    """A prospective account a rep is developing, with expected value and probability."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OpportunityKind.choices)
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("account"),
        help_text=_("The prospect, usually an account with status prospect."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("owner"),
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=OpportunityStage.choices, default=OpportunityStage.LEAD
    )
    expected_value = models.DecimalField(_("expected value"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), help_text=_("Chance of winning, 0 to 100.")
    )
    expected_close_on = models.DateField(_("expected close"), null=True, blank=True)
    close_reason = models.CharField(_("win or loss reason"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="field_opportunity_probability_max"
            )
        ]
        indexes = [models.Index(fields=["owner", "stage"], name="field_opp_owner_stage")]

    def __str__(self) -> str:
        return self.title


class OpportunityStageChange(models.Model):
    """One move of an opportunity between stages: the data behind conversion rates."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="stage_changes",
        verbose_name=_("opportunity"),
    )
    from_stage = models.CharField(
        _("from stage"), max_length=12, choices=OpportunityStage.choices, blank=True
    )
    to_stage = models.CharField(_("to stage"), max_length=12, choices=OpportunityStage.choices)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity_id", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.from_stage or '-'} → {self.to_stage}"


class TargetPeriod(models.TextChoices):
    """How long a target's period is."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Target(models.Model):
    """A sales target for a rep or a territory, optionally for one product, over one period.

    Amount is in ``currency``; quantity (packs) is optional. One target per
    (rep, territory, product, period): a re-import updates it instead of adding a second.
    ``key`` spells that tuple out because SQLite cannot make a unique constraint treat empty
    (NULL) rep, territory or product as equal; ``save()`` fills it, bulk writers must call
    ``Target.key_for``.
    """

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_targets",
        verbose_name=_("rep"),
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_targets",
        verbose_name=_("territory"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_targets",
        verbose_name=_("product"),
    )
    period = models.CharField(_("period type"), max_length=10, choices=TargetPeriod.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("target amount"), max_digits=16, decimal_places=2)
    quantity = models.DecimalField(
        _("target quantity"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("The file it was imported from, if any."),
    )
    key = models.CharField(max_length=120, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rep__isnull=False) | Q(territory__isnull=False),
                name="field_target_rep_or_territory",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="field_target_period_order",
            ),
        ]

    def __str__(self) -> str:
        who = self.rep or self.territory
        return f"{who} {self.period_start}–{self.period_end}: {self.amount} {self.currency}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Keep ``key`` in step with the fields it is made of."""
        self.key = self.key_for(
            self.rep_id, self.territory_id, self.product_id, self.period_start, self.period_end
        )
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def key_for(
        rep_id: int | None,
        territory_id: int | None,
        product_id: int | None,
        period_start: object,
        period_end: object,
    ) -> str:
        """The natural key of a target as one string (empty parts stay empty)."""
        parts = (rep_id, territory_id, product_id, period_start, period_end)
        return "|".join("" if part is None else str(part) for part in parts)
