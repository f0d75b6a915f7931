"""django-ninja schemas of the knowledge-base API (``/api/v1/field/materials``). Shape only."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class MaterialOut(Schema):
    """A material in a list."""

    id: int
    title: str
    kind: str
    therapeutic_area: str
    product_ids: list[int]


class MaterialVersionOut(Schema):
    """One version the caller may see; ``file_url`` serves the file after the same check."""

    id: int
    number: int
    status: str
    expires_on: date | None
    approved_by_id: int | None
    approved_at: datetime | None
    file_url: str | None


class MaterialDetailOut(MaterialOut):
    """A material with the versions the caller may see, newest first."""

    versions: list[MaterialVersionOut]


class MaterialStatusIn(Schema):
    """``approved`` or ``withdrawn``, with an optional reason for a withdrawal."""

    status: str
    reason: str = ""
