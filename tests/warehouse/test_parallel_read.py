"""The fast path keeps every guarantee: threaded parsing, background hashing and encoding.

A multi-threaded CSV read cannot number a broken line, so the import reads such a file again in
order; the numbers below are counted by hand from the file each test writes (header = line 0).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pytest
from warehouse_files import RECEIPT_MAPPING, receipt_csv

from pharmacrm.core.importkit.readers import OrderedReadNeeded, ReadOptions, open_source
from pharmacrm.warehouse.kinds import RECEIPTS
from pharmacrm.warehouse.pipeline import import_file
from pharmacrm.warehouse.store import WarehouseStore

SMALL_BLOCKS = RECEIPT_MAPPING.with_changes(read=ReadOptions(block_bytes=2048))


def _with_broken_line(tmp_path: Path, lines: int, broken_at: int) -> Path:
    """``lines`` good receipt lines with a three-field line inserted as data row ``broken_at``."""
    path = receipt_csv(tmp_path / "pos.csv", lines)
    text = path.read_text(encoding="utf-8").splitlines()
    text.insert(broken_at, "OUT1,9999,1")  # truncated by a failed transfer
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def test_threaded_reader_asks_for_an_ordered_read_on_a_broken_line(tmp_path: Path) -> None:
    path = _with_broken_line(tmp_path, 300, broken_at=250)

    with pytest.raises(OrderedReadNeeded):
        for _batch in open_source(path, ReadOptions(block_bytes=2048, use_threads=True)):
            pass


def test_threaded_and_ordered_reads_give_the_same_rows(tmp_path: Path) -> None:
    path = receipt_csv(tmp_path / "pos.csv", 300)

    def read(threads: bool) -> pa.Table:
        source = open_source(path, ReadOptions(block_bytes=2048, use_threads=threads))
        return pa.concat_tables(batch.table for batch in source)

    threaded, ordered = read(True), read(False)

    assert threaded.num_rows == 300
    assert threaded.column("_row").to_pylist() == list(range(1, 301))
    assert threaded.equals(ordered)


def test_import_of_a_file_with_a_broken_line_numbers_it_exactly(
    store: WarehouseStore, tmp_path: Path
) -> None:
    path = _with_broken_line(tmp_path, 300, broken_at=250)

    report = import_file(path, kind=RECEIPTS, store=store, mapping=SMALL_BLOCKS,
                         quarantine_dir=tmp_path / "q")  # fmt: skip

    assert (report.status, report.rows_read, report.rows_stored, report.rows_quarantined) == (
        "committed", 301, 300, 1,
    )  # fmt: skip
    assert [(e.row, e.value, e.reason) for e in report.first_errors] == [
        (250, "OUT1,9999,1", "line has 3 fields, expected 8 (truncated or broken line)")
    ]
    assert report.errors_path is not None
    assert report.errors_path.read_text(encoding="utf-8-sig").splitlines() == [
        "file,row,column,value,reason",
        'pos.csv,250,,"OUT1,9999,1","line has 3 fields, expected 8 (truncated or broken line)"',
    ]
    rows = store.read_fact("receipt_lines").column("source_row").to_pylist()
    assert sorted(rows) == [*range(1, 250), *range(251, 302)]


def test_a_file_found_already_imported_at_the_end_leaves_nothing_behind(
    store: WarehouseStore, tmp_path: Path
) -> None:
    path = _with_broken_line(tmp_path, 30, broken_at=10)  # one quarantined row each time
    first = import_file(path, kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
                        quarantine_dir=tmp_path / "q")  # fmt: skip
    digest = store.tree_digest()

    again = import_file(path, kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
                        quarantine_dir=tmp_path / "q")  # fmt: skip

    assert again.status == "already_imported"
    assert again.import_id == first.import_id
    assert store.tree_digest() == digest
    # only the first import's quarantine: the second pass's files were removed with its staging
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == [
        f"{first.import_id}.errors.csv", f"{first.import_id}.quarantine.csv",
    ]  # fmt: skip


def test_a_known_hash_refuses_the_file_before_reading_it(
    store: WarehouseStore, tmp_path: Path
) -> None:
    path = receipt_csv(tmp_path / "pos.csv", 30)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    first = import_file(path, kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
                        quarantine_dir=tmp_path / "q", content_hash=sha256)  # fmt: skip
    path.unlink()  # not read again: the hash the caller took decides

    again = import_file(path, kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
                        quarantine_dir=tmp_path / "q", content_hash=sha256)  # fmt: skip

    assert (first.status, again.status, again.import_id) == (
        "committed", "already_imported", first.import_id,
    )  # fmt: skip
