"""Pages of the customer master: accounts (list, 360, forms, merge), contacts and consumers.

Thin: parse, authorise, call one selector or service, render. Every record comes through the
scoping selectors, so a rep outside the territory gets 404 whatever URL they type.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pharmacrm.accounts import selectors as account_selectors
from pharmacrm.accounts import services as account_services
from pharmacrm.accounts.forms import (
    AccountForm,
    ContactForm,
    DocumentForm,
    MergeForm,
    RelationForm,
    StatusForm,
)
from pharmacrm.accounts.models import (
    STATUS_TRANSITIONS,
    Account,
    AccountKind,
    AccountStatus,
    AccountTier,
    Channel,
    Contact,
    Gender,
    Grade,
)
from pharmacrm.core.lists import SortOption, list_page
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role

ACCOUNT_EDITORS = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR, Role.REGIONAL_MANAGER})
CONTACT_EDITORS = ACCOUNT_EDITORS | {Role.SALES_REP}
MERGERS = frozenset({Role.ADMINISTRATOR, Role.DIRECTOR})

ACCOUNT_SORTS = [
    SortOption("name", gettext_lazy("Name"), ("name",)),
    SortOption("code", gettext_lazy("Code"), ("code",)),
    SortOption("city", gettext_lazy("City"), ("city", "name")),
    SortOption("status", gettext_lazy("Status"), ("status", "name")),
    SortOption("grade", gettext_lazy("Grade"), ("grade", "name")),
]
CONTACT_SORTS = [
    SortOption("name", gettext_lazy("Name"), ("name",)),
    SortOption("account", gettext_lazy("Account"), ("account__name", "name")),
]
CONSUMER_SORTS = [
    SortOption("card", gettext_lazy("Card number"), ("card_no",)),
    SortOption("registered", gettext_lazy("Registered on"), ("registered_on",)),
]


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _require(request: HttpRequest, roles: frozenset[Role]) -> User:
    user = _user(request)
    if not user.has_role(*roles):
        raise PermissionDenied(_("Your role does not allow this action."))
    return user


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _account_filters(request: HttpRequest) -> dict[str, str]:
    return {
        key: request.GET.get(key, "").strip()
        for key in ("kind", "tier", "status", "grade", "province", "rep")
    }


def _filtered_accounts(request: HttpRequest, user: User) -> Any:
    filters = _account_filters(request)
    rows = account_selectors.account_list_for(
        user=user,
        kind=filters["kind"],
        tier=filters["tier"],
        status=filters["status"],
        grade=filters["grade"],
        province=filters["province"],
        rep_id=_int_or_none(filters["rep"]),
    )
    q = request.GET.get("q", "").strip()
    if q:
        hits = account_selectors.account_search_for(user=user, q=q, limit=200)
        rows = rows.filter(pk__in=[h.account_id for h in hits])
    sort_keys: dict[str, str] = {}
    if q or filters["rep"] or account_selectors.account_scope_is_bounded(user=user):
        rows, sort_keys = account_selectors.account_rows_sorted_in_memory(rows)
    return rows, filters, sort_keys


def _account_sorts(sort_keys: dict[str, str]) -> list[SortOption]:
    return [
        SortOption(o.key, o.label, tuple(sort_keys.get(f, f) for f in o.fields))
        for o in ACCOUNT_SORTS
    ]


def _labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _htmx_template(request: HttpRequest, template: str, block: str = "rows") -> str:
    return f"{template}#{block}" if getattr(request, "htmx", False) else template


# --- accounts -----------------------------------------------------------------------------


@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    """Accounts the user covers: typo-tolerant search, filters, sort, pagination."""
    user = _user(request)
    rows, filters, sort_keys = _filtered_accounts(request, user)
    page = list_page(
        request,
        rows,
        sort_options=_account_sorts(sort_keys),
        default_sort="name",
        filters=filters,
    )
    # Labels looked up once per page: get_FOO_display builds a dict of every choice (hashing
    # each lazily translated label) per call, two calls per row.
    kinds, statuses = _labels(AccountKind.choices), _labels(AccountStatus.choices)
    for account in page.rows:
        account.kind_label = kinds.get(account.kind, account.kind)
        account.status_label = statuses.get(account.status, account.status)
    context = {
        "list": page,
        "kinds": AccountKind.choices,
        "tiers": AccountTier.choices,
        "statuses": AccountStatus.choices,
        "grades": Grade.choices,
        "provinces": account_selectors.account_filter_choices(user=user)["provinces"],
        "can_create": user.has_role(*ACCOUNT_EDITORS),
    }
    return render(request, _htmx_template(request, "accounts/account_list.html"), context)


@require_GET
def account_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered account list as CSV (same scope, filters and search as the page)."""
    user = _user(request)
    rows, _filters, sort_keys = _filtered_accounts(request, user)
    columns = ("code", "name", "kind", "tier", "status", "grade", "province", "city", "address")

    class _Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(_Echo())

    def lines() -> Any:
        yield writer.writerow(columns)
        for row in (
            rows.order_by(sort_keys.get("code", "code"), "pk")
            .values_list(*columns)
            .iterator(chunk_size=2000)
        ):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="accounts.csv"'
    return response


@require_GET
def account_quick_search(request: HttpRequest) -> HttpResponse:
    """Command-palette results (HTMX): accounts and contacts matching the typed text."""
    user = _user(request)
    q = request.GET.get("q", "").strip()
    hits = account_selectors.account_search_for(user=user, q=q, limit=10) if q else []
    return render(request, "accounts/_quick_search_results.html", {"hits": hits, "q": q})


@require_GET
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account "360": profile, contacts, documents, relation network, territory and reps."""
    user = _user(request)
    account = account_selectors.account_get_for(user=user, account_id=account_id)
    nodes, edges = account_selectors.account_network_for(user=user, account=account)
    positions = {n.account_id: n for n in nodes}
    context = {
        "account": account,
        "contacts": account_selectors.contact_list_for(user=user, account_id=account.pk).order_by(
            "-is_key_contact", "name"
        ),
        "documents": account.documents.all(),
        "outlets": account_selectors.account_list_for(user=user).filter(parent=account)[:50],
        "nodes": nodes,
        "edges": [(e, positions[e.source], positions[e.target]) for e in edges],
        "rep_history": account_selectors.account_rep_history(account=account),
        "is_supplier": account.tier == AccountTier.UPSTREAM,
        "supplier_managers": (
            account_selectors.supplier_assignment_list(supplier_id=account.pk)
            if account.tier == AccountTier.UPSTREAM
            else []
        ),
        "territory_history": account_selectors.account_territory_history(account=account),
        "history": account_selectors.account_audit_for(account=account),
        "status_form": StatusForm(),
        "next_statuses": sorted(STATUS_TRANSITIONS[account.status]),
        "relation_form": RelationForm(),
        "document_form": DocumentForm(),
        "merge_form": MergeForm(),
        "can_edit": user.has_role(*ACCOUNT_EDITORS),
        "can_merge": user.has_role(*MERGERS),
        "can_add_contact": user.has_role(*CONTACT_EDITORS),
    }
    return render(request, "accounts/account_detail.html", context)


@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    """New account; warns when a similar name exists in the same city until confirmed."""
    user = _require(request, ACCOUNT_EDITORS)
    form = AccountForm(request.POST or None)
    similar: list[Account] = []
    if request.method == "POST" and form.is_valid():
        values = form.values()
        similar = account_selectors.account_similar_in_city(
            name=values["name"], city=values["city"] or ""
        )
        if similar and not form.cleaned_data["confirm_duplicate"]:
            form.add_error(
                None,
                _(
                    "An account with a similar name already exists in %(city)s. Open it "
                    "instead, or tick the box to confirm this is a different organisation."
                )
                % {"city": values["city"]},
            )
        else:
            try:
                account = account_services.account_create(
                    by=user, code=form.cleaned_data["code"], **values
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Created %(account)s.") % {"account": account.name})
                return redirect("account-detail", account_id=account.pk)
    return render(request, "accounts/account_form.html", {"form": form, "similar": similar})


@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    """Edit an account's profile (status has its own action)."""
    user = _require(request, ACCOUNT_EDITORS)
    account = account_selectors.account_get_for(user=user, account_id=account_id)
    form = AccountForm(request.POST or None, instance=Account.objects.get(pk=account.pk))
    if request.method == "POST" and form.is_valid():
        try:
            account_services.account_update(by=user, account=account, **form.values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved %(account)s.") % {"account": account.name})
            return redirect("account-detail", account_id=account.pk)
    return render(request, "accounts/account_form.html", {"form": form, "account": account})


@require_POST
def account_status(request: HttpRequest, account_id: int) -> HttpResponse:
    """Move the account to another status (with a reason where one is required)."""
    user = _require(request, ACCOUNT_EDITORS)
    account = account_selectors.account_get_for(user=user, account_id=account_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            account_services.account_status_change(
                by=user,
                account=account,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Status is now %(status)s.") % {"status": account.get_status_display()}
            )
    return redirect("account-detail", account_id=account.pk)


@require_POST
def account_merge(request: HttpRequest, account_id: int) -> HttpResponse:
    """Fold a duplicate (by code) into this account; every reference moves."""
    user = _require(request, MERGERS)
    survivor = account_selectors.account_get_for(user=user, account_id=account_id)
    form = MergeForm(request.POST)
    if form.is_valid():
        duplicate = (
            account_selectors.account_list_for(user=user)
            .filter(code=form.cleaned_data["duplicate_code"].strip())
            .first()
        )
        if duplicate is None:
            messages.error(request, _("No account with that code."))
        else:
            try:
                account_services.account_merge(by=user, survivor=survivor, duplicate=duplicate)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("Merged %(duplicate)s into %(survivor)s.")
                    % {"duplicate": duplicate.name, "survivor": survivor.name},
                )
    return redirect("account-detail", account_id=survivor.pk)


@require_POST
def account_relation_add(request: HttpRequest, account_id: int) -> HttpResponse:
    """Add a typed relation from this account to another visible one."""
    user = _require(request, ACCOUNT_EDITORS)
    account = account_selectors.account_get_for(user=user, account_id=account_id)
    form = RelationForm(request.POST)
    if form.is_valid():
        other = (
            account_selectors.account_list_for(user=user)
            .filter(code=form.cleaned_data["to_code"].strip())
            .first()
        )
        if other is None:
            messages.error(request, _("No account with that code."))
        else:
            try:
                account_services.account_relation_add(
                    by=user,
                    from_account=account,
                    to_account=other,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
    return redirect("account-detail", account_id=account.pk)


@require_POST
def account_document_add(request: HttpRequest, account_id: int) -> HttpResponse:
    """Record a licence or contract of the account."""
    user = _require(request, ACCOUNT_EDITORS)
    account = account_selectors.account_get_for(user=user, account_id=account_id)
    form = DocumentForm(request.POST)
    if form.is_valid():
        account_services.qualification_document_upsert(
            by=user, account=account, **form.cleaned_data
        )
        messages.success(request, _("Document saved."))
    else:
        messages.error(request, _("Check the document's number and dates."))
    return redirect("account-detail", account_id=account.pk)


# --- contacts -----------------------------------------------------------------------------


@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    """Contacts at the accounts the user covers."""
    user = _user(request)
    rows = account_selectors.contact_list_for(user=user)
    q = request.GET.get("q", "").strip()
    if q:
        hits = account_selectors.account_search_for(user=user, q=q, limit=200)
        rows = rows.filter(pk__in=[h.id for h in hits if h.kind == "contact"])
    page = list_page(request, rows, sort_options=CONTACT_SORTS, default_sort="name")
    context = {"list": page, "can_create": user.has_role(*CONTACT_EDITORS)}
    return render(request, _htmx_template(request, "accounts/contact_list.html"), context)


@require_GET
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    """One contact with the audit of their record."""
    from pharmacrm.core import selectors as core_selectors

    user = _user(request)
    contact = account_selectors.contact_get_for(user=user, contact_id=contact_id)
    context = {
        "contact": contact,
        "history": core_selectors.audit_history_for(obj=contact),
        "can_edit": user.has_role(*CONTACT_EDITORS),
    }
    return render(request, "accounts/contact_detail.html", context)


@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    """New contact at a visible account (``?account=<id>`` preselects it)."""
    user = _require(request, CONTACT_EDITORS)
    accounts = account_selectors.account_list_for(user=user).order_by("name")
    initial = {"account": _int_or_none(request.GET.get("account"))}
    form = ContactForm(request.POST or None, accounts=accounts, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        contact = account_services.contact_create(
            by=user, account=values.pop("account"), name=values.pop("name"), **values
        )
        messages.success(request, _("Created %(contact)s.") % {"contact": contact.name})
        return redirect("contact-detail", contact_id=contact.pk)
    return render(request, "accounts/contact_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Edit a contact of a visible account."""
    user = _require(request, CONTACT_EDITORS)
    contact = account_selectors.contact_get_for(user=user, contact_id=contact_id)
    accounts = account_selectors.account_list_for(user=user).order_by("name")
    form = ContactForm(
        request.POST or None, instance=Contact.objects.get(pk=contact.pk), accounts=accounts
    )
    if request.method == "POST" and form.is_valid():
        account_services.contact_update(by=user, contact=contact, **form.values())
        messages.success(request, _("Saved %(contact)s.") % {"contact": contact.name})
        return redirect("contact-detail", contact_id=contact.pk)
    return render(request, "accounts/contact_form.html", {"form": form, "contact": contact})


# --- consumers ----------------------------------------------------------------------------


@require_GET
def consumer_list(request: HttpRequest) -> HttpResponse:
    """Loyalty members; analysts see them pseudonymised, reps not at all (403).

    Directors and regional managers see counts only, so they are sent to the aggregates page.
    """
    user = _user(request)
    if account_selectors.consumer_access(user=user) == "aggregates":
        return redirect("consumer-aggregates")
    gender = request.GET.get("gender", "").strip()
    grade = request.GET.get("grade", "").strip()
    rows = account_selectors.consumer_list_for(user=user, gender=gender, grade=grade)
    page = list_page(
        request,
        rows,
        search_fields=("card_no",),
        sort_options=CONSUMER_SORTS,
        default_sort="card",
        filters={"gender": gender, "grade": grade},
    )
    views = [account_selectors.consumer_view(user=user, consumer=c) for c in page.rows]
    context = {
        "list": page,
        "consumers": views,
        "genders": Gender.choices,
        "grades": Grade.choices,
        "access": account_selectors.consumer_access(user=user),
    }
    return render(request, _htmx_template(request, "accounts/consumer_list.html"), context)


@require_GET
def consumer_aggregates(request: HttpRequest) -> HttpResponse:
    """Loyalty members counted by region, gender, age band and consent (no personal rows)."""
    user = _user(request)
    aggregates = account_selectors.consumer_aggregates_for(user=user)
    channels = dict(Channel.choices)
    genders = dict(Gender.choices)
    context = {
        "aggregates": aggregates,
        "by_gender": [(genders.get(value, value), n) for value, n in aggregates.by_gender],
        "by_consent": [(channels[c.channel], c) for c in aggregates.by_consent],
        "access": account_selectors.consumer_access(user=user),
    }
    return render(request, "accounts/consumer_aggregates.html", context)


@require_GET
def consumer_detail(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """One member as the user may see them, with consents."""
    user = _user(request)
    consumer = account_selectors.consumer_get_for(user=user, consumer_id=consumer_id)
    context = {
        "consumer": account_selectors.consumer_view(user=user, consumer=consumer),
        "consents": consumer.consents.order_by("channel"),
        "access": account_selectors.consumer_access(user=user),
    }
    return render(request, "accounts/consumer_detail.html", context)


@require_GET
def consumer_export(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """Everything held about the person, as a JSON download (administrators)."""
    data = account_selectors.consumer_export_for(user=_user(request), consumer_id=consumer_id)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="consumer-{consumer_id}.json"'
    return response


@require_POST
def consumer_erase(request: HttpRequest, consumer_id: int) -> HttpResponse:
    """Erase the person's personal data (administrators); aggregates stay."""
    user = _require(request, frozenset({Role.ADMINISTRATOR}))
    consumer = account_selectors.consumer_get_for(user=user, consumer_id=consumer_id)
    account_services.consumer_erase(by=user, consumer=consumer)
    messages.success(request, _("The person's personal data was erased."))
    return redirect("consumer-detail", consumer_id=consumer.pk)
