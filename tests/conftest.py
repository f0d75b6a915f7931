"""Shared test harness: the ``uses_db`` marker, a real SMTP server and the browser fixtures.

Kept small on purpose: app-specific factories and fixtures live in each app's test folder.

- Every test that touches the OLTP database is marked ``uses_db`` here, so CI re-runs exactly
  those on PostgreSQL (``-m uses_db`` with ``DATABASE_URL`` set).
- ``smtp_server`` is a real SMTP server on 127.0.0.1 (aiosmtpd): mail goes through Django's
  SMTP backend and the socket, as in production, not through the locmem outbox.
- ``browser_page`` drives Debian's chromium through Playwright against pytest-django's
  ``live_server``; ``login_as`` signs in through the real login form and ``screenshot`` keeps
  PNGs under ``test-artifacts/screenshots/`` for people to look at.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

REPO_DIR = Path(__file__).resolve().parents[1]
SCREENSHOT_DIR = REPO_DIR / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The password every test user gets; long enough for Django's validators.
TEST_PASSWORD = "Pharma-test-2024!"  # noqa: S105


# --- the uses_db marker -------------------------------------------------------------------


_DB_FIXTURES = {"django_db_setup", "db", "transactional_db", "live_server"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every item that reaches the database ``uses_db``.

    ``db``, ``transactional_db``, ``admin_client``… depend on ``django_db_setup``, so its
    presence in the fixture closure is the signal; ``live_server`` asks for the database only
    at run time (pytest-django's helper), so it is named; the ``django_db`` marker covers
    tests that ask without a fixture. Runs first so that ``-m uses_db`` deselection sees it.
    """
    for item in items:
        fixturenames = set(getattr(item, "fixturenames", ()))
        if fixturenames & _DB_FIXTURES or item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.uses_db)


# --- local SMTP server ----------------------------------------------------------------------


@dataclass
class SmtpServer:
    """A running aiosmtpd server and the messages it has received, in arrival order."""

    host: str
    port: int
    envelopes: list[Any] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, envelope: Any) -> None:
        """Keep one delivered envelope (called from the server's thread)."""
        with self._lock:
            self.envelopes.append(envelope)

    @property
    def messages(self) -> list[EmailMessage]:
        """Every delivered message, parsed."""
        with self._lock:
            raw = [e.original_content or e.content for e in self.envelopes]
        return [
            email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[misc]
            for data in raw
        ]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until ``count`` messages arrived (delivery is asynchronous), then return all.

        Fails the test when fewer than ``count`` arrive within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.envelopes) >= count:
                    break
            time.sleep(0.05)
        messages = self.messages
        if len(messages) < count:
            pytest.fail(f"expected {count} e-mail(s) at the SMTP server, got {len(messages)}")
        return messages

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        """The plain-text body of a delivered message."""
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, "the message has no text/plain part"
        return str(part.get_content())

    @staticmethod
    def first_url(text: str) -> str:
        """The first http(s) URL in ``text`` (a link in a delivered message)."""
        found = re.search(r"https?://\S+", text)
        assert found is not None, f"no URL in: {text!r}"
        return found.group(0)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port; Django's default mailer (SMTP) points at it."""
    from aiosmtpd.controller import Controller

    class _Handler:
        def __init__(self, server: SmtpServer) -> None:
            self.server = server

        async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            self.server.record(envelope)
            return "250 Message accepted for delivery"

    # aiosmtpd probes its own port after starting, so it needs a concrete one (not 0).
    server = SmtpServer(host="127.0.0.1", port=_free_port())
    controller = Controller(_Handler(server), hostname=server.host, port=server.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": server.host, "port": server.port, "timeout": 10},
        }
    }
    try:
        yield server
    finally:
        controller.stop()


# --- browser --------------------------------------------------------------------------------


def _serial_live_server_class() -> type:
    """A threaded live server that handles one request at a time.

    On SQLite the test database lives in memory and every live-server thread shares its one
    connection; a browser that fires requests in parallel (a service worker caching the app
    shell) then drives that connection from two threads at once and SQLite answers "bad
    parameter or other API misuse". Threads stay (browsers keep several connections open);
    requests take turns, each answered in full — a streamed body too — before the next.
    """
    from django.core.servers.basehttp import ThreadedWSGIServer

    class SerialThreadedWSGIServer(ThreadedWSGIServer):
        def set_app(self, application: Any) -> None:
            turn = threading.Lock()

            def one_at_a_time(environ: Any, start_response: Any) -> list[bytes]:
                with turn:
                    result = application(environ, start_response)
                    try:
                        return list(result)
                    finally:
                        if hasattr(result, "close"):
                            result.close()

            super().set_app(one_at_a_time)

    return SerialThreadedWSGIServer


@pytest.fixture(scope="session", autouse=True)
def _live_server_takes_turns_on_sqlite() -> None:
    """Install :func:`_serial_live_server_class` when the tests run on SQLite."""
    from django.conf import settings
    from django.test.testcases import LiveServerThread

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = _serial_live_server_class()


@pytest.fixture(scope="session")
def _playwright_browser() -> Iterator[Any]:
    """One headless Debian chromium for the session (never Playwright's downloaded browsers).

    Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    refuse ORM calls from the test body (``SynchronousOnlyOperation``); the test thread only
    seeds data and reads results while the browser waits, so the guard is lifted here.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium "
            "(apt-get update && apt-get install -y chromium); never `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(_playwright_browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh page (own cookies) whose relative URLs go to the live server."""
    context = _playwright_browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    # Generous: the first request loads the static index and the machine is shared.
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def login_as(browser_page: Any) -> Callable[..., Any]:
    """``login_as(role)``: create a user holding ``role`` and sign in through the login form.

    Returns the user. The username defaults to the role slug.
    """
    from pharmacrm.core import services as core_services
    from pharmacrm.core.roles import Role

    def _login(role: str | Role, *, username: str | None = None) -> Any:
        role = Role(role)
        user = core_services.user_create(
            username=username or role.value,
            role=role,
            password=TEST_PASSWORD,
            email=f"{username or role.value}@example.test",
        )
        browser_page.goto("/accounts/auth/login/")
        browser_page.fill("#id_username", user.username)
        browser_page.fill("#id_password", TEST_PASSWORD)
        with browser_page.expect_navigation():
            browser_page.click("button[type=submit]")
        return user

    return _login


@pytest.fixture
def screenshot(browser_page: Any) -> Callable[[str], Path]:
    """``screenshot(name)``: save the full page as ``test-artifacts/screenshots/<name>.png``."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def _shot(name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
