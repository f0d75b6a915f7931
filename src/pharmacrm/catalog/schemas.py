"""Shapes of the catalog API (django-ninja): one ``…In`` and one ``…Out`` per operation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema


class ProductOut(Schema):
    """A product as clients read it."""

    id: int
    sku_code: str
    brand: str
    inn: str
    atc_code: str
    category: str
    rx_otc: str
    form: str
    strength: str
    pack: str
    manufacturer_id: int | None
    list_price: Decimal | None
    cost_price: Decimal | None
    currency: str
    is_active: bool
    updated_at: datetime


class ProductCreateIn(Schema):
    """A new product; rules (ATC format, unique SKU code) are checked by the service."""

    sku_code: str
    brand: str
    inn: str = ""
    atc_code: str = ""
    category: str = "medicines"
    rx_otc: str = ""
    form: str = ""
    strength: str = ""
    pack: str = ""
    manufacturer_id: int | None = None
    list_price: Decimal | None = None
    cost_price: Decimal | None = None
    currency: str | None = None
    is_active: bool = True


class ProductUpdateIn(Schema):
    """Fields to change; omitted fields keep their value."""

    brand: str | None = None
    inn: str | None = None
    atc_code: str | None = None
    category: str | None = None
    rx_otc: str | None = None
    form: str | None = None
    strength: str | None = None
    pack: str | None = None
    manufacturer_id: int | None = None
    list_price: Decimal | None = None
    cost_price: Decimal | None = None
    currency: str | None = None
    is_active: bool | None = None


class ChannelPriceOut(Schema):
    """One channel price of a product."""

    id: int
    channel: str
    price: Decimal
    currency: str
    valid_from: date
    valid_to: date | None


class ChannelPriceIn(Schema):
    """A new channel price for a date range (end inclusive, open when omitted)."""

    channel: str
    price: Decimal
    valid_from: date
    valid_to: date | None = None
    currency: str | None = None
