"""Pages of the catalog app: product list (search, filters, sort, export), detail, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from pharmacrm.catalog import selectors as catalog_selectors
from pharmacrm.catalog import services as catalog_services
from pharmacrm.catalog.forms import ProductFilterForm, ProductForm
from pharmacrm.catalog.models import Product
from pharmacrm.core import selectors as core_selectors
from pharmacrm.core.exports import ExportColumn, export_response, requested_export
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User

PRODUCT_SORTS = [
    SortOption("sku", gettext_lazy("SKU code"), ("sku_code",)),
    SortOption("brand", gettext_lazy("Brand"), ("brand", "strength")),
    SortOption("inn", gettext_lazy("INN"), ("inn",)),
    SortOption("atc", gettext_lazy("ATC code"), ("atc_code",)),
    SortOption("price", gettext_lazy("List price"), ("list_price",)),
]

PRODUCT_EXPORT_COLUMNS = [
    ExportColumn("sku_code", "sku_code"),
    ExportColumn("brand", "brand"),
    ExportColumn("inn", "inn"),
    ExportColumn("atc_code", "atc_code"),
    ExportColumn("category", "category"),
    ExportColumn("rx_otc", "rx_otc"),
    ExportColumn("form", "form"),
    ExportColumn("strength", "strength"),
    ExportColumn("pack", "pack"),
    ExportColumn("manufacturer_code", "manufacturer.code"),
    ExportColumn("list_price", "list_price"),
    ExportColumn("cost_price", "cost_price"),
    ExportColumn("currency", "currency"),
    ExportColumn("is_active", "is_active"),
]
"""Export columns carry the import's field names, so an exported file imports back unchanged."""


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _filters(form: ProductFilterForm) -> catalog_selectors.ProductFilters:
    data = form.cleaned_data if form.is_valid() else {}
    active = data.get("active", "")
    return catalog_selectors.ProductFilters(
        category=data.get("category", ""),
        rx_otc=data.get("rx_otc", ""),
        atc_code=data.get("atc", ""),
        is_active=None if active == "" else active == "1",
    )


@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def product_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = ProductFilterForm(request.GET)
    queryset = catalog_selectors.product_list_for(user=_user(request), filters=_filters(form))
    page = list_page(
        request,
        queryset,
        search_fields=catalog_selectors.PRODUCT_SEARCH_FIELDS,
        sort_options=PRODUCT_SORTS,
        default_sort="brand",
        filters={key: request.GET.get(key, "") for key in ("category", "rx_otc", "atc", "active")},
    )
    export = requested_export(request)
    if export is not None:
        # The same search, filters and sort as the page, every page of it.
        return export_response(
            page.page.paginator.object_list,
            PRODUCT_EXPORT_COLUMNS,
            fmt=export,
            filename="products",
        )
    is_htmx = getattr(request, "htmx", False)
    template = "catalog/product_list.html#rows" if is_htmx else "catalog/product_list.html"
    can_add = _user(request).has_perm("catalog.add_product")
    return render(request, template, {"list": page, "filter_form": form, "can_add": can_add})


@permission_required("catalog.view_product", raise_exception=True)
@require_GET
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = catalog_selectors.product_get_for(user=_user(request), product_id=product_id)
    context = {
        "product": product,
        "prices": catalog_selectors.channel_price_list(product=product),
        "history": core_selectors.audit_history_for(obj=product),
        "can_change": _user(request).has_perm("catalog.change_product"),
    }
    return render(request, "catalog/product_detail.html", context)


def _save(request: HttpRequest, form: ProductForm, product: Product | None) -> Product:
    values = dict(form.cleaned_data)
    sku_code = values.pop("sku_code")
    manufacturer = values.pop("manufacturer")
    values["manufacturer_id"] = manufacturer.pk if manufacturer is not None else None
    if product is None:
        brand = values.pop("brand")
        return catalog_services.product_create(
            by=_user(request), sku_code=sku_code, brand=brand, **values
        )
    return catalog_services.product_update(
        by=_user(request), product=product, sku_code=sku_code, **values
    )


@permission_required("catalog.add_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = _save(request, form, None)
        messages.success(request, _("Created product %(product)s.") % {"product": product})
        return redirect("product-detail", product_id=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": None})


@permission_required("catalog.change_product", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = catalog_selectors.product_get_for(user=_user(request), product_id=product_id)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        # The form validated on a copy; the service re-reads nothing and saves with audit.
        product = catalog_selectors.product_get_for(user=_user(request), product_id=product_id)
        product = _save(request, form, product)
        messages.success(request, _("Saved product %(product)s.") % {"product": product})
        return redirect("product-detail", product_id=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": product})
