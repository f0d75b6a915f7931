"""django-ninja In/Out schemas of the warehouse API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class ImportJobOut(Schema):
    """An import job as recorded: counts reconcile as read = stored + quarantined."""

    id: int
    kind: str
    status: str
    files: list[dict[str, str]]
    mapping_name: str
    mapping_version: int | None
    is_dry_run: bool
    rows_read: int
    rows_stored: int
    rows_quarantined: int
    codes_unresolved: int
    duplicates: int
    progress_done: int
    progress_total: int
    timings: dict[str, float]
    reports: list[dict[str, Any]]
    quarantine_files: list[str]
    error: str
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
