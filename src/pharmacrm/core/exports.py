"""Export any filtered list to Excel (openpyxl) or CSV: one helper for every list page.

A list page builds its filtered, sorted queryset (through the same scoped selector that feeds
the page, so a rep never exports what they cannot see) and, when the query string carries
``?export=xlsx`` or ``?export=csv``, hands it here with the columns to write. CSV is UTF-8 with
a byte-order mark so that Excel opens Chinese and Cyrillic names correctly; dates are ISO text
in CSV and real date cells in Excel; money keeps its ``Decimal`` precision.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise

EXPORT_FORMATS = ("xlsx", "csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_EXPORT_ROWS = 1_048_575
"""One Excel sheet holds 1,048,576 rows including the header."""


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: its header and how to read it from a row.

    ``value`` is a dotted attribute path (``"manufacturer.name"``; a missing link gives an
    empty cell) or a function of the row.
    """

    header: str | Promise
    value: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        """The cell value for ``row``."""
        if callable(self.value):
            return self.value(row)
        current = row
        for part in self.value.split("."):
            if current is None:
                return None
            current = current.get(part) if isinstance(current, dict) else getattr(current, part)
        if callable(current):
            current = current()
        return current


def requested_export(request: HttpRequest) -> str | None:
    """The export format the query string asks for (``xlsx`` or ``csv``), else ``None``."""
    value = request.GET.get("export", "").strip().lower()
    return value if value in EXPORT_FORMATS else None


def _rows(rows: Iterable[Any]) -> Iterator[Any]:
    if isinstance(rows, QuerySet):
        yield from rows.iterator(chunk_size=2000)
    else:
        yield from rows


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return str(value)


def _excel_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal | date | str):
        if isinstance(value, datetime) and value.tzinfo is not None:
            # Excel has no time zones: write the UTC wall time the database holds.
            return value.replace(tzinfo=None)
        return value
    return str(value)


def csv_lines(rows: Iterable[Any], columns: Sequence[ExportColumn]) -> Iterator[str]:
    """The CSV text of ``rows``, one line at a time (header first, BOM before it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([str(column.header) for column in columns])
    yield "\ufeff" + flush()
    for row in _rows(rows):
        writer.writerow([_csv_text(column.read(row)) for column in columns])
        yield flush()


def xlsx_bytes(rows: Iterable[Any], columns: Sequence[ExportColumn], *, sheet: str) -> bytes:
    """An .xlsx workbook of ``rows`` with a bold, frozen header row.

    Raises
    ------
    ValueError
        When there are more rows than one sheet holds (use CSV for those).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31] or "export")
    worksheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(worksheet, value=str(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    worksheet.append(header)
    for count, row in enumerate(_rows(rows), start=1):
        if count > MAX_EXPORT_ROWS:
            raise ValueError(f"more than {MAX_EXPORT_ROWS} rows do not fit one Excel sheet")
        worksheet.append([_excel_value(column.read(row)) for column in columns])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def export_response(
    rows: Iterable[Any], columns: Sequence[ExportColumn], *, fmt: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    """A download of ``rows`` as ``filename.xlsx`` or ``filename.csv``.

    CSV streams (constant memory for any list size); Excel is built in memory in write-only
    mode, as openpyxl cannot stream a zip archive.
    """
    if fmt == "csv":
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            csv_lines(rows, columns), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(rows, columns, sheet=filename), content_type=XLSX_CONTENT_TYPE
        )
    else:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {EXPORT_FORMATS}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
