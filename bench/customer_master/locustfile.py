"""Locust load for the customer-master bench: the account list page, the list API and search.

Run one role at a time (``BENCH_USER=bench_rep`` or ``bench_director``); the session ids come
from ``sessions.json`` written by ``load.py``. Each simulated user waits 0.5–1.5 s between
requests and picks one of the three operations with equal weight; pages and offsets vary so
the database cache is not hit with one identical query.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

SESSIONS = json.loads((Path(__file__).parent / "sessions.json").read_text())
SESSION_ID = SESSIONS[os.environ.get("BENCH_USER", "bench_rep")]
# Misspelled, reordered and partial names of the loaded brands (load.py's BRANDS).
QUERIES = [
    "tongrentng pharmcy", "yifeng pharmaci", "dashenlin", "laobaixng", "pharmacy yixintang",
    "jianzhija", "haiwang hospitl", "rigla aptka", "zdorvie", "neofarm clinc", "boots farmacy",
    "wellcare", "medilink clinik", "greenlef", "evergren hospital", "goldenbrige",
]  # fmt: skip


class CrmUser(HttpUser):
    """A signed-in user browsing accounts."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        """Reuse the signed-in session (locust should not measure the Argon2 login)."""
        self.client.cookies.set("sessionid", SESSION_ID)

    @task
    def account_list_page(self) -> None:
        """The list page, first five pages, sometimes sorted by city."""
        page = random.randint(1, 5)
        sort = random.choice(["", "&sort=city"])
        self.client.get(f"/crm/accounts/?page={page}{sort}", name="list page")

    @task
    def account_list_api(self) -> None:
        """The list API, 25 rows from one of the first ten pages."""
        offset = 25 * random.randint(0, 9)
        self.client.get(f"/api/v1/accounts/?limit=25&offset={offset}", name="list API")

    @task
    def account_search(self) -> None:
        """The typo-tolerant search API (what the quick search calls)."""
        self.client.get(
            "/api/v1/accounts/search", params={"q": random.choice(QUERIES)}, name="search"
        )
