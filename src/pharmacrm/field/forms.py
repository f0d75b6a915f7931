"""Forms of the field pages. Shape only: the territory rule lives in ``visit_log``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pharmacrm.accounts.models import Account
from pharmacrm.field import selectors_materials
from pharmacrm.field.models import MaterialVersion, VisitChannel, VisitStatus


class VisitLogForm(forms.Form):
    """A visit to log; the account list is the rep's visible accounts."""

    account = forms.ModelChoiceField(queryset=Account.objects.none(), label=_("Account"))
    at = forms.DateTimeField(
        label=_("At"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    channel = forms.ChoiceField(
        choices=VisitChannel.choices, initial=VisitChannel.IN_PERSON, label=_("Channel")
    )
    status = forms.ChoiceField(
        choices=VisitStatus.choices, initial=VisitStatus.DONE, label=_("Status")
    )
    key_messages = forms.CharField(required=False, widget=forms.Textarea, label=_("Key messages"))
    samples = forms.CharField(required=False, max_length=300, label=_("Samples or gifts"))
    samples_qty = forms.IntegerField(required=False, min_value=0, label=_("Quantity"))
    outcome = forms.CharField(required=False, widget=forms.Textarea, label=_("Outcome"))
    next_step = forms.CharField(required=False, max_length=300, label=_("Next step"))
    follow_up_on = forms.DateField(
        required=False, label=_("Follow up on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(required=False, widget=forms.Textarea, label=_("Notes"))
    keywords = forms.CharField(required=False, max_length=300, label=_("Keywords"))
    materials = forms.ModelMultipleChoiceField(
        queryset=MaterialVersion.objects.none(),
        required=False,
        label=_("Materials shown"),
        help_text=_("Approved material of the knowledge base that has not expired."),
    )

    def __init__(self, *args: Any, accounts: QuerySet[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        # Offered: what may be shown today; visit_log re-checks on the visit's own date.
        self.fields["materials"].queryset = selectors_materials.material_versions_attachable(  # type: ignore[attr-defined]
            on=timezone.localdate()
        )

    def values(self) -> dict[str, Any]:
        """Cleaned values as ``visit_log`` keywords (an empty quantity is 0)."""
        values = dict(self.cleaned_data)
        values["samples_qty"] = values.get("samples_qty") or 0
        return values
