"""The field app: what reps plan, do and follow up."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """Call plans, visits and tasks of the field force."""

    name = "pharmacrm.field"
    label = "field"
    verbose_name = _("Field force")
    default_auto_field = "django.db.models.BigAutoField"
