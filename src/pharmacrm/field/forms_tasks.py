"""Forms of the task pages. Shape only: who may assign to whom lives in the task services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pharmacrm.accounts.models import Account
from pharmacrm.core.models import User


def style_bootstrap(form: forms.Form) -> None:
    """Give every widget of ``form`` Bootstrap's control class (select, check or input)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class _UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username  # type: ignore[no-any-return]


class TaskForm(forms.Form):
    """A new task, or the editable fields of an open one (no assignee when editing)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    reminder_at = forms.DateTimeField(
        label=_("Remind me at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("An e-mail goes to the assignee at this time (within 15 minutes)."),
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), label=_("Account"), required=False
    )
    assignee = _UserChoiceField(
        queryset=User.objects.none(),
        label=_("Assignee"),
        required=False,
        help_text=_("Leave empty to keep the task yourself."),
    )

    def __init__(
        self,
        *args: Any,
        accounts: QuerySet[Account],
        assignees: QuerySet[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        if assignees is None:
            del self.fields["assignee"]
        else:
            self.fields["assignee"].queryset = assignees  # type: ignore[attr-defined]
        style_bootstrap(self)


class TaskDelegateForm(forms.Form):
    """Hand a task to someone else, saying why."""

    assignee = _UserChoiceField(queryset=User.objects.none(), label=_("New assignee"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees  # type: ignore[attr-defined]
        style_bootstrap(self)


class TaskCancelForm(forms.Form):
    """Cancel a task, saying why (kept in the audit trail)."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
