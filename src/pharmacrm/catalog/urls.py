"""URLs of the catalog pages, mounted at ``/catalog/``."""

from __future__ import annotations

from django.urls import path

from pharmacrm.catalog import views

urlpatterns = [
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/<int:product_id>/", views.product_detail, name="product-detail"),
    path("products/<int:product_id>/edit/", views.product_edit, name="product-edit"),
]
