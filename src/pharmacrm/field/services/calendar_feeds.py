"""Making and revoking the secret addresses of users' iCalendar feeds.

A calendar application cannot sign in, so the feed is reached by a long random secret in its
address. Only the SHA-256 of the secret is stored (like an API token): a database leak does
not leak the addresses, and the address is shown exactly once, when it is made. Revoking sets
``revoked_at``; the address answers 404 from then on.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.core.models import User
from pharmacrm.field.models import CalendarFeed

# 32 random bytes: 256 bits, as many as the hash keeps; URL-safe base64 (43 characters).
SECRET_BYTES = 32


def calendar_feed_secret_hash(secret: str) -> str:
    """The stored form of a feed secret (hex SHA-256)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def calendar_feed_create(*, by: User) -> tuple[CalendarFeed, str]:
    """Make a new feed address for ``by``; return the feed and its secret (shown once)."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    feed = CalendarFeed.objects.create(user=by, secret_hash=calendar_feed_secret_hash(secret))
    return feed, secret


def calendar_feed_revoke(*, by: User, feed: CalendarFeed) -> CalendarFeed:
    """Revoke ``feed`` now; only its owner may. Revoking twice keeps the first time.

    Raises ``ValidationError`` naming ``feed`` when ``by`` does not own it.
    """
    if feed.user_id != by.pk:
        raise ValidationError({"feed": _("This calendar address is not yours.")})
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed


def calendar_feed_touch(*, feed: CalendarFeed) -> None:
    """Record that a calendar application fetched the feed (shown on the feeds page)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
