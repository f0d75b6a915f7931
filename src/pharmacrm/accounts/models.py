"""Tables of the customer master (DESIGN.md, Data model), every one audited.

Account, its qualification documents and relations, Contact and Consumer.

``search_key`` columns hold a normalised form of the searchable text (see ``search.py``); the
services keep them current, and the typo-tolerant search reads only them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pharmacrm.core.roles import Role
from pharmacrm.territories.models import Territory


class AccountKind(models.TextChoices):
    """What sort of organisation an account is."""

    MANUFACTURER = "manufacturer", _("Manufacturer")
    DISTRIBUTOR = "distributor", _("Distributor")
    HOSPITAL = "hospital", _("Hospital")
    CLINIC = "clinic", _("Clinic")
    PHARMACY = "pharmacy", _("Pharmacy")
    PHARMACY_CHAIN = "pharmacy_chain", _("Pharmacy chain")
    ONLINE_STORE = "online_store", _("Online store")
    TENDER_AGENCY = "tender_agency", _("Tender agency")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class AccountTier(models.TextChoices):
    """Where an account stands relative to us in the supply chain."""

    UPSTREAM = "upstream", _("Upstream (supplier)")
    DOWNSTREAM = "downstream", _("Downstream (distributor)")
    TERMINAL = "terminal", _("Terminal (hospital, pharmacy)")
    PERIPHERAL = "peripheral", _("Peripheral (agency, media)")


class AccountStatus(models.TextChoices):
    """Life of a customer relationship; see ``STATUS_TRANSITIONS``."""

    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    TERMINATED = "terminated", _("Terminated")


# Allowed moves: a terminated account may be reopened only as a prospect (a new relationship
# starts from scratch); dormant and terminated need a reason.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    AccountStatus.PROSPECT: frozenset({AccountStatus.ACTIVE, AccountStatus.TERMINATED}),
    AccountStatus.ACTIVE: frozenset({AccountStatus.DORMANT, AccountStatus.TERMINATED}),
    AccountStatus.DORMANT: frozenset({AccountStatus.ACTIVE, AccountStatus.TERMINATED}),
    AccountStatus.TERMINATED: frozenset({AccountStatus.PROSPECT}),
}
STATUSES_NEEDING_REASON = frozenset({AccountStatus.DORMANT, AccountStatus.TERMINATED})


class Grade(models.TextChoices):
    """Value grade, editable by hand and later set by value rules over analytics."""

    S = "S", "S"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Account(models.Model):
    """An organisation: supplier, distributor, hospital, pharmacy, chain, agency and so on."""

    code = models.CharField(
        _("code"), max_length=64, unique=True, help_text=_("External code, e.g. the registry's.")
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    tier = models.CharField(_("tier"), max_length=20, choices=AccountTier.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent (chain)"),
    )
    province = models.CharField(_("province / state"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.PROSPECT
    )
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    potential = models.DecimalField(
        _("potential"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("territory"),
    )
    hospital_grade = models.CharField(_("hospital grade"), max_length=40, blank=True)
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    departments = models.TextField(_("departments"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        verbose_name=_("merged into"),
        editable=False,
    )
    search_key = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_key", "updated_at"])

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["territory", "name"], name="account_territory_name"),
            # The list's sorts (city, status, grade; then name and id) read in index order:
            # ORDER BY city alone left a 3,000-row sort per city page for a director.
            models.Index(fields=["city", "name", "id"], name="account_city_name"),
            models.Index(fields=["status", "name", "id"], name="account_status_name"),
            models.Index(fields=["grade", "name", "id"], name="account_grade_name"),
            models.Index(fields=["name"], name="account_name"),
            # The region filter's choices walk it one province at a time (selectors).
            models.Index(fields=["province"], name="account_province"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A chain cannot contain itself; a dormant or terminated status needs a reason."""
        node = self.parent
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("An account cannot belong to itself or to its own outlets.")}
                )
            node = node.parent
        if self.status in STATUSES_NEEDING_REASON and not self.status_reason.strip():
            raise ValidationError(
                {
                    "status_reason": _("Say why the account is %(status)s.")
                    % {"status": self.get_status_display()}
                }
            )
        if self.territory is not None and self.territory.children.exists():
            raise ValidationError(
                {
                    "territory": _("Choose a leaf territory; %(territory)s has sub-territories.")
                    % {"territory": self.territory.name}
                }
            )


class DocumentKind(models.TextChoices):
    """Qualification documents a pharma trade partner must hold."""

    BUSINESS_LICENCE = "business_licence", _("Business licence")
    PHARMACY_LICENCE = "pharmacy_licence", _("GSP / pharmacy licence")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")


class QualificationDocument(models.Model):
    """A licence or contract of an account, with the date it expires.

    ``reminded_for`` holds the expiry date a reminder was last sent for, so the daily
    reminder job sends one e-mail per expiry even when it runs many times, and a renewed
    document (new expiry date) gets its own reminder.
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="documents", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=100)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    reminded_for = models.DateField(editable=False, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("qualification document")
        verbose_name_plural = _("qualification documents")
        ordering = ["expires_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "number"], name="document_unique_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class RelationKind(models.TextChoices):
    """Typed edges of the account network, read "from → to"."""

    SUPPLIES = "supplies", _("supplies")
    DISTRIBUTES_TO = "distributes_to", _("distributes to")
    BELONGS_TO_CHAIN = "belongs_to_chain", _("belongs to chain")
    INFLUENCES = "influences", _("influences")
    PARTNERS_WITH = "partners_with", _("partners with")


class AccountRelation(models.Model):
    """A typed, directed relation between two accounts ("A supplies B")."""

    from_account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="relations_out",
        verbose_name=_("from account"),
    )
    to_account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="relations_in",
        verbose_name=_("to account"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=RelationKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account relation")
        verbose_name_plural = _("account relations")
        constraints = [
            models.UniqueConstraint(
                fields=["from_account", "to_account", "kind"], name="relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_account=models.F("to_account")), name="relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_account} {self.get_kind_display()} {self.to_account}"


class Channel(models.TextChoices):
    """Channels we may contact a person through; consent is kept per channel."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    MESSENGER = "messenger", _("Messenger")
    POST = "post", _("Post")


class Contact(models.Model):
    """A person at an account: doctor, pharmacist, buyer, head of department."""

    code = models.CharField(_("code"), max_length=64, blank=True)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("role / title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    specialty = models.CharField(_("specialty"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    messenger_id = models.CharField(_("messenger id"), max_length=100, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_key_contact = models.BooleanField(_("key contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    consent_email = models.BooleanField(_("consents to e-mail"), default=False)
    consent_sms = models.BooleanField(_("consents to SMS"), default=False)
    consent_phone = models.BooleanField(_("consents to phone calls"), default=False)
    consent_messenger = models.BooleanField(_("consents to messenger"), default=False)
    search_key = models.TextField(editable=False, blank=True, default="")
    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="contact_code_unique"
            )
        ]
        indexes = [models.Index(fields=["account", "name"], name="contact_account_name")]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    """Gender as loyalty programmes record it."""

    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Unknown")


class Consumer(models.Model):
    """A loyalty member of a pharmacy chain (may number in millions).

    Personal data (name, phone, e-mail, birth date) is what erasure removes; card number
    becomes a tombstone; gender, birth year, region, home outlet and registration date stay,
    so aggregates over members do not change.
    """

    card_no = models.CharField(_("card number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    province = models.CharField(_("province / state"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    home_outlet = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_consumers",
        verbose_name=_("home outlet"),
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consumer")
        verbose_name_plural = _("consumers")
        ordering = ["card_no"]
        indexes = [models.Index(fields=["home_outlet"], name="consumer_home_outlet")]

    def __str__(self) -> str:
        return self.card_no


class ConsumerConsent(models.Model):
    """A consumer's current consent for one channel: when it was given or withdrawn, and how.

    The audit trail of this table is the consent history (every change is kept).
    """

    consumer = models.ForeignKey(
        Consumer, on_delete=models.CASCADE, related_name="consents", verbose_name=_("consumer")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    at = models.DateTimeField(_("at"))
    source = models.CharField(
        _("source"), max_length=100, help_text=_("Where it was given: app, till, form, import …")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consumer consent")
        verbose_name_plural = _("consumer consents")
        constraints = [
            models.UniqueConstraint(fields=["consumer", "channel"], name="consent_one_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.consumer} {self.channel} {self.granted}"


class SupplierAssignment(models.Model):
    """A supplier manager looks after an upstream supplier from ``starts_on`` to ``ends_on``.

    Built like the territories' ``Assignment``: both ends inclusive, an empty end means "until
    further notice", and a manager who moves on gets an end date rather than a deletion, so
    "who managed this manufacturer last spring" stays answerable. A supplier manager sees the
    suppliers assigned to them on a date, their contacts and their products (DESIGN.md roles
    table); nothing else of the customer master.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supplier_assignments",
        verbose_name=_("user"),
    )
    supplier = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="supplier_assignments",
        verbose_name=_("supplier"),
        help_text=_("An upstream account (a manufacturer or other supplier)."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier assignment")
        verbose_name_plural = _("supplier assignments")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="supplier_assignment_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "starts_on"], name="supplier_assignment_user_start")
        ]

    def __str__(self) -> str:
        end = self.ends_on.isoformat() if self.ends_on else "…"
        return f"{self.user} · {self.supplier} · {self.starts_on.isoformat()}–{end}"

    def clean(self) -> None:
        """Refuse a non-upstream account, a user who is not a supplier manager, an overlap.

        A link to someone without the role would grant nothing and only mislead whoever
        reads it; two overlapping periods of the same user and supplier would double-count
        them in reports. Here rather than in the service so the back-office form shows the
        message on the field.
        """
        if self.supplier_id is not None and self.supplier.tier != AccountTier.UPSTREAM:
            raise ValidationError(
                {
                    "supplier": _(
                        "%(account)s is not an upstream supplier; only upstream accounts can "
                        "be assigned to a supplier manager."
                    )
                    % {"account": self.supplier.name}
                }
            )
        if self.user_id is None:
            return
        if not self.user.has_role(Role.SUPPLIER_MANAGER):
            raise ValidationError(
                {"user": _("%(user)s is not a supplier manager.") % {"user": self.user}}
            )
        if self.supplier_id is None or self.starts_on is None:
            return
        overlapping = SupplierAssignment.objects.filter(
            user_id=self.user_id, supplier_id=self.supplier_id
        ).exclude(ends_on__lt=self.starts_on)
        if self.ends_on is not None:
            overlapping = overlapping.exclude(starts_on__gt=self.ends_on)
        if self.pk is not None:
            overlapping = overlapping.exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(
                {
                    "starts_on": _("%(user)s already manages %(supplier)s in that period.")
                    % {"user": self.user, "supplier": self.supplier.name}
                }
            )
