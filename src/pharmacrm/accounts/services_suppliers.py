"""Writes of supplier assignments: which supplier manager looks after which upstream supplier.

Like the territories' assignments: dated, never deleted (ending one keeps it as history),
``full_clean()`` before saving and the acting user (``by``) in the audit trail.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pharmacrm.accounts.models import Account, SupplierAssignment
from pharmacrm.core.models import User


def _save(assignment: SupplierAssignment, *, by: User | None) -> None:
    assignment.full_clean()
    assignment._history_user = by  # type: ignore[attr-defined]
    assignment.save()


def supplier_assignment_create(
    *,
    by: User | None,
    user: User,
    supplier: Account,
    starts_on: date,
    ends_on: date | None = None,
    note: str = "",
) -> SupplierAssignment:
    """Make ``user`` manage ``supplier`` from ``starts_on`` to ``ends_on`` (inclusive).

    ``ValidationError`` (see ``SupplierAssignment.clean``) for a user without the
    supplier-manager role, an account that is not upstream, or a period overlapping the same
    user's own assignment of the same supplier. Audited with ``by`` as the author.
    """
    assignment = SupplierAssignment(
        user=user, supplier=supplier, starts_on=starts_on, ends_on=ends_on, note=note
    )
    _save(assignment, by=by)
    return assignment


def supplier_assignment_end(
    *, by: User | None, assignment: SupplierAssignment, ends_on: date
) -> SupplierAssignment:
    """Close the assignment on ``ends_on`` (the last day managed); the row stays as history."""
    if ends_on < assignment.starts_on:
        raise ValidationError(
            {
                "ends_on": _("The end date cannot be before the start date %(starts_on)s.")
                % {"starts_on": assignment.starts_on.isoformat()}
            }
        )
    assignment.ends_on = ends_on
    _save(assignment, by=by)
    return assignment
