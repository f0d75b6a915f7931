"""The master-data import run: read → map → validate → check against the database → upsert.

Shared by the five master-data kinds (accounts, contacts, consumers, products, territories);
each kind supplies its canonical fields, a ``check`` that looks rows up in the database
(unknown region, unknown parent or manufacturer code) and a ``store`` that upserts the good
rows by their external code. It lives here until the import kit in ``core`` grows a home for
Django-side runs (the kit itself is framework-free).

Rules every kind gets from this one place:

* every reason of every bad row is reported by file, row, column and value, and the row goes
  to the quarantine file; every good row is stored;
* a code repeated within one file keeps its first row; later rows are reported as duplicates;
* a dry run reads, validates and checks everything, writes the quarantine, and stores nothing;
* storing is one transaction per file (an import killed half-way leaves no partial state) and
  an upsert writes nothing for rows equal to what is stored, so re-importing adds nothing.

Master data is small beside the facts (100 k accounts, 1 M consumers), so good rows of a file
are gathered in memory before the database checks, which then run once per file.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
from django.conf import settings
from django.db import transaction

from pharmacrm.core.importkit.coerce import Rule, check_mapping, coerce_batch
from pharmacrm.core.importkit.errors import ERROR_SCHEMA, RowError
from pharmacrm.core.importkit.fields import FieldSpec
from pharmacrm.core.importkit.mapping import ColumnMapping, suggest_mapping
from pharmacrm.core.importkit.quarantine import QuarantineWriter
from pharmacrm.core.importkit.readers import ROW, open_source
from pharmacrm.core.importkit.registry import (
    Adapter,
    FileReport,
    ImportKind,
    ImportRequest,
    Progress,
    get_adapter,
    register_kind,
)
from pharmacrm.core.models import User

REPORTED_ERRORS = 1000
"""Errors a report carries inline (the errors file beside the quarantine has all of them)."""


@dataclass
class RunContext:
    """What a kind's ``check`` and ``store`` may need besides the rows.

    ``state`` is shared with the adapter's ``prepare``/``derive`` for the file (regions a
    registry adapter met, side tables it joined).
    """

    request: ImportRequest
    by: User | None
    adapter: Adapter | None
    file: str
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    state: dict[str, object] = field(default_factory=dict)

    def mapped(self, name: str) -> bool:
        """True when the file feeds field ``name`` (a column or a constant).

        Fields a file does not map keep their stored values on update.
        """
        return name in self.mapping.columns or name in self.mapping.constants

    def column(self, name: str) -> str:
        """The source column that feeds ``name``, for error messages."""
        return self.mapping.columns.get(name, name)

    @property
    def create_regions(self) -> bool:
        """True when unknown regions become new territory nodes flagged for review.

        Registry adapters always create them (a registry is the authority on its regions);
        a generic file does so only when asked (``--create-regions``).
        """
        if self.adapter is not None:
            return True
        return self.request.options.get("create_regions", "") in {"1", "true", "yes"}


@dataclass(frozen=True)
class StoreCounts:
    """What ``store`` did with the good rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class MasterKind:
    """One master-data import kind.

    ``key`` is the natural-key field (external code); ``check`` returns the error rows
    (schema of :data:`~pharmacrm.core.importkit.errors.ERROR_SCHEMA`) for good rows that fail
    a database look-up and may add resolved columns (ids); ``store`` upserts and must be
    idempotent.
    """

    name: str
    fields: tuple[FieldSpec, ...]
    key: str
    store: Callable[[pl.DataFrame, RunContext], StoreCounts]
    check: Callable[[pl.DataFrame, RunContext], tuple[pl.DataFrame, pl.DataFrame]] | None = None
    rules: tuple[Rule, ...] = ()
    description: str = ""
    primary_files: Callable[[tuple[Path, ...]], tuple[Path, ...]] | None = None


def error_frame(rows: pl.Series, column: str, values: pl.Series, reason: str) -> pl.DataFrame:
    """Error rows in the long form of the import kit: one (row, column, value, reason) each."""
    return pl.DataFrame(
        {
            "row": rows.cast(pl.Int64),
            "column": pl.repeat(column, len(rows), eager=True, dtype=pl.String),
            "value": values.cast(pl.String),
            "reason": pl.repeat(reason, len(rows), eager=True, dtype=pl.String),
        }
    )


def empty_error_frame() -> pl.DataFrame:
    """No errors, in the long form's schema."""
    frame = pl.from_arrow(ERROR_SCHEMA.empty_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def register_master_kind(kind: MasterKind) -> None:
    """Register ``kind`` in the import kit's registry (``pharmacrm import KIND``)."""

    def handle(request: ImportRequest) -> list[FileReport]:
        return run_master_import(request, kind)

    register_kind(
        ImportKind(
            name=kind.name,
            fields=kind.fields,
            handler=handle,
            description=kind.description,
            needs_django=True,
        )
    )


def run_master_import(request: ImportRequest, kind: MasterKind) -> list[FileReport]:
    """Import each file of ``request`` as ``kind``; one report per file.

    Options: ``user`` (username of the acting user for the audit trail; default: the system),
    ``create_regions`` (``1`` to create unknown regions flagged for review),
    ``quarantine_dir`` (default ``var/quarantine``), ``mapping_json`` (a saved
    :class:`ColumnMapping`; without it and without a named mapping, columns are suggested
    from the headers in English, Chinese or Russian).
    """
    username = request.options.get("user")
    by = User.objects.get(username=username) if username else None
    adapter = get_adapter(kind.name, request.mapping) if request.mapping else None
    quarantine_dir = Path(
        request.options.get("quarantine_dir") or Path(settings.VAR_DIR) / "quarantine"
    )
    files = kind.primary_files(request.files) if kind.primary_files else request.files
    return [
        _import_file(
            path,
            kind=kind,
            context=RunContext(request=request, by=by, adapter=adapter, file=path.name),
            quarantine_dir=quarantine_dir,
        )
        for path in files
    ]


def _mapping_for(path: Path, kind: MasterKind, context: RunContext) -> tuple[ColumnMapping, str]:
    if context.adapter is not None:
        return context.adapter.mapping, context.adapter.name
    if "mapping_json" in context.request.options:
        return ColumnMapping.from_json(context.request.options["mapping_json"]), "saved"
    columns = open_source(path).columns
    suggested = suggest_mapping(columns, kind.fields)
    return ColumnMapping(columns={s.field: s.column for s in suggested}), "suggested"


def _import_file(
    path: Path, *, kind: MasterKind, context: RunContext, quarantine_dir: Path
) -> FileReport:
    started = time.perf_counter()
    mapping, mapping_name = _mapping_for(path, kind, context)
    context.mapping = mapping
    context.state.update({"path": path, "files": context.request.files})
    adapter = context.adapter
    opened = open_source(path, mapping.read)
    rules = (*kind.rules, *(adapter.rules if adapter else ()))
    import_id = f"{kind.name}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    raw_frames: list[pl.DataFrame] = []
    goods: list[pl.DataFrame] = []
    errors: list[pl.DataFrame] = [empty_error_frame()]
    rows_read = 0
    checked_mapping = False
    for batch in opened:
        rows_read += batch.rows_read
        frame = _frame(batch.table)
        if adapter is not None and adapter.prepare is not None:
            frame = adapter.prepare(frame, context.state)
        if not checked_mapping:
            check_mapping(kind.fields, mapping, [c for c in frame.columns if c != ROW])
            checked_mapping = True
        coerced = coerce_batch(
            frame.to_arrow(),
            fields=kind.fields,
            mapping=mapping,
            rules=rules,
            reader_errors=batch.errors,
        )
        good = coerced.good
        if adapter is not None and adapter.derive is not None:
            good = adapter.derive(good, context.state)
        raw_frames.append(frame)
        goods.append(good)
        errors.append(_frame(coerced.errors))
        if context.request.progress is not None:
            context.request.progress(Progress(path.name, rows_read, opened.estimated_rows))
    good = pl.concat(goods, how="diagonal_relaxed") if goods else pl.DataFrame()
    if good.height:
        good, duplicate_errors = _drop_repeated_keys(good, kind.key, mapping)
        errors.append(duplicate_errors)
        if kind.check is not None:
            good, check_errors = kind.check(good, context)
            errors.append(check_errors.select(ERROR_SCHEMA.names))
    all_errors = pl.concat(errors, how="vertical_relaxed").sort("row", maintain_order=True)
    bad_rows = all_errors.get_column("row").unique()
    if good.height:
        good = good.filter(~pl.col(ROW).is_in(bad_rows.implode()))
    raw = pl.concat(raw_frames, how="diagonal_relaxed") if raw_frames else pl.DataFrame()
    columns = [c for c in raw.columns if c != ROW] or opened.columns
    quarantine = QuarantineWriter(quarantine_dir, import_id, path.name, columns)
    with quarantine:
        bad_raw = raw.filter(pl.col(ROW).is_in(bad_rows.implode())) if raw.height else raw
        quarantine.write(bad_raw, all_errors.to_arrow().cast(ERROR_SCHEMA))
    counts = StoreCounts()
    if not context.request.dry_run and good.height:
        with transaction.atomic():
            counts = kind.store(good, context)
    rows_quarantined = bad_rows.len()
    return FileReport(
        file=str(path),
        status="dry_run" if context.request.dry_run else "committed",
        import_id=import_id,
        rows_read=rows_read,
        rows_stored=rows_read - rows_quarantined,
        rows_quarantined=rows_quarantined,
        duplicates=int(all_errors.filter(pl.col("reason").str.starts_with("duplicate")).height),
        facts_written=counts.created + counts.updated,
        quarantine_path=quarantine.path if quarantine.rows else None,
        errors_path=quarantine.errors_path if quarantine.rows else None,
        timings={"total": time.perf_counter() - started},
        message=(
            f"{counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged"
        ),
        first_errors=[
            RowError(path.name, e["row"], e["column"], e["value"], e["reason"])
            for e in all_errors.head(REPORTED_ERRORS).iter_rows(named=True)
        ],
        mapping=mapping_name,
    )


def _frame(table: pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _drop_repeated_keys(
    good: pl.DataFrame, key: str, mapping: ColumnMapping
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep the first row of each code; report the others with the row they repeat."""
    numbered = good.with_columns(pl.col(ROW).min().over(key).alias("_first_row"))
    repeated = numbered.filter(pl.col(ROW) != pl.col("_first_row"))
    column = mapping.columns.get(key, key)
    errors = pl.DataFrame(
        {
            "row": repeated.get_column(ROW).cast(pl.Int64),
            "column": pl.repeat(column, repeated.height, eager=True, dtype=pl.String),
            "value": repeated.get_column(key).cast(pl.String),
            "reason": repeated.select(
                pl.format("duplicate code in this file (first at row {})", pl.col("_first_row"))
            ).to_series(),
        }
    )
    return good.filter(~pl.col(ROW).is_in(repeated.get_column(ROW).implode())), errors
