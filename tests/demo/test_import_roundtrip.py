"""Every generated source file of every market passes the real import paths, losing nothing.

The generator plants no invalid rows on purpose: its returns (negative quantity marked as a
return), cancelled and returned online orders, zero-priced lines and flow transfers are all
valid data, and no local time falls in a daylight-saving gap or fold (MODEL.md, "Local times").
So the expectation is exact for cn, ru and en alike: zero quarantined rows, every row stored,
the stored rows are exactly the generator's own warehouse partitions, row for row, and the
flow-line truth names every imported sell-out line.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from pharmacrm.demo.generator.localtime import is_unique_wall_time, unique_wall_time
from pharmacrm.demo.import_mappings import flow_layout_of
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


MARKETS = ("cn", "ru", "en")


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("market_code", MARKETS)
def test_every_generated_file_imports_without_quarantine_and_matches_the_generated_facts(
    market_code: str, roundtrip_business, tmp_path: Path
) -> None:
    out = roundtrip_business(market_code)
    population = json.loads((out / "truth" / "population.json").read_text("utf-8"))
    market = get_market(market_code)

    result = load_business(
        out,
        market=market_code,
        by=None,
        warehouse_dir=tmp_path / "warehouse",
        quarantine_dir=tmp_path / "quarantine",
    )

    for kind, report in result.master.items():
        assert report.rows_quarantined == 0, (kind, report.first_errors[:3])
        assert report.rows_read == _data_rows(out / "master" / f"{kind}.csv"), kind
        assert report.rows_stored == report.rows_read, kind
    assert result.master["accounts"].rows_read == population["counts"]["accounts"]
    assert result.master["consumers"].rows_read == population["counts"]["members"]
    reports = [r for reports in result.facts.values() for r in reports]
    sources = sorted((out / "sources").rglob("*.*"))
    assert sorted(Path(r.file) for r in reports) == sources
    assert {path.parts[-3] for path in sources} == {"receipts", "invoices", "flows", "online"}
    for report in reports:
        path = Path(report.file)
        if path.parts[-3] == "flows" and path.suffix == ".csv":
            layout = flow_layout_of(path, market)
            expected = _data_rows(path, layout.encoding or "utf-8", layout.delimiter or ",")
        else:
            expected = _data_rows(path)
        assert report.status == "committed", report.file
        assert report.rows_quarantined == 0, (report.file, report.first_errors[:3])
        assert report.rows_read == report.rows_stored == expected, report.file
    flow_files = [p for p in sources if p.parts[-3] == "flows"]
    assert {flow_layout_of(p, market).name for p in flow_files} == {
        layout.name for layout in market.flow_layouts
    }
    store = WarehouseStore(tmp_path / "warehouse")
    generated = out / "warehouse"
    for fact in ("receipt_lines", "invoice_lines", "flow_lines", "online_orders"):
        imported = _partition_counts(store.root, fact, store.live_files(fact))
        made = _partition_counts(generated, fact, sorted(generated.glob(f"{fact}/*/*/*.parquet")))
        assert imported == made, fact
        assert sum(imported.values()) == population["counts"][fact], fact
        assert _by_key(fact, store.live_files(fact)) == _by_key(
            fact, sorted(generated.glob(f"{fact}/*/*/*.parquet"))
        ), fact

    # The flow-line truth covers every imported sell-out line, once.
    flow_keys = _by_key("flow_lines", store.live_files("flow_lines")).keys()
    truth = pq.read_table(out / "truth" / "flow_lines.parquet")
    truth_keys = list(
        zip(*(truth[c].to_pylist() for c in ("distributor_code", "period", "line_no")), strict=True)
    )
    assert len(truth_keys) == len(set(truth_keys)) == len(flow_keys)
    assert set(truth_keys) == set(flow_keys)

    # Codes resolve to the master, except guest customers of the online stores.
    unresolved: dict[str, set[str]] = {}
    for kind, kind_reports in result.facts.items():
        for report in kind_reports:
            if report.unresolved_path is None:
                continue
            with report.unresolved_path.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    unresolved.setdefault(f"{kind}.{row['column']}", set()).add(row["code"])
    assert set(unresolved) == {"online-orders.customer_code"}
    assert all(code.startswith("U") for code in unresolved["online-orders.customer_code"])
    with (out / "master" / "consumers.csv").open(encoding="utf-8") as handle:
        cards = {row["card_no"] for row in csv.DictReader(handle)}
    assert code_resolver().maps["consumer"].keys() >= cards


# --- local times: no daylight-saving gap or fold in any file --------------------------------

LOCAL_TIME_COLUMNS = {"receipts": "datetime", "online": "order_time"}
"""Source folders whose files carry a naive local wall time, and that column."""


@pytest.mark.parametrize("market_code", MARKETS)
def test_no_generated_local_time_is_nonexistent_or_ambiguous_in_the_market_zone(
    market_code: str, roundtrip_business
) -> None:
    out = roundtrip_business(market_code)
    zone = ZoneInfo(get_market(market_code).timezone)
    checked = 0
    offenders = []
    for folder, column in LOCAL_TIME_COLUMNS.items():
        for path in sorted((out / "sources" / folder).rglob("*.csv")):
            with path.open(encoding="utf-8") as handle:
                for row_no, row in enumerate(csv.DictReader(handle), start=1):
                    checked += 1
                    if not is_unique_wall_time(datetime.fromisoformat(row[column]), zone):
                        offenders.append((path.name, row_no, row[column]))

    assert checked > 1000
    assert offenders == []


def test_online_orders_drawn_inside_a_dst_transition_appear_one_transition_later(
    roundtrip_business, roundtrip_options
) -> None:
    """The en business of the fixture draws orders in London's gap or fold (seed chosen so):
    the file must carry each at the drawn time + 1 hour, the length of London's transition."""
    from datetime import time, timedelta

    from pharmacrm.demo.generator.b2b import build_b2b
    from pharmacrm.demo.generator.master import build_master

    market = get_market("en")
    zone = ZoneInfo(market.timezone)
    scale, seeds = roundtrip_options
    seed = seeds["en"]
    master = build_master(market, scale, seed)
    drawn = {
        (row["order_id"], row["line_no"]): datetime.combine(row["day"], time())  # type: ignore[arg-type]
        + timedelta(seconds=int(row["second"]))  # type: ignore[arg-type]
        for row in build_b2b(market, master, seed, 1.0, scale.members).online
    }
    in_transition = {key: t for key, t in drawn.items() if not is_unique_wall_time(t, zone)}
    written = {}
    for path in sorted((roundtrip_business("en") / "sources" / "online").rglob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (row["order_id"], int(row["line_no"]))
                written[key] = datetime.fromisoformat(row["order_time"])

    assert in_transition, "the fixture no longer exercises a DST transition: pick another seed"
    assert written.keys() == drawn.keys()
    for key, moment in in_transition.items():
        assert written[key] == moment + timedelta(hours=1), key
    assert all(written[key] == moment for key, moment in drawn.items() if key not in in_transition)


@pytest.mark.parametrize(
    ("drawn", "expected"),
    [
        # Europe/London springs forward at 01:00 GMT on 2025-03-30: 01:00-01:59 does not exist.
        ("2025-03-30 01:05:07", "2025-03-30 02:05:07"),
        ("2025-03-30 00:59:59", "2025-03-30 00:59:59"),
        ("2025-03-30 02:00:00", "2025-03-30 02:00:00"),
        # ... and falls back at 01:00 GMT on 2025-10-26: 01:00-01:59 happens twice.
        ("2025-10-26 01:30:00", "2025-10-26 02:30:00"),
        ("2025-10-26 02:00:00", "2025-10-26 02:00:00"),
        ("2024-03-31 01:59:59", "2024-03-31 02:59:59"),
    ],
)
def test_a_wall_time_in_a_gap_or_fold_moves_forward_by_the_transition(
    drawn: str, expected: str
) -> None:
    london = ZoneInfo("Europe/London")

    moved = unique_wall_time(datetime.fromisoformat(drawn), london)

    assert moved == datetime.fromisoformat(expected)
    assert is_unique_wall_time(moved, london)


def test_zones_without_daylight_saving_never_move_a_time() -> None:
    for zone in ("Europe/Moscow", "Asia/Shanghai"):
        for text in ("2025-03-30 01:05:07", "2025-10-26 01:30:00", "2024-03-31 02:30:00"):
            drawn = datetime.fromisoformat(text)
            assert unique_wall_time(drawn, ZoneInfo(zone)) == drawn
