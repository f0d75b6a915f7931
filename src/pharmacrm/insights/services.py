"""Writes of the insights app: analytics runs, the snapshot upsert, saved customer lists.

A run computes on the engine first (:mod:`pharmacrm.insights.pipeline`) and writes every
output to Parquet under ``WAREHOUSE_DIR/analytics/run=<id>/``; only then does it open one
database transaction that upserts the snapshot from that Parquet file and removes customers
the run no longer scored. So the OLTP database never holds a half-written snapshot, and its
write lock is held for the upsert alone, not for the engine's work.
"""

from __future__ import annotations

import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmacrm.analytics import engine as analytics_engine
from pharmacrm.core.models import User
from pharmacrm.insights import cluster_step, clv_step, grades, pipeline
from pharmacrm.insights.models import (
    AnalyticsRun,
    CustomerKind,
    CustomerSnapshot,
    Engine,
    RunStatus,
    SavedCustomerList,
)
from pharmacrm.insights.upsert import snapshot_rows_upsert

Progress = Callable[[str], None]


def _no_progress(step: str) -> None:
    """Default progress callback: report nothing."""


def run_dir(run: AnalyticsRun) -> Path:
    """Where a run's Parquet outputs live."""
    return Path(settings.WAREHOUSE_DIR) / "analytics" / f"run={run.pk}"


def analytics_run_create(
    *, by: User | None, as_of: date | None = None, engine: str | None = None
) -> AnalyticsRun:
    """Record a queued run; ``as_of`` ``None`` means the last day present in the facts.

    Raises
    ------
    ValidationError
        When ``engine`` is not one of the analytics engines.
    """
    chosen = engine or settings.ANALYTICS_ENGINE
    if chosen not in Engine.values:
        raise ValidationError(
            {"engine": _("Unknown analytics engine %(engine)s.") % {"engine": chosen}}
        )
    run = AnalyticsRun(requested_by=by, as_of=as_of, engine=chosen)
    run.full_clean()
    run.save()
    return run


def analytics_run_enqueue(
    *, by: User | None, as_of: date | None = None, engine: str | None = None
) -> AnalyticsRun:
    """Record a queued run and hand it to the background worker once the record is committed."""
    from pharmacrm.insights.tasks import analytics_run_task

    with transaction.atomic():
        run = analytics_run_create(by=by, as_of=as_of, engine=engine)
        transaction.on_commit(lambda: analytics_run_task.enqueue(run_id=run.pk))
    return run


def _product_dimension() -> pa.Table | None:
    """The catalogue's SKU → category map, exported for the transactions view."""
    try:
        from pharmacrm.catalog import selectors as catalog_selectors
    except ImportError:  # an installation without the catalogue app
        return None
    rows = list(catalog_selectors.product_list().values_list("sku_code", "category"))
    if not rows:
        return None
    codes, categories = zip(*rows, strict=True)
    return pa.table(
        {"sku_code": pa.array(codes, pa.string()), "category": pa.array(categories, pa.string())}
    )


_DIMENSION_SCHEMAS: dict[str, pa.Schema] = {
    "consumers": pa.schema(
        [("consumer_id", pa.int64()), ("gender", pa.string()), ("birth_year", pa.int64()),
         ("home_outlet_id", pa.int64())]
    ),
    "accounts": pa.schema(
        [("account_id", pa.int64()), ("region", pa.string()), ("kind", pa.string()),
         ("tier", pa.string()), ("territory_id", pa.int64())]
    ),
}  # fmt: skip
"""The columns of each customer dimension a run reads (pseudonymised: no names, no contacts)."""


def _customer_dimensions(out: Path) -> dict[str, pa.Table]:
    """Read the consumer and account dimensions and keep a copy in the run's folder.

    The rows come from the warehouse app's dimension selectors (the same rows its
    ``dimensions_export`` writes; that service itself is not called because it imports the
    warehouse's tasks, which import-linter keeps out of other apps). The copy beside the
    run's outputs makes the run reproducible: its slices were cut by exactly these regions
    and birth years. Returns the columns of :data:`_DIMENSION_SCHEMAS` per dimension.
    """
    from pharmacrm.warehouse import selectors as warehouse_selectors

    rows = {
        "consumers": warehouse_selectors.dimension_consumers(),
        "accounts": warehouse_selectors.dimension_accounts(),
    }
    folder = out / "dimensions"
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, pa.Table] = {}
    for name, schema in _DIMENSION_SCHEMAS.items():
        wanted = [{column: row[column] for column in schema.names} for row in rows[name]]
        tables[name] = pa.Table.from_pylist(wanted, schema=schema)
        pq.write_table(tables[name], folder / f"{name}.parquet")
    return tables


def _compute(run: AnalyticsRun, *, progress: Progress) -> dict[str, int]:
    """Run every analysis on the engine and write the run's Parquet outputs.

    Sets ``run.as_of`` when it was left open. Returns the row count of every output.
    """
    progress(_("Reading the warehouse"))
    out = run_dir(run)
    out.mkdir(parents=True, exist_ok=True)
    dimensions = _customer_dimensions(out)
    con = analytics_engine.connect(
        run.engine,  # type: ignore[arg-type]
        spark_master=settings.SPARK_MASTER,
        memory_limit=settings.ANALYTICS_MEMORY_LIMIT,
        temp_directory=settings.ANALYTICS_TEMP_DIR,
    )
    found = pipeline.open_transactions(
        con,
        Path(settings.WAREHOUSE_DIR),
        products=_product_dimension(),
        consumers=dimensions["consumers"],
        accounts=dimensions["accounts"],
    )
    counts = {f"facts_{fact}": rows for fact, rows in found.fact_rows.items()}
    counts.update({f"dimension_{name}": table.num_rows for name, table in dimensions.items()})
    if run.as_of is None:
        run.as_of = pipeline.last_fact_day(found.views)
    if run.as_of is None:
        raise ValueError(_("The warehouse holds no sales facts yet: import some first."))
    run.output_dir = str(out)

    customers: dict[str, int] = {}
    with pq.ParquetWriter(out / "snapshot.parquet", pipeline.SNAPSHOT_SCHEMA) as writer:
        for kind, view in found.views.items():
            progress(_("Scoring %(kind)s customers") % {"kind": kind})
            customers[kind] = 0
            for batch in pipeline.snapshot_batches(con, view, as_of=run.as_of, kind=kind):
                writer.write_batch(batch)
                customers[kind] += batch.num_rows
    counts.update({f"snapshot_{kind}": n for kind, n in customers.items()})

    run.notes = []
    for kind, view in found.views.items():
        progress(_("Fitting CLV models for %(kind)s customers") % {"kind": kind})
        outcome = clv_step.clv_score(con, view, as_of=run.as_of, kind=kind, out_dir=out)
        counts[f"clv_{kind}"] = outcome.scored
        if outcome.message:
            run.notes.append(outcome.message)
        progress(_("Clustering %(kind)s customers") % {"kind": kind})
        clustered = cluster_step.cluster_assign(con, view, as_of=run.as_of, kind=kind, out_dir=out)
        counts[f"clusters_{kind}"] = clustered.assigned
        if clustered.message:
            run.notes.append(clustered.message)

    collected: dict[str, list[pa.Table]] = {}
    for kind, view in found.views.items():
        progress(_("Aggregating %(kind)s periods") % {"kind": kind})
        with tempfile.TemporaryDirectory(prefix="scratch-", dir=out) as scratch:
            exprs = pipeline.aggregate_exprs(
                view, as_of=run.as_of, customers=customers[kind], kind=kind, scratch=Path(scratch)
            )
            for name, expr in exprs.items():
                if expr is None:
                    if name not in run.skipped:
                        run.skipped.append(name)
                    continue
                collected.setdefault(name, []).append(pipeline.collect(expr, kind=kind))
    for name, tables in collected.items():
        counts[name] = pipeline.write_parquet(tables, out / f"{name}.parquet")
    return counts


def snapshot_upsert(*, run: AnalyticsRun, path: Path) -> int:
    """Make the snapshot table hold exactly the customers of ``path``, written by ``run``.

    One transaction: rows are inserted or updated in bulk on (customer kind, customer id) —
    ``INSERT … ON CONFLICT DO UPDATE``, fed by ``COPY`` on PostgreSQL (see
    :mod:`pharmacrm.insights.upsert`) — and rows from earlier runs
    that this run did not score are deleted. The run's CLV and cluster files beside ``path``
    fill those columns in the same pass. Idempotent: upserting the same file twice leaves the
    same rows. Returns the number of rows upserted.
    """
    with transaction.atomic():
        upserted = snapshot_rows_upsert(
            path=str(path), run_id=run.pk, kinds=tuple(CustomerKind.values)
        )
        CustomerSnapshot.objects.exclude(run=run).delete()
    return upserted


def analytics_run_execute(*, run: AnalyticsRun, progress: Progress = _no_progress) -> AnalyticsRun:
    """Execute a recorded run: compute, write Parquet, upsert the snapshot, record the result.

    The run ends ``succeeded`` with its row counts and duration, or ``failed`` with the error
    (and the exception propagates, so a task or the CLI reports it too).
    """
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    started = time.perf_counter()
    try:
        counts = _compute(run, progress=progress)
        progress(_("Saving the snapshot"))
        counts["snapshot"] = snapshot_upsert(run=run, path=run_dir(run) / "snapshot.parquet")
        changed = grades.grades_apply(by=run.requested_by, run=run)  # value rules (issue 8)
        counts.update({f"grade_changes_{kind}": n for kind, n in changed.items()})
    except Exception as exc:
        run.status = RunStatus.FAILED
        run.error = "".join(traceback.format_exception_only(exc)).strip()
        run.finished_at = timezone.now()
        run.duration_seconds = time.perf_counter() - started
        run.save()
        raise
    run.status = RunStatus.SUCCEEDED
    run.row_counts = counts
    run.customer_count = counts["snapshot"]
    run.finished_at = timezone.now()
    run.duration_seconds = time.perf_counter() - started
    run.save()
    pipeline.write_json(
        {
            "run": run.pk,
            "as_of": run.as_of,
            "engine": run.engine,
            "row_counts": counts,
            "notes": run.notes,
        },
        run_dir(run) / "run.json",
    )
    return run


def run_analytics(
    *,
    by: User | None,
    as_of: date | None = None,
    engine: str | None = None,
    progress: Progress = _no_progress,
) -> AnalyticsRun:
    """Record and execute a full analytics run in this process (the CLI and the task use it).

    Parameters
    ----------
    by
        Who asked (``None`` for the scheduler).
    as_of
        Observation date; ``None`` takes the last day present in the facts — never today,
        which would count a half-loaded day and age every customer by the load delay.
    engine
        ``"duckdb"`` or ``"spark"``; ``None`` takes ``settings.ANALYTICS_ENGINE``.
    progress
        Called with a short description as each step starts.

    Returns
    -------
    AnalyticsRun
        The run, ``succeeded`` (a failure raises after recording it).
    """
    run = analytics_run_create(by=by, as_of=as_of, engine=engine)
    return analytics_run_execute(run=run, progress=progress)


def saved_list_create(
    *,
    by: User,
    name: str,
    customer_kind: str,
    customer_keys: Iterable[int],
    filters: dict[str, Any],
    run: AnalyticsRun | None,
) -> SavedCustomerList:
    """Save the customers of a snapshot filter under a name (a future campaign audience).

    Raises
    ------
    ValidationError
        When the name is empty or already taken, or the kind is unknown.
    """
    keys = sorted(set(customer_keys))
    saved = SavedCustomerList(
        name=name.strip(),
        created_by=by,
        run=run,
        customer_kind=customer_kind,
        filters=filters,
        customer_keys=keys,
        size=len(keys),
    )
    if customer_kind not in CustomerKind.values:
        raise ValidationError({"customer_kind": _("Unknown customer kind.")})
    saved.full_clean()
    saved.save()
    return saved
