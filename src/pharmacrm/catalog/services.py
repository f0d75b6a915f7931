"""Writes of the catalog app: products and channel prices, one audited change at a time or in bulk.

Every write records who made it in the audit trail (django-simple-history); a bulk upsert is
one transaction, so an import killed half-way leaves no partial state, and a row whose values
did not change is not written at all, so re-importing the same file adds nothing — not even
audit entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from pharmacrm.catalog.atc import normalise_atc_code
from pharmacrm.catalog.models import ChannelPrice, Product
from pharmacrm.core.models import User

PRODUCT_FIELDS = (
    "inn",
    "brand",
    "atc_code",
    "category",
    "rx_otc",
    "form",
    "strength",
    "pack",
    "manufacturer_id",
    "list_price",
    "cost_price",
    "currency",
    "is_active",
)
"""Fields a product import or form may set (besides ``sku_code``, the natural key)."""


@dataclass(frozen=True)
class UpsertResult:
    """What a bulk upsert did: how many rows it created, changed and left as they were."""

    created: int
    updated: int
    unchanged: int


def _prepare(values: Mapping[str, Any]) -> dict[str, Any]:
    prepared = dict(values)
    if prepared.get("atc_code"):
        prepared["atc_code"] = normalise_atc_code(prepared["atc_code"])
    for name in ("list_price", "cost_price"):
        if prepared.get(name) is not None and not isinstance(prepared[name], Decimal):
            prepared[name] = Decimal(str(prepared[name]))
    return prepared


def product_create(*, by: User, sku_code: str, brand: str, **values: Any) -> Product:
    """Create a product after full validation.

    Raises
    ------
    django.core.exceptions.ValidationError
        Naming each invalid field (a malformed ATC code, a taken SKU code, a negative price).
    """
    unknown = set(values) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"not product fields: {', '.join(sorted(unknown))}")
    product = Product(sku_code=sku_code.strip(), brand=brand, **_prepare(values))
    product.full_clean()
    product._history_user = by  # type: ignore[attr-defined]
    product.save()
    return product


def product_update(*, by: User, product: Product, **values: Any) -> Product:
    """Change some fields of ``product``; the audit entry records the old and new values.

    Raises
    ------
    django.core.exceptions.ValidationError
        Naming each invalid field; nothing is saved then.
    """
    unknown = set(values) - {*PRODUCT_FIELDS, "sku_code"}
    if unknown:
        raise TypeError(f"not product fields: {', '.join(sorted(unknown))}")
    for name, value in _prepare(values).items():
        setattr(product, name, value)
    product.full_clean()
    product._history_user = by  # type: ignore[attr-defined]
    product.save()
    return product


def product_upsert_many(
    *, by: User | None, rows: Sequence[Mapping[str, Any]], batch_size: int = 2000
) -> UpsertResult:
    """Create or update products by ``sku_code`` in one transaction.

    ``rows`` are already validated (the import kit checked each value; the caller checked
    duplicates within the file). Rows equal to what is stored are skipped, so a re-import
    writes nothing. New and changed rows get one audit entry each, made by ``by``.
    """
    prepared = [_prepare(row) for row in rows]
    codes = [row["sku_code"] for row in prepared]
    existing: dict[str, Product] = {}
    for start in range(0, len(codes), batch_size):
        chunk = codes[start : start + batch_size]
        existing.update(
            (product.sku_code, product) for product in Product.objects.filter(sku_code__in=chunk)
        )
    to_create: list[Product] = []
    to_update: list[Product] = []
    changed_fields: set[str] = set()
    for row in prepared:
        product = existing.get(row["sku_code"])
        values = {name: row[name] for name in PRODUCT_FIELDS if name in row}
        if product is None:
            to_create.append(Product(**{"sku_code": row["sku_code"], **values}))
            continue
        differing = {name for name, value in values.items() if getattr(product, name) != value}
        if differing:
            for name in differing:
                setattr(product, name, values[name])
            changed_fields |= differing
            to_update.append(product)
    with transaction.atomic():
        if to_create:
            bulk_create_with_history(to_create, Product, batch_size=batch_size, default_user=by)
        if to_update:
            bulk_update_with_history(
                to_update,
                Product,
                sorted({*changed_fields, "updated_at"}),
                batch_size=batch_size,
                default_user=by,
            )
    return UpsertResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(prepared) - len(to_create) - len(to_update),
    )


def channel_price_set(
    *,
    by: User,
    product: Product,
    channel: str,
    price: Decimal,
    valid_from: date,
    valid_to: date | None = None,
    currency: str | None = None,
) -> ChannelPrice:
    """Record a product's price in a channel for a date range.

    Raises
    ------
    django.core.exceptions.ValidationError
        When the range overlaps another price of the same product and channel, ends before it
        starts, or the price is negative.
    """
    channel_price = ChannelPrice(
        product=product,
        channel=channel.strip(),
        price=price,
        valid_from=valid_from,
        valid_to=valid_to,
        currency=currency or product.currency,
    )
    channel_price.full_clean()
    channel_price._history_user = by  # type: ignore[attr-defined]
    channel_price.save()
    return channel_price


def product_deactivate_many(*, by: User, products: Iterable[Product]) -> int:
    """Mark products inactive (kept for history, hidden from pickers); returns how many changed."""
    changed = 0
    with transaction.atomic():
        for product in products:
            if not product.is_active:
                continue
            product.is_active = False
            product._history_user = by  # type: ignore[attr-defined]
            product.save(update_fields=["is_active", "updated_at"])
            changed += 1
    return changed
