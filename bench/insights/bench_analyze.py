"""Full ``pharmacrm analyze`` at 10 M and 100 M receipt lines: wall time and peak RSS.

Issue 7: "Full analyze at 10 M and 100 M lines (time, peak RSS): 100 M completes in bounded
memory on this 2-core machine." The data is the ``large`` generated business
(``pharmacrm generate --scale large``: ~100 M receipt lines, 6 M members, Parquet facts with
unresolved ids). ``--fraction 0.1`` keeps a tenth of the members (and of the anonymous checks)
for the 10 M run.

Set-up, untimed and reported apart, on a PostgreSQL database of its own
(``pcrm_bench_analyze``, dropped at the end):

1. migrate; import the generated territories, reps, accounts, contacts and products through
   the real master import (the 6 M loyalty members are not loaded into the OLTP database:
   the consumer dimension stays empty, so the gender and age-band slices are empty — the
   per-customer analytics do not need it);
2. resolve the facts' codes to ids the way the importer would (account and SKU codes through
   the database's ids, card numbers to a member number) with one DuckDB pass per fact,
   writing the warehouse layout ``<fact>/source=…/month=…/``.

Timed: ``/usr/bin/time -v pharmacrm analyze --as-of AS_OF`` in its own process — dimension
export, every analysis, CLV fit and scoring, clusters, aggregates, the snapshot upsert into
PostgreSQL and the value rules.

    .venv/bin/pharmacrm generate --scale large --market cn --seed 1 --out var/bench/large
    .venv/bin/python bench/insights/bench_analyze.py --generated var/bench/large --fraction 0.1
    .venv/bin/python bench/insights/bench_analyze.py --generated var/bench/large --fraction 1
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "pcrm_bench_analyze"
FACTS = ("receipt_lines", "invoice_lines", "flow_lines", "online_orders")


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)


def _prepare(generated: Path, warehouse: Path, fraction: float) -> None:
    """Runs inside Django (DATABASE_URL set): master data in, facts resolved out."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmacrm.settings")
    django.setup()
    import duckdb
    from django.core.management import call_command

    from pharmacrm.accounts.models import Account
    from pharmacrm.catalog.models import Product
    from pharmacrm.core.importkit.registry import ImportRequest, get_kind, load_kinds
    from pharmacrm.demo.import_mappings import master_imports
    from pharmacrm.demo_setup import reps_load

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_kinds()
    for item in master_imports(generated):
        if item.kind == "consumers":
            continue
        (report,) = get_kind(item.kind).handler(
            ImportRequest(files=item.files, options=item.options)
        )
        print(f"master {item.kind}: {report}", flush=True)
        if item.kind == "territories":
            reps_load(generated / "master" / "reps.csv", by=None)
    print(f"master data loaded in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    accounts = list(Account.objects.values_list("code", "id"))
    products = list(Product.objects.values_list("sku_code", "id"))
    con.execute("CREATE TABLE acc (code VARCHAR, id BIGINT)")
    con.executemany("INSERT INTO acc VALUES (?, ?)", accounts)
    con.execute("CREATE TABLE prod (code VARCHAR, id BIGINT)")
    con.executemany("INSERT INTO prod VALUES (?, ?)", products)
    con.execute(
        "CREATE TABLE members AS SELECT card_no, row_number() OVER (ORDER BY card_no) AS id "
        f"FROM read_csv('{generated / 'master' / 'consumers.csv'}', all_varchar = true)"
    )
    keep = int(round(fraction * 1000))
    resolved = {
        "receipt_lines": (
            "f.* REPLACE (o.id AS outlet_id, m.id AS consumer_id, p.id AS product_id)",
            "LEFT JOIN acc o ON o.code = f.outlet_code "
            "LEFT JOIN members m ON m.card_no = f.card_no "
            "LEFT JOIN prod p ON p.code = f.sku_code",
            f"hash(coalesce(f.card_no, f.check_id)) % 1000 < {keep}",
        ),
        "invoice_lines": (
            "f.* REPLACE (s.id AS seller_id, b.id AS buyer_id, p.id AS product_id)",
            "LEFT JOIN acc s ON s.code = f.seller_code LEFT JOIN acc b ON b.code = f.buyer_code "
            "LEFT JOIN prod p ON p.code = f.sku_code",
            "true",
        ),
        "flow_lines": (
            "f.* REPLACE (d.id AS distributor_id, p.id AS product_id)",
            "LEFT JOIN acc d ON d.code = f.distributor_code "
            "LEFT JOIN prod p ON p.code = f.sku_code",
            "true",
        ),
        "online_orders": (
            "f.* REPLACE (m.id AS consumer_id, p.id AS product_id)",
            "LEFT JOIN members m ON m.card_no = f.customer_code "
            "LEFT JOIN prod p ON p.code = f.sku_code",
            "true",
        ),
    }
    warehouse.mkdir(parents=True, exist_ok=True)
    for fact in FACTS:
        files = generated / "warehouse" / fact / "source=*" / "month=*" / "*.parquet"
        if not list((generated / "warehouse").glob(f"{fact}/source=*/month=*/*.parquet")):
            continue
        select, joins, where = resolved[fact]
        target = warehouse / fact
        con.execute(
            f"COPY (SELECT {select} FROM read_parquet('{files}', "  # noqa: S608
            f"hive_partitioning = true) f {joins} WHERE {where}) TO '{target}' "
            "(FORMAT parquet, PARTITION_BY (source, month), FILENAME_PATTERN 'part-{i}', "
            "OVERWRITE_OR_IGNORE true)"
        )
        rows = con.execute(
            f"SELECT count(*) FROM read_parquet('{target}/*/*/*.parquet')"  # noqa: S608
        ).fetchone()
        print(f"resolved {fact}: {rows[0] if rows else 0:,} rows", flush=True)
    print(f"facts resolved in {time.perf_counter() - started:.1f} s", flush=True)


def _time_v(output: str, label: str) -> str:
    match = re.search(rf"{re.escape(label)}: (.+)", output)
    return match.group(1).strip() if match else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=Path, required=True)
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "analyze")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = args.work.resolve()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "PHARMACRM_VAR": str(work / "var"),
        "WAREHOUSE_DIR": str(work / "warehouse"),
    }
    if args.prepare_only:
        _prepare(args.generated.resolve(), work / "warehouse", args.fraction)
        return
    subprocess.run(["rm", "-rf", str(work)], check=True)
    (work / "var").mkdir(parents=True)
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    _psql(f"CREATE DATABASE {DB_NAME}")
    try:
        subprocess.run(
            [sys.executable, __file__, "--generated", str(args.generated), "--fraction",
             str(args.fraction), "--work", str(work), "--prepare-only"],
            env=env, check=True,
        )  # fmt: skip
        subprocess.run(["uptime"], check=True)
        started = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-v", str(ROOT / ".venv" / "bin" / "pharmacrm"), "analyze",
             "--as-of", args.as_of],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        subprocess.run(["uptime"], check=True)
        print(result.stdout[-3000:])
        if result.returncode != 0:
            print(result.stderr[-5000:])
            raise SystemExit(f"analyze exited {result.returncode}")
        rss_kib = int(_time_v(result.stderr, "Maximum resident set size (kbytes)"))
        print(
            f"analyze: wall {wall:.1f} s, user {_time_v(result.stderr, 'User time (seconds)')} s, "
            f"system {_time_v(result.stderr, 'System time (seconds)')} s, "
            f"peak RSS {rss_kib / 1024:,.0f} MiB"
        )
    finally:
        if not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()
