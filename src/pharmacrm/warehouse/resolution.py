"""Source codes → OLTP ids for warehouse facts, looked up in the customer master batch by batch.

Every fact keeps the source's codes (``card_no``, ``outlet_code``, ``sku_code`` …) and the ids
they resolve to (DESIGN.md, data model); analytics counts loyalty customers by ``consumer_id``,
so an import that leaves the ids empty counts none. :class:`MasterDataResolver` is what every
interface's import job uses (CLI, web upload, API — :func:`services.import_job_run`): it asks
the owning apps for just the distinct codes of each batch, never loads the whole master, and
remembers the answers for the rest of the file (a card recurs on every receipt of its member).
An unknown code gives a null id: the row is kept, counted and listed as unresolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

CACHE_LIMIT = 2_000_000
"""Codes remembered per entity before the memory is emptied and refilled from the batches that
follow (~200 MB at most over four entities; a typical chain has < 1 M cards)."""

Lookup = Callable[[list[str]], dict[str, int]]


def _accounts(codes: list[str]) -> dict[str, int]:
    from pharmacrm.accounts import imports as account_imports

    return account_imports.account_ids_by_code(codes=codes)


def _consumers(codes: list[str]) -> dict[str, int]:
    from pharmacrm.accounts import imports as account_imports

    return account_imports.consumer_ids_by_card(card_nos=codes)


def _products(codes: list[str]) -> dict[str, int]:
    from pharmacrm.catalog import selectors as catalog_selectors

    return catalog_selectors.product_ids_by_sku(sku_codes=codes)


LOOKUPS: dict[str, Lookup] = {
    "account": _accounts,
    "outlet": _accounts,
    "consumer": _consumers,
    "product": _products,
}
"""Entity named by a fact kind's ``codes`` → the look-up of its ids (FactKind.codes)."""


@dataclass
class MasterDataResolver:
    """Resolves one entity's codes of one batch with one query per 2,000 new codes.

    Known and unknown answers are both remembered, so a code costs one look-up per import
    (unknown codes stay unknown for the file: master data added mid-import is picked up by the
    next import, or by resolving later).
    """

    lookups: dict[str, Lookup] = field(default_factory=lambda: dict(LOOKUPS))
    cache_limit: int = CACHE_LIMIT
    _known: dict[str, dict[str, int | None]] = field(default_factory=dict, repr=False)

    def resolve(self, entity: str, codes: pl.Series) -> pl.Series:
        """Return an Int64 series of ids for ``codes``; null where unknown or missing."""
        lookup = self.lookups.get(entity)
        if lookup is None or codes.null_count() == len(codes):
            return pl.Series(codes.name, [None] * len(codes), dtype=pl.Int64)
        text = codes if codes.dtype == pl.String else codes.cast(pl.String)
        distinct = text.drop_nulls().unique().to_list()
        known = self._known.setdefault(entity, {})
        if len(known) + len(distinct) > self.cache_limit:
            known.clear()
        wanted = [code for code in distinct if code not in known]
        if wanted:
            found = lookup(wanted)
            known.update((code, found.get(code)) for code in wanted)
        ids = {code: known[code] for code in distinct if known[code] is not None}
        return text.replace_strict(
            list(ids), list(ids.values()), default=None, return_dtype=pl.Int64
        )
