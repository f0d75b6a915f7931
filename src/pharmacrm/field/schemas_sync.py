"""Schemas of the offline sync endpoint. Shape only; the sync rules live in the service."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ninja import Field, Schema

# A device that was offline for a week holds a few dozen visits; the app sends at most this
# many per request and the rest in the next one.
MAX_BATCH = 200


class VisitSyncIn(Schema):
    """A visit queued on the device: new when ``base_version`` is null, else an edit.

    An edit names its visit by ``visit_id`` (or by the ``client_uuid`` it was created with);
    ``contact_ids`` / ``product_ids`` left out keep the visit's own.
    """

    client_uuid: uuid.UUID
    base_version: int | None = None
    visit_id: int | None = None
    account_id: int
    at: datetime
    channel: str = "in_person"
    status: str = "done"
    contact_ids: list[int] | None = None
    product_ids: list[int] | None = None
    key_messages: str = ""
    samples: str = ""
    samples_qty: int = Field(0, ge=0)
    outcome: str = ""
    next_step: str = ""
    follow_up_on: date | None = None
    notes: str = ""
    keywords: str = ""
    reason: str = ""


class VisitSyncBatchIn(Schema):
    """The device's queue, oldest first."""

    visits: list[VisitSyncIn] = Field(..., max_length=MAX_BATCH)


class SyncErrorOut(Schema):
    """Why a queued visit was refused, by field."""

    field: str
    message: str


class VisitSyncResultOut(Schema):
    """What became of one queued visit: created, duplicate, updated, conflict or refused."""

    client_uuid: uuid.UUID
    outcome: str
    visit_id: int | None
    version: int | None
    message: str
    errors: list[SyncErrorOut]


class VisitSyncOut(Schema):
    """One result per queued visit, in the order sent."""

    results: list[VisitSyncResultOut]
