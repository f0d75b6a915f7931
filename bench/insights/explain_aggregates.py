"""Run each of ``pipeline.aggregate_exprs`` alone under DuckDB's profiler: time, biggest operators.

Issue 7: the session-2 100 M ``analyze`` died in "Aggregating consumer periods" when DuckDB's
spill filled the disk. This script finds which aggregate builds the large intermediate,
without Django or PostgreSQL: it resolves a generated business's codes to ids in DuckDB (the
way ``bench_analyze.py`` does, ids numbered by code), builds the consumer transactions view
through :func:`pharmacrm.insights.pipeline.open_transactions` and runs each aggregate's
compiled SQL with profiling on. Per expression it prints wall time, result rows, the peak
size of DuckDB's spill folder (polled) and the operators with the most output rows.

    nice -n 19 .venv/bin/python bench/insights/explain_aggregates.py \
        --generated var/test-agg/medium --work var/test-agg/explain [--only kpi_slices]
"""

from __future__ import annotations

import argparse
import json
import shutil
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pharmacrm.analytics import engine as analytics_engine
from pharmacrm.insights import pipeline


def _resolve(generated: Path, warehouse: Path, fraction: float) -> dict[str, pa.Table]:
    """Write the facts with ids (accounts, products and members numbered by code)."""
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    master = generated / "master"
    con.execute(
        "CREATE TABLE acc AS SELECT code, row_number() OVER (ORDER BY code) AS id, "
        "province AS region FROM read_csv(?, all_varchar = true)",
        [str(master / "accounts.csv")],
    )
    con.execute(
        "CREATE TABLE prod AS SELECT sku_code AS code, category, "
        "row_number() OVER (ORDER BY sku_code) AS id FROM read_csv(?, all_varchar = true)",
        [str(master / "products.csv")],
    )
    con.execute(
        "CREATE TABLE members AS SELECT card_no, gender, birth_year::BIGINT AS birth_year, "
        "row_number() OVER (ORDER BY card_no) AS id FROM read_csv(?, all_varchar = true)",
        [str(master / "consumers.csv")],
    )
    keep = int(round(fraction * 1000))
    files = generated / "warehouse" / "receipt_lines" / "source=*" / "month=*" / "*.parquet"
    target = warehouse / "receipt_lines"
    if not target.exists():
        warehouse.mkdir(parents=True, exist_ok=True)
        con.execute(
            "COPY (SELECT f.* REPLACE (o.id AS outlet_id, m.id AS consumer_id, "  # noqa: S608
            f"p.id AS product_id) FROM read_parquet('{files}', hive_partitioning = true) f "
            "LEFT JOIN acc o ON o.code = f.outlet_code "
            "LEFT JOIN members m ON m.card_no = f.card_no "
            "LEFT JOIN prod p ON p.code = f.sku_code "
            f"WHERE hash(coalesce(f.card_no, f.check_id)) % 1000 < {keep}) TO '{target}' "
            "(FORMAT parquet, PARTITION_BY (source, month), FILENAME_PATTERN 'part-{i}', "
            "OVERWRITE_OR_IGNORE true)"
        )
    return {
        "products": con.sql("SELECT code AS sku_code, category FROM prod").to_arrow_table(),
        "accounts": con.sql("SELECT id AS account_id, region FROM acc").to_arrow_table(),
        "consumers": con.sql(
            "SELECT id AS consumer_id, gender, birth_year FROM members"
        ).to_arrow_table(),
    }


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            total += path.stat().st_size
        except FileNotFoundError:
            continue
    return total


class _SpillWatch:
    """Poll the spill folder's size in a thread; ``peak`` is the largest seen."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, _folder_bytes(self.folder))

    def __enter__(self) -> _SpillWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _operators(node: dict[str, Any], depth: int = 0) -> list[tuple[int, int, float, str]]:
    """(bytes, rows, seconds, label) of ``node`` and every operator under it."""
    name = str(node.get("type") or node.get("operator_type") or "?")
    rows = int(node.get("intermediate_rows", node.get("operator_cardinality", 0)) or 0)
    size = int(node.get("intermediate_size_bytes", 0) or 0)
    seconds = float(node.get("timing", node.get("operator_timing", 0.0)) or 0.0)
    extra = node.get("extra_info") or {}
    label = f"{'  ' * depth}{name} {json.dumps(extra, ensure_ascii=False)[:200]}"
    found = [(size, rows, seconds, label)]
    for child in node.get("children", []):
        found.extend(_operators(child, depth + 1))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--with-consumers", action="store_true", help="fill gender/age slices")
    parser.add_argument("--only", action="append", help="aggregate name(s) to run")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    work = args.work.resolve()
    warehouse = work / "warehouse"
    spill = work / "spill"
    started = time.perf_counter()
    dims = _resolve(args.generated.resolve(), warehouse, args.fraction)
    print(f"resolved in {time.perf_counter() - started:.1f} s", flush=True)
    con = analytics_engine.connect(
        "duckdb", memory_limit=args.memory_limit, temp_directory=str(spill)
    )
    found = pipeline.open_transactions(
        con,
        warehouse,
        products=dims["products"],
        accounts=dims["accounts"],
        consumers=dims["consumers"] if args.with_consumers else None,
    )
    view = found.views["consumer"]
    as_of = date.fromisoformat(args.as_of)
    print(f"lines: {found.fact_rows}", flush=True)
    customers = int(
        pipeline.snapshot_expr(view, as_of=as_of, kind="consumer").count().to_pyarrow().as_py()
    )
    print(f"customers: {customers:,}", flush=True)
    exprs = pipeline.aggregate_exprs(view, as_of=as_of, customers=customers, kind="consumer")
    raw = con.con  # type: ignore[attr-defined]
    profile = work / "profile.json"
    parts: list[tuple[str, Any]] = []
    for name, expr in exprs.items():
        if expr is None or (args.only and name not in args.only):
            continue
        if isinstance(expr, tuple):  # run one by one, as pipeline.collect does
            parts.extend((f"{name}[{i}]", part) for i, part in enumerate(expr))
        else:
            parts.append((name, expr))
    for name, expr in parts:
        sql = con.compile(expr)
        (work / f"{name}.sql").write_text(sql, encoding="utf-8")
        raw.execute("PRAGMA enable_profiling = 'json'")
        raw.execute(f"PRAGMA profiling_output = '{profile}'")
        shutil.rmtree(spill, ignore_errors=True)
        spill.mkdir(parents=True)
        with _SpillWatch(spill) as watch:
            began = time.perf_counter()
            rows = len(raw.sql(sql).fetchall())
            wall = time.perf_counter() - began
        raw.execute("PRAGMA disable_profiling")
        tree = json.loads(profile.read_text(encoding="utf-8"))
        ops = [op for root in tree.get("operator", [tree]) for op in _operators(root)]
        system = tree.get("system", {})
        print(
            f"\n== {name}: {wall:.2f} s, {rows:,} rows out, spill peak "
            f"{watch.peak / 2**20:,.0f} MiB (DuckDB: "
            f"{system.get('peak_temp_dir_size', 0) / 2**20:,.0f} MiB), peak buffer memory "
            f"{system.get('peak_buffer_memory', 0) / 2**20:,.0f} MiB, Σ operator rows "
            f"{sum(op[1] for op in ops):,}",
            flush=True,
        )
        for size, op_rows, seconds, label in sorted(ops, reverse=True)[: args.top]:
            print(f"  {size / 2**20:>9,.1f} MiB {op_rows:>13,} rows {seconds:7.2f} s  {label}")


if __name__ == "__main__":
    main()
