"""Reads of the customer master, each through the one scoping door.

``account_list_for``/``account_get_for`` decide which accounts a user sees on a date: the
territories the territories app says they cover, plus what their role adds (a channel
manager sees online stores, a supplier manager the suppliers assigned to them on that date).
Contacts follow their account. Consumers follow the roles table: a rep sees none, an analyst
sees them pseudonymised. Lists, detail pages, search, exports, the API and the admin all come here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from pharmacrm.accounts.models import (
    Account,
    AccountKind,
    AccountRelation,
    Channel,
    Consumer,
    ConsumerConsent,
    Contact,
    SupplierAssignment,
)
from pharmacrm.accounts.search import normalise, query_grams, search_key
from pharmacrm.core import selectors as core_selectors
from pharmacrm.core.models import User
from pharmacrm.core.roles import Role
from pharmacrm.territories import selectors as territory_selectors
from pharmacrm.territories.models import Assignment

# Roles that see consumers' personal data in full, those that see them pseudonymised, and
# those that see only counts (DESIGN.md roles table: a director sees aggregates only, a
# regional manager the aggregates of their region). Aggregates are also open to the row roles.
CONSUMER_FULL_ROLES = frozenset({Role.ADMINISTRATOR})
CONSUMER_PSEUDONYMISED_ROLES = frozenset({Role.ANALYST, Role.CAMPAIGN_MANAGER})
CONSUMER_AGGREGATE_ROLES = frozenset({Role.DIRECTOR, Role.REGIONAL_MANAGER})
# The age bands of the KPI slices (analytics.kpis.AgeBands' default edges), so the consumer
# counts and the KPI mix use the same bands; age = year of ``on`` − birth year.
AGE_BAND_EDGES = (18, 25, 35, 45, 55, 65)
SEARCH_CANDIDATES = 200
SEARCH_MIN_SCORE = 60.0
# Rows the search prefilter's index lookup may fetch (summed gram counts) before it first asks
# for stronger matches only (see _candidates).
SEARCH_LOOKUP_ROWS = 8_000


def _today(on: date | None) -> date:
    return on or timezone.localdate()


# --- accounts -----------------------------------------------------------------------------


def account_scope_q(*, user: User, on: date | None = None) -> Q:
    """The filter of accounts ``user`` may see on ``on`` (today by default)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    covered = territory_selectors.territory_ids_covered_by(user=user, on=_today(on))
    if covered is None:
        return Q()
    scope = Q(territory_id__in=sorted(covered))
    roles = user.roles
    if Role.CHANNEL_MANAGER in roles:
        scope |= Q(kind=AccountKind.ONLINE_STORE)
    if Role.SUPPLIER_MANAGER in roles:
        scope |= Q(pk__in=sorted(supplier_ids_managed_by(user=user, on=_today(on))))
    return scope


def supplier_ids_managed_by(*, user: User, on: date | None = None) -> frozenset[int]:
    """Ids of the upstream suppliers ``user`` manages on ``on`` (today by default).

    Empty for anyone who is not an active supplier manager. This is the supplier manager's
    whole view of the customer master (those accounts and their contacts) and, through the
    catalog's scoping, of the products (the ones those suppliers make).
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if Role.SUPPLIER_MANAGER not in user.roles:
        return frozenset()
    day = _today(on)
    rows = SupplierAssignment.objects.filter(user=user, starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    return frozenset(rows.values_list("supplier_id", flat=True))


def supplier_assignment_list(
    *, supplier_id: int | None = None, user_id: int | None = None
) -> QuerySet[SupplierAssignment]:
    """Supplier assignments, newest first, optionally of one supplier or one user."""
    rows = SupplierAssignment.objects.select_related("user", "supplier")
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    return rows.order_by("-starts_on", "pk")


def account_list_for(
    *,
    user: User,
    on: date | None = None,
    kind: str = "",
    tier: str = "",
    status: str = "",
    province: str = "",
    city: str = "",
    territory_id: int | None = None,
    rep_id: int | None = None,
    include_merged: bool = False,
    grade: str = "",
) -> QuerySet[Account]:
    """Accounts ``user`` may see on ``on``, narrowed by the given filters.

    ``rep_id`` keeps the accounts in territories that rep covers on ``on``; merged
    duplicates are hidden unless ``include_merged``. Rows come with territory and parent.
    """
    day = _today(on)
    rows = Account.objects.filter(account_scope_q(user=user, on=day))
    if not include_merged:
        rows = rows.filter(merged_into__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    if tier:
        rows = rows.filter(tier=tier)
    if status:
        rows = rows.filter(status=status)
    if grade:
        rows = rows.filter(grade=grade)
    if province:
        rows = rows.filter(province__iexact=province)
    if city:
        rows = rows.filter(city__iexact=city)
    if territory_id is not None:
        subtree = territory_selectors.territory_subtree_ids(root_ids=[territory_id])
        rows = rows.filter(territory_id__in=sorted(subtree))
    if rep_id is not None:
        rep = User.objects.filter(pk=rep_id).first()
        covered = (
            territory_selectors.territory_ids_covered_by(user=rep, on=day) if rep else frozenset()
        )
        if covered is not None:
            rows = rows.filter(territory_id__in=sorted(covered))
    return rows.select_related("territory", "parent")


SORTABLE_FIELDS = ("name", "code", "city", "status", "grade")


def account_scope_is_bounded(*, user: User, on: date | None = None) -> bool:
    """True when ``user`` sees only part of the accounts (a territory or supplier scope)."""
    return bool(account_scope_q(user=user, on=on))


def account_rows_sorted_in_memory(
    rows: QuerySet[Account],
) -> tuple[QuerySet[Account], dict[str, str]]:
    """``rows`` with sort keys the planner cannot walk an index for, and their names.

    For a bounded set of rows (a rep's territories, the hits of a search) the fast plan
    fetches them by the filter's index and sorts the few in memory. With ``ORDER BY city``
    PostgreSQL instead walked the whole ``city`` index, expecting the rep's ~1,000 rows
    to be spread evenly (they sit in a few cities): 100–150 ms in the bench, against 1–8 ms
    for ``COALESCE(city, '')``. The columns are never NULL, so the order is the same.
    Returns the annotated rows and a map from field name to sort key for
    :class:`~pharmacrm.core.lists.SortOption` fields or ``order_by``.
    """
    keys = {field: f"sort_{field}" for field in SORTABLE_FIELDS}
    return rows.annotate(**{keys[f]: Coalesce(f, Value("")) for f in SORTABLE_FIELDS}), keys


def account_get_for(*, user: User, account_id: int, on: date | None = None) -> Account:
    """The account, if ``user`` may see it on ``on``; ``Http404`` otherwise.

    Existence is not revealed to someone outside the territory.
    """
    account = (
        Account.objects.filter(account_scope_q(user=user, on=on))
        .select_related("territory", "parent", "merged_into")
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        raise Http404(_("No such account."))
    return account


def account_filter_choices(*, user: User, on: date | None = None) -> dict[str, list[str]]:
    """Distinct provinces of the visible accounts, for the list page's region filter.

    Exact on every request, without a cache. A bounded scope (a rep's territories) reads its
    few rows. For roles that see every account a ``DISTINCT`` over 100 k rows cost ~100 ms
    (bench/customer_master/RESULTS.md), so it walks the province index instead, one probe per
    province (the smallest province above the previous one, a recursive CTE both databases
    run): 0.4 ms in the bench.
    """
    scope = account_scope_q(user=user, on=on)
    if scope:
        rows = Account.objects.filter(scope).exclude(province="")
        return {
            "provinces": list(
                rows.values_list("province", flat=True).distinct().order_by("province")[:300]
            )
        }
    table = connection.ops.quote_name(Account._meta.db_table)
    sql = (
        f"WITH RECURSIVE p(province) AS ("  # noqa: S608 - a quoted table name, no user input
        f"SELECT MIN(province) FROM {table} WHERE province > %s "
        f"UNION ALL SELECT (SELECT MIN(a.province) FROM {table} a WHERE a.province > p.province) "
        f"FROM p WHERE p.province IS NOT NULL) "
        f"SELECT province FROM p WHERE province IS NOT NULL ORDER BY province LIMIT 300"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [""])
        return {"provinces": [row[0] for row in cursor.fetchall()]}


def account_similar_in_city(
    *, name: str, city: str, exclude_id: int | None = None, threshold: float = 85.0
) -> list[Account]:
    """Accounts in the same city whose names look like ``name`` (the duplicate warning).

    Names are compared normalised (case, punctuation, full-width forms, word order), so
    "Apteka No 5" and "аптека №5" are the same name. Scoping is deliberately not applied:
    a rep creating a pharmacy that a colleague already owns is exactly what this catches;
    callers show only names and codes.
    """
    target = search_key(name)
    if not target or not city.strip():
        return []
    rows = Account.objects.filter(city__iexact=city.strip(), merged_into__isnull=True)
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    similar = []
    for account in rows.only("pk", "code", "name", "city", "search_key")[:5000]:
        score = fuzz.token_sort_ratio(target, search_key(account.name))
        if score >= threshold:
            similar.append((score, account))
    similar.sort(key=lambda pair: (-pair[0], pair[1].pk))
    return [account for _score, account in similar]


@dataclass(frozen=True)
class NetworkNode:
    """An account drawn in the relation network, with its position in a 0..1 box."""

    account_id: int
    name: str
    x: float
    y: float
    is_center: bool
    is_visible: bool


@dataclass(frozen=True)
class NetworkEdge:
    """A typed relation between two drawn nodes."""

    source: int
    target: int
    kind: str
    label: str


def account_network_for(
    *, user: User, account: Account, on: date | None = None
) -> tuple[list[NetworkNode], list[NetworkEdge]]:
    """The account's direct relations laid out on a circle around it.

    Neighbours outside the user's scope are drawn without their name (only that a relation
    exists), so the picture leaks nothing a rep could not see elsewhere.
    """
    relations = list(
        AccountRelation.objects.filter(Q(from_account=account) | Q(to_account=account))
        .select_related("from_account", "to_account")
        .order_by("kind", "pk")
    )
    neighbour_ids = sorted(
        {
            r.to_account_id if r.from_account_id == account.pk else r.from_account_id
            for r in relations
        }
    )
    visible = set(
        Account.objects.filter(account_scope_q(user=user, on=on), pk__in=neighbour_ids).values_list(
            "pk", flat=True
        )
    )
    names = {r.from_account_id: r.from_account.name for r in relations}
    names.update({r.to_account_id: r.to_account.name for r in relations})
    nodes = [NetworkNode(account.pk, account.name, 0.5, 0.5, True, True)]
    for index, pk in enumerate(neighbour_ids):
        angle = 2 * math.pi * index / max(len(neighbour_ids), 1) - math.pi / 2
        nodes.append(
            NetworkNode(
                pk,
                names[pk] if pk in visible else _("(outside your territory)"),
                round(0.5 + 0.38 * math.cos(angle), 4),
                round(0.5 + 0.38 * math.sin(angle), 4),
                False,
                pk in visible,
            )
        )
    edges = [
        NetworkEdge(r.from_account_id, r.to_account_id, r.kind, str(r.get_kind_display()))
        for r in relations
    ]
    return nodes, edges


def account_rep_history(*, account: Account) -> list[Assignment]:
    """Who covered the account's territory (directly or via a parent node), newest first."""
    if account.territory_id is None:
        return []
    return territory_selectors.assignment_history_for_territory(territory_id=account.territory_id)


def account_territory_history(*, account: Account) -> list[dict[str, Any]]:
    """The account's territory over time, from its audit trail: ``{"from", "territory"}``."""
    rows = account.history.order_by("history_date", "history_id").values(  # type: ignore[attr-defined]
        "history_date", "territory_id", "territory__name"
    )
    periods: list[dict[str, Any]] = []
    for row in rows:
        if periods and periods[-1]["territory_id"] == row["territory_id"]:
            continue
        periods.append(
            {
                "from": row["history_date"],
                "territory_id": row["territory_id"],
                "territory": row["territory__name"] or "—",
            }
        )
    return list(reversed(periods))


def account_audit_for(*, account: Account) -> list[core_selectors.AuditEntry]:
    """The audit trail of the account itself."""
    return core_selectors.audit_history_for(obj=account)


# --- search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One result of the typo-tolerant search: an account or a contact (with its account)."""

    kind: str  # "account" | "contact"
    id: int
    title: str
    subtitle: str
    account_id: int
    score: float


GRAM_FREQUENCY_SECONDS = 3600


def _gram_frequencies(model: type[Any], grams: list[str]) -> dict[str, int]:
    """How many rows of ``model`` hold each gram (cached for an hour, per process).

    Only the choice of prefilter grams depends on these counts, never which rows match, so a
    stale count costs speed, not correctness (see :func:`_candidates`).
    """
    keys = {g: f"accounts:gram:{model._meta.label}:{g}" for g in grams}
    cached = cache.get_many(list(keys.values()))
    counts: dict[str, int] = {}
    for gram, key in keys.items():
        if key in cached:
            counts[gram] = cached[key]
            continue
        counts[gram] = model.objects.filter(search_key__contains=gram).count()
        cache.set(key, counts[gram], GRAM_FREQUENCY_SECONDS)
    return counts


def _lookup_grams(grams: list[str], counts: dict[str, int], need: int) -> list[str]:
    """The ``n − need + 1`` rarest grams: a row holding ``need`` of ``grams`` holds one of them."""
    return sorted(grams, key=lambda g: (counts[g], g))[: len(grams) - need + 1]


def _candidates(
    rows: QuerySet[Any], grams: list[str], *, budgeted: bool = True, strong_only: bool = False
) -> list[Any]:
    """Rows sharing enough grams with the query, best first (the trigram-similarity prefilter).

    A row must hold at least 40 % of the query's grams (``need`` of ``n``), so one common gram
    ("pha") cannot flood the list. By the pigeonhole principle such a row holds at least one
    of *any* ``n − need + 1`` of the grams, so the index lookup (``search_key LIKE '%gram%'``,
    the trigram GIN index on PostgreSQL) uses the rarest ones: in the bench, "pharmacy"'s
    grams sit in 70 % of the names and made every search recheck 70 k of 100 k rows.

    Because the pigeonhole argument holds for *any* choice of ``n − need + 1`` grams, the
    counts only decide speed, never which rows match: a count gone stale since a name was
    saved cannot hide that row. So grams counted as absent take their place in the quota like
    any other (rarest first).

    When even the rarest ``n − need + 1`` grams include a common one ("pharmacy yixintang":
    8 of 13 grams, the 8th is "pha"), every row holding it must be fetched and ranked (a
    sequential scan of 70 k names, ~230 ms). The result is the top ``SEARCH_CANDIDATES`` by
    (hits, id), so first ask for rows holding more of the grams — a higher ``need`` needs
    fewer, rarer lookup grams — and only if fewer than ``SEARCH_CANDIDATES`` rows reach it,
    run the full query. Both give the same rows: every row with at least ``level`` hits ranks
    above every row with fewer, so when ``SEARCH_CANDIDATES`` rows reach ``level`` they are
    exactly the top of the full ordering.

    ``budgeted=False`` runs the full query at once: for a territory-scoped search the
    territory filter already bounds the rows (a rep's ~1,000 accounts), and the strong level
    would seldom find ``SEARCH_CANDIDATES`` rows there. ``strong_only`` skips the second, full
    query: rows reaching the first level only.
    """
    if not grams:
        return []
    need = max(1, math.ceil(0.4 * len(grams)))
    counts = _gram_frequencies(rows.model, grams)
    start = need
    while (
        budgeted
        and start < len(grams)
        and sum(counts[g] for g in _lookup_grams(grams, counts, start)) > SEARCH_LOOKUP_ROWS
    ):
        start += 1
    levels = [start, need] if start > need and not strong_only else [start]
    # The hit count as one SQL fragment: built from 13 ORM Case/When nodes it was compiled
    # three times per query (select, filter, order), a third of a search's CPU. Grams hold
    # no LIKE wildcards (they are runs of word characters; "_" is split off by normalise).
    quote = connection.ops.quote_name
    column = f"{quote(rows.model._meta.db_table)}.{quote('search_key')}"
    hits = RawSQL(  # noqa: S611 - quoted names and placeholders only; grams are parameters
        "(" + " + ".join([f"CASE WHEN {column} LIKE %s THEN 1 ELSE 0 END"] * len(grams)) + ")",
        [f"%{g}%" for g in grams],
        output_field=IntegerField(),
    )
    found: list[Any] = []
    for level in levels:
        lookup = _lookup_grams(grams, counts, level)
        found = list(
            rows.filter(reduce(or_, (Q(search_key__contains=g) for g in lookup)))
            .annotate(gram_hits=hits)
            .filter(gram_hits__gte=level)
            .order_by("-gram_hits", "pk")[:SEARCH_CANDIDATES]
        )
        if len(found) >= SEARCH_CANDIDATES:
            break
    return found


def _score(query: str, key: str) -> float:
    """Similarity 0–100, tolerant of typos, word order and substrings.

    Edit distance covers typos, token sets the word order, and the partial ratio a query
    naming only part of a long name.
    """
    return max(
        fuzz.token_set_ratio(query, key),
        fuzz.partial_ratio(query, key) if len(query) >= 4 else 0.0,
    )


def account_search_for(
    *, user: User, q: str, on: date | None = None, limit: int = 20
) -> list[SearchHit]:
    """Accounts and contacts matching ``q`` despite typos, word order and mixed scripts.

    Only what ``user`` may see on ``on`` is searched (contacts follow their account).
    Ranked by similarity, ties by kind and id. Used by the list page, the quick search and
    the API alike. Contacts are looked for with every candidate of :func:`_candidates` only
    when the accounts leave room in the first ``limit`` hits; otherwise only the contacts
    holding a strong share of the query's grams (a person's name typed in full still is).
    """
    query = normalise(q)
    grams = query_grams(q)
    if not query or not grams:
        return []
    scope = account_scope_q(user=user, on=on)
    accounts = _candidates(
        Account.objects.filter(scope, merged_into__isnull=True).only(
            "pk", "name", "code", "city", "search_key"
        ),
        grams,
        budgeted=not scope,
    )
    hits: list[SearchHit] = []
    for account in accounts:
        score = _score(query, account.search_key)
        if score >= SEARCH_MIN_SCORE:
            subtitle = " · ".join(p for p in (account.code, account.city) if p)
            hits.append(SearchHit("account", account.pk, account.name, subtitle, account.pk, score))
    # When the accounts alone fill the answer, contacts sharing only a weak part of the query's
    # grams are not looked for: in the bench "yifeng pharmaci" matched the 60 k contacts titled
    # "Head pharmacist" by "pharmaci" (~190 ms), none of which could make the first page.
    contact_scope = Q(account__in=Account.objects.filter(scope).values("pk")) if scope else Q()
    contacts = _candidates(
        Contact.objects.filter(contact_scope)
        .select_related("account")
        .only("pk", "name", "title", "account_id", "account__name", "search_key"),
        grams,
        strong_only=len(hits) >= limit,
    )
    for contact in contacts:
        score = _score(query, contact.search_key)
        if score >= SEARCH_MIN_SCORE:
            subtitle = " · ".join(p for p in (contact.title, contact.account.name) if p)
            hits.append(
                SearchHit("contact", contact.pk, contact.name, subtitle, contact.account_id, score)
            )
    hits.sort(key=lambda h: (-h.score, h.kind, h.id))
    return hits[:limit]


# --- contacts -----------------------------------------------------------------------------


def contact_list_for(
    *, user: User, on: date | None = None, account_id: int | None = None, is_key: bool | None = None
) -> QuerySet[Contact]:
    """Contacts at accounts ``user`` may see (contacts follow their account)."""
    rows = Contact.objects.filter(
        account__in=Account.objects.filter(account_scope_q(user=user, on=on)).values("pk")
    )
    if account_id is not None:
        rows = rows.filter(account_id=account_id)
    if is_key is not None:
        rows = rows.filter(is_key_contact=is_key)
    return rows.select_related("account")


def contact_get_for(*, user: User, contact_id: int, on: date | None = None) -> Contact:
    """The contact, if its account is visible to ``user``; ``Http404`` otherwise."""
    contact = contact_list_for(user=user, on=on).filter(pk=contact_id).first()
    if contact is None:
        raise Http404(_("No such contact."))
    return contact


# --- consumers ----------------------------------------------------------------------------


def consumer_access(*, user: User) -> str:
    """How ``user`` may see consumers: full, pseudonymised, aggregates or none.

    Returns one of ``"full"``, ``"pseudonymised"``, ``"aggregates"`` and ``"none"``;
    ``"aggregates"`` (director, regional manager) means counts only, never a row: see
    :func:`consumer_aggregates_for`.
    """
    if not user.is_authenticated or not user.is_active:
        return "none"
    roles = user.roles
    if roles & CONSUMER_FULL_ROLES:
        return "full"
    if roles & CONSUMER_PSEUDONYMISED_ROLES:
        return "pseudonymised"
    if roles & CONSUMER_AGGREGATE_ROLES:
        return "aggregates"
    return "none"


def consumer_ids_homed_at(*, outlets: QuerySet[Account]) -> QuerySet[Consumer, Any]:
    """Ids of the members whose home outlet is one of ``outlets``, as a subquery.

    For region-level analytics scopes: ids only, no personal data, so it serves roles that
    may see member aggregates but not member rows.
    """
    return Consumer.objects.filter(home_outlet__in=outlets.values("pk")).values("pk")


def consumer_list_for(
    *,
    user: User,
    home_outlet_id: int | None = None,
    gender: str = "",
    grade: str = "",
    include_erased: bool = False,
) -> QuerySet[Consumer]:
    """Consumers ``user`` may list; ``PermissionDenied`` for roles that see none (a rep).

    Pseudonymised viewers get rows whose personal columns are deferred; templates and the
    API show them only through :func:`consumer_view`.
    """
    access = consumer_access(user=user)
    if access == "none":
        raise PermissionDenied(_("Your role does not allow access to consumers."))
    if access == "aggregates":
        raise PermissionDenied(_("Your role sees consumer aggregates only."))
    rows = Consumer.objects.select_related("home_outlet")
    if access == "pseudonymised":
        rows = rows.defer("name", "phone", "email", "birth_date")
    if not include_erased:
        rows = rows.filter(erased_at__isnull=True)
    if home_outlet_id is not None:
        rows = rows.filter(home_outlet_id=home_outlet_id)
    if gender:
        rows = rows.filter(gender=gender)
    if grade:
        rows = rows.filter(grade=grade)
    return rows


def age_band(*, birth_year: int | None, on: date) -> str:
    """The KPI age band of someone born in ``birth_year``, on ``on`` (``""`` when unknown)."""
    if birth_year is None:
        return ""
    age = on.year - birth_year
    if age < AGE_BAND_EDGES[0]:
        return f"<{AGE_BAND_EDGES[0]}"
    for low, high in zip(AGE_BAND_EDGES, AGE_BAND_EDGES[1:], strict=False):
        if age < high:
            return f"{low}-{high - 1}"
    return f"{AGE_BAND_EDGES[-1]}+"


@dataclass(frozen=True)
class ConsentCount:
    """Members by their current consent for one channel (no record: never asked)."""

    channel: str
    granted: int
    withdrawn: int
    unknown: int


@dataclass(frozen=True)
class ConsumerAggregates:
    """Loyalty members counted, never listed: what a director or regional manager sees.

    Each breakdown is ``(value, count)`` pairs sorted by value; ``""`` stands for unknown.
    Erased members count (erasure keeps gender, birth year, region and home outlet).
    """

    total: int
    by_region: list[tuple[str, int]]
    by_gender: list[tuple[str, int]]
    by_age_band: list[tuple[str, int]]
    by_consent: list[ConsentCount]


def consumer_aggregates_for(*, user: User, on: date | None = None) -> ConsumerAggregates:
    """Counts of the loyalty members ``user`` may count, by region, gender, age band, consent.

    Who counts whom: roles that see all accounts count every member; a regional manager
    counts the members whose home outlet lies in their territories on ``on`` (members with
    no home outlet belong to no region and are left out); roles without consumer access get
    ``PermissionDenied``. Region is the member's province; age bands as
    :func:`age_band` on ``on``.
    """
    day = _today(on)
    if consumer_access(user=user) == "none":
        raise PermissionDenied(_("Your role does not allow access to consumers."))
    rows = Consumer.objects.all()
    covered = territory_selectors.territory_ids_covered_by(user=user, on=day)
    if covered is not None:
        rows = rows.filter(home_outlet__territory_id__in=sorted(covered))

    def counted(field: str) -> list[tuple[str, int]]:
        pairs = rows.values_list(field).annotate(n=Count("pk")).order_by(field)
        return [(value or "", n) for value, n in pairs]

    bands: dict[str, int] = {}
    years = rows.values_list("birth_year").annotate(n=Count("pk")).order_by("birth_year")
    for birth_year, n in years:
        band = age_band(birth_year=birth_year, on=day)
        bands[band] = bands.get(band, 0) + n
    total = rows.count()
    consents = (
        ConsumerConsent.objects.filter(consumer__in=rows.values("pk"))
        .values_list("channel", "granted")
        .annotate(n=Count("pk"))
    )
    per_channel = {(channel, granted): n for channel, granted, n in consents}
    by_consent = []
    for channel in Channel.values:
        granted = per_channel.get((channel, True), 0)
        withdrawn = per_channel.get((channel, False), 0)
        by_consent.append(ConsentCount(channel, granted, withdrawn, total - granted - withdrawn))
    return ConsumerAggregates(
        total=total,
        by_region=counted("province"),
        by_gender=counted("gender"),
        by_age_band=sorted(bands.items(), key=lambda pair: _band_order(pair[0])),
        by_consent=by_consent,
    )


def _band_order(band: str) -> int:
    """Youngest band first, unknown last."""
    labels = [age_band(birth_year=2000 - age, on=date(2000, 1, 1)) for age in (0, *AGE_BAND_EDGES)]
    return labels.index(band) if band in labels else len(labels)


def consumer_get_for(*, user: User, consumer_id: int) -> Consumer:
    """One consumer, if ``user`` may see consumers at all; ``Http404`` for an unknown id."""
    consumer = consumer_list_for(user=user, include_erased=True).filter(pk=consumer_id).first()
    if consumer is None:
        raise Http404(_("No such consumer."))
    return consumer


def consumer_view(*, user: User, consumer: Consumer) -> dict[str, Any]:
    """The consumer as ``user`` may see them: personal fields are ``None`` when pseudonymised."""
    full = consumer_access(user=user) == "full"
    return {
        "id": consumer.pk,
        "card_no": consumer.card_no,
        "name": consumer.name if full else None,
        "phone": consumer.phone if full else None,
        "email": consumer.email if full else None,
        "birth_date": consumer.birth_date if full else None,
        "gender": consumer.gender,
        "birth_year": consumer.birth_year,
        "province": consumer.province,
        "city": consumer.city,
        "home_outlet_id": consumer.home_outlet_id,
        "home_outlet": consumer.home_outlet.name if consumer.home_outlet else "",
        "registered_on": consumer.registered_on,
        "grade": consumer.grade,
        "is_erased": consumer.erased_at is not None,
    }


def consumer_export_for(*, user: User, consumer_id: int) -> dict[str, Any]:
    """Everything held about one person (the data-subject access export), as plain JSON data.

    Administrators only: it is by definition their full personal data. Includes the profile,
    every consent with timestamp and source, and the audit trail of both.
    """
    if consumer_access(user=user) != "full":
        raise PermissionDenied(_("Only administrators can export a person's data."))
    consumer = consumer_get_for(user=user, consumer_id=consumer_id)
    consents = [
        {"channel": c.channel, "granted": c.granted, "at": c.at.isoformat(), "source": c.source}
        for c in consumer.consents.order_by("channel")
    ]
    profile = {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in consumer_view(user=user, consumer=consumer).items()
    }
    history = [
        {
            "at": h.history_date.isoformat(),
            "action": h.history_type,
            "card_no": h.card_no,
            "name": h.name,
            "phone": h.phone,
            "email": h.email,
            "birth_date": h.birth_date.isoformat() if h.birth_date else None,
        }
        for h in consumer.history.order_by("history_date", "history_id")  # type: ignore[attr-defined]
    ]
    consent_history = [
        {
            "at": h.at.isoformat(),
            "channel": h.channel,
            "granted": h.granted,
            "source": h.source,
            "recorded_at": h.history_date.isoformat(),
        }
        for h in ConsumerConsent.history.filter(consumer_id=consumer.pk).order_by(  # type: ignore[attr-defined]
            "history_date", "history_id"
        )
    ]
    return {
        "profile": profile,
        "consents": consents,
        "history": history,
        "consent_history": consent_history,
    }
