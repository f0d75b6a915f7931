"""django-ninja In/Out schemas of the insights API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class RunIn(Schema):
    """A run to queue; ``as_of`` omitted: the last day present in the facts."""

    as_of: date | None = None
    engine: str | None = None


class RunOut(Schema):
    """An analytics run as recorded."""

    id: int
    status: str
    as_of: date | None
    engine: str
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    customer_count: int
    row_counts: dict[str, int]
    skipped: list[str]
    error: str


class SnapshotOut(Schema):
    """One customer's latest analytics."""

    customer_kind: str
    customer_id: int
    run_id: int
    r_score: int | None
    f_score: int | None
    m_score: int | None
    rfm_segment: str
    lifecycle_stage: str
    abc_class: str
    is_vip: bool
    monetary: float | None
    frequency: int | None
    days_since_last: int | None
    first_day: date | None
    last_day: date | None
    p_alive: float | None
    expected_purchases: float | None
    clv: float | None
    churn_band: str
    expected_spend: float | None
    next_purchase_day: date | None
    cluster: int | None
    cluster_label: str
    grade: str


class SegmentOut(Schema):
    """Customers and net revenue of one RFM segment."""

    segment: str
    customers: int
    revenue: float


class AggregateOut(Schema):
    """One aggregate of a run for one customer kind: its rows as written to Parquet."""

    run_id: int
    as_of: date | None
    name: str
    customer_kind: str
    rows: list[dict[str, Any]]
