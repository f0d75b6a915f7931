"""Streaming readers: any supported file → batches of raw columns with source row numbers.

Every reader yields :class:`RawBatch` objects of bounded size, so a 10 M-line file never sits in
memory whole. Text and Excel cells arrive as strings (``None`` for empty cells) and Parquet
columns keep their types: parsing values is the job of :mod:`.coerce`, which reports a bad value
row by row instead of failing the whole file. Rows are numbered 1, 2, … from the first data row
(header excluded), counting rows that could not be parsed, so a number always points at the
same row a person sees when opening the file (files with line breaks inside quoted values are
counted by record, not by physical line).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pharmacrm.core.importkit.errors import ERROR_SCHEMA, ImportKitError, empty_errors
from pharmacrm.core.importkit.sniff import detect_layout, sniff_text

ROW = "_row"
"""Name of the source-row column every batch carries."""

DEFAULT_BLOCK_BYTES = 16 * 1024 * 1024
DEFAULT_BATCH_ROWS = 100_000


@dataclass(frozen=True)
class ReadOptions:
    """How to read one file; every ``None`` is sniffed from the file itself."""

    encoding: str | None = None
    delimiter: str | None = None
    whitespace: bool | None = None
    header: bool = True
    column_names: tuple[str, ...] | None = None
    sheet: str | int = 0
    batch_rows: int = DEFAULT_BATCH_ROWS
    block_bytes: int = DEFAULT_BLOCK_BYTES
    use_threads: bool = False
    """Parse CSV blocks on several threads. Only an in-order read knows the line number of a
    broken line, so with threads such a line raises :class:`OrderedReadNeeded` and the caller
    reads the file again without them (clean files, the usual case, go twice as fast)."""


class OrderedReadNeeded(Exception):  # noqa: N818 - a request to the caller, not a failure
    """A multi-threaded CSV read met a broken line: read again with ``use_threads=False``."""


@dataclass
class RawBatch:
    """A slice of a source file.

    ``table`` holds the file's columns plus ``_row``; ``errors`` (schema
    :data:`~.errors.ERROR_SCHEMA`) lists problems found while reading — rows that could not be
    split into fields (they are *not* in ``table`` and are counted in ``rejected_rows``) and
    cells in a foreign encoding (those rows are in ``table`` and must be quarantined).
    """

    table: pa.Table
    errors: pa.Table = field(default_factory=empty_errors)
    rejected_rows: int = 0
    bytes_done: int = 0

    @property
    def rows_read(self) -> int:
        """Rows of the source this batch accounts for, parsed or not."""
        return self.table.num_rows + self.rejected_rows


@dataclass
class TabularSource:
    """An opened file: its column names, its size and an iterator of batches."""

    path: Path
    layout: str
    columns: list[str]
    encoding: str | None
    delimiter: str | None
    total_bytes: int
    batches: Iterator[RawBatch]
    estimated_rows: int = 0
    """Rows the file probably holds (exact for Parquet and Excel), for progress bars."""

    def __iter__(self) -> Iterator[RawBatch]:
        return self.batches


def open_source(path: Path, options: ReadOptions | None = None) -> TabularSource:
    """Open ``path`` with the reader its layout needs.

    Raises
    ------
    ImportKitError
        When the file does not exist, is empty or has no header.
    """
    options = options or ReadOptions()
    if not path.is_file():
        raise ImportKitError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise ImportKitError(f"{path}: file is empty")
    layout = detect_layout(path)
    if layout == "excel":
        return _open_excel(path, options)
    if layout == "parquet":
        return _open_parquet(path, options)
    return _open_text(path, options, force_whitespace=layout == "whitespace")


# ---------------------------------------------------------------------------- text


def _open_text(path: Path, options: ReadOptions, *, force_whitespace: bool) -> TabularSource:
    sniffed = sniff_text(path)
    encoding = options.encoding or sniffed.encoding
    whitespace = options.whitespace if options.whitespace is not None else force_whitespace
    delimiter = None if whitespace else (options.delimiter or sniffed.delimiter or ",")
    columns = _text_header(path, encoding, delimiter, options)
    if whitespace:
        batches = _whitespace_batches(path, encoding, columns, options)
    else:
        batches = _csv_batches(path, encoding, delimiter or ",", columns, options)
    return TabularSource(
        path, "whitespace" if whitespace else "csv", columns, encoding, delimiter,
        path.stat().st_size, batches, _estimate_rows(path),
    )  # fmt: skip


def _estimate_rows(path: Path) -> int:
    with path.open("rb") as handle:
        sample = handle.read(1024 * 1024)
    lines = max(sample.count(b"\n"), 1)
    return max(int(path.stat().st_size / (len(sample) / lines)) - 1, 0)


def _text_header(
    path: Path, encoding: str, delimiter: str | None, options: ReadOptions
) -> list[str]:
    if options.column_names is not None:
        return list(options.column_names)
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        first = handle.readline().lstrip("\ufeff").rstrip("\r\n")
    if delimiter is None:
        fields = first.split()
    else:
        import csv

        fields = next(csv.reader([first], delimiter=delimiter), [])
    if not options.header:
        return [f"column_{index}" for index in range(1, len(fields) + 1)]
    names = [name.strip() for name in fields]
    if not any(names):
        raise ImportKitError(f"{path}: the first line has no column names")
    return _unique_names(names)


def _unique_names(names: list[str]) -> list[str]:
    """Name blank header cells ``column_N`` and suffix repeated names, as spreadsheets do."""
    seen: dict[str, int] = {}
    result = []
    for index, name in enumerate(names, start=1):
        name = name or f"column_{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        result.append(name)
    return result


def _csv_batches(
    path: Path, encoding: str, delimiter: str, columns: list[str], options: ReadOptions
) -> Iterator[RawBatch]:
    pending: list[tuple[int, str, str]] = []
    header_lines = 1 if options.header and options.column_names is None else 0
    width = len(columns)

    broken_while_threaded: list[bool] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if options.use_threads:
            broken_while_threaded.append(True)
            return "skip"
        # ``number`` is the physical line (1-based, header included); it is known because the
        # streaming reader parses on one thread.
        reason = (
            f"line has {row.actual_columns} fields, expected {width} (truncated or broken line)"
        )
        pending.append((int(row.number or 0) - header_lines, row.text, reason))
        return "skip"

    is_utf8 = encoding.replace("-", "").replace("_", "").lower() in {"utf8", "utf8sig"}
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding="utf8" if is_utf8 else encoding,
            block_size=options.block_bytes,
            use_threads=options.use_threads,
            column_names=columns,
            skip_rows=header_lines,
        ),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(columns, pa.binary()), strings_can_be_null=False
        ),
    )
    numberer = _RowNumberer(columns)
    for record_batch in reader:
        if broken_while_threaded:
            raise OrderedReadNeeded(
                f"{path.name}: a broken line; its number needs an in-order read"
            )
        yield numberer.batch(pa.Table.from_batches([record_batch]), pending, done=False)
    if broken_while_threaded:
        raise OrderedReadNeeded(f"{path.name}: a broken line; its number needs an in-order read")
    yield numberer.batch(None, pending, done=True)


def row_numbers(values: np.ndarray) -> pa.Array:
    """An int64 NumPy array as an Arrow array, without copying.

    ``pa.array`` on NumPy asks pandas whether the array is categorical, importing pandas (~0.4 s
    of CPU) into an import process that never needs it.
    """
    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


class _RowNumberer:
    """Give parsed rows their source numbers around the rows the parser skipped."""

    def __init__(self, columns: list[str]) -> None:
        self.next_row = 1
        self.columns = columns

    def batch(
        self, table: pa.Table | None, pending: list[tuple[int, str, str]], *, done: bool
    ) -> RawBatch:
        count = 0 if table is None else table.num_rows
        skipped = np.array(sorted(number for number, _, _ in pending), dtype=np.int64)
        candidates = np.arange(self.next_row, self.next_row + count + len(skipped), dtype=np.int64)
        rows = candidates[~np.isin(candidates, skipped)][:count]
        if count:
            self.next_row = int(rows[-1]) + 1
        taken = [item for item in pending if done or item[0] < self.next_row]
        pending[:] = [item for item in pending if not (done or item[0] < self.next_row)]
        # No ``pa.array`` of a Python list on the clean path: PyArrow imports pandas (~0.4 s of
        # CPU) the first time it converts one.
        rejected = (
            pa.table(
                {
                    "row": pa.array([number for number, _, _ in taken], pa.int64()),
                    "column": pa.nulls(len(taken), pa.string()),
                    "value": pa.array([text for _, text, _ in taken], pa.string()),
                    "reason": pa.array([reason for _, _, reason in taken], pa.string()),
                },
                schema=ERROR_SCHEMA,
            )
            if taken
            else empty_errors()
        )
        if table is None:
            empty = {name: pa.nulls(0, pa.string()) for name in self.columns}
            table = pa.table({**empty, ROW: pa.nulls(0, pa.int64())})
            return RawBatch(table=table, errors=rejected, rejected_rows=len(taken))
        table = table.append_column(ROW, row_numbers(rows))
        table, decode_errors = decode_utf8(table)
        return RawBatch(
            table=table,
            errors=pa.concat_tables([rejected, decode_errors]),
            rejected_rows=len(taken),
        )


def decode_utf8(table: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Turn binary columns into strings, reporting cells that are not valid UTF-8.

    A file that is UTF-8 but has lines pasted from a cp1251 or GBK system (it happens when
    reports are merged by hand) keeps its good rows; each foreign cell is decoded by its own
    best guess so the quarantine file shows it legibly, and its row is reported.
    """
    errors = [empty_errors()]
    arrays = []
    for name in table.column_names:
        column = table.column(name)
        if not pa.types.is_binary(column.type):
            arrays.append(column)
            continue
        try:
            arrays.append(column.cast(pa.string()))
            continue
        except pa.ArrowInvalid:
            pass
        texts, bad_rows, bad_values, reasons = [], [], [], []
        for row, raw in zip(table.column(ROW).to_pylist(), column.to_pylist(), strict=True):
            try:
                texts.append(None if raw is None else raw.decode("utf-8"))
            except UnicodeDecodeError:
                encoding = guess_legacy_encoding(raw)
                text = raw.decode(encoding, errors="replace")
                texts.append(text)
                bad_rows.append(row)
                bad_values.append(text)
                reasons.append(f"not valid UTF-8 like the rest of the file; looks like {encoding}")
        arrays.append(pa.array(texts, pa.string()))
        errors.append(
            pa.table(
                {
                    "row": pa.array(bad_rows, pa.int64()),
                    "column": [name] * len(bad_rows),
                    "value": bad_values,
                    "reason": reasons,
                },
                schema=ERROR_SCHEMA,
            )  # fmt: skip
        )
    return pa.table(arrays, names=table.column_names), pa.concat_tables(errors)


def guess_legacy_encoding(raw: bytes) -> str:
    """Guess the code page of one short foreign value.

    Whichever of cp1251 and GB18030 reads it as more letters of its own script wins: a single
    cell is too short for statistical detection.
    """
    cyrillic = sum("\u0400" <= char <= "\u04ff" for char in raw.decode("cp1251", errors="replace"))
    han_text = raw.decode("gb18030", errors="replace")
    han = sum("\u4e00" <= char <= "\u9fff" for char in han_text) * 2  # two bytes per character
    if max(cyrillic, han) == 0:
        return "cp1252"
    return "cp1251" if cyrillic >= han else "gb18030"


# ---------------------------------------------------------------------- whitespace

_RUNS = re.compile(rb"[ \t]+")


def _whitespace_batches(
    path: Path, encoding: str, columns: list[str], options: ReadOptions
) -> Iterator[RawBatch]:
    """Read fields separated by runs of spaces or tabs (CDNOW_master: `` 00001 19970101  1``)."""
    numberer = _RowNumberer(columns)
    pending: list[tuple[int, str, str]] = []
    line_number = 0
    skip_header = options.header and options.column_names is None
    with path.open("rb") as handle:
        if skip_header:
            handle.readline()
        while True:
            lines = handle.readlines(options.block_bytes)
            if not lines:
                break
            kept = []
            for raw in lines:
                line_number += 1
                fields = _RUNS.sub(b" ", raw.strip()).decode(encoding, errors="replace")
                if not fields:
                    continue  # blank lines (a trailing CRLF) carry no row
                if fields.count(" ") + 1 != len(columns):
                    reason = (
                        f"line has {fields.count(' ') + 1} fields, expected {len(columns)} "
                        "(truncated or broken line)"
                    )
                    pending.append((line_number, raw.decode(encoding, errors="replace"), reason))
                    continue
                kept.append(fields.encode("utf-8"))
            table = (
                pacsv.read_csv(
                    pa.py_buffer(b"\n".join(kept) + b"\n"),
                    read_options=pacsv.ReadOptions(column_names=columns, use_threads=False),
                    parse_options=pacsv.ParseOptions(delimiter=" ", quote_char=False),
                    convert_options=pacsv.ConvertOptions(
                        column_types=dict.fromkeys(columns, pa.binary()), strings_can_be_null=False
                    ),
                )
                if kept
                else pa.table({name: pa.array([], pa.binary()) for name in columns})
            )
            yield numberer.batch(table, pending, done=False)
    yield numberer.batch(None, pending, done=True)


# --------------------------------------------------------------------------- Excel


def _open_excel(path: Path, options: ReadOptions) -> TabularSource:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    if isinstance(options.sheet, int):
        sheet = workbook.get_sheet_by_index(options.sheet)
    else:
        sheet = workbook.get_sheet_by_name(options.sheet)
    rows = sheet.iter_rows()
    if options.column_names is not None:
        columns = list(options.column_names)
    else:
        first = next(rows, None)
        if first is None:
            raise ImportKitError(f"{path}: the sheet is empty")
        cells = [excel_cell_text(cell) or "" for cell in first]
        if not options.header:
            columns = [f"column_{index}" for index in range(1, len(cells) + 1)]
            rows = _prepend(first, rows)
        else:
            columns = _unique_names([cell.strip() for cell in cells])
    return TabularSource(
        path, "excel", columns, None, None, path.stat().st_size,
        _excel_batches(rows, columns, options.batch_rows), max(sheet.total_height - 1, 0),
    )  # fmt: skip


def _prepend(first: list[Any], rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    yield first
    yield from rows


def _excel_batches(
    rows: Iterator[list[Any]], columns: list[str], batch_rows: int
) -> Iterator[RawBatch]:
    width = len(columns)
    next_row = 1
    while True:
        chunk = [row for _, row in zip(range(batch_rows), rows, strict=False)]
        if not chunk:
            return
        if set(map(len, chunk)) != {width}:
            chunk = [row[:width] + [""] * (width - len(row)) for row in chunk]
        arrays = [excel_column_text(cells) for cells in zip(*chunk, strict=True)]
        arrays.append(row_numbers(np.arange(next_row, next_row + len(chunk), dtype=np.int64)))
        next_row += len(chunk)
        yield RawBatch(table=pa.table(arrays, names=[*columns, ROW]))


_EXACT_INT = 2.0**53
"""Floats below this magnitude convert to int64 exactly (whole numbers show without ``.0``)."""


def excel_column_text(cells: Sequence[object]) -> pa.Array:
    """One column of calamine cells as text, as :func:`excel_cell_text` writes each cell.

    Vectorised for the common columns — all text, all numbers or all dates (empty cells
    allowed) — with PyArrow compute, because converting cell by cell in Python cost ~10 µs a
    cell (71 s for a million six-column rows on the loaded bench machine); mixed columns and
    date-times fall back to the per-cell function.
    """
    kinds = set(map(type, cells))
    kinds.discard(type(None))
    if kinds <= {str}:
        text = pa.array(cells, pa.string())
        return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    if kinds == {float}:
        numbers = pa.array(cells, pa.float64())
        whole = pc.and_(pc.equal(pc.floor(numbers), numbers), pc.less(pc.abs(numbers), _EXACT_INT))
        if pc.all(whole).as_py() is not False:  # codes, quantities: skip the float spelling
            return pc.cast(numbers, pa.int64()).cast(pa.string())
        as_int = pc.cast(pc.if_else(whole, numbers, 0.0), pa.int64()).cast(pa.string())
        return pc.if_else(whole, as_int, _float_text(numbers))
    if kinds == {dt.date}:
        return pa.array(cells, pa.date32()).cast(pa.string())
    return pa.array([excel_cell_text(cell) for cell in cells], pa.string())


def _float_text(numbers: pa.Array) -> pa.Array:
    """Floats as ``repr`` writes them.

    Arrow's shortest round-trip text agrees for ordinary magnitudes; exponents, tiny and huge
    whole numbers are spelled differently, so those cells go through :func:`excel_cell_text`.
    """
    text = pc.cast(numbers, pa.string())
    size = pc.abs(numbers)
    odd = pc.or_(
        pc.match_substring(text, "e"),
        pc.or_(
            pc.greater_equal(size, _EXACT_INT),
            pc.and_(pc.less(size, 1e-4), pc.not_equal(size, 0.0)),
        ),
    )
    if not pc.any(odd).as_py():
        return text
    values = numbers.to_pylist()
    return pa.array(
        [excel_cell_text(value) if flag else shown for value, flag, shown in
         zip(values, odd.to_pylist(), text.to_pylist(), strict=True)],
        pa.string(),
    )  # fmt: skip


def excel_cell_text(cell: object) -> str | None:
    """Write an Excel cell as the text a person sees, so all readers feed one parser.

    calamine returns every number as a float (``17850.0``) and date cells as ``date`` or
    ``datetime``: whole floats lose their ``.0`` (codes, quantities) and dates become ISO text,
    which every date field accepts besides its configured formats.
    """
    kind = type(cell)
    if kind is str:
        return cell or None  # type: ignore[return-value]
    if kind is float:
        return str(int(cell)) if cell.is_integer() else repr(cell)  # type: ignore[attr-defined, call-overload]
    if cell is None:
        return None
    if kind is dt.datetime:
        return cell.isoformat(sep=" ")  # type: ignore[attr-defined]
    if kind is dt.date:
        return cell.isoformat()  # type: ignore[attr-defined]
    if kind is bool:
        return "true" if cell else "false"
    return str(cell)


# ------------------------------------------------------------------------- Parquet


def _open_parquet(path: Path, options: ReadOptions) -> TabularSource:
    parquet = pq.ParquetFile(path)
    columns = list(parquet.schema_arrow.names)
    return TabularSource(
        path, "parquet", columns, None, None, path.stat().st_size,
        _parquet_batches(parquet, options.batch_rows), parquet.metadata.num_rows,
    )  # fmt: skip


def _parquet_batches(parquet: pq.ParquetFile, batch_rows: int) -> Iterator[RawBatch]:
    next_row = 1
    for record_batch in parquet.iter_batches(batch_size=batch_rows):
        table = pa.Table.from_batches([record_batch])
        rows = row_numbers(np.arange(next_row, next_row + table.num_rows, dtype=np.int64))
        next_row += table.num_rows
        table, errors = decode_utf8(table.append_column(ROW, rows))
        yield RawBatch(table=table, errors=errors)
