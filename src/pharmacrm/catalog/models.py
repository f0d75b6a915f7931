"""Products (SKUs) and their channel prices (DESIGN.md, Data model: Product).

A product is known by its ``sku_code`` — the code the company's ERP, invoices and receipts
carry — so imports upsert by it and warehouse facts resolve ``sku_code`` to a product.
Prices are ``Decimal`` with an ISO 4217 currency: every money figure carries one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pharmacrm.catalog.atc import validate_atc_code

currency_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Enter an ISO 4217 currency code of three capital letters, e.g. CNY.")
)


def _base_currency() -> str:
    return str(settings.BASE_CURRENCY)


class ProductCategory(models.TextChoices):
    """The pharmacy trade's top-level assortment groups (DESIGN.md)."""

    MEDICINES = "medicines", _("Medicines")
    VITAMINS_SUPPLEMENTS = "vitamins_supplements", _("Vitamins & supplements")
    CARE_COSMETICS = "care_cosmetics", _("Care & cosmetics")
    MOTHER_CHILD = "mother_child", _("Mother & child")
    MEDICAL_DEVICES = "medical_devices", _("Medical devices")
    OTHER = "other", _("Other")


class Dispensing(models.TextChoices):
    """Prescription status: Rx needs a prescription, OTC is sold over the counter.

    Empty means not known (a discontinued registry product, a device).
    """

    RX = "rx", _("Rx")
    OTC = "otc", _("OTC")


class Product(models.Model):
    """A sellable item (SKU): a medicine in one strength and pack, a cream, a thermometer.

    ``atc_code`` is optional (cosmetics and devices have none) but, when present, must have the
    shape of one ATC level; ``manufacturer`` is the upstream account, if known.
    """

    sku_code = models.CharField(_("SKU code"), max_length=64, unique=True)
    inn = models.CharField(
        _("INN"), max_length=300, blank=True, help_text=_("International non-proprietary name.")
    )
    brand = models.CharField(_("brand"), max_length=200)
    atc_code = models.CharField(
        _("ATC code"),
        max_length=7,
        blank=True,
        validators=[validate_atc_code],
        help_text=_("WHO ATC code, any level: N, N02, N02B, N02BE or N02BE01."),
    )
    category = models.CharField(
        _("category"),
        max_length=32,
        choices=ProductCategory.choices,
        default=ProductCategory.MEDICINES,
    )
    rx_otc = models.CharField(_("Rx/OTC"), max_length=3, choices=Dispensing.choices, blank=True)
    form = models.CharField(_("form"), max_length=120, blank=True)
    # Combination products list every ingredient's strength: Drugs@FDA has 206 characters.
    strength = models.CharField(_("strength"), max_length=400, blank=True)
    pack = models.CharField(_("pack"), max_length=120, blank=True)
    manufacturer = models.ForeignKey(
        "accounts.Account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="manufactured_products",
        verbose_name=_("manufacturer"),
    )
    list_price = models.DecimalField(
        _("list price"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cost_price = models.DecimalField(
        _("cost price"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default=_base_currency, validators=[currency_validator]
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive products are kept for history.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(list_price__isnull=True) | Q(list_price__gte=0),
                name="product_list_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cost_price__isnull=True) | Q(cost_price__gte=0),
                name="product_cost_price_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["brand"], name="product_brand"),
            models.Index(fields=["inn"], name="product_inn"),
            models.Index(fields=["atc_code"], name="product_atc"),
        ]

    def __str__(self) -> str:
        label = " ".join(part for part in (self.brand, self.strength) if part)
        return f"{label} ({self.sku_code})"


class ChannelPrice(models.Model):
    """The price of a product in one sales channel over a date range (both ends inclusive).

    Channels are free text codes (``retail``, ``tmall``, ``hospital-tender``…) because each
    installation names its own. Ranges of one product and channel must not overlap, so "the
    price on a date" has one answer.
    """

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="channel_prices", verbose_name=_("product")
    )
    channel = models.CharField(_("channel"), max_length=64)
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=4, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default=_base_currency, validators=[currency_validator]
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("channel price")
        verbose_name_plural = _("channel prices")
        ordering = ["product", "channel", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="channel_price_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="channel_price_not_negative"),
            models.UniqueConstraint(
                fields=["product", "channel", "valid_from"], name="channel_price_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku_code} · {self.channel} · {self.price} {self.currency}"

    def clean(self) -> None:
        """Refuse a date range that overlaps another price of the same product and channel."""
        if self.product_id is None or not self.channel or self.valid_from is None:
            return
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date must not be before the start.")})
        others = ChannelPrice.objects.filter(product_id=self.product_id, channel=self.channel)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        overlapping = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
        if self.valid_to is not None:
            overlapping = overlapping.filter(valid_from__lte=self.valid_to)
        if overlapping.exists():
            raise ValidationError(
                {
                    "valid_from": _(
                        "This period overlaps another %(channel)s price of the product."
                    )
                    % {"channel": self.channel}
                }
            )
