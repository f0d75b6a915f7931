"""``{% snapshot_card kind customer_id %}``: a customer's analytics on the 360 pages.

A tag rather than a view change, so the accounts app's pages show the card with one line in
their templates and never import the insights app.
"""

from __future__ import annotations

from typing import Any

from django import template

from pharmacrm.core.models import User
from pharmacrm.insights import selectors as insights_selectors

register = template.Library()


@register.inclusion_tag("insights/_snapshot_card.html", takes_context=True)
def snapshot_card(context: dict[str, Any], kind: str, customer_id: int) -> dict[str, Any]:
    """Render the analytics card of one account (``"account"``) or member (``"consumer"``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    roles: frozenset[str] = (
        frozenset(str(role) for role in user.roles)
        if isinstance(user, User) and user.is_active
        else frozenset()
    )
    card = insights_selectors.snapshot_card_for(roles=roles, kind=kind, customer_id=customer_id)
    return {"card": card, "row": card.snapshot, "kind": kind}
