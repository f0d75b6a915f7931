"""Back office for products and channel prices, with the audit history of each."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pharmacrm.catalog.models import ChannelPrice, Product


class ChannelPriceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ChannelPrice
    extra = 0


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("sku_code", "brand", "strength", "inn", "atc_code", "category", "rx_otc")
    list_filter = ("category", "rx_otc", "is_active")
    search_fields = ("sku_code", "brand", "inn", "atc_code")
    raw_id_fields = ("manufacturer",)
    inlines = [ChannelPriceInline]


@admin.register(ChannelPrice)
class ChannelPriceAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("product", "channel", "price", "currency", "valid_from", "valid_to")
    list_filter = ("channel",)
    search_fields = ("product__sku_code", "product__brand", "channel")
    raw_id_fields = ("product",)
