"""Forms of the core pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pharmacrm.core.models import User
from pharmacrm.core.roles import Role


class UserEditForm(forms.ModelForm[User]):
    """What an administrator may change about a user on the user page."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in Role],
        help_text=_("What the user may do. Which records they see follows their territories."),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "preferred_language", "is_active"]
        help_texts = {
            "is_active": _("Untick instead of deleting: history and assignments stay."),
        }
