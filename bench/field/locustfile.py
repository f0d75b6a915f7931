"""Locust load for the field bench: the rep's day plan and the manager's team page.

Run one scenario at a time (``BENCH_SCENARIO=rep`` or ``manager``); session ids of 20 reps and
20 managers come from ``sessions.json`` written by ``load.py``, one per simulated user, so the
20 users are 20 different people. Each waits 0.5–1.5 s between requests (the issue's load).
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from locust import HttpUser, between, task

SESSIONS = json.loads((Path(__file__).parent / "sessions.json").read_text())
SCENARIO = os.environ.get("BENCH_SCENARIO", "rep")
_next_session = itertools.cycle(SESSIONS["reps" if SCENARIO == "rep" else "managers"])


class FieldUser(HttpUser):
    """A signed-in rep (day plan) or regional manager (team page of their 10 reps)."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        """Reuse a signed-in session (locust should not measure the Argon2 login)."""
        self.client.cookies.set("sessionid", next(_next_session))

    @task
    def main_page(self) -> None:
        """The rep's day plan, or the manager's team page."""
        if SCENARIO == "rep":
            self.client.get("/field/", name="day plan")
        else:
            self.client.get("/field/team/", name="team page")
