"""django-ninja In/Out schemas of the territories API."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class TerritoryOut(Schema):
    """A node of the tree."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    needs_review: bool


class TerritoryIn(Schema):
    """Create or update a node by code; ``parent_code`` names an existing node."""

    code: str
    name: str
    level: str = "other"
    parent_code: str | None = None


class AssignmentOut(Schema):
    """A dated assignment of a user to a node."""

    id: int
    user_id: int
    username: str
    territory_id: int
    starts_on: date
    ends_on: date | None


class AssignmentIn(Schema):
    """A new assignment."""

    username: str
    territory_code: str
    starts_on: date
    ends_on: date | None = None


class HandoverIn(Schema):
    """Hand a departing user's nodes to a successor from ``on``."""

    from_username: str
    to_username: str
    on: date
