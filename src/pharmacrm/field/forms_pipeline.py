"""Forms of the pipeline pages. Shape only: stage rules and reasons live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pharmacrm.accounts.models import Account
from pharmacrm.field.models import OpportunityKind, OpportunityStage


class OpportunityForm(forms.Form):
    """A new or edited opportunity; the account list is the rep's visible prospects."""

    account = forms.ModelChoiceField(
        queryset=Account.objects.none(),
        label=_("Account"),
        help_text=_("Prospective accounts in your territory."),
    )
    title = forms.CharField(max_length=200, label=_("Title"))
    kind = forms.ChoiceField(choices=OpportunityKind.choices, label=_("Kind"))
    expected_value = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, label=_("Expected value")
    )
    currency = forms.CharField(
        max_length=3, initial="CNY", label=_("Currency"), help_text=_("ISO 4217, e.g. CNY.")
    )
    probability = forms.IntegerField(
        min_value=0, max_value=100, label=_("Probability (%)"), help_text=_("0 to 100.")
    )
    expected_close_on = forms.DateField(
        required=False,
        label=_("Expected close"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, accounts: QuerySet[Account] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if accounts is None:
            # Editing: the account of an opportunity does not change.
            del self.fields["account"]
        else:
            self.fields["account"].queryset = accounts  # type: ignore[attr-defined]

    def clean_currency(self) -> str:
        """Currencies are stored upper-case."""
        return str(self.cleaned_data["currency"]).strip().upper()


class OpportunityMoveForm(forms.Form):
    """Move to another stage; won and lost need a reason (checked by ``opportunity_move``)."""

    stage = forms.ChoiceField(choices=OpportunityStage.choices, label=_("Move to stage"))
    reason = forms.CharField(
        required=False,
        max_length=300,
        label=_("Win or loss reason"),
        help_text=_("Required when closing as won or lost."),
    )


class OpportunityReassignForm(forms.Form):
    """Hand the opportunity to another rep; the choices are ``opportunity_owner_candidates``."""

    owner = forms.TypedChoiceField(choices=(), coerce=int, label=_("New owner"))
    reason = forms.CharField(required=False, max_length=300, label=_("Reason"))

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = candidates  # type: ignore[attr-defined]


class PipelineFilterForm(forms.Form):
    """Filters of the pipeline list: stage, owner and kind."""

    stage = forms.ChoiceField(
        required=False, choices=[("", _("All stages")), *OpportunityStage.choices], label=_("Stage")
    )
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Owner"))
    kind = forms.ChoiceField(
        required=False, choices=[("", _("All kinds")), *OpportunityKind.choices], label=_("Kind")
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("All owners")), *owners]  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
