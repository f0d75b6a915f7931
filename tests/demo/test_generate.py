"""The generated business: deterministic, shaped like its model, readable by the importers."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook
from scipy.special import hyp2f1

from pharmacrm.demo.generator.config import CATEGORIES
from pharmacrm.demo.markets import get_market
from pharmacrm.warehouse.facts import FACTS

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_files_and_another_seed_differs(
    tmp_path: Path, make_business
) -> None:
    make = make_business
    first = _hashes(make(tmp_path / "a", market="ru", seed=5, members=300))
    again = _hashes(make(tmp_path / "b", market="ru", seed=5, members=300))
    other = _hashes(make(tmp_path / "c", market="ru", seed=6, members=300))

    assert first == again
    assert {"truth/population.json", "truth/members.parquet", "master/consumers.csv"} <= set(first)
    assert first["truth/members.parquet"] != other["truth/members.parquet"]
    assert first["master/accounts.xlsx"] != other["master/accounts.xlsx"]


def _bgnbd_expected_repeats(
    t: np.ndarray, r: float, alpha: float, a: float, b: float
) -> np.ndarray:
    """E[X(t)] of BG/NBD (Fader, Hardie & Lee 2005, eq. 7)."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def _member_days(root: Path) -> dict[str, int]:
    lines = ds.dataset(root / "warehouse" / "receipt_lines", partitioning="hive").to_table(
        columns=["card_no", "day"], filter=pc.field("card_no").is_valid()
    )
    pairs = (
        lines.group_by(["card_no", "day"])
        .aggregate([])
        .group_by("card_no")
        .aggregate([("day", "count")])
    )
    return dict(zip(pairs["card_no"].to_pylist(), pairs["day_count"].to_pylist(), strict=True))


def test_pure_model_repeat_purchases_match_bgnbd_expectation(pure_en: Path) -> None:
    population = json.loads((pure_en / "truth" / "population.json").read_text("utf-8"))
    members = pq.read_table(pure_en / "truth" / "members.parquet").to_pylist()
    as_of = date.fromisoformat(population["as_of"])
    params = {s["name"]: s for s in population["segments"]}
    days = _member_days(pure_en)

    repeats = np.array([days[m["card_no"]] - 1 for m in members], dtype=float)
    expected = np.array(
        [
            _bgnbd_expected_repeats(
                np.array((as_of - m["registered_on"]).days + 1.0),
                *(params[m["segment"]][k] for k in ("r", "alpha", "a", "b")),
            )
            for m in members
        ]
    )
    # Each member's count has its own variance; the standard error of the mean uses the sample.
    error = repeats.std(ddof=1) / np.sqrt(repeats.size)

    assert len(members) == 4000
    assert abs(repeats.mean() - expected.mean()) < 4 * error


def test_pure_model_spend_per_purchase_matches_gamma_gamma_mean(pure_en: Path) -> None:
    population = json.loads((pure_en / "truth" / "population.json").read_text("utf-8"))
    lines = ds.dataset(pure_en / "warehouse" / "receipt_lines", partitioning="hive").to_table(
        columns=["check_id", "amount"], filter=pc.field("card_no").is_valid()
    )
    checks = lines.group_by("check_id").aggregate([("amount", "sum")])["amount_sum"].to_numpy()
    truth = pq.read_table(pure_en / "truth" / "members.parquet")
    shares = set(truth["segment"].to_pylist())

    # E[z] = p·γ / (q − 1) per segment, weighted by each segment's number of purchases.
    purchases = {}
    for segment, count in zip(
        truth["segment"].to_pylist(), truth["purchases_in_window"].to_pylist(), strict=True
    ):
        purchases[segment] = purchases.get(segment, 0) + count
    params = {s["name"]: s for s in population["segments"]}
    expected = sum(
        purchases[name] * p["p_spend"] * p["gamma_spend_local"] / (p["q_spend"] - 1)
        for name, p in params.items()
    ) / sum(purchases.values())
    error = checks.std(ddof=1) / np.sqrt(checks.size)

    assert shares == set(params)
    assert abs(checks.mean() - expected) < 4 * error


def test_category_mix_per_segment_matches_the_configured_mix(pure_en: Path) -> None:
    population = json.loads((pure_en / "truth" / "population.json").read_text("utf-8"))
    truth = pq.read_table(pure_en / "truth" / "members.parquet", columns=["card_no", "segment"])
    segment_of = dict(zip(truth["card_no"].to_pylist(), truth["segment"].to_pylist(), strict=True))
    products = {
        r["sku_code"]: r["category"]
        for r in csv.DictReader((pure_en / "master" / "products.csv").open())
    }
    lines = ds.dataset(pure_en / "warehouse" / "receipt_lines", partitioning="hive").to_table(
        columns=["card_no", "sku_code"], filter=pc.field("card_no").is_valid()
    )
    counts: dict[str, np.ndarray] = {
        s["name"]: np.zeros(len(CATEGORIES)) for s in population["segments"]
    }
    for card, sku in zip(lines["card_no"].to_pylist(), lines["sku_code"].to_pylist(), strict=True):
        counts[segment_of[card]][CATEGORIES.index(products[sku])] += 1

    for segment in population["segments"]:
        seen = counts[segment["name"]]
        n = seen.sum()
        mix = np.array(segment["category_mix"])
        error = np.sqrt(mix * (1 - mix) / n)
        assert np.all(np.abs(seen / n - mix) <= 4 * error + 1e-12), segment["name"]


def test_every_fact_partition_has_the_warehouse_schema_and_traces_to_its_source(
    realistic_cn: Path,
) -> None:
    partitions = sorted((realistic_cn / "warehouse").glob("*/source=*/month=*/part-00000.parquet"))
    kinds = {p.relative_to(realistic_cn / "warehouse").parts[0] for p in partitions}

    assert kinds == {"receipt_lines", "invoice_lines", "flow_lines", "online_orders"}
    for path in partitions:
        table = pq.read_table(path)
        fact = path.relative_to(realistic_cn / "warehouse").parts[0]
        assert table.schema.equals(FACTS[fact]), path
        assert pc.unique(table["import_id"]).to_pylist() == ["generated-1"]
        assert table["source_row"].to_pylist() == list(range(1, table.num_rows + 1))


def test_pos_exports_hold_the_same_rows_as_the_receipt_partitions(realistic_cn: Path) -> None:
    for export in sorted((realistic_cn / "sources" / "receipts").rglob("*.csv")):
        source = export.parent.name
        month = export.stem.removeprefix(f"{source}-")
        part = realistic_cn / "warehouse" / "receipt_lines" / f"source={source}" / f"month={month}"
        fact = pq.read_table(part / "part-00000.parquet", columns=["check_id", "amount"])
        with export.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))

        assert [r["check_id"] for r in rows] == fact["check_id"].to_pylist()
        assert [float(r["amount"]) for r in rows] == fact["amount"].to_pylist()


def test_flow_truth_covers_every_flow_line_and_names_real_accounts(realistic_cn: Path) -> None:
    flows = ds.dataset(realistic_cn / "warehouse" / "flow_lines", partitioning="hive").to_table(
        columns=["distributor_code", "period", "line_no"]
    )
    truth = pq.read_table(realistic_cn / "truth" / "flow_lines.parquet")
    accounts = {
        r["code"]: r for r in csv.DictReader((realistic_cn / "master" / "accounts.csv").open())
    }
    keys = set(
        zip(*(flows[c].to_pylist() for c in ("distributor_code", "period", "line_no")), strict=True)
    )
    truth_keys = list(
        zip(*(truth[c].to_pylist() for c in ("distributor_code", "period", "line_no")), strict=True)
    )
    transfers = [
        a
        for a, t in zip(
            truth["account_code"].to_pylist(), truth["is_transfer"].to_pylist(), strict=True
        )
        if t
    ]

    assert set(truth_keys) == keys
    assert len(truth_keys) == len(keys)
    assert set(truth["account_code"].to_pylist()) <= set(accounts)
    assert {accounts[a]["kind"] for a in transfers} == {"distributor"}


def test_flow_reports_are_written_in_each_distributors_layout(realistic_cn: Path) -> None:
    layouts = {layout.name: layout for layout in get_market("cn").flow_layouts}
    seen = set()
    for report in sorted((realistic_cn / "sources" / "flows").rglob("*.*")):
        if report.suffix == ".xlsx":
            header = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()[0]
            layout = layouts["cn-xlsx-en"]
        else:
            raw = report.read_bytes()
            layout = layouts["cn-utf8bom"] if raw.startswith(b"\xef\xbb\xbf") else layouts["cn-gbk"]
            header = raw.decode(layout.encoding).splitlines()[0].split(layout.delimiter)
        seen.add(layout.name)
        assert header == list(layout.columns.values()), report

    assert seen == set(layouts)


def test_planted_online_price_violations_are_below_the_offline_floor(realistic_cn: Path) -> None:
    with (realistic_cn / "truth" / "price_violations.csv").open(encoding="utf-8") as handle:
        violations = list(csv.DictReader(handle))
    below = [v for v in violations if v["kind"] == "below_offline_floor"]
    rx = [v for v in violations if v["kind"] == "rx_offered_online"]

    assert all(float(v["online_price"]) < float(v["offline_floor"]) for v in below)
    assert len(rx) == 6  # three Rx SKUs on each of the two marketplace stores


def test_every_catalogue_atc_code_is_in_the_who_index() -> None:
    index = SHARED / "who_atc_ddd" / "who_atc_ddd_2026-04-25.csv"
    if not index.exists():
        pytest.skip(f"WHO ATC index not found at {index} (shared data sets are not in the repo)")
    with index.open(encoding="utf-8") as handle:
        codes = {row["atc_code"] for row in csv.DictReader(handle)}
    catalogue = (
        Path(__file__).resolve().parents[2] / "src" / "pharmacrm" / "demo" / "data" / "products.csv"
    )
    with catalogue.open(encoding="utf-8") as handle:
        products = list(csv.DictReader(handle))
    medicines = [p for p in products if p["category"] == "medicines"]

    assert len(products) == 343
    assert [p["sku_code"] for p in medicines if p["atc_code"] not in codes] == []
    assert [p["sku_code"] for p in products if p["category"] != "medicines" and p["atc_code"]] == []


def test_hospital_beds_fit_the_hospital_grade(make_business, tmp_path: Path) -> None:
    out = make_business(tmp_path, market="cn", seed=2, members=100)
    with (out / "master" / "accounts.csv").open(encoding="utf-8") as handle:
        hospitals = [row for row in csv.DictReader(handle) if row["kind"] == "hospital"]
    # 三级甲等 hospitals have 800+ beds, 一级 hospitals at most 150 (the market's top and bottom).
    bounds = {"三级甲等": (800, 3000), "一级甲等": (20, 150)}

    for hospital in hospitals:
        low, high = bounds.get(hospital["hospital_grade"], (20, 3000))
        assert low <= int(hospital["beds"]) <= high, hospital["code"]
