"""Forms of the managers' pages: a visit correction and a plan-line edit. Shape only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pharmacrm.catalog.models import Product
from pharmacrm.field.models import VisitChannel, VisitStatus


class VisitCorrectionForm(forms.Form):
    """What a manager may correct on a rep's visit, and why (the reason is required)."""

    at = forms.DateTimeField(
        label=_("At"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    channel = forms.ChoiceField(choices=VisitChannel.choices, label=_("Channel"))
    status = forms.ChoiceField(choices=VisitStatus.choices, label=_("Status"))
    outcome = forms.CharField(required=False, widget=forms.Textarea, label=_("Outcome"))
    next_step = forms.CharField(required=False, max_length=300, label=_("Next step"))
    notes = forms.CharField(required=False, widget=forms.Textarea, label=_("Notes"))
    reason = forms.CharField(
        max_length=300,
        label=_("Reason for the correction"),
        help_text=_("Kept in the visit's history beside your name."),
    )


class PlanLineForm(forms.Form):
    """A manager's edit of one plan line: visit goals and priority products."""

    planned_visits = forms.IntegerField(min_value=0, max_value=999, label=_("Planned visits"))
    in_person_goal = forms.IntegerField(min_value=0, max_value=999, label=_("In-person visits"))
    phone_goal = forms.IntegerField(min_value=0, max_value=999, label=_("Phone calls"))
    remote_goal = forms.IntegerField(min_value=0, max_value=999, label=_("Remote meetings"))
    messenger_goal = forms.IntegerField(min_value=0, max_value=999, label=_("Messenger contacts"))
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(),
        required=False,
        label=_("Priority products"),
        help_text=_("The products the rep should detail at this account."),
    )
    reason = forms.CharField(
        max_length=300,
        required=False,
        label=_("Reason"),
        help_text=_("Optional; kept in the line's history."),
    )

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products  # type: ignore[attr-defined]


class VisitEditForm(forms.Form):
    """A rep's edit of their own visit, based on the version the page was loaded with."""

    base_version = forms.IntegerField(widget=forms.HiddenInput)
    at = forms.DateTimeField(
        label=_("At"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    channel = forms.ChoiceField(choices=VisitChannel.choices, label=_("Channel"))
    status = forms.ChoiceField(choices=VisitStatus.choices, label=_("Status"))
    outcome = forms.CharField(required=False, widget=forms.Textarea, label=_("Outcome"))
    next_step = forms.CharField(required=False, max_length=300, label=_("Next step"))
    notes = forms.CharField(required=False, widget=forms.Textarea, label=_("Notes"))
    reason = forms.CharField(
        required=False,
        max_length=300,
        label=_("Reason for the change"),
        help_text=_("Required once the visit is logged as done; kept in its history."),
    )
