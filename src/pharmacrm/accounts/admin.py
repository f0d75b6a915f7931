"""Back office for the customer master (administrators only, see core.admin_site).

Writes go through the services, so the search keys stay current and the audit names the
administrator; the list goes through ``account_list_for`` like every other entry point.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.models import (
    Account,
    AccountRelation,
    Consumer,
    ConsumerConsent,
    Contact,
    QualificationDocument,
    SupplierAssignment,
)
from pharmacrm.core.models import User


class DocumentInline(admin.TabularInline):  # type: ignore[type-arg]
    """Qualification documents on the account form."""

    model = QualificationDocument
    extra = 0


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Accounts, scoped like the pages; saving recomputes the search key."""

    list_display = ("code", "name", "kind", "tier", "status", "grade", "city", "territory")
    list_filter = ("kind", "tier", "status", "grade")
    search_fields = ("code", "name", "city")
    autocomplete_fields = ("parent", "territory")
    inlines = [DocumentInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        user = request.user
        assert isinstance(user, User)
        return super().get_queryset(request).filter(account_selectors.account_scope_q(user=user))

    def save_model(self, request: HttpRequest, obj: Account, form: Any, change: bool) -> None:
        obj.search_key = account_services.account_search_key(obj)
        obj._history_user = request.user  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Contacts; they follow their account's scope."""

    list_display = ("name", "account", "title", "department", "is_key_contact")
    search_fields = ("name", "account__name", "email")
    autocomplete_fields = ("account",)

    def get_queryset(self, request: HttpRequest) -> Any:
        user = request.user
        assert isinstance(user, User)
        return account_selectors.contact_list_for(user=user)

    def save_model(self, request: HttpRequest, obj: Contact, form: Any, change: bool) -> None:
        obj.search_key = account_services.contact_search_key(obj)
        super().save_model(request, obj, form, change)


@admin.register(AccountRelation)
class AccountRelationAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Typed edges of the account network."""

    list_display = ("from_account", "kind", "to_account")
    list_filter = ("kind",)
    autocomplete_fields = ("from_account", "to_account")


class ConsentInline(admin.TabularInline):  # type: ignore[type-arg]
    """A member's consent per channel."""

    model = ConsumerConsent
    extra = 0


@admin.register(Consumer)
class ConsumerAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Loyalty members; erasure is a page action, not a delete."""

    list_display = ("card_no", "gender", "birth_year", "city", "home_outlet", "registered_on")
    search_fields = ("card_no",)
    autocomplete_fields = ("home_outlet",)
    inlines = [ConsentInline]


@admin.register(SupplierAssignment)
class SupplierAssignmentAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Which supplier manager looks after which upstream supplier, when.

    The form runs the same checks as the service (``SupplierAssignment.clean``: the role, an
    upstream supplier, no overlap); ending an assignment (an end date) keeps it as history.
    """

    list_display = ("user", "supplier", "starts_on", "ends_on", "note")
    list_filter = ("starts_on", "ends_on")
    search_fields = ("user__username", "supplier__code", "supplier__name")
    autocomplete_fields = ("supplier",)
    date_hierarchy = "starts_on"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("user", "supplier")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(
                groups__name="supplier_manager", is_active=True
            ).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: SupplierAssignment, form: Any, change: bool
    ) -> None:
        # The form already ran the model's full_clean (role, tier, overlap); record the author.
        obj._history_user = request.user  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
