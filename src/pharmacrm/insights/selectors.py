"""Reads of the insights app: runs, the snapshot with its filters, and a run's aggregates.

The snapshot (database) answers "who": counts per segment and stage, and the filtered
customer lists every count links to. A run's Parquet aggregates answer "how much, when":
KPIs per period, leaky bucket, cohorts, Lorenz points, ABC × XYZ matrices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404

from pharmacrm.analytics.lifecycle import DEFAULT_LIFECYCLE_RULES, STAGES
from pharmacrm.analytics.rfm import DEFAULT_SEGMENT_MAP
from pharmacrm.insights.models import (
    AnalyticsRun,
    CustomerKind,
    CustomerSnapshot,
    RunStatus,
    SavedCustomerList,
)
from pharmacrm.insights.scope import AnalyticsScope

AGGREGATES: tuple[str, ...] = (
    "kpis",
    "kpi_slices",
    "leaky_bucket_month",
    "leaky_bucket_quarter",
    "cohorts",
    "lorenz",
    "pareto_summary",
    "abc_xyz_customers",
    "abc_xyz_products",
)
"""The per-period and per-class outputs a run writes next to its snapshot."""

SEGMENTS: tuple[str, ...] = tuple(rule.name for rule in DEFAULT_SEGMENT_MAP.rules)

PLAYS: dict[str, str] = {
    "new": DEFAULT_LIFECYCLE_RULES.play_new,
    "active": DEFAULT_LIFECYCLE_RULES.play_active,
    "inactive": DEFAULT_LIFECYCLE_RULES.play_inactive,
    "lost": DEFAULT_LIFECYCLE_RULES.play_lost,
}


@dataclass(frozen=True)
class SnapshotFilters:
    """How a customer list is drawn from the snapshot; empty values do not filter."""

    kind: str = CustomerKind.CONSUMER
    segment: str = ""
    stage: str = ""
    abc_class: str = ""
    is_vip: bool | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SnapshotFilters:
        """Read the filters from a query string, ignoring values that are not allowed."""
        kind = params.get("kind", CustomerKind.CONSUMER)
        vip = params.get("vip", "")
        return cls(
            kind=kind if kind in CustomerKind.values else CustomerKind.CONSUMER,
            segment=params.get("segment", "") if params.get("segment") in SEGMENTS else "",
            stage=params.get("stage", "") if params.get("stage") in STAGES else "",
            abc_class=params.get("abc", "") if params.get("abc") in ("A", "B", "C") else "",
            is_vip=True if vip == "1" else (False if vip == "0" else None),
        )

    def as_params(self) -> dict[str, str]:
        """The filters as query-string values (what links and saved lists record)."""
        params = {
            "kind": self.kind,
            "segment": self.segment,
            "stage": self.stage,
            "abc": self.abc_class,
            "vip": "" if self.is_vip is None else ("1" if self.is_vip else "0"),
        }
        return {key: value for key, value in params.items() if value}


def run_list(*, limit: int = 100) -> QuerySet[AnalyticsRun]:
    """Recent runs, newest first, with who asked."""
    return AnalyticsRun.objects.select_related("requested_by")[:limit]


def run_get(*, run_id: int) -> AnalyticsRun:
    """One run, or 404."""
    return get_object_or_404(AnalyticsRun.objects.select_related("requested_by"), pk=run_id)


def run_latest() -> AnalyticsRun | None:
    """The latest successful run: the one the snapshot and the pages show."""
    return (
        AnalyticsRun.objects.filter(status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def _snapshot_rows(*, kind: str, scope: AnalyticsScope | None) -> QuerySet[CustomerSnapshot]:
    """Snapshot rows of ``kind`` inside ``scope`` (``None``: every row, for internal callers)."""
    rows = CustomerSnapshot.objects.filter(customer_kind=kind)
    return rows if scope is None else scope.restrict(rows, kind=kind)


def snapshot_list(
    *, filters: SnapshotFilters, scope: AnalyticsScope | None = None
) -> QuerySet[CustomerSnapshot]:
    """Snapshot rows matching ``filters``, inside ``scope`` when one is given."""
    rows = _snapshot_rows(kind=filters.kind, scope=scope)
    if filters.segment:
        rows = rows.filter(rfm_segment=filters.segment)
    if filters.stage:
        rows = rows.filter(lifecycle_stage=filters.stage)
    if filters.abc_class:
        rows = rows.filter(abc_class=filters.abc_class)
    if filters.is_vip is not None:
        rows = rows.filter(is_vip=filters.is_vip)
    return rows


def snapshot_get(*, kind: str, customer_id: int) -> CustomerSnapshot | None:
    """One customer's latest analytics, for the account and consumer 360 pages (or None).

    Unscoped: the caller has already decided the user may see this customer (the 360 page's
    own door, or :meth:`AnalyticsScope.includes`). Comes with its run (for the ``as_of``).
    """
    return (
        CustomerSnapshot.objects.select_related("run")
        .filter(customer_kind=kind, customer_key=customer_id)
        .first()
    )


def segment_summary(*, kind: str, scope: AnalyticsScope | None = None) -> list[dict[str, Any]]:
    """Customers and net revenue per RFM segment, in the segment map's order (empty ones too)."""
    found: dict[str, Mapping[str, Any]] = {
        row["rfm_segment"]: row
        for row in _snapshot_rows(kind=kind, scope=scope)
        .values("rfm_segment")
        .annotate(customers=Count("pk"), revenue=Sum("monetary"))
    }
    return [
        {
            "segment": name,
            "customers": found.get(name, {}).get("customers", 0),
            "revenue": found.get(name, {}).get("revenue") or 0.0,
        }
        for name in SEGMENTS
    ]


def stage_summary(*, kind: str, scope: AnalyticsScope | None = None) -> list[dict[str, Any]]:
    """Customers, net revenue and the recommended play per lifecycle stage, in funnel order."""
    found: dict[str, Mapping[str, Any]] = {
        row["lifecycle_stage"]: row
        for row in _snapshot_rows(kind=kind, scope=scope)
        .values("lifecycle_stage")
        .annotate(customers=Count("pk"), revenue=Sum("monetary"))
    }
    return [
        {
            "stage": stage,
            "customers": found.get(stage, {}).get("customers", 0),
            "revenue": found.get(stage, {}).get("revenue") or 0.0,
            "play": PLAYS[stage],
        }
        for stage in STAGES
    ]


def abc_summary(*, kind: str, scope: AnalyticsScope | None = None) -> dict[str, int]:
    """Customers per ABC class (the counts the ABC × XYZ page links to lists with)."""
    rows = (
        _snapshot_rows(kind=kind, scope=scope).values("abc_class").annotate(customers=Count("pk"))
    )
    return {row["abc_class"]: row["customers"] for row in rows if row["abc_class"]}


def vip_count(*, kind: str, scope: AnalyticsScope | None = None) -> int:
    """Customers flagged VIP (the Pareto top share)."""
    return _snapshot_rows(kind=kind, scope=scope).filter(is_vip=True).count()


_SORT_KEYS: dict[str, tuple[str, ...]] = {
    "kpis": ("period",),
    "kpi_slices": ("slice", "slice_value", "period"),
    "leaky_bucket_month": ("period",),
    "leaky_bucket_quarter": ("period",),
    "cohorts": ("cohort", "months_since_first"),
    "lorenz": ("rank",),
    "pareto_summary": (),
    "abc_xyz_customers": ("abc", "xyz"),
    "abc_xyz_products": ("abc", "xyz"),
}


def aggregate_rows(*, run: AnalyticsRun, name: str, kind: str) -> list[dict[str, Any]]:
    """One aggregate of ``run`` for one customer kind, sorted for display.

    Returns an empty list when the run did not produce it (an analysis the installation
    lacks, or a kind without facts).

    Raises
    ------
    KeyError
        When ``name`` is not one of :data:`AGGREGATES`.
    """
    if name not in AGGREGATES:
        raise KeyError(name)
    path = Path(run.output_dir) / f"{name}.parquet"
    if not run.output_dir or not path.exists():
        return []
    table = pq.read_table(path)
    table = table.filter(pc.equal(table["customer_kind"], kind)).drop_columns(["customer_kind"])
    keys = [(column, "ascending") for column in _SORT_KEYS[name] if column in table.column_names]
    if keys:
        table = table.sort_by(keys)
    return table.to_pylist()  # type: ignore[no-any-return]


def with_change(rows: list[dict[str, Any]], *, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Add ``<column>_change``: the relative change against the previous period (None first)."""
    previous: dict[str, Any] | None = None
    out = []
    for row in rows:
        row = dict(row)
        for column in columns:
            before = None if previous is None else previous.get(column)
            value = row.get(column)
            row[f"{column}_change"] = (
                None if before in (None, 0) or value is None else (value - before) / abs(before)
            )
        out.append(row)
        previous = row
    return out


def kpi_slice_rows(
    *, run: AnalyticsRun, kind: str, slice_name: str, columns: tuple[str, ...]
) -> list[dict[str, Any]]:
    """KPIs per month of each value of one slice, with the change on its previous month."""
    rows = [
        row
        for row in aggregate_rows(run=run, name="kpi_slices", kind=kind)
        if row["slice"] == slice_name
    ]
    by_value: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_value.setdefault(row["slice_value"], []).append(row)
    return [
        changed
        for value_rows in by_value.values()
        for changed in with_change(value_rows, columns=columns)
    ]


def run_compare(*, run: AnalyticsRun, other: AnalyticsRun) -> list[dict[str, Any]]:
    """Customers per kind and segment in two runs' snapshots, side by side."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for label, subject in (("run", run), ("other", other)):
        path = Path(subject.output_dir) / "snapshot.parquet"
        if not subject.output_dir or not path.exists():
            continue
        table = pq.read_table(path, columns=["customer_kind", "rfm_segment"])
        grouped = table.group_by(["customer_kind", "rfm_segment"]).aggregate(
            [("rfm_segment", "count")]
        )
        for row in grouped.to_pylist():
            key = (row["customer_kind"], row["rfm_segment"] or "")
            counts.setdefault(key, {"run": 0, "other": 0})[label] = row["rfm_segment_count"]
    return [
        {"kind": kind, "segment": segment, **values}
        for (kind, segment), values in sorted(counts.items())
    ]


def saved_list_list() -> QuerySet[SavedCustomerList]:
    """Saved customer lists, newest first."""
    return SavedCustomerList.objects.select_related("created_by")


def saved_list_get(*, list_id: int) -> SavedCustomerList:
    """One saved list, or 404."""
    return get_object_or_404(SavedCustomerList, pk=list_id)


def as_of_of(run: AnalyticsRun | None) -> date | None:
    """The observation date the pages state beside every figure."""
    return None if run is None else run.as_of


def kpi_region_rows(
    *, run: AnalyticsRun, kind: str, regions: frozenset[str], columns: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The region slice's KPIs per month, only for ``regions`` (a regional manager's provinces)."""
    rows = kpi_slice_rows(run=run, kind=kind, slice_name="region", columns=columns)
    return [row for row in rows if row["slice_value"] in regions]


SNAPSHOT_CARD_ROLES: dict[str, frozenset[str]] = {
    # Account analytics follow the account 360's own door (the page has already scoped the
    # account); campaign managers see "segments and results"; channel and supplier managers
    # see price and supplier data, not a buyer's scores.
    CustomerKind.ACCOUNT: frozenset(
        {"administrator", "director", "analyst", "regional_manager", "sales_rep",
         "campaign_manager"}
    ),
    # A member's scores are per-person data: only roles that open a member's 360 at all
    # (full or pseudonymised access) — directors and regional managers see aggregates.
    CustomerKind.CONSUMER: frozenset({"administrator", "analyst", "campaign_manager"}),
}  # fmt: skip
"""Who sees the analytics card on a 360 page, per customer kind (DESIGN.md roles table)."""


@dataclass(frozen=True)
class SnapshotCard:
    """What the 360 page's analytics card shows: the row, its run, or why there is none."""

    visible: bool
    snapshot: CustomerSnapshot | None = None
    latest_run: AnalyticsRun | None = None
    play: str = ""

    @property
    def as_of(self) -> date | None:
        """The observation date of the figures (the snapshot's run, else the latest run)."""
        if self.snapshot is not None:
            return self.snapshot.run.as_of
        return as_of_of(self.latest_run)


def snapshot_card_for(*, roles: frozenset[str], kind: str, customer_id: int) -> SnapshotCard:
    """The analytics card of one account or member for a user holding ``roles``.

    The caller (the 360 page) has already checked the user may open this customer; this only
    decides whether their role sees the customer's analytics, then reads the snapshot row.
    """
    allowed = SNAPSHOT_CARD_ROLES.get(kind, frozenset())
    if not roles & allowed:
        return SnapshotCard(visible=False)
    row = snapshot_get(kind=kind, customer_id=customer_id)
    if row is None:
        return SnapshotCard(visible=True, latest_run=run_latest())
    return SnapshotCard(visible=True, snapshot=row, play=PLAYS.get(row.lifecycle_stage, ""))
