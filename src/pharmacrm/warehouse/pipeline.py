"""Import one source file into a warehouse fact: read → map → validate → resolve → stage → commit.

Streaming: batches of at most ``ReadOptions.batch_rows`` (Excel, Parquet) or one CSV block
(16 MB) at a time, each coerced with vectorised Polars expressions and appended to per-partition
Parquet writers in the staging area, so memory stays bounded whatever the file size. Counts
reconcile per file: ``rows_read = rows_stored + rows_quarantined`` (duplicates of stored natural
keys are quarantined with their reason, so re-sending a file is visible, never silent).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
import pyarrow as pa

from pharmacrm.core.importkit.coerce import Rule, check_mapping, coerce_batch
from pharmacrm.core.importkit.errors import ERROR_SCHEMA, RowError, empty_errors
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.core.importkit.prefetch import prefetch
from pharmacrm.core.importkit.quarantine import QuarantineWriter
from pharmacrm.core.importkit.readers import ROW, OrderedReadNeeded, open_source
from pharmacrm.core.importkit.registry import Adapter, CodeResolver, FileReport, Progress
from pharmacrm.warehouse.facts import FACTS, NATURAL_KEYS
from pharmacrm.warehouse.keyset import KeySet, key_hashes
from pharmacrm.warehouse.store import Partition, StagedImport, WarehouseStore, source_slug

FIRST_ERRORS = 20
UNRESOLVED_LIMIT = 100_000


Resolver = CodeResolver
"""Maps source codes to OLTP ids (the import kit's protocol, under the pipeline's old name)."""


@dataclass(frozen=True)
class DictResolver:
    """A resolver over in-memory code → id maps per entity (master data exported by the caller)."""

    maps: Mapping[str, Mapping[str, int]]

    def resolve(self, entity: str, codes: pl.Series) -> pl.Series:
        """Look codes up in ``maps[entity]``; unknown codes and entities give null."""
        table = self.maps.get(entity, {})
        return codes.replace_strict(
            list(table), list(table.values()), default=None, return_dtype=pl.Int64
        )


@dataclass(frozen=True)
class BuildContext:
    """What a kind's builder may need besides the rows."""

    currency: str
    source: str


@dataclass(frozen=True)
class FactKind:
    """How canonical fields of one import kind become rows of one warehouse fact.

    ``build`` turns coerced fields into the fact's columns (without trace and id columns);
    ``codes`` maps a code column to (resolved id column, entity for the resolver);
    ``document`` is the key within which missing ``line_no`` are numbered in file order;
    ``source_field`` names the column whose value is the partition source (a distributor);
    ``replaces_periods``: a file for a (source, month) that has data replaces it (re-send).
    """

    name: str
    fact: str
    fields: tuple[FieldSpec, ...]
    build: Callable[[pl.DataFrame, BuildContext], pl.DataFrame]
    rules: tuple[Rule, ...] = ()
    codes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    document: tuple[str, ...] = ()
    source_field: str | None = None
    month_field: str = "day"
    replaces_periods: bool = False


def file_sha256(path: Path) -> str:
    """Content hash of a file, read in 4 MB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class _BackgroundHash:
    """SHA-256 of a file computed on its own thread while the import reads it.

    hashlib releases the GIL on large updates, so on two cores hashing a 750 MB file costs the
    import no wall time; the result is needed only at the end, to refuse a file imported before.
    """

    def __init__(self, path: Path) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
        self._future = self._pool.submit(file_sha256, path)
        self._pool.shutdown(wait=False)

    def result(self) -> str:
        return self._future.result()


@dataclass
class _Counters:
    rows_read: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    duplicates: int = 0
    facts_written: int = 0
    unresolved_rows: dict[str, int] = field(default_factory=dict)
    unresolved_codes: dict[str, set[str]] = field(default_factory=dict)
    first_errors: list[RowError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def time(self, name: str, started: float) -> None:
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


@dataclass
class _Staged:
    """One pass over the file: its counters, the staged partitions and the quarantine."""

    counters: _Counters
    staged: StagedImport
    quarantine: QuarantineWriter
    replace: set[Partition]


def import_file(  # noqa: PLR0913 - one entry point that every interface calls
    path: Path,
    *,
    kind: FactKind,
    store: WarehouseStore,
    mapping: ColumnMapping,
    quarantine_dir: Path,
    adapter: Adapter | None = None,
    source: str | None = None,
    currency: str = "EUR",
    resolver: Resolver | None = None,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
    import_id: str | None = None,
    mapping_name: str = "",
    content_hash: str | None = None,
) -> FileReport:
    """Import ``path`` as ``kind`` into ``store``; return the file's report.

    A file whose content hash was already imported adds nothing (status ``already_imported``).
    With ``content_hash`` known (the import job took it when the file was queued) that is
    decided before reading; otherwise the hash is computed while reading and checked before
    the commit, under the store's lock either way. A dry run reads, validates and writes the
    quarantine, then drops everything staged.

    Text files are parsed on several threads; if the file has a broken line, whose number only
    an in-order read knows, the staged work is dropped and the file is read again in order.

    Raises
    ------
    ImportKitError
        Before reading any row, when the mapping misses a required field or names a column
        the file does not have.
    """
    started = time.perf_counter()
    hashing = _BackgroundHash(path) if content_hash is None else None
    if content_hash is not None:
        previous = store.import_for_hash(content_hash)
        if previous is not None:
            return _already_imported(path, previous, mapping_name, {"hash": 0.0})
    now = dt.datetime.now(dt.UTC)
    import_id = import_id or f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
    stage = functools.partial(
        _stage, path, kind=kind, store=store, mapping=mapping, quarantine_dir=quarantine_dir,
        adapter=adapter, source=source, currency=currency, resolver=resolver,
        progress=progress, import_id=import_id,
    )  # fmt: skip
    try:
        result = stage(use_threads=True)
    except OrderedReadNeeded:
        result = stage(use_threads=False)
    counters, staged, quarantine, replace = (
        result.counters, result.staged, result.quarantine, result.replace,
    )  # fmt: skip
    try:
        clock = time.perf_counter()
        if hashing is not None:
            content_hash = hashing.result()
        previous = store.import_for_hash(str(content_hash))  # under the lock: no race
        counters.time("hash", clock)
        if previous is not None:
            staged.abort()
            _discard(quarantine)
            return _already_imported(path, previous, mapping_name, counters.timings)
        clock = time.perf_counter()
        if dry_run:
            staged.abort()
            status = "dry_run"
        else:
            staged.commit(
                {
                    "content_hash": content_hash, "file": path.name, "kind": kind.name,
                    "mapping": mapping_name, "rows_read": counters.rows_read,
                    "rows_stored": counters.rows_stored,
                    "rows_quarantined": counters.rows_quarantined,
                    "committed_at": dt.datetime.now(dt.UTC).isoformat(),
                },
                replace=replace,
            )  # fmt: skip
            status = "committed"
        counters.time("commit", clock)
    except BaseException:
        staged.abort()
        raise
    counters.timings["total"] = time.perf_counter() - started
    unresolved_path = _write_unresolved(quarantine_dir, import_id, counters)
    return FileReport(
        file=str(path), status=status, import_id=import_id, rows_read=counters.rows_read,
        rows_stored=counters.rows_stored, rows_quarantined=counters.rows_quarantined,
        duplicates=counters.duplicates, facts_written=counters.facts_written,
        unresolved=dict(counters.unresolved_rows),
        quarantine_path=quarantine.path if quarantine.rows else None,
        errors_path=quarantine.errors_path if quarantine.rows else None,
        unresolved_path=unresolved_path, timings=counters.timings,
        first_errors=counters.first_errors, mapping=mapping_name,
        message=f"replaced earlier versions of {len(replace)} partition(s)" if replace else "",
    )  # fmt: skip


def _already_imported(
    path: Path, previous: str, mapping_name: str, timings: dict[str, float]
) -> FileReport:
    return FileReport(
        file=str(path), status="already_imported", import_id=previous,
        message=f"this file was already imported as {previous}; nothing added",
        timings=timings, mapping=mapping_name,
    )  # fmt: skip


def _discard(quarantine: QuarantineWriter) -> None:
    """Remove a pass's quarantine files (a re-read or a file found already imported)."""
    quarantine.close()
    quarantine.path.unlink(missing_ok=True)
    quarantine.errors_path.unlink(missing_ok=True)


def _stage(  # noqa: PLR0913 - import_file's options, passed on
    path: Path,
    *,
    use_threads: bool,
    kind: FactKind,
    store: WarehouseStore,
    mapping: ColumnMapping,
    quarantine_dir: Path,
    adapter: Adapter | None,
    source: str | None,
    currency: str,
    resolver: Resolver | None,
    progress: Callable[[Progress], None] | None,
    import_id: str,
) -> _Staged:
    """Read, validate, resolve and stage every row of ``path``; nothing is live yet."""
    counters = _Counters()
    opened = open_source(path, replace(mapping.read, use_threads=use_threads))
    raw_columns = list(adapter.raw_columns) if adapter and adapter.raw_columns else opened.columns
    check_mapping(kind.fields, mapping, _mapped_columns(raw_columns, adapter))
    partition_source = source_slug(source or mapping.source or path.stem)
    context = BuildContext(currency=currency, source=partition_source)
    rules = (*kind.rules, *(adapter.rules if adapter else ()))
    state: dict[str, object] = {}
    line_offsets: dict[str, int] = {}
    keys = NATURAL_KEYS[kind.fact]
    seen = KeySet()
    loaded: set[Partition] = set()
    replace_partitions: set[Partition] = set()
    staged = store.begin(import_id, kind.fact)
    quarantine = QuarantineWriter(quarantine_dir, import_id, path.name, opened.columns)
    try:
        clock = time.perf_counter()
        # The next batches are parsed (and made Polars frames) on a thread meanwhile.
        for raw, frame in prefetch((raw, _frame(raw.table)) for raw in opened):
            counters.time("read", clock)
            clock = time.perf_counter()
            counters.rows_read += raw.rows_read
            prepared = adapter.prepare(frame, state) if adapter and adapter.prepare else frame
            coerced = coerce_batch(
                prepared, fields=kind.fields, mapping=mapping, rules=rules,
                reader_errors=raw.errors,
            )  # fmt: skip
            good = coerced.good
            if adapter and adapter.derive:
                good = adapter.derive(good, state)
            facts = _to_fact(good, kind, context, import_id, line_offsets, resolver, counters)
            counters.time("validate", clock)
            clock = time.perf_counter()
            facts, duplicate_errors = _drop_duplicates(
                facts, kind, context, keys, store, seen, loaded, replace_partitions
            )
            errors = pa.concat_tables([coerced.errors, duplicate_errors])
            if errors.num_rows:
                bad_rows = pl.Series("row", errors.column("row")).unique()
                quarantine.write(frame.filter(pl.col(ROW).is_in(bad_rows.implode())), errors)
                _remember_errors(counters, errors, path.name)
                counters.rows_quarantined += bad_rows.len()
            counters.duplicates += duplicate_errors.num_rows
            for partition, part in _partitions(facts, kind, context):
                staged.write(partition, part.to_arrow().cast(FACTS[kind.fact]))
            counters.facts_written += facts.height
            counters.time("write", clock)
            if progress is not None:
                progress(Progress(path.name, counters.rows_read, opened.estimated_rows))
            clock = time.perf_counter()
        counters.time("read", clock)
        counters.rows_stored = counters.rows_read - counters.rows_quarantined
        quarantine.close()
    except OrderedReadNeeded:
        staged.abort()
        _discard(quarantine)
        raise
    except BaseException:
        quarantine.close()
        staged.abort()
        raise
    return _Staged(counters, staged, quarantine, replace_partitions)


def _mapped_columns(columns: list[str], adapter: Adapter | None) -> list[str]:
    """Columns the mapping may name: the file's, or what the adapter's ``prepare`` produces."""
    if adapter is not None and adapter.prepare is not None:
        return sorted(set(columns) | set(adapter.mapping.columns.values()))
    return columns


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _to_fact(
    good: pl.DataFrame,
    kind: FactKind,
    context: BuildContext,
    import_id: str,
    line_offsets: dict[str, int],
    resolver: Resolver | None,
    counters: _Counters,
) -> pl.DataFrame:
    """Coerced fields → fact columns, plus ``_source`` and ``_month`` of the partition."""
    built = kind.build(good, context)
    if "line_no" in built.columns and kind.document:
        built = _number_lines(built, kind.document, line_offsets)
    schema = FACTS[kind.fact]
    columns = {"import_id": pl.lit(import_id), "source_row": pl.col(ROW)}
    for code_column, (id_column, entity) in kind.codes.items():
        if resolver is None:
            columns[id_column] = pl.lit(None, pl.Int64)
            continue
        ids = resolver.resolve(entity, built.get_column(code_column))
        built = built.with_columns(ids.alias(id_column))
        columns[id_column] = pl.col(id_column)
        unknown = built.get_column(code_column).filter(
            ids.is_null() & built.get_column(code_column).is_not_null()
        )
        if unknown.len():
            counters.unresolved_rows[code_column] = (
                counters.unresolved_rows.get(code_column, 0) + unknown.len()
            )
            codes = counters.unresolved_codes.setdefault(code_column, set())
            if len(codes) < UNRESOLVED_LIMIT:
                codes.update(unknown.unique().to_list())
    for name in schema.names:
        if name not in columns:
            columns[name] = pl.col(name) if name in built.columns else pl.lit(None)
    # The partition key: the month as the number yyyymm (formatting a string per row cost more
    # than the rest of this function) and, only where rows name their source, its slug.
    month = (
        pl.col(kind.month_field)
        if kind.month_field == "period"
        else (pl.col(kind.month_field).dt.year() * 100 + pl.col(kind.month_field).dt.month())
    )
    extra = [month.alias("_month")]
    if kind.source_field:
        sent = built.get_column(kind.source_field).unique().drop_nulls().to_list()
        source = pl.col(kind.source_field).replace_strict(
            sent, [source_slug(str(code)) for code in sent], default=None, return_dtype=pl.String
        )
        extra.insert(0, source.alias("_source"))
    return built.select(*(columns[name].alias(name) for name in schema.names), *extra)


def _partition_keys(kind: FactKind) -> list[str]:
    return ["_source", "_month"] if kind.source_field else ["_month"]


def _partition(kind: FactKind, context: BuildContext, key: tuple[object, ...]) -> Partition:
    """The partition of one ``_partition_keys`` value (the month yyyymm shown as ``yyyy-mm``)."""
    source = str(key[0]) if kind.source_field else context.source
    month = key[-1]
    shown = f"{month // 100:04d}-{month % 100:02d}" if isinstance(month, int) else str(month)
    return Partition(kind.fact, source, shown)


def _partitions(
    facts: pl.DataFrame, kind: FactKind, context: BuildContext
) -> list[tuple[Partition, pl.DataFrame]]:
    """Split fact rows by partition (the key columns dropped); one partition costs no copy."""
    keys = _partition_keys(kind)
    if not facts.height:
        return []
    if all(facts.get_column(key).n_unique() == 1 for key in keys):
        first = tuple(facts.get_column(key)[0] for key in keys)
        return [(_partition(kind, context, first), facts.drop(keys))]
    parts = facts.partition_by(keys, as_dict=True, include_key=False)
    return [(_partition(kind, context, key), part) for key, part in parts.items()]


def _number_lines(
    frame: pl.DataFrame, document: tuple[str, ...], offsets: dict[str, int]
) -> pl.DataFrame:
    """Fill missing ``line_no`` with the line's position in its document, in file order.

    Documents may span batches (and, in sampled data, be scattered through the file), so the
    count so far of each document is carried in ``offsets`` across batches.
    """
    if frame.get_column("line_no").null_count() == 0 or not frame.height:
        return frame
    key = pl.concat_str([pl.col(name).cast(pl.String) for name in document], separator="\x1f")
    frame = frame.with_columns(_doc=key, _ord=pl.int_range(1, pl.len() + 1).over(key))
    counts = frame.group_by("_doc").len()
    docs = counts.get_column("_doc").to_list()
    previous = pl.DataFrame({"_doc": docs, "_offset": [offsets.get(doc, 0) for doc in docs]})
    for doc, size in counts.iter_rows():
        offsets[doc] = offsets.get(doc, 0) + size
    frame = frame.join(previous, on="_doc", how="left", maintain_order="left")
    return frame.with_columns(
        line_no=pl.coalesce(pl.col("line_no"), (pl.col("_ord") + pl.col("_offset")).cast(pl.Int64))
    ).drop("_doc", "_ord", "_offset")


def _drop_duplicates(  # noqa: PLR0913 - the check's state, passed in by _stage
    facts: pl.DataFrame,
    kind: FactKind,
    context: BuildContext,
    keys: tuple[str, ...],
    store: WarehouseStore,
    seen: KeySet,
    loaded: set[Partition],
    replace: set[Partition],
) -> tuple[pl.DataFrame, pa.Table]:
    """Remove rows whose natural key is stored already or repeats within the file."""
    if not keys or not facts.height:
        return facts, empty_errors()
    for key in facts.select(_partition_keys(kind)).unique().iter_rows():
        partition = _partition(kind, context, key)
        if partition in loaded:
            continue
        loaded.add(partition)
        if kind.replaces_periods and store.live_files(kind.fact, partition):
            replace.add(partition)  # a re-sent period: its old version is retired, not matched
        else:
            seen.add(store.existing_key_hashes(partition, keys))
    hashes = key_hashes(facts, keys)
    # Polars finds first occurrences by hashing, ~4× cheaper than NumPy's sort-based unique.
    repeated = ~pl.Series(hashes).is_first_distinct().to_numpy()
    duplicate = seen.contains(hashes) | repeated
    seen.add(hashes[~duplicate])
    if not duplicate.any():
        return facts, empty_errors()
    mask = pl.Series(duplicate)
    dropped = facts.filter(mask)
    shown = pl.concat_str([pl.col(name).cast(pl.String) for name in keys], separator=" / ")
    errors = dropped.select(
        pl.col("source_row").alias("row"),
        pl.lit(", ".join(keys)).alias("column"),
        shown.alias("value"),
        pl.lit("duplicate natural key: already stored or repeated in this file").alias("reason"),
    )
    return facts.filter(~mask), errors.to_arrow().cast(ERROR_SCHEMA)


def _remember_errors(counters: _Counters, errors: pa.Table, file_name: str) -> None:
    room = FIRST_ERRORS - len(counters.first_errors)
    if room <= 0 or not errors.num_rows:
        return
    for error in errors.slice(0, room).to_pylist():
        counters.first_errors.append(
            RowError(file_name, error["row"], error["column"], error["value"], error["reason"])
        )


def _write_unresolved(directory: Path, import_id: str, counters: _Counters) -> Path | None:
    """List unknown codes for review (resolving them later fills the ids)."""
    if not counters.unresolved_codes:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{import_id}.unresolved.csv"
    rows = [
        {"column": column, "code": code}
        for column, codes in sorted(counters.unresolved_codes.items())
        for code in sorted(codes)
    ]
    pl.DataFrame(rows, schema={"column": pl.String, "code": pl.String}).write_csv(path)
    return path
