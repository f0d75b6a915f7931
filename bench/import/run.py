"""Benchmark the warehouse import against named peers in one run (issue 6).

Usage::

    .venv/bin/python bench/import/run.py [--lines 10000000] [--excel-rows 1000000] [--work DIR]

Generates (seeded) a receipt-lines CSV of ``--lines`` lines and an xlsx of ``--excel-rows``
rows, then times, each in its own subprocess so peak RSS is that peer's alone:

a. ``pharmacrm`` import (validation, quarantine, natural-key check, partitioned Parquet);
b. DuckDB ``COPY (SELECT * FROM read_csv(...)) TO '...parquet'`` — no validation;
c. pandas ``read_csv`` + ``to_parquet`` (naive: every column as pandas guesses it — the issue's
   named peer);
c'. pandas typed as an importer needs: ``dtype=str`` for the code columns, ``parse_dates`` for
   the timestamp, numeric amounts (``pandas-typed``);
d. Excel: our streaming reader (python-calamine, columns converted to text with PyArrow) vs
   openpyxl read-only, reading every cell; a raw calamine row iteration is the floor.

Prints a Markdown table (seconds, peak RSS) to paste into docs/benchmarks.md / RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve()


def generate_csv(path: Path, lines: int, seed: int = 6) -> None:
    """Receipt lines: ~2.5 lines per check, 400 outlets, 20 k SKUs, a year of timestamps."""
    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    with pacsv.CSVWriter(path, _schema()) as writer:
        for start in range(0, lines, chunk):
            n = min(chunk, lines - start)
            index = np.arange(start, start + n)
            check = index // 3
            line_no = index % 3 + 1
            seconds = rng.integers(1_672_531_200, 1_704_067_199, n)  # 2023 in UTC
            qty = rng.integers(1, 4, n).astype(np.float64)
            price = np.round(rng.uniform(0.5, 80.0, n), 2)
            discount = np.round(np.where(rng.random(n) < 0.2, price * 0.1, 0.0), 2)
            table = pa.table(
                {
                    "outlet": pa.array((check % 400).astype(str)),
                    "check": pa.array(check.astype(str)),
                    "line": pa.array(line_no),
                    "ts": pa.array(seconds.astype("datetime64[s]")).cast(pa.string()),
                    "card": pa.array(rng.integers(1, 500_000, n).astype(str)),
                    "sku": pa.array(np.char.add("SKU", rng.integers(1, 20_000, n).astype(str))),
                    "qty": pa.array(qty),
                    "price": pa.array(price),
                    "discount": pa.array(discount),
                    "amount": pa.array(np.round(qty * price - discount, 2)),
                },
                schema=_schema(),
            )
            writer.write_table(table)


def _schema() -> pa.Schema:
    return pa.schema(
        [("outlet", pa.string()), ("check", pa.string()), ("line", pa.int64()),
         ("ts", pa.string()), ("card", pa.string()), ("sku", pa.string()),
         ("qty", pa.float64()), ("price", pa.float64()), ("discount", pa.float64()),
         ("amount", pa.float64())]
    )  # fmt: skip


def generate_xlsx(path: Path, rows: int, seed: int = 6) -> None:
    """An invoice-like sheet: code, date, SKU, quantity, price, buyer."""
    from openpyxl import Workbook

    rng = np.random.default_rng(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("lines")
    sheet.append(["invoice", "date", "sku", "qty", "price", "buyer"])
    import datetime as dt

    base = dt.date(2023, 1, 1)
    days = rng.integers(0, 365, rows)
    qty = rng.integers(1, 50, rows)
    price = np.round(rng.uniform(1, 500, rows), 2)
    for i in range(rows):
        sheet.append([f"INV{i // 5}", base + dt.timedelta(days=int(days[i])), f"SKU{i % 20000}",
                      int(qty[i]), float(price[i]), 10_000 + i % 3000])  # fmt: skip
    workbook.save(path)


# --------------------------------------------------------------------------- workers


def run_ours(csv_path: Path, work: Path) -> dict[str, object]:
    from pharmacrm.core.importkit.mapping import ColumnMapping
    from pharmacrm.warehouse.kinds import RECEIPTS
    from pharmacrm.warehouse.pipeline import import_file
    from pharmacrm.warehouse.store import WarehouseStore

    mapping = ColumnMapping(
        columns={
            "outlet_code": "outlet",
            "check_id": "check",
            "line_no": "line",
            "ts": "ts",
            "card_no": "card",
            "sku_code": "sku",
            "qty": "qty",
            "unit_price": "price",
            "discount": "discount",
            "amount": "amount",
        },  # fmt: skip
        source="bench-pos",
    )
    store = WarehouseStore(work / "warehouse")
    report = import_file(
        csv_path, kind=RECEIPTS, store=store, mapping=mapping, quarantine_dir=work / "quarantine"
    )
    return {"rows_read": report.rows_read, "rows_stored": report.rows_stored,
            "rows_quarantined": report.rows_quarantined,
            "timings": {k: round(v, 2) for k, v in report.timings.items()}}  # fmt: skip


def run_duckdb(csv_path: Path, work: Path) -> dict[str, object]:
    import duckdb

    target = work / "duckdb.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{target}' (FORMAT parquet)")
    return {}


def run_pandas(csv_path: Path, work: Path) -> dict[str, object]:
    import pandas as pd

    pd.read_csv(csv_path).to_parquet(work / "pandas.parquet")
    return {}


def run_pandas_typed(csv_path: Path, work: Path) -> dict[str, object]:
    """pandas doing what an importer needs: codes kept as text, the time parsed, numbers typed.

    The naive ``run_pandas`` row is the issue's named peer and stays as it is; this one keeps
    codes as strings (``dtype=str``: "007" stays "007"), parses ``ts`` with ``parse_dates``
    and lets the amounts and the line number be read as numbers.
    """
    import pandas as pd

    codes = dict.fromkeys(("outlet", "check", "card", "sku"), str)
    frame = pd.read_csv(csv_path, dtype=codes, parse_dates=["ts"])
    frame.to_parquet(work / "pandas-typed.parquet")
    return {"ts_dtype": str(frame["ts"].dtype), "outlet_dtype": str(frame["outlet"].dtype)}


def run_excel_ours(xlsx_path: Path, work: Path) -> dict[str, object]:
    del work
    from pharmacrm.core.importkit.readers import open_source

    rows = sum(batch.table.num_rows for batch in open_source(xlsx_path))
    return {"rows": rows}


def run_excel_calamine_raw(xlsx_path: Path, work: Path) -> dict[str, object]:
    """The floor for any calamine-based reader: iterate the rows, convert nothing."""
    del work
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0)
    rows = sum(1 for _ in sheet.iter_rows()) - 1
    return {"rows": rows}


def run_excel_openpyxl(xlsx_path: Path, work: Path) -> dict[str, object]:
    del work
    from openpyxl import load_workbook

    workbook = load_workbook(xlsx_path, read_only=True)
    rows = sum(1 for _ in workbook.active.iter_rows(values_only=True)) - 1
    return {"rows": rows}


WORKERS = {
    "ours": run_ours,
    "duckdb": run_duckdb,
    "pandas": run_pandas,
    "pandas-typed": run_pandas_typed,
    "excel-ours": run_excel_ours,
    "excel-calamine-raw": run_excel_calamine_raw,
    "excel-openpyxl": run_excel_openpyxl,
}


def measure(name: str, data: Path, work: Path) -> dict[str, object]:
    """Run one worker in a fresh interpreter; wall time and its peak RSS (ru_maxrss)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(HERE), "--worker", name, "--data", str(data), "--work", str(work)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    load = os.getloadavg()[0]
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return {
        "peer": name,
        "seconds": round(seconds, 2),
        "load_1min_after": round(load, 1),
        "uptime_after": uptime.split("load average:")[-1].strip(),
        **payload,
    }


def _print_medians(runs: dict[str, list[dict[str, object]]]) -> None:
    """Median wall and CPU seconds per peer, and our ratio to each peer (lower is better)."""
    medians = {
        name: {
            key: statistics.median(float(str(row[key])) for row in rows)
            for key in ("seconds", "cpu_seconds", "peak_rss_mib")
        }
        for name, rows in runs.items()
    }
    print("\n| peer | rounds | median wall s | median CPU s | median peak RSS MiB |")
    print("|---|---|---|---|---|")
    for name, row in medians.items():
        print(f"| {name} | {len(runs[name])} | {row['seconds']:.1f} | {row['cpu_seconds']:.1f} "
              f"| {row['peak_rss_mib']:.0f} |")  # fmt: skip
    ours = medians.get("ours")
    for name, row in medians.items():
        if ours is None or name == "ours":
            continue
        print(f"ours / {name}: wall {ours['seconds'] / row['seconds']:.2f}×, "
              f"CPU {ours['cpu_seconds'] / row['cpu_seconds']:.2f}×")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--excel-rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("var/bench-import"))
    parser.add_argument("--only", default="csv,excel")
    parser.add_argument("--rounds", type=int, default=1, help="CSV peers, interleaved")
    parser.add_argument("--worker")
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.worker:
        args.work.mkdir(parents=True, exist_ok=True)
        extra = WORKERS[args.worker](args.data, args.work)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        peak = usage.ru_maxrss / 1024  # KiB → MiB
        # CPU seconds (user + system) stay comparable when other work shares the cores and
        # stretches wall time; the threads of DuckDB and pandas add theirs in.
        cpu = usage.ru_utime + usage.ru_stime
        print(json.dumps({**extra, "cpu_seconds": round(cpu, 1), "peak_rss_mib": round(peak)}))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    if "csv" in args.only:
        csv_path = args.work / f"receipts_{args.lines}.csv"
        if not csv_path.exists():
            generate_csv(csv_path, args.lines)
        csv_results: dict[str, list[dict[str, object]]] = {}
        for round_no in range(1, args.rounds + 1):
            for name in ("ours", "duckdb", "pandas", "pandas-typed"):
                shutil.rmtree(args.work / name, ignore_errors=True)  # a fresh warehouse
                row = {"round": round_no, **measure(name, csv_path, args.work / name)}
                csv_results.setdefault(name, []).append(row)
                results.append(row)
                print(json.dumps(row), flush=True)
        _print_medians(csv_results)
    if "excel" in args.only:
        xlsx_path = args.work / f"invoices_{args.excel_rows}.xlsx"
        if not xlsx_path.exists():
            generate_xlsx(xlsx_path, args.excel_rows)
        for name in ("excel-ours", "excel-calamine-raw", "excel-openpyxl"):
            results.append(measure(name, xlsx_path, args.work / name))
            print(json.dumps(results[-1]), flush=True)
    print("\n| peer | wall s | CPU s | peak RSS MiB | notes |\n|---|---|---|---|---|")
    shown = {"peer", "seconds", "cpu_seconds", "peak_rss_mib"}
    for row in results:
        notes = {k: v for k, v in row.items() if k not in shown}
        print(
            f"| {row['peer']} | {row['seconds']} | {row['cpu_seconds']} | {row['peak_rss_mib']} "
            f"| {json.dumps(notes)} |"
        )


if __name__ == "__main__":
    main()
