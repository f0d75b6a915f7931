"""Writes of the territories app: nodes, dated assignments and the handover of a departed rep.

Every write runs ``full_clean()`` before saving and records the acting user (``by``) in the
audit trail (django-simple-history reads ``_history_user``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pharmacrm.core.models import User
from pharmacrm.territories.models import Assignment, Territory, TerritoryLevel
from pharmacrm.territories.selectors import assignments_active_on


def _save(obj: Territory | Assignment, *, by: User | None) -> None:
    obj.full_clean()
    obj._history_user = by  # type: ignore[union-attr]
    obj.save()


def territory_upsert(
    *,
    by: User | None,
    code: str,
    name: str,
    level: str = TerritoryLevel.OTHER,
    parent: Territory | None = None,
    needs_review: bool = False,
) -> tuple[Territory, bool]:
    """Create the node with external ``code`` or update its name, level and parent.

    Re-running with the same values changes nothing and writes no audit entry (imports are
    re-run). An existing node keeps ``needs_review`` once it has been cleared: an adapter
    that meets a known region again must not flag it afresh. Returns ``(territory, created)``.
    """
    code = code.strip()
    if not code:
        raise ValidationError({"code": _("A territory needs a code.")})
    with transaction.atomic():
        territory = Territory.objects.select_for_update().filter(code=code).first()
        if territory is None:
            territory = Territory(
                code=code, name=name, level=level, parent=parent, needs_review=needs_review
            )
            _save(territory, by=by)
            return territory, True
        changed = (
            territory.name != name
            or territory.level != level
            or territory.parent_id != (parent.pk if parent else None)
        )
        if changed:
            territory.name = name
            territory.level = level
            territory.parent = parent
            _save(territory, by=by)
        return territory, False


def territory_review_clear(*, by: User, territory: Territory) -> Territory:
    """Confirm a node an adapter created (clears ``needs_review``)."""
    territory.needs_review = False
    _save(territory, by=by)
    return territory


def assignment_create(
    *,
    by: User | None,
    user: User,
    territory: Territory,
    starts_on: date,
    ends_on: date | None = None,
    note: str = "",
) -> Assignment:
    """Make ``user`` cover ``territory`` from ``starts_on`` to ``ends_on`` (inclusive).

    Refuses an exact overlap with the user's own assignment of the same node, which would
    double-count them in coverage reports.
    """
    overlapping = Assignment.objects.filter(user=user, territory=territory)
    overlapping = overlapping.exclude(ends_on__lt=starts_on)
    if ends_on is not None:
        overlapping = overlapping.exclude(starts_on__gt=ends_on)
    if overlapping.exists():
        raise ValidationError(
            {
                "starts_on": _("%(user)s already covers %(territory)s in that period.")
                % {"user": user.get_username(), "territory": territory.name}
            }
        )
    assignment = Assignment(
        user=user, territory=territory, starts_on=starts_on, ends_on=ends_on, note=note
    )
    _save(assignment, by=by)
    return assignment


def assignment_end(*, by: User | None, assignment: Assignment, ends_on: date) -> Assignment:
    """Close an assignment on ``ends_on`` (its last covered day); the row stays as history."""
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


def territory_handover(
    *, by: User | None, from_user: User, to_user: User, on: date, note: str = ""
) -> list[Assignment]:
    """Hand every node ``from_user`` covers on ``on`` to ``to_user``, from that day on.

    One action when a rep leaves: each active assignment of ``from_user`` ends the day
    before ``on`` (or is removed from the future if it had not started — it never did), and
    ``to_user`` gets a new assignment of the same node starting ``on`` with the old end
    date. History survives: nothing is deleted, so reports of past months still show who
    covered what. Returns the new assignments.
    """
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": _("Choose someone other than the departing user.")})
    created: list[Assignment] = []
    with transaction.atomic():
        active = list(
            assignments_active_on(on=on)
            .select_for_update()
            .filter(user=from_user)
            .select_related("territory")
            .order_by("territory__code")
        )
        for old in active:
            old_end = old.ends_on
            if old.starts_on < on:
                assignment_end(by=by, assignment=old, ends_on=on - timedelta(days=1))
            else:
                old._history_user = by  # type: ignore[attr-defined]
                old.delete()
            created.append(
                assignment_create(
                    by=by,
                    user=to_user,
                    territory=old.territory,
                    starts_on=on,
                    ends_on=old_end,
                    note=note or _("Handover from %(user)s") % {"user": from_user.get_username()},
                )
            )
    return created
