"""Print every SQL query (with its time) of the benchmarked requests, and EXPLAIN ANALYZE.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcrm_bench \
        .venv/bin/python bench/customer_master/profile_queries.py [--explain]

Runs in-process with Django's test client as the bench's sales rep and director, so the
numbers are the database's share of a request without the HTTP server.
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


def main() -> None:
    """Request each URL as each user twice; print the second run's queries."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmacrm.settings")
    django.setup()
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
