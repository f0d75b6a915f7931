"""Row errors: what is wrong, where — the one shape every import reports (file, row, column)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

ERROR_SCHEMA = pa.schema(
    [
        pa.field("row", pa.int64(), nullable=False),
        pa.field("column", pa.string()),
        pa.field("value", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
    ]
)
"""Long form of row errors of one file: one line per (row, column, reason); ``row`` is the
1-based data row of the source file (header excluded)."""


class ImportKitError(Exception):
    """A file or mapping that cannot be imported at all (unreadable, required field unmapped)."""


@dataclass(frozen=True)
class RowError:
    """One reason why one source row was not stored."""

    file: str
    row: int
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.reason}{shown}"


def empty_errors() -> pa.Table:
    """Return an error table with no rows, for batches where everything parsed.

    Built from empty arrays rather than ``Schema.empty_table()``, which converts Python lists
    and so makes PyArrow import pandas (~0.4 s of CPU) in a process that never needs it.
    """
    return pa.Table.from_arrays(
        [pa.nulls(0, field.type) for field in ERROR_SCHEMA], schema=ERROR_SCHEMA
    )
