"""Catalog API: products (list with filters and search, read, create, change) and their prices."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.catalog import services as catalog_services
from pharmacrm.catalog.models import ChannelPrice, Product
from pharmacrm.catalog.schemas import (
    ChannelPriceIn,
    ChannelPriceOut,
    ProductCreateIn,
    ProductOut,
    ProductUpdateIn,
)
from pharmacrm.core.models import User
from pharmacrm.core.pagination import BoundedPagination

router = Router()


def _user(request: HttpRequest, permission: str) -> User:
    user = request.user
    assert isinstance(user, User)
    if not user.has_perm(permission):
        raise PermissionDenied(_("Your role does not allow this."))
    return user


@router.get("/products", response=list[ProductOut], summary="Products")
@paginate(BoundedPagination)
def product_list(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    rx_otc: str = "",
    atc_code: str = "",
    manufacturer_id: int | None = None,
    is_active: bool | None = None,
) -> QuerySet[Product]:
    """Filters narrow the list; ``q`` searches SKU, brand, INN, ATC code and maker."""
    # Plain parameters, not ``Query[Schema]``: with that, paginate's query model stayed
    # undefined (pydantic "QueryParams is not fully defined") and every call answered 500.
    user = _user(request, "catalog.view_product")
    queryset = catalog_selectors.product_list_for(
        user=user,
        filters=catalog_selectors.ProductFilters(
            category=category,
            rx_otc=rx_otc,
            atc_code=atc_code,
            manufacturer_id=manufacturer_id,
            is_active=is_active,
        ),
    )
    if q:
        queryset = catalog_selectors.product_search(queryset=queryset, q=q)
    return queryset.order_by("sku_code", "pk")


@router.get("/products/{product_id}", response=ProductOut, summary="One product")
def product_get(request: HttpRequest, product_id: int) -> Product:
    user = _user(request, "catalog.view_product")
    return catalog_selectors.product_get_for(user=user, product_id=product_id)


@router.post("/products", response={201: ProductOut}, summary="Create a product")
def product_create(request: HttpRequest, payload: ProductCreateIn) -> Status:
    by = _user(request, "catalog.add_product")
    values: dict[str, Any] = payload.dict(exclude={"sku_code", "brand"})
    if values["currency"] is None:
        del values["currency"]
    product = catalog_services.product_create(
        by=by, sku_code=payload.sku_code, brand=payload.brand, **values
    )
    return Status(201, product)


@router.patch("/products/{product_id}", response=ProductOut, summary="Change a product")
def product_update(request: HttpRequest, product_id: int, payload: ProductUpdateIn) -> Product:
    by = _user(request, "catalog.change_product")
    product = catalog_selectors.product_get_for(user=by, product_id=product_id)
    values = payload.dict(exclude_unset=True)
    return catalog_services.product_update(by=by, product=product, **values)


@router.get(
    "/products/{product_id}/prices", response=list[ChannelPriceOut], summary="Channel prices"
)
def channel_price_list(request: HttpRequest, product_id: int) -> QuerySet[ChannelPrice]:
    user = _user(request, "catalog.view_product")
    product = catalog_selectors.product_get_for(user=user, product_id=product_id)
    return catalog_selectors.channel_price_list(product=product)


@router.post(
    "/products/{product_id}/prices",
    response={201: ChannelPriceOut},
    summary="Add a channel price",
)
def channel_price_create(request: HttpRequest, product_id: int, payload: ChannelPriceIn) -> Status:
    by = _user(request, "catalog.add_channelprice")
    product = catalog_selectors.product_get_for(user=by, product_id=product_id)
    price = catalog_services.channel_price_set(
        by=by,
        product=product,
        channel=payload.channel,
        price=payload.price,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        currency=payload.currency,
    )
    return Status(201, price)
