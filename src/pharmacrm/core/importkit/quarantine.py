"""Quarantine: bad rows as they came, with every reason, ready to be corrected and re-imported.

The quarantine CSV has the source's own columns first (so the same mapping reads it again once
fixed), then ``_source_row``, ``_reasons`` (all reasons of the row, ``; ``-joined) and
``_raw_line`` (the text of a line that could not even be split into fields). Those three
columns are ignored on re-import because no mapping names them. A long-form errors file lists
one (file, row, column, value, reason) per line for review.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from types import TracebackType
from typing import Any

import polars as pl
import pyarrow as pa

from pharmacrm.core.importkit.readers import ROW

_CsvWriter = Any
"""What ``csv.writer`` returns (typeshed names it only privately)."""

EXTRA_COLUMNS = ("_source_row", "_reasons", "_raw_line")
EXCEL_MAX_ROWS = 1_048_575


class QuarantineWriter:
    """Stream bad rows of one source file to ``<stem>.quarantine.csv`` and ``<stem>.errors.csv``.

    Files are created on the first bad row only, so a clean import leaves nothing behind.
    """

    def __init__(self, directory: Path, stem: str, source_name: str, columns: list[str]) -> None:
        self.path = directory / f"{stem}.quarantine.csv"
        self.errors_path = directory / f"{stem}.errors.csv"
        self.source_name = source_name
        self.columns = columns
        self.rows = 0
        self.reasons = 0
        self._rows_file: _CsvWriter | None = None
        self._errors_file: _CsvWriter | None = None
        self._handles: list[object] = []

    def __enter__(self) -> QuarantineWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> tuple[_CsvWriter, _CsvWriter]:
        if self._rows_file is None or self._errors_file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # utf-8-sig: Excel opens Chinese and Cyrillic text correctly only with the BOM.
            rows_handle = self.path.open("w", encoding="utf-8-sig", newline="")
            errors_handle = self.errors_path.open("w", encoding="utf-8-sig", newline="")
            self._handles = [rows_handle, errors_handle]
            self._rows_file = csv.writer(rows_handle)
            self._rows_file.writerow([*self.columns, *EXTRA_COLUMNS])
            self._errors_file = csv.writer(errors_handle)
            self._errors_file.writerow(["file", "row", "column", "value", "reason"])
        return self._rows_file, self._errors_file

    def write(self, bad: pl.DataFrame, errors: pa.Table) -> None:
        """Write the bad rows of a batch (raw columns + ``_row``) and all errors of the batch.

        Errors naming a row absent from ``bad`` are lines the reader could not split; they are
        written with their raw text in ``_raw_line``.
        """
        if not bad.height and not errors.num_rows:
            return
        rows_file, errors_file = self._open()
        reasons: dict[int, list[str]] = defaultdict(list)
        raw_lines: dict[int, str] = {}
        for error in errors.to_pylist():
            column = error["column"]
            reasons[error["row"]].append(
                f"{column}: {error['reason']}" if column else error["reason"]
            )
            if column is None:
                raw_lines[error["row"]] = error["value"] or ""
            errors_file.writerow(
                [
                    self.source_name,
                    error["row"],
                    column or "",
                    error["value"] or "",
                    error["reason"],
                ]
            )
        self.reasons += errors.num_rows
        written = set()
        for record in bad.select([*self.columns, ROW]).iter_rows():
            row = record[-1]
            written.add(row)
            values = ["" if value is None else _text(value) for value in record[:-1]]
            rows_file.writerow([*values, row, "; ".join(reasons.get(row, [])), ""])
        for row, text in sorted(raw_lines.items()):
            if row not in written:
                rows_file.writerow(
                    [*([""] * len(self.columns)), row, "; ".join(reasons[row]), text]
                )
                written.add(row)
        self.rows += len(written)

    def close(self) -> None:
        """Flush and close the files (if any bad row was written)."""
        for handle in self._handles:
            handle.close()  # type: ignore[attr-defined]
        self._handles = []


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def quarantine_to_xlsx(csv_path: Path, xlsx_path: Path) -> Path:
    """Convert a quarantine (or errors) CSV into an Excel workbook for people who fix in Excel.

    Every cell is written as text so codes like ``00012`` keep their zeros.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("quarantine")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        for index, row in enumerate(csv.reader(handle)):
            if index > EXCEL_MAX_ROWS:
                break
            sheet.append(row)
    workbook.save(xlsx_path)
    return xlsx_path
