"""The shared list helper: server-side search, sort, pagination and empty state for every list.

Views hand it a queryset and what may be searched and sorted; it reads ``q``, ``sort`` and
``page`` from the query string, never trusting a sort key that is not whitelisted (a user-given
``order_by`` would let anyone probe hidden columns).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class SortOption:
    """A column the user may sort by: the query-string key, its label and the ORM fields."""

    key: str
    label: str | Promise
    fields: tuple[str, ...]


@dataclass
class ListPage:
    """What a list template needs: the page of rows and the state of the controls."""

    page: Page[Any]
    q: str
    sort: str
    sort_options: list[SortOption]
    filters: dict[str, str] = field(default_factory=dict)
    per_page: int = DEFAULT_PER_PAGE

    @property
    def rows(self) -> list[Any]:
        """The records on this page."""
        return list(self.page.object_list)

    @property
    def is_empty(self) -> bool:
        """True when nothing matches at all (not just this page)."""
        return self.page.paginator.count == 0

    @property
    def is_filtered(self) -> bool:
        """True when search or a filter narrows the list (the empty state says so)."""
        return bool(self.q) or any(self.filters.values())

    def querystring(self, **changes: object) -> str:
        """The current state with ``changes`` applied, as ``?a=b&…`` for links."""
        params: dict[str, object] = {"q": self.q, "sort": self.sort, **self.filters}
        params.update(changes)
        return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})

    def sort_link(self, key: str) -> str:
        """Link that sorts by ``key``, toggling direction when it is already the sort."""
        return self.querystring(sort=f"-{key}" if self.sort == key else key, page=None)


def list_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    search_fields: tuple[str, ...] = (),
    sort_options: list[SortOption],
    default_sort: str,
    filters: dict[str, str] | None = None,
    per_page: int = DEFAULT_PER_PAGE,
) -> ListPage:
    """Apply search, whitelisted sort and pagination to ``queryset``.

    ``search_fields`` are ORM lookups matched with ``icontains`` on every word of ``q``
    (all words must match somewhere). Sorting always ends with ``pk`` so pages are stable.
    """
    q = request.GET.get("q", "").strip()
    if q and search_fields:
        for word in q.split():
            queryset = queryset.filter(
                reduce(or_, (Q(**{f"{f}__icontains": word}) for f in search_fields))
            )
    options = {o.key: o for o in sort_options}
    sort = request.GET.get("sort", default_sort)
    key = sort.removeprefix("-")
    if key not in options:
        sort, key = default_sort, default_sort.removeprefix("-")
    descending = sort.startswith("-")
    order = [f"-{f}" if descending else f for f in options[key].fields]
    queryset = queryset.order_by(*order, "-pk" if descending else "pk")
    with suppress(ValueError):
        per_page = max(1, min(int(request.GET.get("per_page", per_page)), MAX_PER_PAGE))
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return ListPage(
        page=page,
        q=q,
        sort=sort,
        sort_options=sort_options,
        filters=filters or {},
        per_page=per_page,
    )
