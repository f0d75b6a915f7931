"""The engine side of an analytics run: warehouse facts in, snapshot and aggregates out.

Django-free on purpose (the run's bookkeeping and the database upsert are in
:mod:`pharmacrm.insights.services`): it opens the live Parquet files of each fact on an Ibis
connection, builds one transactions view per customer kind — consumers (receipts and online
orders, keyed by the loyalty member) and accounts (invoices and sell-out flow lines, keyed by
the buying account) — and composes the pure functions of :mod:`pharmacrm.analytics` into

* the per-customer **snapshot** (RFM scores and segment, lifecycle stage, ABC class, VIP flag,
  money, frequency, recency, first and last purchase day), streamed out as Arrow record
  batches so a run over millions of customers holds one batch at a time;
* the per-period **aggregates** the pages chart (KPIs, leaky bucket by month and quarter,
  cohorts, Lorenz points, Pareto summary, ABC × XYZ matrices), small enough to collect.
"""

from __future__ import annotations

import importlib
import json
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from pharmacrm.analytics import transactions as tx_views
from pharmacrm.analytics.abc_xyz import abc, abc_xyz_matrix, xyz
from pharmacrm.analytics.cohorts import cohorts
from pharmacrm.analytics.leaky_bucket import leaky_bucket
from pharmacrm.analytics.lifecycle import lifecycle_stage
from pharmacrm.analytics.pareto import pareto, pareto_summary
from pharmacrm.analytics.rfm import rfm_scores, rfm_segments

CUSTOMER_KINDS: tuple[str, ...] = ("consumer", "account")
"""Snapshot kinds, in the order a run computes them."""

FACTS_BY_KIND: dict[str, tuple[str, ...]] = {
    "consumer": ("receipt_lines", "online_orders"),
    "account": ("invoice_lines", "flow_lines"),
}
"""Which warehouse facts make up each kind's transactions view."""

SNAPSHOT_SCHEMA = pa.schema(
    [
        pa.field("customer_kind", pa.string()),
        pa.field("customer_key", pa.int64()),
        pa.field("r_score", pa.int64()),
        pa.field("f_score", pa.int64()),
        pa.field("m_score", pa.int64()),
        pa.field("rfm_segment", pa.string()),
        pa.field("lifecycle_stage", pa.string()),
        pa.field("abc_class", pa.string()),
        pa.field("is_vip", pa.bool_()),
        pa.field("monetary", pa.float64()),
        pa.field("frequency", pa.int64()),
        pa.field("days_since_last", pa.int64()),
        pa.field("first_day", pa.date32()),
        pa.field("last_day", pa.date32()),
    ]
)
"""Columns of ``snapshot.parquet`` (the CLV and cluster columns join when those runs land)."""

LORENZ_POINTS = 200
"""At most this many Lorenz points are kept per kind (plus the last): a chart, not a table."""

Progress = Callable[[str], None]


def _no_progress(step: str) -> None:
    """Default progress callback: report nothing."""


# --------------------------------------------------------------------------- reading facts


def fact_files(warehouse_dir: Path, fact: str) -> list[Path]:
    """The live Parquet files of ``fact``.

    A warehouse written by the import pipeline has a manifest, which alone says which files
    are live (re-sent periods leave older versions aside); one written straight to Parquet
    (the ``large`` generator, a hand-made test warehouse) has none, and then every file of
    the ``<fact>/source=…/month=…/`` layout is live.
    """
    if (warehouse_dir / "manifest.json").exists():
        from pharmacrm.warehouse.store import WarehouseStore

        return WarehouseStore(warehouse_dir).live_files(fact)
    return sorted((warehouse_dir / fact).glob("source=*/month=*/*.parquet"))


def fact_row_count(files: list[Path]) -> int:
    """Rows in ``files``, read from the Parquet footers (no data is scanned)."""
    return sum(pq.ParquetFile(path).metadata.num_rows for path in files)


def _read_fact(con: BaseBackend, files: list[Path]) -> ir.Table:
    # ibis 12 reads the schema through DuckDB 2.0's deprecated fetch_arrow_table(): ibis'
    # warning to fix, nothing a run can act on.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
        if con.name == "duckdb":
            # The partition folders (source=…, month=…) are layout, not columns of the fact.
            return con.read_parquet([str(p) for p in files], hive_partitioning=False)
        tables = [con.read_parquet(str(path)) for path in files]
    table = tables[0]
    for more in tables[1:]:
        table = table.union(more)
    return table


_BUILDERS: dict[str, Callable[..., ir.Table]] = {
    "receipt_lines": tx_views.receipts_view,
    "online_orders": tx_views.online_view,
    "invoice_lines": tx_views.invoices_view,
    "flow_lines": tx_views.flows_view,
}

_BUILDER_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "receipt_lines": ("products", "consumers", "accounts"),
    "online_orders": ("products", "consumers"),
    "invoice_lines": ("products", "accounts"),
    # Sell-out lines carry the terminal region the distributor reported.
    "flow_lines": ("products",),
}
"""The dimension snapshots each transactions builder accepts."""


@dataclass
class Transactions:
    """Transactions views per customer kind, and how many fact rows fed them."""

    views: dict[str, ir.Table] = field(default_factory=dict)
    fact_rows: dict[str, int] = field(default_factory=dict)


def _dimension(con: BaseBackend, table: pa.Table | None, *, name: str) -> ir.Table | None:
    """Put an exported dimension on the engine (``None`` or no rows: no dimension)."""
    if table is None or table.num_rows == 0:
        return None
    if con.name == "duckdb":
        # A table registered on the connection rather than a memtable: the snapshot is
        # streamed from SQL compiled here, which does not register memtables as execution
        # would. (ibis 12's ``create_table`` from Arrow emits ``DROP VIEW IF EXISTS`` with no
        # name, which DuckDB 2.0 rejects, so the Arrow table is registered directly.)
        registered = ibis.util.gen_name(name)
        con.con.register(registered, table)  # type: ignore[attr-defined]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
            return con.table(registered)
    return ibis.memtable(table)


def open_transactions(
    con: BaseBackend,
    warehouse_dir: Path,
    *,
    products: pa.Table | None = None,
    consumers: pa.Table | None = None,
    accounts: pa.Table | None = None,
) -> Transactions:
    """Build each customer kind's transactions view over the warehouse's live facts.

    Parameters
    ----------
    con
        Ibis connection of the chosen engine.
    warehouse_dir
        Root of the Parquet warehouse.
    products
        Product dimension (``sku_code, category``) exported from the catalogue, or ``None``.
    consumers
        Consumer dimension (``consumer_id, gender, birth_year``), or ``None``: fills the
        ``gender`` and ``age_band`` KPI slices of the consumer kind.
    accounts
        Account dimension (``account_id, region``), or ``None``: fills the ``region`` slice
        (a receipt's region is its outlet's, an invoice's its buying account's).

    Returns
    -------
    Transactions
        Views for the kinds that have facts (a kind without any is absent) and row counts.
    """
    found = Transactions()
    dimensions = {
        "products": _dimension(con, products, name="products"),
        "consumers": _dimension(con, consumers, name="consumers"),
        "accounts": _dimension(con, accounts, name="accounts"),
    }
    for kind, facts in FACTS_BY_KIND.items():
        parts: list[ir.Table] = []
        for fact in facts:
            files = fact_files(warehouse_dir, fact)
            found.fact_rows[fact] = fact_row_count(files)
            if not files:
                continue
            builder = _BUILDERS[fact]
            accepted = _BUILDER_DIMENSIONS[fact]
            given = {name: table for name, table in dimensions.items() if name in accepted}
            parts.append(builder(_read_fact(con, files), **given))
        if parts:
            view = parts[0]
            for more in parts[1:]:
                view = view.union(more)
            found.views[kind] = view
    return found


def last_fact_day(views: dict[str, ir.Table]) -> date | None:
    """The last local day present in any view: the default ``as_of`` (never today)."""
    days = [view.day.max().to_pyarrow().as_py() for view in views.values()]
    present = [day for day in days if day is not None]
    return max(present) if present else None


# ------------------------------------------------------------------------ the computations


def snapshot_expr(tx: ir.Table, *, as_of: date, kind: str) -> ir.Table:
    """One row per customer with a purchase on or before ``as_of``: every per-customer result.

    RFM over all history (so ``monetary`` is net revenue and ``frequency`` the purchase
    documents), the lifecycle stage, the customer's ABC class by net revenue and the VIP flag
    of the Pareto top fifth. Returns ``SNAPSHOT_SCHEMA``'s columns.
    """
    scores = rfm_segments(rfm_scores(tx, as_of=as_of))
    stages = lifecycle_stage(tx, as_of=as_of).select(
        _s_id="customer_id", first_day="first_day", last_day="last_day", _stage="stage"
    )
    vips = pareto(tx, as_of=as_of).select(_v_id="customer_id", _vip="is_vip")
    classes = abc(tx, as_of=as_of, by="customer")
    classes = classes.select(_a_id="customer_id", _abc=classes["class"])
    joined = (
        scores.left_join(stages, scores.customer_id == stages._s_id)
        .left_join(vips, scores.customer_id == vips._v_id)
        .left_join(classes, scores.customer_id == classes._a_id)
    )
    return joined.select(
        customer_kind=ibis.literal(kind),
        customer_key=joined.customer_id.cast("int64"),
        r_score=joined.r_score.cast("int64"),
        f_score=joined.f_score.cast("int64"),
        m_score=joined.m_score.cast("int64"),
        rfm_segment=joined.segment,
        lifecycle_stage=joined._stage,
        abc_class=joined._abc,
        is_vip=joined._vip.fill_null(False),
        monetary=joined.monetary.cast("float64"),
        frequency=joined.frequency.cast("int64"),
        days_since_last=joined.days_since_last.cast("int64"),
        first_day=joined.first_day,
        last_day=joined.last_day,
    )


def stream(con: BaseBackend, expr: ir.Table, *, chunk_size: int = 50_000) -> pa.RecordBatchReader:
    """Execute ``expr`` as a stream of record batches (memory bounded by ``chunk_size``).

    ibis 12's ``to_pyarrow_batches`` calls ``fetch_record_batch``, which DuckDB 2.0 removed;
    on DuckDB the compiled SQL runs as a relation streamed by ``to_arrow_reader`` instead
    (no extra copy of the rows, unlike a DB-API cursor).
    """
    if con.name == "duckdb":
        relation = con.con.sql(con.compile(expr))  # type: ignore[attr-defined]
        return relation.to_arrow_reader(chunk_size)
    return expr.to_pyarrow_batches(chunk_size=chunk_size)


def snapshot_batches(
    con: BaseBackend, tx: ir.Table, *, as_of: date, kind: str
) -> Iterator[pa.RecordBatch]:
    """Stream the snapshot of one kind as record batches of :data:`SNAPSHOT_SCHEMA`."""
    expr = snapshot_expr(tx, as_of=as_of, kind=kind)
    for batch in stream(con, expr):
        yield pa.RecordBatch.from_arrays(
            [batch.column(i).cast(SNAPSHOT_SCHEMA.field(i).type) for i in range(batch.num_columns)],
            schema=SNAPSHOT_SCHEMA,
        )


KPI_SLICES: dict[str, tuple[str, ...]] = {
    "consumer": ("region", "outlet_id", "channel", "category", "gender", "age_band", "segment"),
    "account": ("region", "channel", "category", "segment"),
}
"""The slices of the KPI dashboard per customer kind (DESIGN.md, KPIs). ``gender`` and
``age_band`` need the consumer dimension in the view; ``segment`` is the customer's RFM
segment in this run."""

KPI_COLUMNS: tuple[str, ...] = (
    "period",
    "active_customers",
    "new_customers",
    "checks",
    "net_revenue",
    "returns",
    "average_check",
    "frequency",
    "basket_width",
    "basket_width_sku",
    "check_length",
)


LINE_SLICES: frozenset[str] = frozenset({"category"})
"""Slices by a line attribute, which split a document; every other slice of
:data:`KPI_SLICES` is an attribute of the document or its customer."""


def _kpi_module() -> ModuleType | None:
    """The analytics package's KPI module, when this installation provides it."""
    try:
        return importlib.import_module("pharmacrm.analytics.kpis")
    except ModuleNotFoundError:
        return None


def _kpi_queries(
    kpi: ModuleType, tx: ir.Table, *, as_of: date, kind: str, scratch: Path | None
) -> tuple[ir.Table, tuple[ir.Table, ...]]:
    """The unsliced monthly KPIs and one expression per slice of :data:`KPI_SLICES`.

    Grouping every line per document is most of each KPI query's work, so it is done once:
    one row per document with all its document-level slice attributes (``kpi_documents``),
    which the unsliced query and every document-level slice read. On DuckDB, given a
    ``scratch`` folder, that table is written there as Parquet first (on 100 M lines it is
    ~40 M rows, too big to keep in memory and too costly to recompute per slice). The
    category slice splits documents and reads the lines.

    The views built by :func:`open_transactions` take each line's category from the product
    dimension by SKU, so the KPIs may count basket widths by SKU (``category_by_sku``).

    Each slice returns ``slice, slice_value`` (text) and the KPI columns, one row per period
    × value; :func:`collect` runs them one after the other and stacks the rows. They are not
    one ``UNION ALL``: a single query holding all seven at once held seven line-sized states
    — on 100 M lines DuckDB spilled more than 64 GB of it and the run died.
    """
    segments = rfm_segments(rfm_scores(tx, as_of=as_of)).select("customer_id", "segment")
    attributes = tuple(name for name in KPI_SLICES[kind] if name not in LINE_SLICES)
    documents = kpi.kpi_documents(
        tx, as_of=as_of, attributes=attributes, customers=segments, category_by_sku=True
    )
    con = tx.get_backend()
    if scratch is not None and con.name == "duckdb":
        path = scratch / f"kpi_documents_{kind}.parquet"
        documents.to_parquet(path)
        documents = _read_fact(con, [path])
    unsliced = kpi.kpis_of_documents(documents, as_of=as_of, period="month")
    parts = []
    for name in KPI_SLICES[kind]:
        if name in LINE_SLICES:
            sliced = kpi.kpis(
                tx, as_of=as_of, period="month", slice_by=(name,), category_by_sku=True
            )
        else:
            sliced = kpi.kpis_of_documents(documents, as_of=as_of, period="month", slice_by=(name,))
        parts.append(
            sliced.select(
                slice=ibis.literal(name),
                slice_value=sliced[name].cast("string"),
                **{column: sliced[column] for column in KPI_COLUMNS},
            )
        )
    return unsliced, tuple(parts)


type Aggregate = ir.Table | tuple[ir.Table, ...]
"""One aggregate: an expression, or several run one by one whose rows are stacked."""


def aggregate_exprs(
    tx: ir.Table, *, as_of: date, customers: int, kind: str, scratch: Path | None = None
) -> dict[str, Aggregate | None]:
    """The per-period and per-class aggregates of one kind, as unexecuted expressions.

    ``customers`` (the snapshot's row count) thins the Lorenz curve to about
    :data:`LORENZ_POINTS` points. A ``None`` value marks an analysis the installed analytics
    package does not provide; a tuple is run part by part (see :func:`collect`). ``scratch``
    is a folder for the KPI queries' shared document table (see :func:`_kpi_queries`): it
    must outlive the collection of the expressions.
    """
    step = max(1, -(-customers // LORENZ_POINTS))
    points = pareto(tx, as_of=as_of)
    lorenz = points.filter((points.rank % step == 0) | (points.rank == customers)).select(
        "rank", "cum_customer_share", "cum_value_share"
    )
    customer_abc = abc(tx, as_of=as_of, by="customer")
    customer_xyz = xyz(tx, as_of=as_of, by="customer")
    sku_abc = abc(tx, as_of=as_of, by="sku")
    sku_xyz = xyz(tx, as_of=as_of, by="sku")
    kpi = _kpi_module()
    unsliced, slices = (
        (None, None)
        if kpi is None
        else _kpi_queries(kpi, tx, as_of=as_of, kind=kind, scratch=scratch)
    )
    return {
        "kpis": unsliced,
        "kpi_slices": slices,
        "leaky_bucket_month": leaky_bucket(tx, as_of=as_of, period="month"),
        "leaky_bucket_quarter": leaky_bucket(tx, as_of=as_of, period="quarter"),
        "cohorts": cohorts(tx, as_of=as_of),
        "lorenz": lorenz,
        "pareto_summary": pareto_summary(tx, as_of=as_of),
        "abc_xyz_customers": abc_xyz_matrix(customer_abc, customer_xyz, key="customer_id"),
        "abc_xyz_products": abc_xyz_matrix(sku_abc, sku_xyz, key="sku"),
    }


def collect(expr: Aggregate, *, kind: str) -> pa.Table:
    """Execute a small aggregate and tag its rows with the customer kind.

    A tuple of expressions runs one query per part, in order, and stacks their rows: the
    engine holds one part's intermediate state at a time.
    """
    if isinstance(expr, tuple):
        table = pa.concat_tables([part.to_pyarrow() for part in expr])
    else:
        table = expr.to_pyarrow()
    return table.append_column("customer_kind", pa.array([kind] * table.num_rows, pa.string()))


def write_parquet(tables: list[pa.Table], path: Path) -> int:
    """Write the kinds' tables of one aggregate as one Parquet file; return its row count."""
    combined = pa.concat_tables(tables, promote_options="permissive")
    pq.write_table(combined, path)
    return int(combined.num_rows)


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write a small JSON side file (run metadata) next to the Parquet outputs."""
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
