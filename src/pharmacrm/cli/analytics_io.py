"""Files in and out of the one-file analytics CLI (``pharmacrm analytics …``).

Reads CSV or Parquet transaction files into the transactions view on an in-process DuckDB
connection, with no database and no warehouse, so anyone can check a figure by hand; writes an
Ibis expression to ``.csv`` or ``.parquet``. Only ``customer_id``, ``ts``, ``amount`` and
``doc_id`` are required; ``--columns name=source,…`` maps view names to the file's columns and
every other view column is filled with typed nulls. ``ts`` may be a date or a timestamp: a
timestamp without a zone is local wall time and ``day`` is its date; a zoned one is first
converted to the wall time of ``tz`` (default: the machine's zone).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import polars as pl
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from pharmacrm.analytics.schemas import TRANSACTION_COLUMNS

CLI_REQUIRED: tuple[str, ...] = ("customer_id", "ts", "amount", "doc_id")
_CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})


def parse_columns(spec: str | None) -> dict[str, str]:
    """Parse ``"customer_id=cust,ts=date"`` into ``{"customer_id": "cust", "ts": "date"}``.

    Raises
    ------
    ValueError
        On an item without ``=`` or a name that is not a transactions-view column.
    """
    if not spec:
        return {}
    mapping: dict[str, str] = {}
    for item in spec.split(","):
        name, sep, source = item.partition("=")
        name, source = name.strip(), source.strip()
        if not sep or not name or not source:
            raise ValueError(f"--columns: {item!r} is not name=source")
        if name not in TRANSACTION_COLUMNS:
            known = ", ".join(TRANSACTION_COLUMNS)
            raise ValueError(f"--columns: {name!r} is not a transactions column ({known})")
        mapping[name] = source
    return mapping


def _read_one(con: BaseBackend, path: Path) -> ir.Table:
    suffix = path.suffix.lower()
    # ibis 12 reads the schema through DuckDB 2.0's deprecated fetch_arrow_table(); the
    # warning is ibis' to fix and means nothing to an analyst running the command.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
        if suffix == ".parquet":
            return con.read_parquet(path)
        if suffix in _CSV_SUFFIXES:
            return con.read_csv(path)
    raise ValueError(f"{path}: unsupported file type {suffix!r} (use .csv or .parquet)")


def _view_of(raw: ir.Table, path: Path, columns: Mapping[str, str]) -> ir.Table:
    def source(name: str) -> ir.Value | None:
        src = columns.get(name, name if name not in columns else None)
        if src is None or src not in raw.columns:
            if name in columns:
                have = ", ".join(raw.columns)
                raise ValueError(f"{path}: no column {columns[name]!r} for {name} (has: {have})")
            return None
        return raw[src]

    for name in CLI_REQUIRED:
        if source(name) is None:
            raise ValueError(
                f"{path}: column {name!r} is required; map it with --columns {name}=<column>"
            )
    ts = source("ts")
    assert ts is not None  # noqa: S101 - checked just above
    if ts.type().is_string():
        ts = ts.cast(dt.timestamp)
    if ts.type().is_date():
        day = ts
        ts = ts.cast(dt.timestamp)
    elif ts.type().is_timestamp():
        if ts.type().timezone is not None:
            # DuckDB renders a zoned instant as wall time in the session's TimeZone.
            ts = ts.cast(dt.Timestamp())
        day = ts.date()
    else:
        raise ValueError(f"{path}: column ts is {ts.type()}, expected a date or a timestamp")
    given_day = source("day")
    out: dict[str, ir.Value] = {}
    for name, dtype in TRANSACTION_COLUMNS.items():
        if name == "ts":
            value: ir.Value | None = ts
        elif name == "day":
            value = given_day.cast(dt.date) if given_day is not None else day
        else:
            value = source(name)
        if value is None:
            out[name] = ibis.null(dtype)
        elif name in ("customer_id", "doc_id", "sku", "outlet_id"):
            kind = value.type()
            out[name] = value if kind.is_integer() or kind.is_string() else value.cast("string")
        else:
            out[name] = value.cast(dtype)
    return raw.select(**out)


def read_transactions(
    con: BaseBackend,
    paths: Sequence[Path],
    *,
    columns: Mapping[str, str] | None = None,
    tz: str | None = None,
) -> ir.Table:
    """Read transaction files into one transactions view on ``con`` (DuckDB).

    Parameters
    ----------
    con
        An Ibis DuckDB connection.
    paths
        ``.csv`` (delimiter and types sniffed) or ``.parquet`` files of one layout.
    columns
        View name → file column; names equal to a view column need no entry.
    tz
        IANA zone whose wall time zoned timestamps are converted to; ``None`` keeps the
        connection's (the machine's) zone.

    Returns
    -------
    ir.Table
        The transactions view over all files (union), unexecuted.

    Raises
    ------
    ValueError
        Naming the file and the column when a required column is missing or mistyped.
    """
    if not paths:
        raise ValueError("at least one --transactions file is needed")
    if tz is not None:
        con.raw_sql(f"SET TimeZone = '{tz.replace(chr(39), '')}'")
    mapping = dict(columns or {})
    views = [_view_of(_read_one(con, Path(p)), Path(p), mapping) for p in paths]
    table = views[0]
    for view in views[1:]:
        table = table.union(view)
    return table


def read_customers(
    con: BaseBackend, path: Path, *, customer_id_type: dt.DataType | None = None
) -> ir.Table:
    """Read a customer dimension file (``customer_id`` plus attributes) for slices and mixes.

    Parameters
    ----------
    con
        The connection the transactions were read on.
    path
        ``.csv`` or ``.parquet`` with a ``customer_id`` column and any of ``gender``,
        ``birth_year``, ``segment`` … .
    customer_id_type
        The transactions' ``customer_id`` type; the dimension's is cast to it so the join
        compares like with like (a CSV sniffs ids as integers, a Parquet may hold strings).

    Raises
    ------
    ValueError
        Naming the file when it has no ``customer_id`` column or an unsupported suffix.
    """
    raw = _read_one(con, Path(path))
    if "customer_id" not in raw.columns:
        have = ", ".join(raw.columns)
        raise ValueError(f"{path}: the customers file needs a customer_id column (has: {have})")
    if customer_id_type is not None:
        raw = raw.mutate(customer_id=raw.customer_id.cast(customer_id_type))
    if "birth_year" in raw.columns:
        raw = raw.mutate(birth_year=raw.birth_year.cast(dt.int64))
    return raw


def write_table(table: ir.Table, path: Path) -> None:
    """Execute ``table`` and write it to ``path`` (``.csv`` or ``.parquet``, by suffix)."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"{path}: unsupported output type {suffix!r} (use .csv or .parquet)")
    # Through PyArrow rather than ibis' to_csv/to_parquet, which call DuckDB 2.0's deprecated
    # fetch_arrow_table(); results here are one row per customer or period, so they fit.
    result = table.to_pyarrow()
    if suffix == ".parquet":
        pq.write_table(result, path)
    else:
        pl.DataFrame(result).write_csv(path)  # plain header, quotes only where needed
