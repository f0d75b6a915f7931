"""django-ninja In/Out schemas of the core API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class MeOut(Schema):
    """The signed-in user."""

    id: int
    username: str
    email: str
    roles: list[str]
    language: str


class TokenIn(Schema):
    """A token to create for a user."""

    username: str
    name: str


class TokenOut(Schema):
    """A token as listed (never the raw value)."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    """A newly created token: the raw value appears here only, once."""

    token: str


class TaskOut(Schema):
    """A background task's state and, when finished, its return value."""

    id: str
    task: str
    status: str
    enqueued_at: datetime | None
    finished_at: datetime | None
    result: Any = None
