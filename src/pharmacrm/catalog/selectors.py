"""Reads of the catalog app: product lists and look-ups, prices on a date.

Products are not territory-scoped: every role with ``catalog.view_product`` sees the whole
catalogue, except the supplier manager, who sees the products of the suppliers assigned to
them (DESIGN.md, Roles). Pages, exports and the API read products through
:func:`product_list_for` and :func:`product_get_for`; other apps resolve source codes to
products through the unscoped look-ups here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.catalog.models import ChannelPrice, Product
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role

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


def product_scope_q(*, user: User, on: date | None = None) -> Q:
    """The filter of products ``user`` may see on ``on`` (today by default).

    A user whose only role is supplier manager sees the products made by the suppliers
    assigned to them on that date (``Product.manufacturer``); any other role sees the whole
    catalogue, so a user holding a second role keeps that role's sight. Anonymous and
    inactive users see nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.roles - {Role.SUPPLIER_MANAGER}:
        return Q()
    supplier_ids = account_selectors.supplier_ids_managed_by(user=user, on=on)
    return Q(manufacturer_id__in=sorted(supplier_ids))


def product_list_for(
    *, user: User, filters: ProductFilters | None = None, on: date | None = None
) -> QuerySet[Product]:
    """Products ``user`` may see on ``on``, narrowed by ``filters`` (see :func:`product_list`)."""
    return product_list(filters=filters).filter(product_scope_q(user=user, on=on))


def product_get_for(*, user: User, product_id: int, on: date | None = None) -> Product:
    """The product, if ``user`` may see it on ``on``; ``Http404`` otherwise (existence hidden)."""
    product = (
        Product.objects.select_related("manufacturer")
        .filter(product_scope_q(user=user, on=on), pk=product_id)
        .first()
    )
    if product is None:
        raise Http404(_("No such product."))
    return product


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
