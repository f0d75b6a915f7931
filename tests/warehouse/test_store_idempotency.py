"""Idempotency and versions: re-imports add nothing; a re-sent period replaces and is restorable."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
from warehouse_files import RECEIPT_MAPPING, receipt_csv

from pharmacrm.core.importkit.mapping import ColumnMapping
from pharmacrm.warehouse.kinds import FLOWS, RECEIPTS
from pharmacrm.warehouse.pipeline import DictResolver, import_file
from pharmacrm.warehouse.store import Partition, WarehouseStore


def test_reimport_of_the_same_file_adds_nothing(store: WarehouseStore, tmp_path: Path) -> None:
    path = receipt_csv(tmp_path / "pos.csv", 30)
    first = import_file(path, kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
                        quarantine_dir=tmp_path / "q")  # fmt: skip
    digest = store.tree_digest()

    again = import_file(path, kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
                        quarantine_dir=tmp_path / "q")  # fmt: skip

    assert (first.status, first.rows_stored) == ("committed", 30)
    assert (again.status, again.import_id, again.rows_stored) == ("already_imported",
                                                                  first.import_id, 0)  # fmt: skip
    assert store.tree_digest() == digest
    assert store.read_fact("receipt_lines").num_rows == 30


def test_overlapping_file_stores_only_new_natural_keys(
    store: WarehouseStore, tmp_path: Path
) -> None:
    import_file(receipt_csv(tmp_path / "a.csv", 30), kind=RECEIPTS, store=store,
                mapping=RECEIPT_MAPPING, quarantine_dir=tmp_path / "q")  # fmt: skip
    overlapping = receipt_csv(tmp_path / "b.csv", 36)  # the same 30 lines and 6 new ones

    report = import_file(overlapping, kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
                         quarantine_dir=tmp_path / "q")  # fmt: skip

    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (36, 6, 30)
    assert report.duplicates == 30
    assert store.read_fact("receipt_lines").num_rows == 36


def test_unknown_codes_are_kept_unresolved(store: WarehouseStore, tmp_path: Path) -> None:
    path = receipt_csv(tmp_path / "pos.csv", 6)  # checks 0 and 1: outlets OUT0, OUT1
    resolver = DictResolver({"outlet": {"OUT0": 11}, "product": {"SKU0": 5, "SKU1": 6}})

    report = import_file(path, kind=RECEIPTS, store=store, mapping=RECEIPT_MAPPING,
                         quarantine_dir=tmp_path / "q", resolver=resolver)  # fmt: skip

    facts = store.read_fact("receipt_lines").sort_by("source_row")
    assert report.rows_stored == 6
    assert facts.column("outlet_id").to_pylist() == [11, 11, 11, None, None, None]
    assert facts.column("product_id").to_pylist() == [5, 6, None, None, None, None]
    assert report.unresolved == {"outlet_code": 3, "card_no": 6, "sku_code": 4}
    assert report.unresolved_path is not None
    assert report.unresolved_path.read_text().splitlines()[:3] == [
        "column,code", "card_no,C0", "card_no,C1"
    ]  # fmt: skip


FLOW_MAPPING = ColumnMapping(
    columns={"terminal_name": "terminal", "product_raw": "product", "qty": "qty"},
    constants={"distributor_code": "DIST-7", "period": "2024-03"},
)


def _flow_file(path: Path, lines: list[tuple[str, str, int]]) -> Path:
    rows = ["terminal,product,qty", *(f"{t},{p},{q}" for t, p, q in lines)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_resent_period_replaces_and_the_old_version_is_restorable(
    store: WarehouseStore, tmp_path: Path
) -> None:
    first = import_file(
        _flow_file(tmp_path / "march.csv", [("Аптека 1", "Нурофен", 5), ("Аптека 2", "Нурофен", 7),
                                            ("Аптека 3", "Арбидол", 2)]),
        kind=FLOWS, store=store, mapping=FLOW_MAPPING, quarantine_dir=tmp_path / "q",
    )  # fmt: skip
    second = import_file(
        _flow_file(
            tmp_path / "march_v2.csv", [("Аптека 1", "Нурофен", 6), ("Аптека 2", "Нурофен", 7)]
        ),
        kind=FLOWS, store=store, mapping=FLOW_MAPPING, quarantine_dir=tmp_path / "q",
    )  # fmt: skip
    partition = Partition("flow_lines", "dist-7", "2024-03")

    live = store.read_fact("flow_lines")
    assert (second.rows_stored, second.duplicates) == (2, 0)
    assert live.num_rows == 2
    assert pc.sum(live.column("qty")).as_py() == 13.0
    assert [v["import_id"] for v in store.versions(partition)] == [first.import_id]

    store.version_restore(partition, first.import_id, operation_id="restore-1")

    restored = store.read_fact("flow_lines")
    assert restored.num_rows == 3
    assert pc.sum(restored.column("qty")).as_py() == 14.0
    assert [v["import_id"] for v in store.versions(partition)] == [second.import_id]
