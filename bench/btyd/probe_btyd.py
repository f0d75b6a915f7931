"""Probe what the BTYD summary's time and memory consist of: one variant, one fresh process.

Session 3's measuring tool for issue 7 (bench/btyd/RESULTS.md, "Session 3"). Each variant runs
in its own process on the bench's Parquet file, loaded into a DuckDB table as the bench's
workers do, and prints wall seconds, CPU seconds (user + system of the whole process over the
timed run: comparable under load, unlike wall) and the process's peak RSS.

    .venv/bin/python bench/btyd/probe_btyd.py --variants empty,cli,sql --repeat 3
    .venv/bin/python bench/btyd/probe_btyd.py --variants cli --settings memory_limit=900MB

Variants
    empty   load the table and import pharmacrm + Ibis, run nothing: the RSS baseline.
    cli     ``btyd_summary`` on the connection ``pharmacrm analytics btyd-summary`` opens.
    sql     the bench's hand-written SQL on a default DuckDB connection.
    sqlcli  the same SQL on the CLI's connection (isolates the connection settings).
    ibissql ``btyd_summary`` compiled by Ibis, run as SQL text on a default connection.
``--settings k=v,...`` adds ``SET k = v`` statements on the variant's connection; ``--explain``
prints DuckDB's EXPLAIN ANALYZE of the variant's query instead of timing it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from bench_btyd import AS_OF, HAND_SQL  # noqa: E402

VARIANTS = ("empty", "cli", "sql", "sqlcli", "ibissql")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _hand_sql() -> str:
    return HAND_SQL.format(as_of=AS_OF.isoformat(), as_of_key=(AS_OF - date(1970, 1, 1)).days)


def run_variant(variant: str, parquet: Path, settings: list[str], explain: bool) -> None:
    """Load, warm up once, time one run; print one JSON line (or the EXPLAIN ANALYZE)."""
    import duckdb
    import ibis

    from pharmacrm.analytics.btyd import btyd_summary
    from pharmacrm.cli.commands_analytics import duckdb_connect

    if variant in ("cli", "sqlcli", "empty"):
        backend = duckdb_connect()
        raw = backend.con  # type: ignore[attr-defined]
    else:
        backend = ibis.duckdb.connect()
        raw = backend.con  # type: ignore[attr-defined]
    for setting in settings:
        key, _, value = setting.partition("=")
        raw.execute(f"SET {key} = '{value}'")
    raw.execute(f"CREATE TABLE tx AS SELECT * FROM read_parquet('{parquet}')")
    expr = btyd_summary(backend.table("tx"), as_of=AS_OF)
    sql = {
        "sql": _hand_sql(),
        "sqlcli": _hand_sql(),
        "ibissql": str(ibis.to_sql(expr, dialect="duckdb")),
        "cli": str(ibis.to_sql(expr, dialect="duckdb")),
    }.get(variant)
    if explain and sql is not None:
        print(raw.sql("EXPLAIN ANALYZE " + sql).fetchall()[0][1])
        return

    def run() -> object:
        if variant == "empty":
            return None
        if variant == "cli":
            return backend.to_pyarrow(expr)
        return raw.sql(sql).to_arrow_table()

    run()
    cpu, wall = _cpu(), time.perf_counter()
    result = run()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    rows = 0 if result is None else result.num_rows  # type: ignore[attr-defined]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    limit = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    print(
        json.dumps(
            {
                "variant": variant,
                "settings": settings,
                "memory_limit": limit,
                "rows": rows,
                "wall": round(wall, 3),
                "cpu": round(cpu, 3),
                "peak_rss_mib": round(peak),
                "duckdb": duckdb.__version__,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="empty,cli,sql")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--parquet", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--settings", default="", help="k=v,... applied with SET")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--worker", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    parquet = args.parquet or ROOT / "bench" / "results" / f"btyd_{args.rows}.parquet"
    settings = [s for s in args.settings.split(",") if s]
    if args.worker:
        run_variant(args.worker, parquet, settings, args.explain)
        return
    if not parquet.exists():
        sys.exit(f"{parquet} is missing: run bench_btyd.py --rows {args.rows} once first")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    results: dict[str, list[dict[str, object]]] = {}
    print(f"load average before {os.getloadavg()[0]:.2f}", flush=True)
    for _ in range(args.repeat):
        for variant in args.variants.split(","):
            command = [sys.executable, __file__, "--worker", variant, "--parquet", str(parquet)]
            if args.settings:
                command += ["--settings", args.settings]
            if args.explain:
                command.append("--explain")
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            if done.returncode != 0:
                sys.exit(f"{variant} failed:\n{done.stderr[-3000:]}")
            if args.explain:
                print(done.stdout)
                continue
            line = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(line), flush=True)
            results.setdefault(variant, []).append(line)
    print(f"load average after {os.getloadavg()[0]:.2f}")
    for variant, lines in results.items():
        walls = [float(x["wall"]) for x in lines]  # type: ignore[arg-type]
        cpus = [float(x["cpu"]) for x in lines]  # type: ignore[arg-type]
        rss = [float(x["peak_rss_mib"]) for x in lines]  # type: ignore[arg-type]
        print(
            f"{variant:8} wall {statistics.median(walls):.3f} s"
            f"  cpu {statistics.median(cpus):.3f} s  peak RSS {min(rss):.0f}-{max(rss):.0f} MiB"
        )


if __name__ == "__main__":
    main()
