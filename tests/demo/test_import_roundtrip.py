"""Every generated source file passes the real import paths, and nothing is lost on the way.

The generator plants no invalid rows on purpose: its returns (negative quantity marked as a
return), cancelled and returned online orders, zero-priced lines and flow transfers are all
valid data. So the expectation is exact: zero quarantined rows, every row stored, and the
stored rows are exactly the generator's own warehouse partitions, row for row.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from pharmacrm.demo.import_mappings import fact_imports, flow_layout_of
from pharmacrm.demo.markets import get_market
from pharmacrm.demo_setup import code_resolver, load_business
from pharmacrm.warehouse.store import WarehouseStore


def _data_rows(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> int:
    """Data rows of a source file, counted without the import kit (header excluded)."""
    if path.suffix == ".xlsx":
        return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1
    with path.open(encoding=encoding, newline="") as handle:
        return sum(1 for _row in csv.reader(handle, delimiter=delimiter)) - 1


VALUES = {
    "receipt_lines": (
        ("outlet_code", "check_id", "line_no"),
        ("ts", "day", "card_no", "sku_code", "qty", "amount", "is_return"),
    ),
    "invoice_lines": (
        ("seller_code", "invoice_id", "line_no"),
        ("day", "buyer_code", "sku_code", "qty", "amount", "is_return"),
    ),
    "flow_lines": (
        ("distributor_code", "period", "line_no"),
        ("day", "terminal_name", "sku_code", "qty", "amount"),
    ),
    "online_orders": (
        ("channel", "order_id", "line_no"),
        ("ts", "day", "customer_code", "sku_code", "qty", "price", "status"),
    ),
}
"""Natural key and the columns compared between the imported and the generated facts."""


def _by_key(fact: str, files: list[Path]) -> dict[tuple, tuple]:
    """Rows of ``fact`` as natural key → compared values (money to the cent, as files carry it)."""
    key, values = VALUES[fact]
    rows: dict[tuple, tuple] = {}
    for path in files:
        table = pq.read_table(path, columns=[*key, *values])
        for row in table.to_pylist():
            rows[tuple(row[c] for c in key)] = tuple(
                round(row[c], 2) if isinstance(row[c], float) else row[c] for c in values
            )
    return rows


def _partition_counts(root: Path, fact: str, files: list[Path]) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for path in files:
        source, month = (part.split("=", 1)[1] for part in path.relative_to(root).parts[1:3])
        counts[(source, month)] += pq.ParquetFile(path).metadata.num_rows
    return counts


@pytest.mark.django_db
def test_every_generated_file_imports_without_quarantine_and_matches_the_generated_facts(
    realistic_cn: Path, tmp_path: Path
) -> None:
    population = json.loads((realistic_cn / "truth" / "population.json").read_text("utf-8"))
    market = get_market("cn")

    result = load_business(
        realistic_cn,
        market="cn",
        by=None,
        warehouse_dir=tmp_path / "warehouse",
        quarantine_dir=tmp_path / "quarantine",
    )

    for kind, report in result.master.items():
        assert report.rows_quarantined == 0, (kind, report.first_errors[:3])
        assert report.rows_read == _data_rows(realistic_cn / "master" / f"{kind}.csv"), kind
        assert report.rows_stored == report.rows_read, kind
    assert result.master["accounts"].rows_read == population["counts"]["accounts"]
    assert result.master["consumers"].rows_read == population["counts"]["members"]
    reports = [r for reports in result.facts.values() for r in reports]
    sources = sorted((realistic_cn / "sources").rglob("*.*"))
    assert sorted(Path(r.file) for r in reports) == sources
    for report in reports:
        path = Path(report.file)
        if path.parts[-3] == "flows" and path.suffix == ".csv":
            layout = flow_layout_of(path, market)
            expected = _data_rows(path, layout.encoding, layout.delimiter)
        else:
            expected = _data_rows(path)
        assert report.status == "committed", report.file
        assert report.rows_quarantined == 0, (report.file, report.first_errors[:3])
        assert report.rows_read == report.rows_stored == expected, report.file
    store = WarehouseStore(tmp_path / "warehouse")
    generated = realistic_cn / "warehouse"
    for fact in ("receipt_lines", "invoice_lines", "flow_lines", "online_orders"):
        imported = _partition_counts(store.root, fact, store.live_files(fact))
        made = _partition_counts(generated, fact, sorted(generated.glob(f"{fact}/*/*/*.parquet")))
        assert imported == made, fact
        assert sum(imported.values()) == population["counts"][fact], fact
        assert _by_key(fact, store.live_files(fact)) == _by_key(
            fact, sorted(generated.glob(f"{fact}/*/*/*.parquet"))
        ), fact


@pytest.mark.django_db
def test_imported_codes_resolve_to_the_master_except_guest_online_customers(
    realistic_cn: Path, tmp_path: Path
) -> None:
    result = load_business(
        realistic_cn,
        market="cn",
        by=None,
        warehouse_dir=tmp_path / "warehouse",
        quarantine_dir=tmp_path / "quarantine",
    )

    unresolved: dict[str, set[str]] = {}
    for kind, reports in result.facts.items():
        for report in reports:
            if report.unresolved_path is None:
                continue
            with report.unresolved_path.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    unresolved.setdefault(f"{kind}.{row['column']}", set()).add(row["code"])
    assert set(unresolved) == {"online-orders.customer_code"}
    assert all(code.startswith("U") for code in unresolved["online-orders.customer_code"])
    assert code_resolver().maps["consumer"].keys() >= {
        row["card_no"] for row in csv.DictReader((realistic_cn / "master" / "consumers.csv").open())
    }


@pytest.mark.parametrize("market_code", ["ru", "en"])
def test_every_flow_layout_of_the_other_markets_imports_without_quarantine(
    market_code: str, make_business, tmp_path: Path
) -> None:
    out = make_business(tmp_path / "data", market=market_code, seed=3, members=200)
    market = get_market(market_code)
    flows = [item for item in fact_imports(out, market) if item.kind == "flows"]
    # One report per distributor (two months each) covers every layout of the market; the
    # cn test above imports every file of every kind.
    firsts: dict[str, list] = {}
    for item in flows:
        firsts.setdefault(item.files[0].parent.name, []).append(item)
    chosen = [item for items in firsts.values() for item in items[:2]]

    from pharmacrm.core.importkit.registry import ImportRequest
    from pharmacrm.warehouse.kinds import FACT_KINDS, run_import

    layouts = set()
    store = WarehouseStore(tmp_path / "wh")
    for item in chosen:
        options = {**item.options, "warehouse_dir": str(tmp_path / "wh"),
                   "quarantine_dir": str(tmp_path / "q")}  # fmt: skip
        (report,) = run_import(
            ImportRequest(files=item.files, options=options), FACT_KINDS["flows"]
        )
        path = item.files[0]
        layout = flow_layout_of(path, market)
        layouts.add(layout.name)
        expected = _data_rows(path, layout.encoding or "utf-8", layout.delimiter or ",")
        assert report.rows_quarantined == 0, (path.name, report.first_errors[:3])
        assert report.rows_read == report.rows_stored == expected, path.name
        distributor, period = item.files[0].parent.name, path.stem.split("-", 1)[1]
        made = out / "warehouse" / "flow_lines" / f"source={distributor.lower()}"
        imported = [
            p for p in store.live_files("flow_lines") if f"month={period}" in p.parts
            and f"source={distributor.lower()}" in p.parts
        ]  # fmt: skip
        assert _by_key("flow_lines", imported) == _by_key(
            "flow_lines", [made / f"month={period}" / "part-00000.parquet"]
        ), path.name

    assert layouts == {layout.name for layout in market.flow_layouts}
