"""An import killed (SIGKILL) at any moment leaves the warehouse as it was; a re-run completes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from warehouse_files import RECEIPT_MAPPING, receipt_csv

from pharmacrm.warehouse.kinds import RECEIPTS
from pharmacrm.warehouse.pipeline import import_file
from pharmacrm.warehouse.store import WarehouseStore

# The child imports a file and SIGKILLs itself at a chosen point: after the second batch is
# staged, or inside the commit after the partition files were moved into place but before the
# manifest — the narrowest window an interrupted import can leave behind.
CHILD = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from warehouse_files import RECEIPT_MAPPING
from pharmacrm.warehouse import store as store_module
from pharmacrm.warehouse.kinds import RECEIPTS
from pharmacrm.warehouse.pipeline import import_file

point = {point!r}
batches = []

def progress(event):
    batches.append(event)
    if point == "staging" and len(batches) == 2:
        os.kill(os.getpid(), signal.SIGKILL)

if point == "commit":
    write = store_module._write_json_atomically
    def dying_write(path, data):
        if path.name == store_module.MANIFEST:
            os.kill(os.getpid(), signal.SIGKILL)
        write(path, data)
    store_module._write_json_atomically = dying_write

store = store_module.WarehouseStore(Path({root!r}))
import_file(Path({path!r}), kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
            quarantine_dir=Path({quarantine!r}), progress=progress)
"""


@pytest.mark.parametrize("point", ["staging", "commit"])
def test_sigkill_midway_leaves_the_warehouse_unchanged(tmp_path: Path, point: str) -> None:
    root = tmp_path / "warehouse"
    store = WarehouseStore(root)
    import_file(receipt_csv(tmp_path / "base.csv", 30, first_check=10_000), kind=RECEIPTS,
                store=store, mapping=RECEIPT_MAPPING, quarantine_dir=tmp_path / "q")  # fmt: skip
    before = store.tree_digest()
    manifest_before = (root / "manifest.json").read_bytes()
    big = receipt_csv(tmp_path / "big.csv", 9_000)  # ~3 blocks of 64 KiB
    script = CHILD.format(tests=str(Path(__file__).parent), point=point, root=str(root),
                          path=str(big), quarantine=str(tmp_path / "q"))  # fmt: skip

    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert child.returncode == -9, child.stderr
    assert (root / "manifest.json").read_bytes() == manifest_before
    assert (root / "_staging").exists()
    assert WarehouseStore(root).tree_digest() == before  # opening recovers
    assert not (root / "_staging").exists()

    report = import_file(big, kind=RECEIPTS, store=WarehouseStore(root), mapping=RECEIPT_MAPPING,
                         quarantine_dir=tmp_path / "q")  # fmt: skip

    assert (report.status, report.rows_read, report.rows_stored) == ("committed", 9_000, 9_000)
    manifest = json.loads((root / "manifest.json").read_text())
    assert len(manifest["imports"]) == 2
    assert WarehouseStore(root).read_fact("receipt_lines").num_rows == 9_030
