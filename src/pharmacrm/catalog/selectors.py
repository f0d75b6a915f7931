"""Reads of the catalog app: product lists and look-ups, prices on a date.

Products are not territory-scoped: every role with ``catalog.view_product`` sees the whole
catalogue (DESIGN.md, Roles). Other apps resolve source codes to products only through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from pharmacrm.catalog.models import ChannelPrice, Product

PRODUCT_SEARCH_FIELDS = ("sku_code", "brand", "inn", "atc_code", "manufacturer__name")
"""Lookups the product list's search box matches (every word must match one of them)."""


@dataclass(frozen=True)
class ProductFilters:
    """Narrowing of the product list; empty values do not filter.

    ``atc_code`` matches a code and everything below it (``N02`` finds ``N02BE01``).
    """

    category: str = ""
    rx_otc: str = ""
    atc_code: str = ""
    manufacturer_id: int | None = None
    is_active: bool | None = None


def product_list(*, filters: ProductFilters | None = None) -> QuerySet[Product]:
    """Products matching ``filters``, with their manufacturer loaded (one query per page)."""
    filters = filters or ProductFilters()
    queryset = Product.objects.select_related("manufacturer")
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.rx_otc:
        queryset = queryset.filter(rx_otc=filters.rx_otc)
    if filters.atc_code:
        queryset = queryset.filter(atc_code__startswith=filters.atc_code.strip().upper())
    if filters.manufacturer_id is not None:
        queryset = queryset.filter(manufacturer_id=filters.manufacturer_id)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return queryset


def product_search(*, queryset: QuerySet[Product], q: str) -> QuerySet[Product]:
    """Keep products where every word of ``q`` appears in the SKU, brand, INN, ATC or maker."""
    for word in q.split():
        condition = Q()
        for lookup in PRODUCT_SEARCH_FIELDS:
            condition |= Q(**{f"{lookup}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def product_get(*, product_id: int) -> Product:
    """One product with its manufacturer; raises ``Http404`` when there is none."""
    return get_object_or_404(Product.objects.select_related("manufacturer"), pk=product_id)


def product_ids_by_sku(*, sku_codes: Iterable[str]) -> dict[str, int]:
    """Map the given SKU codes to product ids; unknown codes are simply absent."""
    codes = list(dict.fromkeys(sku_codes))
    found: dict[str, int] = {}
    for start in range(0, len(codes), 2000):
        chunk = codes[start : start + 2000]
        found.update(Product.objects.filter(sku_code__in=chunk).values_list("sku_code", "pk"))
    return found


def channel_price_list(*, product: Product) -> QuerySet[ChannelPrice]:
    """Every channel price of ``product``, by channel and newest period first."""
    return product.channel_prices.order_by("channel", "-valid_from")


def channel_price_on(*, product: Product, channel: str, on: date) -> ChannelPrice | None:
    """The price of ``product`` in ``channel`` valid on the day ``on``, if any."""
    return (
        product.channel_prices.filter(channel=channel, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )
