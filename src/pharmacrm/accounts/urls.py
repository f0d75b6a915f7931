"""URLs of the customer master, mounted at ``/crm/``."""

from __future__ import annotations

from django.urls import path

from pharmacrm.accounts import views

urlpatterns = [
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/export.csv", views.account_export, name="account-export"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/<int:account_id>/", views.account_detail, name="account-detail"),
    path("accounts/<int:account_id>/edit/", views.account_edit, name="account-edit"),
    path("accounts/<int:account_id>/status/", views.account_status, name="account-status"),
    path("accounts/<int:account_id>/merge/", views.account_merge, name="account-merge"),
    path(
        "accounts/<int:account_id>/relations/",
        views.account_relation_add,
        name="account-relation-add",
    ),
    path(
        "accounts/<int:account_id>/documents/",
        views.account_document_add,
        name="account-document-add",
    ),
    path("search/", views.account_quick_search, name="account-quick-search"),
    path("contacts/", views.contact_list, name="contact-list"),
    path("contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact-detail"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact-edit"),
    path("consumers/", views.consumer_list, name="consumer-list"),
    path("consumers/aggregates/", views.consumer_aggregates, name="consumer-aggregates"),
    path("consumers/<int:consumer_id>/", views.consumer_detail, name="consumer-detail"),
    path("consumers/<int:consumer_id>/export/", views.consumer_export, name="consumer-export"),
    path("consumers/<int:consumer_id>/erase/", views.consumer_erase, name="consumer-erase"),
]
