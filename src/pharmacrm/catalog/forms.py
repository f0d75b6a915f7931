"""Forms of the catalog pages; the rules stay in the model and the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pharmacrm.catalog.atc import normalise_atc_code
from pharmacrm.catalog.models import Dispensing, Product, ProductCategory


class ProductForm(forms.ModelForm[Product]):
    """Create or edit a product; the ATC code is normalised before the model validates it."""

    class Meta:
        model = Product
        fields = [
            "sku_code",
            "brand",
            "inn",
            "atc_code",
            "category",
            "rx_otc",
            "form",
            "strength",
            "pack",
            "manufacturer",
            "list_price",
            "cost_price",
            "currency",
            "is_active",
        ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, field in self.fields.items():
            css = "form-check-input" if name == "is_active" else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean_atc_code(self) -> str:
        return normalise_atc_code(self.cleaned_data.get("atc_code") or "")


class ProductFilterForm(forms.Form):
    """The product list's filters, read from the query string."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories"))] + ProductCategory.choices,
    )
    rx_otc = forms.ChoiceField(
        label=_("Rx/OTC"), required=False, choices=[("", _("Rx and OTC"))] + Dispensing.choices
    )
    atc = forms.CharField(label=_("ATC code starts with"), required=False, max_length=7)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))],
    )
