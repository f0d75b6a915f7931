"""Bulk upsert of a run's snapshot into the OLTP table, fastest way per database.

A run writes ``snapshot.parquet`` and, per customer kind, ``clv_<kind>.parquet`` and
``clusters_<kind>.parquet`` beside it. DuckDB joins the three on (kind, customer id) and
streams Arrow record batches, so every column of a customer arrives in one row and the
table is written once — a second pass of ORM updates per column group cost minutes at a
million customers. A kind without a CLV or cluster file (a fit refused, data too thin) gets
empty columns, so an earlier run's scores never pass for this one's.

PostgreSQL: each batch is rendered to CSV by PyArrow (C++) and streamed with ``COPY`` into
a temporary table, then one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` moves it into place —
no Python object per customer. Other databases (SQLite, the embedded default) use Django's
``bulk_create(update_conflicts=True)``, the same ``INSERT … ON CONFLICT`` in batches. Both
run inside the caller's transaction.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection

from pharmacrm.insights.models import CustomerSnapshot

UPSERT_BATCH = 5000
"""Rows per ``bulk_create`` statement (SQLite allows 32,766 parameters per statement)."""

COPY_BATCH = 200_000
"""Rows per CSV chunk sent through ``COPY`` (bounded memory)."""

KEY_FIELDS = ("customer_kind", "customer_key")

UPDATE_FIELDS = (
    "run_id",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "lifecycle_stage",
    "abc_class",
    "is_vip",
    "monetary",
    "frequency",
    "days_since_last",
    "first_day",
    "last_day",
    "p_alive",
    "expected_purchases",
    "clv",
    "churn_band",
    "expected_spend",
    "next_purchase_day",
    "cluster",
    "cluster_label",
)
"""What a run overwrites; the grade belongs to the value rules applied after it."""

_TEXT_FIELDS = ("rfm_segment", "lifecycle_stage", "abc_class", "churn_band", "cluster_label")
_LATER_TEXT_FIELDS = ("grade",)
"""Text columns other steps fill (NOT NULL, empty until then)."""

_CLV_COLUMNS = {
    "p_alive": "DOUBLE",
    "expected_purchases": "DOUBLE",
    "clv": "DOUBLE",
    "churn_band": "VARCHAR",
    "expected_spend": "DOUBLE",
    "next_purchase_day": "DATE",
}
_CLUSTER_COLUMNS = {"cluster": "BIGINT", "cluster_label": "VARCHAR"}


def _per_kind(folder: Path, prefix: str, kinds: tuple[str, ...], columns: dict[str, str]) -> str:
    """SQL of the ``<prefix>_<kind>.parquet`` files that exist, with a ``_kind`` column.

    No file at all gives an empty relation of the same columns.
    """
    selects = [
        f"SELECT '{kind}' AS _kind, customer_key, {', '.join(columns)} "  # noqa: S608
        f"FROM read_parquet('{path}')"
        for kind in kinds
        if (path := folder / f"{prefix}_{kind}.parquet").exists()
    ]
    if not selects:
        typed = ", ".join(f"NULL::{kind} AS {name}" for name, kind in columns.items())
        selects = [f"SELECT NULL::VARCHAR AS _kind, NULL::BIGINT AS customer_key, {typed} LIMIT 0"]
    return " UNION ALL ".join(selects)


def _joined_batches(path: Path, kinds: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    """The snapshot rows with their CLV and cluster columns, as record batches."""
    clv = _per_kind(path.parent, "clv", kinds, _CLV_COLUMNS)
    clusters = _per_kind(path.parent, "clusters", kinds, _CLUSTER_COLUMNS)
    sql = f"""
        SELECT s.*, {", ".join(f"c.{name}" for name in _CLV_COLUMNS)},
               {", ".join(f"k.{name}" for name in _CLUSTER_COLUMNS)}
        FROM read_parquet('{path}') AS s
        LEFT JOIN ({clv}) AS c ON c._kind = s.customer_kind AND c.customer_key = s.customer_key
        LEFT JOIN ({clusters}) AS k
            ON k._kind = s.customer_kind AND k.customer_key = s.customer_key
    """  # noqa: S608 - file paths of the run's own folder
    con = duckdb.connect()
    try:
        reader = con.sql(sql).to_arrow_reader(COPY_BATCH)
        yield from reader
    finally:
        con.close()


def _prepared(batch: pa.RecordBatch, run_id: int) -> pa.Table:
    """The batch with ``run_id`` added and empty text where the analysis gave none."""
    table = pa.Table.from_batches([batch])
    for name in _TEXT_FIELDS:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pc.fill_null(table[name], ""))
    run_column = pa.array([run_id] * table.num_rows, pa.int64())
    return table.append_column("run_id", run_column).select([*KEY_FIELDS, *UPDATE_FIELDS])


def _copy_postgresql(batches: Iterator[pa.RecordBatch], run_id: int) -> int:
    table_name = CustomerSnapshot._meta.db_table
    columns = ", ".join([*KEY_FIELDS, *UPDATE_FIELDS])
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in UPDATE_FIELDS)
    # Every valid value quoted, nulls bare: PostgreSQL's CSV reads a bare empty field as NULL
    # and a quoted one as the empty string the text columns need.
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    rows = 0
    with connection.cursor() as cursor:
        # Dropped explicitly too: an outer transaction (a test, a caller's atomic block) may
        # upsert twice before anything commits.
        cursor.execute("DROP TABLE IF EXISTS _snapshot_in")
        cursor.execute(
            f"CREATE TEMP TABLE _snapshot_in ON COMMIT DROP AS "  # noqa: S608 - our own names
            f"SELECT {columns} FROM {table_name} WITH NO DATA"
        )
        with cursor.copy(f"COPY _snapshot_in ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            for batch in batches:
                buffer = io.BytesIO()
                pacsv.write_csv(_prepared(batch, run_id), buffer, write_options=options)
                copy.write(buffer.getvalue())
                rows += batch.num_rows
        # New customers get the empty grade Django gives it; existing ones keep theirs until
        # the value rules run again after this upsert.
        blanks = ", ".join(_LATER_TEXT_FIELDS)
        empty = ", ".join("''" for _ in _LATER_TEXT_FIELDS)
        cursor.execute(
            f"INSERT INTO {table_name} ({columns}, {blanks}) "  # noqa: S608 - our own names
            f"SELECT {columns}, {empty} FROM _snapshot_in "
            f"ON CONFLICT ({', '.join(KEY_FIELDS)}) DO UPDATE SET {updates}"
        )
        cursor.execute("DROP TABLE _snapshot_in")
    return rows


def _bulk_create(batches: Iterator[pa.RecordBatch], run_id: int) -> int:
    rows = 0
    for big in batches:
        for batch in pa.Table.from_batches([big]).to_batches(max_chunksize=UPSERT_BATCH):
            rows += _bulk_create_batch(batch, run_id)
    return rows


def _bulk_create_batch(batch: pa.RecordBatch, run_id: int) -> int:
    objects = [CustomerSnapshot(**row) for row in _prepared(batch, run_id).to_pylist()]
    CustomerSnapshot.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=list(KEY_FIELDS),
        update_fields=[
            name.removesuffix("_id") if name == "run_id" else name for name in UPDATE_FIELDS
        ],
    )
    return len(objects)


def snapshot_rows_upsert(*, path: str, run_id: int, kinds: tuple[str, ...]) -> int:
    """Insert or update every row of the snapshot file ``path`` as written by run ``run_id``.

    The CLV and cluster files of ``kinds`` beside it fill those columns. Call inside a
    transaction. Returns the number of rows sent.
    """
    batches = _joined_batches(Path(path), kinds)
    if connection.vendor == "postgresql":
        return _copy_postgresql(batches, run_id)
    return _bulk_create(batches, run_id)
