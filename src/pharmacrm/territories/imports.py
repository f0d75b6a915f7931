"""The ``territories`` import kind, and the region look-ups every master-data import shares.

A region in an import file names a territory node by its code or, failing that, by its name
(when exactly one node has it). Unknown regions are bad rows unless the import may create
them (a registry adapter, or ``--create-regions``): created nodes are flagged ``needs_review``
so an administrator confirms where they belong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from pharmacrm.catalog.master_import import (
    MasterKind,
    RunContext,
    StoreCounts,
    empty_error_frame,
    error_frame,
    register_master_kind,
)
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.readers import ROW
from pharmacrm.core.models import User
from pharmacrm.territories import services as territory_services
from pharmacrm.territories.models import Territory, TerritoryLevel


@dataclass(frozen=True)
class RegionNode:
    """A territory node an adapter met in a registry: created if missing, flagged for review."""

    code: str
    name: str
    level: str = TerritoryLevel.OTHER
    parent_code: str | None = None


def territory_ids_by_region(*, values: Iterable[str]) -> dict[str, int]:
    """Resolve region texts to territory ids: by code first, then by a name only one node has.

    Unknown or ambiguous values are absent from the result.
    """
    wanted = {value for value in values if value}
    if not wanted:
        return {}
    found = dict(Territory.objects.filter(code__in=wanted).values_list("code", "pk"))
    by_name: dict[str, list[int]] = {}
    rest = {value.casefold(): value for value in wanted - set(found)}
    if rest:
        for pk, name in Territory.objects.values_list("pk", "name"):
            key = name.casefold()
            if key in rest:
                by_name.setdefault(rest[key], []).append(pk)
    found.update({value: ids[0] for value, ids in by_name.items() if len(ids) == 1})
    return found


def territory_ensure_nodes(*, by: User | None, nodes: Mapping[str, RegionNode]) -> dict[str, int]:
    """Create the nodes that do not exist yet (``needs_review``), parents before children.

    Existing nodes are left exactly as they are (a person may have renamed or moved them).
    Returns code → id for every node in ``nodes``.
    """
    existing = dict(Territory.objects.filter(code__in=list(nodes)).values_list("code", "pk"))
    parent_codes = {n.parent_code for n in nodes.values() if n.parent_code} - set(nodes)
    existing.update(Territory.objects.filter(code__in=parent_codes).values_list("code", "pk"))

    def depth(node: RegionNode) -> int:
        level = 0
        while node.parent_code and node.parent_code in nodes and level < 50:
            node = nodes[node.parent_code]
            level += 1
        return level

    for node in sorted(nodes.values(), key=lambda n: (depth(n), n.code)):
        if node.code in existing:
            continue
        parent = None
        if node.parent_code:
            parent = Territory.objects.get(pk=existing[node.parent_code])
        territory, _created = territory_services.territory_upsert(
            by=by,
            code=node.code,
            name=node.name,
            level=node.level,
            parent=parent,
            needs_review=True,
        )
        existing[node.code] = territory.pk
    return {code: existing[code] for code in nodes}


# ---------------------------------------------------------------------- the kind

TERRITORY_FIELDS = (
    FieldSpec("code", "code", required=True, synonyms=("territory code", "区域编码", "код")),
    FieldSpec("name", "text", required=True, synonyms=("territory", "区域", "название")),
    FieldSpec("level", "text", synonyms=("level", "层级", "уровень")),
    FieldSpec("parent_code", "code", synonyms=("parent", "上级", "родитель")),
)

LEVEL_ALIASES = {
    **{choice.value: choice.value for choice in TerritoryLevel},
    **{str(choice.label).casefold(): choice.value for choice in TerritoryLevel},
    "国家": TerritoryLevel.COUNTRY,
    "大区": TerritoryLevel.REGION,
    "省": TerritoryLevel.PROVINCE,
    "市": TerritoryLevel.CITY,
    "区": TerritoryLevel.DISTRICT,
    "страна": TerritoryLevel.COUNTRY,
    "регион": TerritoryLevel.REGION,
    "область": TerritoryLevel.PROVINCE,
    "город": TerritoryLevel.CITY,
    "район": TerritoryLevel.DISTRICT,
}


def _check_territories(
    frame: pl.DataFrame, context: RunContext
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Levels must be known; a parent must be in the file or already exist."""
    errors = [empty_error_frame()]
    lowered = frame.get_column("level").str.to_lowercase()
    level = lowered.replace_strict(
        list(LEVEL_ALIASES), list(LEVEL_ALIASES.values()), default=None, return_dtype=pl.String
    )
    bad_level = lowered.is_not_null() & level.is_null()
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(bad_level),
            context.column("level"),
            frame.get_column("level").filter(bad_level),
            "unknown level; expected one of: "
            + ", ".join(choice.value for choice in TerritoryLevel),
        )
    )
    parents = frame.get_column("parent_code")
    in_file = set(frame.get_column("code").to_list())
    stored = set(
        Territory.objects.filter(code__in=parents.drop_nulls().unique().to_list()).values_list(
            "code", flat=True
        )
    )
    unknown = parents.is_not_null() & ~parents.is_in(
        pl.Series(list(in_file | stored), dtype=pl.String).implode()
    )
    errors.append(
        error_frame(
            frame.get_column(ROW).filter(unknown),
            context.column("parent_code"),
            parents.filter(unknown),
            "unknown parent territory: not in this file and not stored",
        )
    )
    frame = frame.with_columns(level.fill_null(TerritoryLevel.OTHER).alias("level"))
    return frame, pl.concat(errors)


def _store_territories(frame: pl.DataFrame, context: RunContext) -> StoreCounts:
    """Upsert nodes parents first; equal values write nothing."""
    rows = {record["code"]: record for record in frame.iter_rows(named=True)}
    created = updated = unchanged = 0
    done: dict[str, Territory] = {}

    def depth(code: str) -> int:
        level = 0
        while code in rows and rows[code]["parent_code"] and level < 50:
            code = rows[code]["parent_code"]
            level += 1
        return level

    for code in sorted(rows, key=lambda c: (depth(c), c)):
        record = rows[code]
        parent = None
        if record["parent_code"]:
            parent = done.get(record["parent_code"]) or Territory.objects.get(
                code=record["parent_code"]
            )
        before = Territory.objects.filter(code=code).values("name", "level", "parent_id").first()
        territory, was_created = territory_services.territory_upsert(
            by=context.by, code=code, name=record["name"], level=record["level"], parent=parent
        )
        done[code] = territory
        if was_created:
            created += 1
        elif before != {
            "name": territory.name,
            "level": territory.level,
            "parent_id": territory.parent_id,
        }:
            updated += 1
        else:
            unchanged += 1
    return StoreCounts(created, updated, unchanged)


TERRITORIES = MasterKind(
    name="territories",
    fields=TERRITORY_FIELDS,
    key="code",
    check=_check_territories,
    store=_store_territories,
    description="territory tree nodes, upserted by code (parent_code builds the tree)",
)

register_master_kind(TERRITORIES)
