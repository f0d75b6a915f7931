"""Forms of the knowledge-base pages. Shape only: content checks live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pharmacrm.catalog.models import Product
from pharmacrm.field.forms_tasks import style_bootstrap
from pharmacrm.field.models import MaterialKind, MaterialStatus


class MaterialVersionForm(forms.Form):
    """The content of a new version: a file (PDF, image, text) or a text body, and expiry."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_bootstrap(self)

    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, PNG, JPEG, GIF, WebP or UTF-8 text, up to 20 MB."),
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The body of a text material, or notes that search should find."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("After this day the version can no longer be shown to customers."),
    )


class MaterialForm(MaterialVersionForm):
    """A new material with its first version."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    therapeutic_area = forms.CharField(
        label=_("Therapeutic area"),
        required=False,
        max_length=7,
        help_text=_("An ATC code or its prefix, e.g. C10 for lipid modifying agents."),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"), queryset=Product.objects.none(), required=False
    )
    field_order = ["title", "kind", "therapeutic_area", "products", "file", "text", "expires_on"]

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products  # type: ignore[attr-defined]


class MaterialStatusForm(forms.Form):
    """Approve or withdraw a version."""

    status = forms.ChoiceField(
        choices=[
            (MaterialStatus.APPROVED, MaterialStatus.APPROVED.label),
            (MaterialStatus.WITHDRAWN, MaterialStatus.WITHDRAWN.label),
        ]
    )
    reason = forms.CharField(required=False, max_length=200)
