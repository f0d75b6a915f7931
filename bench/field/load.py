"""Load a field force of benchmark size into PostgreSQL (issue 9 bench).

Usage (a separate database, dropped afterwards)::

    createdb -h 127.0.0.1 -U postgres pcrm_bench_field
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcrm_bench_field
    .venv/bin/pharmacrm migrate
    .venv/bin/python bench/field/load.py --sessions bench/field/sessions.json

Builds China → 50 regions → 10 districts each (500 leaves), one sales rep per leaf (500 reps),
one regional manager per region (10 reps each) and a director; 100 000 accounts spread evenly
(200 per rep) with grades S 5 % / A 15 % / B 40 % / C 40 % and a mix of hospitals, pharmacies
and distributors; 2 000 000 visits (4 000 per rep) between 1 January 2025 and today, the last
few of each rep on today (the day plan shows them). Rows go in with ``COPY … FROM STDIN``;
audit history rows are not written (the pages measured do not read them). Writes signed-in
session ids of 20 reps and 20 managers to ``--sessions`` so locust skips the Argon2 login.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import django

REGIONS = 50
DISTRICTS = 10
GRADES = ["S"] * 5 + ["A"] * 15 + ["B"] * 40 + ["C"] * 40
KINDS = ["pharmacy"] * 7 + ["hospital", "clinic", "distributor"]
TIERS = {"pharmacy": "terminal", "hospital": "terminal", "clinic": "terminal"}
CHANNELS = ["in_person"] * 6 + ["phone", "remote", "messenger"]


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmacrm.settings")
    django.setup()


def _copy(cursor: Any, table: str, columns: list[str], rows: Any) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def main() -> None:  # noqa: PLR0915 - one linear loading script
    """Parse options, load everything, write the sessions file."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=2_000_000)
    parser.add_argument("--sessions", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--products", type=int, default=20)
    args = parser.parse_args()
    _setup()

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction
    from django.utils import timezone

    from pharmacrm.accounts.search import search_key
    from pharmacrm.catalog.models import Product
    from pharmacrm.core import services as core_services
    from pharmacrm.core.models import User
    from pharmacrm.core.roles import Role
    from pharmacrm.territories import services as territory_services
    from pharmacrm.territories.models import Assignment, Territory

    assert connection.vendor == "postgresql", "the bench runs on PostgreSQL"
    rng = random.Random(args.seed)
    started = time.perf_counter()
    core_services.roles_sync()
    node = territory_services.territory_upsert
    china, _ = node(by=None, code="CN", name="China", level="country")
    regions: list[Territory] = []
    leaves: list[Territory] = []
    for r in range(REGIONS):
        region, _ = node(
            by=None, code=f"R{r:02d}", name=f"Region {r:02d}", level="region", parent=china
        )
        regions.append(region)
        for d in range(DISTRICTS):
            leaf, _ = node(
                by=None,
                code=f"R{r:02d}-D{d:02d}",
                name=f"District {r:02d}-{d:02d}",
                level="district",
                parent=region,
            )
            leaves.append(leaf)

    # Users in bulk: user_create hashes nothing (unusable password) but costs 4 queries each.
    reps_group = Group.objects.get(name=Role.SALES_REP.value)
    managers_group = Group.objects.get(name=Role.REGIONAL_MANAGER.value)
    User.objects.bulk_create(
        [User(username=f"rep{i:03d}", email=f"rep{i:03d}@bench.test") for i in range(len(leaves))]
        + [User(username=f"manager{r:02d}", email=f"m{r:02d}@bench.test") for r in range(REGIONS)]
    )
    reps = list(User.objects.filter(username__startswith="rep").order_by("username"))
    managers = list(User.objects.filter(username__startswith="manager").order_by("username"))
    for user in reps + managers:
        user.set_unusable_password()
    User.objects.bulk_update(reps + managers, ["password"])
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=reps_group.pk) for u in reps]
        + [through(user_id=u.pk, group_id=managers_group.pk) for u in managers]
    )
    core_services.user_create(username="bench_director", role=Role.DIRECTOR)
    start = date(2020, 1, 1)
    pairs = [*zip(reps, leaves, strict=True), *zip(managers, regions, strict=True)]
    Assignment.objects.bulk_create(
        [Assignment(user=user, territory=node, starts_on=start) for user, node in pairs]
    )

    stamp = "2026-01-01 00:00:00+00"

    def accounts() -> Any:
        for i in range(args.accounts):
            leaf = leaves[i % len(leaves)]
            kind = KINDS[rng.randrange(len(KINDS))]
            name = f"{kind.capitalize()} {leaf.code} No {i // len(leaves) + 1}"
            yield (
                f"FB-{i:06d}", name, kind, TIERS.get(kind, "downstream"), leaf.name, "City",
                "", "1 Main Street", "", "", "active", "", GRADES[rng.randrange(100)],
                leaf.pk, "", "", search_key(name), stamp, stamp,
            )  # fmt: skip

    account_columns = [
        "code", "name", "kind", "tier", "province", "city", "district", "address", "postcode",
        "phone", "status", "status_reason", "grade", "territory_id", "hospital_grade",
        "departments", "search_key", "created_at", "updated_at",
    ]  # fmt: skip
    today = timezone.localdate()
    first_day = date(2025, 1, 1)
    span = (today - first_day).days
    per_rep = args.visits // len(reps)
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        n_accounts = _copy(cursor, "accounts_account", account_columns, accounts())
        cursor.execute("SELECT id, territory_id FROM accounts_account WHERE code LIKE 'FB-%%'")
        by_leaf: dict[int, list[int]] = {}
        for account_id, territory_id in cursor.fetchall():
            by_leaf.setdefault(territory_id, []).append(account_id)

        def visits() -> Any:
            for rep, leaf in zip(reps, leaves, strict=True):
                mine = by_leaf[leaf.pk]
                for k in range(per_rep):
                    # The last six of each rep fall on today, planned from 9:00 hourly.
                    if k >= per_rep - 6:
                        at = datetime.combine(today, datetime.min.time(), UTC) + timedelta(
                            hours=1 + (k - per_rep + 6)
                        )
                        status, closed = "planned", None
                    else:
                        day = first_day + timedelta(days=rng.randrange(span))
                        at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                            minutes=rng.randrange(60, 600)
                        )
                        status, closed = "done", at
                    yield (
                        rep.pk, mine[rng.randrange(len(mine))],
                        CHANNELS[rng.randrange(len(CHANNELS))], status, at, "", "", 0, "", "",
                        None, "", "", closed, at, at, None, 1,
                    )  # fmt: skip

        visit_columns = [
            "rep_id", "account_id", "channel", "status", "at", "key_messages", "samples",
            "samples_qty", "outcome", "next_step", "follow_up_on", "notes", "keywords",
            "closed_at", "created_at", "updated_at", "client_uuid", "version",
        ]  # fmt: skip
        n_visits = _copy(cursor, "field_visit", visit_columns, visits())
        # Products discussed: one or two of ``--products`` per done visit (the priority
        # products of generated plans are ranked from them). Picked by the visit id in SQL:
        # 2 M visits through COPY rows from Python would double the load time.
        Product.objects.bulk_create(
            [Product(sku_code=f"FB-P{p:03d}", brand=f"Brand {p:03d}") for p in range(args.products)]
        )
        cursor.execute(
            "SELECT array_agg(id ORDER BY id) FROM catalog_product WHERE sku_code LIKE 'FB-P%%'"
        )
        product_ids = cursor.fetchone()[0]
        n = len(product_ids)
        cursor.execute(
            "INSERT INTO field_visit_products (visit_id, product_id) "
            "SELECT v.id, (%s::bigint[])[1 + v.id %% %s] FROM field_visit v "
            "WHERE v.status = 'done' "
            "UNION ALL "
            "SELECT v.id, (%s::bigint[])[1 + (v.id / 3 + 7) %% %s] FROM field_visit v "
            "WHERE v.status = 'done' AND v.id %% 2 = 0 AND v.id %% %s <> (v.id / 3 + 7) %% %s",
            [product_ids, n, product_ids, n, n, n],
        )
        n_visit_products = cursor.rowcount
    with connection.cursor() as cursor:
        for table in (
            "accounts_account",
            "field_visit",
            "field_visit_products",
            "territories_assignment",
        ):
            cursor.execute(f"ANALYZE {table}")
    loaded = time.perf_counter() - started

    sessions: dict[str, list[str]] = {"reps": [], "managers": []}
    for group, users in (("reps", reps[:20]), ("managers", managers[:20])):
        for user in users:
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "pharmacrm.core.auth_backends.RoleModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            sessions[group].append(store.session_key or "")
    args.sessions.write_text(json.dumps(sessions, indent=2))
    print(
        json.dumps(
            {
                "reps": len(reps),
                "managers": len(managers),
                "accounts": n_accounts,
                "visits": n_visits,
                "visit_products": n_visit_products,
                "seconds": round(loaded, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
