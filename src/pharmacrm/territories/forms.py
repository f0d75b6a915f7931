"""Forms of the territory pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pharmacrm.core.models import User
from pharmacrm.territories.models import Territory


class AssignmentForm(forms.Form):
    """Assign a user to a territory node for a period."""

    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.filter(is_active=True))
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.all())
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class HandoverForm(forms.Form):
    """Hand everything a departing user covers to a successor from a date."""

    from_user = forms.ModelChoiceField(label=_("Departing user"), queryset=User.objects.all())
    to_user = forms.ModelChoiceField(
        label=_("Successor"), queryset=User.objects.filter(is_active=True)
    )
    on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
