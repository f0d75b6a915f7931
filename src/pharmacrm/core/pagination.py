"""The API's limit/offset pagination: ninja's, with an upper bound on ``offset``.

SQL ``OFFSET`` is a 64-bit integer: SQLite raises ``OverflowError`` beyond it, so ninja's
stock pagination answered ``?offset=9223372036854775808`` with a 500. Every paginated
endpoint uses this class instead, which refuses such an offset with a 422 before any query
runs. No list of ours comes near a billion rows.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 1_000_000_000


class BoundedPagination(LimitOffsetPagination):
    """Limit (settings' default and maximum) and offset (0 to :data:`MAX_OFFSET`)."""

    class Input(Schema):
        limit: int = Field(
            ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
