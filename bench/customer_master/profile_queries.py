"""Print every SQL query (with its time) of the benchmarked requests, and EXPLAIN ANALYZE.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcrm_bench \
        .venv/bin/python bench/customer_master/profile_queries.py [--explain]

Runs in-process with Django's test client as the bench's sales rep and director, so the
numbers are the database's share of a request without the HTTP server.

``--summary N`` instead sends each request of the locust mix (list page, list page by city,
list API, four searches) N times per user after a warm-up and prints one line per request:
median and minimum wall time, median and minimum CPU time of this process (Python: view,
ORM, templates; the test client's own share included) and the number of queries with their
summed database time (median, minimum). On a loaded machine the minima are the better
estimate of a request's own cost.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import django

URLS = (
    "/crm/accounts/",
    "/api/v1/accounts/?limit=25",
    "/api/v1/accounts/search?q=tongrentng%20pharmcy",
    "/crm/accounts/?q=tongrentng%20pharmcy",
)


MIX = (
    ("list page", "/crm/accounts/?page=3"),
    ("list page city", "/crm/accounts/?page=2&sort=city"),
    ("list API", "/api/v1/accounts/?limit=25&offset=100"),
    ("search 1", "/api/v1/accounts/search?q=tongrentng%20pharmcy"),
    ("search 2", "/api/v1/accounts/search?q=pharmacy%20yixintang"),
    ("search 3", "/api/v1/accounts/search?q=evergren%20hospital"),
    ("search 4", "/api/v1/accounts/search?q=zdorvie"),
    ("list page ?q=", "/crm/accounts/?q=tongrentng%20pharmcy"),
)


def summary(rounds: int) -> None:
    """Median wall and CPU milliseconds and the queries of each request of the mix."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pharmacrm.core.models import User

    print(
        f"{'user':15} {'request':15} {'wall ms':>8} {'min':>6} {'cpu ms':>7} {'min':>6} "
        f"{'queries':>7} {'sql ms':>7} {'min':>6}"
    )
    for username in ("bench_rep", "bench_director"):
        client = Client()
        client.force_login(
            User.objects.get(username=username),
            backend="pharmacrm.core.auth_backends.RoleModelBackend",
        )
        for name, url in MIX:
            client.get(url)
            walls, cpus, sqls, counts = [], [], [], []
            for _ in range(rounds):
                with CaptureQueriesContext(connection) as queries:
                    wall, cpu = time.perf_counter(), time.process_time()
                    status = client.get(url).status_code
                    cpus.append(time.process_time() - cpu)
                    walls.append(time.perf_counter() - wall)
                assert status == 200, (url, status)
                counts.append(len(queries))
                sqls.append(sum(float(q["time"]) for q in queries.captured_queries))
            print(
                f"{username:15} {name:15} {statistics.median(walls) * 1000:8.1f} "
                f"{min(walls) * 1000:6.1f} {statistics.median(cpus) * 1000:7.1f} "
                f"{min(cpus) * 1000:6.1f} {max(counts):7d} "
                f"{statistics.median(sqls) * 1000:7.1f} {min(sqls) * 1000:6.1f}"
            )


def main() -> None:
    """Request each URL as each user twice; print the second run's queries."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--summary", type=int, default=0, metavar="N")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmacrm.settings")
    django.setup()
    if args.summary:
        summary(args.summary)
        return
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pharmacrm.core.models import User

    for username in ("bench_rep", "bench_director"):
        client = Client()
        client.force_login(
            User.objects.get(username=username),
            backend="pharmacrm.core.auth_backends.RoleModelBackend",
        )
        for url in URLS:
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                status = client.get(url).status_code
                elapsed = time.perf_counter() - started
            print(f"\n== {username} {url} {status} {elapsed * 1000:.0f} ms, {len(queries)} queries")
            for query in queries.captured_queries:
                print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
                if args.explain and float(query["time"]) > 0.02:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                        print("\n".join("      " + r[0] for r in cursor.fetchall()))


if __name__ == "__main__":
    main()
