"""The upload form: file, kind, mapping choice and dry run."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pharmacrm.core.importkit.registry import adapter_names, kind_names, load_kinds
from pharmacrm.warehouse import selectors as warehouse_selectors

SUGGESTED = ""
"""The mapping choice meaning: suggest columns from the file's headers."""


def mapping_choices() -> list[tuple[str, str]]:
    """Choices: suggested, adapters of each kind (``adapter:NAME``), ``template:NAME``."""
    load_kinds()
    choices: list[tuple[str, str]] = [(SUGGESTED, str(_("Suggest from the file's headers")))]
    for kind in kind_names():
        choices += [(f"adapter:{name}", f"{kind}: {name}") for name in adapter_names(kind)]
    choices += [
        (f"template:{name}", str(_("template %(name)s") % {"name": name}))
        for name in warehouse_selectors.mapping_template_names()
    ]
    return choices


class UploadForm(forms.Form):
    """What the upload page asks for; ``staged`` carries a previewed file to the import step."""

    file = forms.FileField(label=_("File"), required=False)
    staged = forms.CharField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"))
    mapping = forms.ChoiceField(label=_("Mapping"), required=False)
    source = forms.CharField(
        label=_("Source"), required=False, max_length=100,
        help_text=_("The distributor or POS the file comes from (its partition)."),
    )  # fmt: skip
    save_as = forms.CharField(
        label=_("Save the suggested mapping as"), required=False, max_length=100
    )
    dry_run = forms.BooleanField(label=_("Dry run (validate only, store nothing)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        load_kinds()
        kind_field = self.fields["kind"]
        mapping_field = self.fields["mapping"]
        assert isinstance(kind_field, forms.ChoiceField)
        assert isinstance(mapping_field, forms.ChoiceField)
        kind_field.choices = [(name, name) for name in kind_names()]
        mapping_field.choices = mapping_choices()
