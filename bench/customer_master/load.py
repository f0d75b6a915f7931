"""Load a customer master of benchmark size into PostgreSQL with COPY (issue 5 bench).

Usage (a separate database, never the working one)::

    createdb -h 127.0.0.1 -U postgres pcrm_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcrm_bench
    .venv/bin/pharmacrm migrate
    .venv/bin/python bench/customer_master/load.py --accounts 100000 --contacts 300000 \
        --consumers 1000000 --sessions bench/customer_master/sessions.json

Builds China → 31 provinces → 10 districts each (310 leaves), spreads the accounts evenly over
the leaves with pharmacy-like names (a few dozen brands, so a misspelled brand has thousands of
near neighbours, as in a real market), three contacts per account and the consumers at
pharmacy outlets. Rows go in with ``COPY … FROM STDIN`` (the ORM would need an hour); audit
history rows are not written (the pages measured do not read them). Then it creates a sales rep
covering 3 leaves (~1 000 accounts) and a director, and writes a signed-in session id for each
to ``--sessions`` so locust does not measure the (deliberately slow) Argon2 login.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import django

PROVINCES = 31
DISTRICTS = 10
BRANDS = [
    "Tongrentang", "Yifeng", "Dashenlin", "Laobaixing", "Yixintang", "Jianzhijia", "Haiwang",
    "Xinxing", "Baixing", "Kangfu", "Huaren", "Renmin", "Zhongshan", "Jinxiang", "Yongan",
    "Shoukang", "Rigla", "Apteka", "Zdorovie", "Neofarm", "Boots", "Lloyds", "Wellcare",
    "Medilink", "Greenleaf", "Sunrise", "Evergreen", "Goldenbridge", "Harmony", "Longevity",
]  # fmt: skip
KINDS = ["pharmacy"] * 7 + ["hospital", "clinic", "distributor"]
TIERS = {"pharmacy": "terminal", "hospital": "terminal", "clinic": "terminal"}
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu"]
GIVEN = ["Fang", "Wei", "Na", "Min", "Jing", "Lei", "Yan", "Jun", "Tao", "Ping", "Hui", "Qiang"]
TITLES = ["Head pharmacist", "Buyer", "Store manager", "Head of cardiology", "Chief physician"]


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


def main() -> None:
    """Parse options, load everything, write the sessions file."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=300_000)
    parser.add_argument("--consumers", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    _setup()

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction

    from pharmacrm.accounts.search import search_key
    from pharmacrm.core import services as core_services
    from pharmacrm.core.models import User
    from pharmacrm.core.roles import Role
    from pharmacrm.territories import services as territory_services
    from pharmacrm.territories.models import Territory

    assert connection.vendor == "postgresql", "the bench runs on PostgreSQL"
    rng = random.Random(args.seed)
    started = time.perf_counter()
    core_services.roles_sync()
    node = territory_services.territory_upsert
    china, _ = node(by=None, code="CN", name="China", level="country")
    leaves: list[tuple[Territory, str, str]] = []
    for p in range(PROVINCES):
        province, _ = node(
            by=None, code=f"P{p:02d}", name=f"Province {p:02d}", level="province", parent=china
        )
        for d in range(DISTRICTS):
            leaf, _ = node(
                by=None,
                code=f"P{p:02d}-D{d:02d}",
                name=f"District {p:02d}-{d:02d}",
                level="district",
                parent=province,
            )
            leaves.append((leaf, province.name, f"City {p:02d}"))
    stamp = "2026-01-01 00:00:00+00"

    def accounts() -> Any:
        for i in range(args.accounts):
            leaf, province, city = leaves[i % len(leaves)]
            kind = KINDS[i % len(KINDS)]
            brand = BRANDS[rng.randrange(len(BRANDS))]
            name = f"{brand} {kind.capitalize()} {leaf.name[9:]} No {i // len(leaves) + 1}"
            yield (
                f"BENCH-{i:06d}", name, kind, TIERS.get(kind, "downstream"), province, city,
                "", f"{rng.randrange(1, 999)} Main Street", "", "", "active", "", "",
                leaf.pk, "", "", search_key(name), stamp, stamp,
            )  # fmt: skip

    account_columns = [
        "code", "name", "kind", "tier", "province", "city", "district", "address", "postcode",
        "phone", "status", "status_reason", "grade", "territory_id", "hospital_grade",
        "departments", "search_key", "created_at", "updated_at",
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        n_accounts = _copy(cursor, "accounts_account", account_columns, accounts())
        cursor.execute("SELECT min(id) FROM accounts_account WHERE code LIKE 'BENCH-%%'")
        first_id = cursor.fetchone()[0]

        def contacts() -> Any:
            for i in range(args.contacts):
                name = f"{SURNAMES[rng.randrange(11)]} {GIVEN[rng.randrange(12)]}"
                title = TITLES[i % len(TITLES)]
                yield (
                    f"BC-{i:07d}", first_id + i % args.accounts, name, title, "", "", "", "",
                    "", "", i % 7 == 0, "", False, False, False, False, search_key(name, title),
                )  # fmt: skip

        contact_columns = [
            "code", "account_id", "name", "title", "department", "specialty", "phone",
            "mobile", "email", "messenger_id", "is_key_contact", "notes", "consent_email",
            "consent_sms", "consent_phone", "consent_messenger", "search_key",
        ]  # fmt: skip
        n_contacts = _copy(cursor, "accounts_contact", contact_columns, contacts())

        def consumers() -> Any:
            start = date(2018, 1, 1)
            for i in range(args.consumers):
                year = 1940 + rng.randrange(66)
                yield (
                    f"CARD{i:09d}", f"{SURNAMES[i % 11]} {GIVEN[i % 12]}", f"+86 138{i:08d}",
                    "", "FMU"[i % 3], year, None, f"Province {i % PROVINCES:02d}", "",
                    first_id + (i * 7) % args.accounts,
                    start + timedelta(days=i % 3000), "",
                )  # fmt: skip

        consumer_columns = [
            "card_no", "name", "phone", "email", "gender", "birth_year", "birth_date",
            "province", "city", "home_outlet_id", "registered_on", "grade",
        ]  # fmt: skip
        n_consumers = _copy(cursor, "accounts_consumer", consumer_columns, consumers())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
        cursor.execute("ANALYZE accounts_contact")
        cursor.execute("ANALYZE accounts_consumer")
    loaded = time.perf_counter() - started

    rep = User.objects.filter(username="bench_rep").first() or core_services.user_create(
        username="bench_rep", role=Role.SALES_REP
    )
    director = User.objects.filter(username="bench_director").first() or (
        core_services.user_create(username="bench_director", role=Role.DIRECTOR)
    )
    if not rep.territory_assignments.exists():
        for leaf, _province, _city in leaves[:3]:
            territory_services.assignment_create(
                by=None, user=rep, territory=leaf, starts_on=date(2020, 1, 1)
            )
    sessions = {}
    for user in (rep, director):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "pharmacrm.core.auth_backends.RoleModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[user.username] = store.session_key
    args.sessions.write_text(json.dumps(sessions, indent=2))
    print(
        json.dumps(
            {
                "accounts": n_accounts,
                "contacts": n_contacts,
                "consumers": n_consumers,
                "seconds": round(loaded, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
