"""Reads of the core app: the audit trail of any audited record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value in an audit entry."""

    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditEntry:
    """One create/update/delete of a record: who, when, what changed."""

    at: datetime
    user: str
    action: str  # "+" created, "~" changed, "-" deleted
    reason: str
    changes: tuple[FieldChange, ...]


def _display(value: Any) -> str:
    return "" if value is None else str(value)


def audit_history_for(*, obj: Model, limit: int = 50) -> list[AuditEntry]:
    """The newest ``limit`` audit entries of ``obj`` with their field changes.

    Works for any model registered with django-simple-history (``history`` attribute);
    returns an empty list for models that are not audited.
    """
    history = getattr(obj, "history", None)
    if history is None:
        return []
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries: list[AuditEntry] = []
    model = type(obj)
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                try:
                    label = str(
                        getattr(model._meta.get_field(change.field), "verbose_name", change.field)
                    )
                except Exception:  # noqa: BLE001 - a field removed since the entry was written
                    label = change.field
                changes.append(
                    FieldChange(change.field, label, _display(change.old), _display(change.new))
                )
        user = record.history_user
        entries.append(
            AuditEntry(
                at=record.history_date,
                user=user.get_username() if user is not None else "system",
                action=record.history_type,
                reason=record.history_change_reason or "",
                changes=tuple(changes),
            )
        )
    return entries


def api_token_list() -> list[Any]:
    """Every API token, newest first, with its user."""
    from pharmacrm.core.models import ApiToken

    return list(ApiToken.objects.select_related("user").order_by("-created_at"))


def task_result_get(*, result_id: str) -> dict[str, Any]:
    """A background task's state as plain data; raises ``Http404`` for an unknown id."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.http import Http404
    from django_tasks_db.models import DBTaskResult

    try:
        row = DBTaskResult.objects.get(pk=result_id)
    except (DBTaskResult.DoesNotExist, ValueError, DjangoValidationError) as exc:
        raise Http404(result_id) from exc
    return {
        "id": str(row.pk),
        "task": row.task_path.rsplit(".", 1)[-1],
        "status": str(row.status),
        "enqueued_at": row.enqueued_at,
        "finished_at": row.finished_at,
        "result": row.return_value if str(row.status) == "SUCCESSFUL" else None,
    }


def task_result_list(*, limit: int = 20) -> list[dict[str, Any]]:
    """The newest background tasks as plain data."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.order_by("-enqueued_at")[:limit]
    return [task_result_get(result_id=str(r.pk)) for r in rows]
