"""Snapshot upsert: 1 M customers from the run's Parquet files into PostgreSQL.

Issue 7's target: "Snapshot upsert of 1 M customers into PostgreSQL < 60 s". What is timed is
the service the analytics run calls, :func:`pharmacrm.insights.services.snapshot_upsert` —
the snapshot rows plus the CLV and cluster columns of the same run, in one transaction — on
a migrated database of its own (``pcrm_bench_snapshot``, dropped at the end):

1. insert: an empty table receives 1 M customers (the first run of an installation);
2. update: a second run re-scores the same 1 M customers (every later run);
3. mixed: a third run where 10 % of customers are new and 10 % are gone (deleted).

The files are synthetic but shaped like an ``analyze`` run's (``snapshot.parquet``,
``clv_consumer.parquet``, ``clusters_consumer.parquet``), seeded, written untimed.

    .venv/bin/python bench/insights/bench_snapshot_upsert.py --customers 1000000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DB_NAME = "pcrm_bench_snapshot"
PG = "postgres://postgres@127.0.0.1:5432"
SEGMENTS = np.array(["champions", "loyal", "at_risk", "hibernating", "lost", "new"])
STAGES = np.array(["new", "active", "lapsing", "lapsed", "lost"])
BANDS = np.array(["low", "medium", "high"])


def _files(folder: Path, first_key: int, customers: int, seed: int) -> None:
    """Write one run's snapshot, CLV and cluster files for keys first_key … first_key+n-1."""
    rng = np.random.default_rng(seed)
    keys = np.arange(first_key, first_key + customers, dtype=np.int64)
    last = date(2025, 12, 31)
    days_since = rng.integers(0, 700, customers)
    first_offset = days_since + rng.integers(0, 700, customers)
    day0 = np.datetime64(last)
    snapshot = pa.table(
        {
            "customer_kind": pa.array(["consumer"] * customers),
            "customer_key": keys,
            "r_score": rng.integers(1, 6, customers).astype(np.int16),
            "f_score": rng.integers(1, 6, customers).astype(np.int16),
            "m_score": rng.integers(1, 6, customers).astype(np.int16),
            "rfm_segment": SEGMENTS[rng.integers(0, len(SEGMENTS), customers)],
            "lifecycle_stage": STAGES[rng.integers(0, len(STAGES), customers)],
            "abc_class": np.array(["A", "B", "C"])[rng.integers(0, 3, customers)],
            "is_vip": rng.random(customers) < 0.05,
            "monetary": rng.gamma(2.0, 300.0, customers),
            "frequency": rng.integers(0, 40, customers).astype(np.int32),
            "days_since_last": days_since.astype(np.int32),
            "first_day": (day0 - first_offset.astype("timedelta64[D]")).astype("datetime64[D]"),
            "last_day": (day0 - days_since.astype("timedelta64[D]")).astype("datetime64[D]"),
        }
    )
    pq.write_table(snapshot, folder / "snapshot.parquet")
    clv = pa.table(
        {
            "customer_key": keys,
            "p_alive": rng.random(customers),
            "expected_purchases": rng.gamma(1.0, 2.0, customers),
            "clv": rng.gamma(2.0, 400.0, customers),
            "churn_band": BANDS[rng.integers(0, 3, customers)],
            "expected_spend": rng.gamma(6.0, 10.0, customers),
            "next_purchase_day": (
                day0 + rng.integers(1, 365, customers).astype("timedelta64[D]")
            ).astype("datetime64[D]"),
        }
    )
    pq.write_table(clv, folder / "clv_consumer.parquet")
    clusters = rng.integers(0, 5, customers)
    labels = np.array([f"cluster {i}: a plain-language label" for i in range(5)])
    pq.write_table(
        pa.table(
            {
                "customer_key": keys,
                "cluster": clusters.astype(np.int64),
                "cluster_label": labels[clusters],
            }
        ),
        folder / "clusters_consumer.parquet",
    )


def _worker(folder: str, customers: int) -> None:
    """Runs in a child process with DATABASE_URL set: migrate untimed, then the three runs."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmacrm.settings")
    django.setup()
    from django.core.management import call_command

    from pharmacrm.insights import services
    from pharmacrm.insights.models import AnalyticsRun, CustomerSnapshot

    call_command("migrate", verbosity=0)
    root = Path(folder)
    for step, (first_key, seed) in enumerate([(1, 1), (1, 2), (customers // 10 + 1, 3)]):
        run_folder = root / f"run{step}"
        run_folder.mkdir()
        _files(run_folder, first_key, customers, seed)
        run = AnalyticsRun.objects.create(engine="duckdb", as_of=date(2025, 12, 31))
        started = time.perf_counter()
        cpu = time.process_time()
        rows = services.snapshot_upsert(run=run, path=run_folder / "snapshot.parquet")
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        count = CustomerSnapshot.objects.count()
        with_clv = CustomerSnapshot.objects.filter(clv__isnull=False, run=run).count()
        name = ("insert", "update", "mixed")[step]
        print(
            f"{name}\t{seconds:.2f}\t{cpu:.2f}\t{rows}\t{count}\t{with_clv}\t"
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
            flush=True,
        )
        if count != customers or with_clv != customers:
            raise SystemExit(f"{name}: {count} rows, {with_clv} with CLV, expected {customers}")


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", nargs=2, metavar=("FOLDER", "CUSTOMERS"))
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker[0], int(args.worker[1]))
        return
    results: dict[str, list[float]] = {"insert": [], "update": [], "mixed": []}
    for round_no in range(args.rounds):
        _psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
        _psql(f"CREATE DATABASE {DB_NAME}")
        env = {**os.environ, "DATABASE_URL": f"{PG}/{DB_NAME}"}
        with tempfile.TemporaryDirectory(prefix="pcrm-snapshot-") as folder:
            env["PHARMACRM_VAR"] = folder
            result = subprocess.run(
                [sys.executable, __file__, "--worker", folder, str(args.customers)],
                env=env,
                check=False,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise SystemExit(result.stdout + result.stderr[-4000:])
            out = result.stdout
        for line in out.strip().splitlines():
            name, seconds, cpu, rows, count, with_clv, rss = line.split("\t")
            results[name].append(float(seconds))
            print(
                f"round {round_no} {name:6} {float(seconds):7.2f} s wall, {float(cpu):6.2f} s "
                f"CPU (client), {int(rows):,} rows sent, {int(count):,} in table, peak RSS "
                f"{rss} MiB",
                flush=True,
            )
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    for name, values in results.items():
        print(
            f"{name:6} median {statistics.median(values):.2f} s "
            f"(min {min(values):.2f}, max {max(values):.2f})"
        )


if __name__ == "__main__":
    main()
