"""Byte-stable writers: warehouse Parquet partitions, CSV/Excel source files and master files.

Determinism traps handled here: openpyxl stamps the wall clock into ``docProps/core.xml`` and
into every zip entry, so workbooks are re-zipped with fixed times; Parquet files carry no
timestamps (only the writer version), and rows arrive in chunk order whatever process made them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

_FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


class PartitionWriter:
    """Appends rows of one fact to ``<root>/<fact>/source=<s>/month=<m>/part-00000.parquet``."""

    def __init__(self, root: Path, fact: str, schema: pa.Schema, import_id: str) -> None:
        self.root = root / fact
        self.schema = schema
        self.import_id = import_id
        self._writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self._partition_rows: dict[tuple[str, str], int] = {}
        self.rows = 0

    def write(
        self, source: str, month: str, table: pa.Table, source_row: pa.Array | None = None
    ) -> None:
        """Write ``table`` (fact columns minus the trace pair) with its source-file row numbers.

        Without ``source_row`` (no source file, as at ``large``) rows are numbered on from the
        partition's last row.
        """
        key = (source, month)
        done = self._partition_rows.get(key, 0)
        if source_row is None:
            source_row = pa.array(range(done + 1, done + 1 + table.num_rows))
        self._partition_rows[key] = done + table.num_rows
        if key not in self._writers:
            path = self.root / f"source={source}" / f"month={month}" / "part-00000.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._writers[key] = pq.ParquetWriter(path, self.schema, compression="zstd")
        n = table.num_rows
        full = table.add_column(0, "import_id", pa.repeat(pa.scalar(self.import_id), n))
        full = full.add_column(1, "source_row", source_row.cast(pa.int64()))
        self._writers[key].write_table(full.select(self.schema.names).cast(self.schema))
        self.rows += n

    def close(self) -> None:
        """Close every open partition file (sorted, so failures are reproducible)."""
        for key in sorted(self._writers):
            self._writers[key].close()
        self._writers.clear()


class CsvAppender:
    """Streams Arrow tables into CSV files kept open by name (header written once)."""

    def __init__(self) -> None:
        self._files: dict[Path, tuple[io.BufferedWriter, pacsv.CSVWriter]] = {}
        self.rows: dict[Path, int] = {}

    def write(self, path: Path, table: pa.Table) -> int:
        """Append ``table``; return the 1-based data-row number of its first row in the file."""
        if path not in self._files:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("wb")
            options = pacsv.WriteOptions(quoting_style="needed")
            self._files[path] = (
                handle,
                pacsv.CSVWriter(handle, table.schema, write_options=options),
            )
            self.rows[path] = 0
        first = self.rows[path] + 1
        self._files[path][1].write_table(table)
        self.rows[path] += table.num_rows
        return first

    def close(self) -> None:
        """Flush and close every file."""
        for path in sorted(self._files):
            writer, handle = self._files[path][1], self._files[path][0]
            writer.close()
            handle.close()
        self._files.clear()


def write_rows_csv(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> None:
    """Write plain rows with a header in ``encoding`` (``utf-8-sig`` adds the BOM)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)


def write_rows_xlsx(
    path: Path, sheet: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Write one sheet with openpyxl (write-only) and make the file byte-stable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(list(columns))
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_stable_zip(buffer.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """Re-zip with fixed entry times and fixed document-property dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIME.sub(rb"\g<1>2024-01-01T00:00:00Z\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def write_master(out: Path, name: str, rows: list[dict[str, object]], *, excel: bool) -> None:
    """Write a master table as ``<name>.csv`` (UTF-8) and, if asked, ``<name>.xlsx``."""
    if not rows:
        return
    columns = [c for c in rows[0] if not c.startswith("_")]
    values = [[row[c] for c in columns] for row in rows]
    write_rows_csv(out / f"{name}.csv", columns, values)
    if excel:
        write_rows_xlsx(out / f"{name}.xlsx", name, columns, values)
