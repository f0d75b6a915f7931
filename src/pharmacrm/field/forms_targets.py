"""Forms of the targets pages. Shape only: the rules live in ``target_upsert``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pharmacrm.catalog.models import Product
from pharmacrm.core.models import User
from pharmacrm.field.services import targets as target_services
from pharmacrm.territories.models import Territory


class PeriodField(forms.CharField):
    """A month (``2026-01``) or a quarter (``2026Q1``), cleaned into a ``Period``."""

    def clean(self, value: Any) -> target_services.Period:  # noqa: ANN401 - form data
        """Parse the text; the error message shows both spellings."""
        text = super().clean(value)
        try:
            return target_services.period_parse(text)
        except ValueError as refused:
            raise ValidationError(str(refused)) from refused


class TargetForm(forms.Form):
    """One target entered by hand; rep and territory lists are the manager's team and nodes."""

    rep = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Rep"))
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.none(), required=False, label=_("Territory")
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        label=_("Product"),
        help_text=_("Leave empty for a target over all products."),
    )
    period = PeriodField(
        label=_("Period"), help_text=_("A quarter as 2026Q1 or a month as 2026-01.")
    )
    amount = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0, label=_("Amount"))
    quantity = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, label=_("Quantity (packs)")
    )
    currency = forms.CharField(max_length=3, initial="CNY", label=_("Currency"))

    def __init__(
        self,
        *args: Any,
        reps: QuerySet[User],
        territories: QuerySet[Territory],
        products: QuerySet[Product],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps  # type: ignore[attr-defined]
        self.fields["territory"].queryset = territories  # type: ignore[attr-defined]
        self.fields["product"].queryset = products  # type: ignore[attr-defined]


class TargetImportForm(forms.Form):
    """An Excel or CSV file of targets, with a dry run to see every error first."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Excel or CSV with columns rep, territory, product, period, amount, quantity, "
            "currency (English, Chinese or Russian headers)."
        ),
    )
    dry_run = forms.BooleanField(
        required=False, initial=True, label=_("Dry run: check every row, store nothing")
    )
