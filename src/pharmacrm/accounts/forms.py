"""Forms of the customer-master pages. They parse and validate shape; services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pharmacrm.accounts.models import (
    Account,
    AccountStatus,
    Contact,
    DocumentKind,
    RelationKind,
)
from pharmacrm.accounts.services import ACCOUNT_FIELDS, CONTACT_FIELDS
from pharmacrm.territories.models import Territory


def _bootstrap(form: forms.BaseForm, *, small: bool = False) -> None:
    """Give every widget its Bootstrap class, so the forms match the rest of the shell.

    ``small`` for the one-line forms in the cards of the 360 page.
    """
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if small and css != "form-check-input":
            css = f"{css} {css}-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if isinstance(widget, forms.Textarea):
            widget.attrs["rows"] = 3


class AccountForm(forms.ModelForm):
    """Create or edit an account; on create, a checkbox confirms a suspected duplicate."""

    confirm_duplicate = forms.BooleanField(
        label=_("Yes, this is a different organisation"), required=False
    )

    class Meta:
        model = Account
        fields = ("code", *ACCOUNT_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leaf_ids = Territory.objects.filter(children__isnull=True).values("pk")
        self.fields["territory"].queryset = Territory.objects.filter(pk__in=leaf_ids)  # type: ignore[attr-defined]
        self.fields["parent"].queryset = Account.objects.filter(  # type: ignore[attr-defined]
            kind__in=["pharmacy_chain", "distributor", "manufacturer", "hospital"],
            merged_into__isnull=True,
        )
        if self.instance.pk:
            self.fields["code"].disabled = True
            del self.fields["confirm_duplicate"]
        _bootstrap(self)

    def values(self) -> dict[str, Any]:
        """Cleaned values for ``account_create``/``account_update`` (without the code)."""
        return {name: self.cleaned_data[name] for name in ACCOUNT_FIELDS}


class StatusForm(forms.Form):
    """Move an account to another status, with the reason."""

    status = forms.ChoiceField(label=_("New status"), choices=AccountStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class MergeForm(forms.Form):
    """Name the duplicate (by code) to fold into the account on the page."""

    duplicate_code = forms.CharField(label=_("Code of the duplicate account"), max_length=64)


class RelationForm(forms.Form):
    """Add a typed relation from this account to another (by code)."""

    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    to_code = forms.CharField(label=_("Code of the other account"), max_length=64)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self, small=True)


class DocumentForm(forms.Form):
    """Record a qualification document of the account."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    number = forms.CharField(label=_("Number"), max_length=100)
    issued_on = forms.DateField(label=_("Issued on"), required=False)
    expires_on = forms.DateField(label=_("Expires on"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self, small=True)


class ContactForm(forms.ModelForm):
    """Create or edit a contact; the account list is limited to what the user sees."""

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, accounts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        _bootstrap(self)

    def values(self) -> dict[str, Any]:
        """Cleaned values for ``contact_create``/``contact_update``."""
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}
