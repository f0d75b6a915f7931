"""The value-rule form of the grade rule editor (positions are changed by moving rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from pharmacrm.insights.grades_models import GradeRule
from pharmacrm.insights.models import CustomerKind


class GradeRuleForm(forms.ModelForm[GradeRule]):
    """Name, grade and conditions of one rule; potential only on account rules."""

    class Meta:
        model = GradeRule
        fields = (
            "name",
            "grade",
            "abc_classes",
            "vip_only",
            "min_clv",
            "min_p_alive",
            "min_revenue",
            "min_potential",
        )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != CustomerKind.ACCOUNT:
            del self.fields["min_potential"]
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else None
            field.widget.attrs["class"] = css or "form-control form-control-sm"
