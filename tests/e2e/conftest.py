"""A real ASGI server (uvicorn) in a thread, on the test database, for SSE and browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve() -> Iterator[str]:
    """The project's ASGI application under uvicorn in a thread; yields its base URL."""
    import uvicorn

    from opscenter.asgi import application

    port = _free_port()
    # A request still being served when the test ends is let finish (up to 30 s): its worker thread would
    # otherwise go on using the database while the test's teardown empties it (on SQLite's shared in-memory
    # database the two can lock each other for good).
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                            timeout_graceful_shutdown=30, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=40)


@pytest.fixture
def asgi_server(live_city):
    with serve() as base:
        yield base


@pytest.fixture(scope="session", autouse=True)
def _end_server_connections(django_db_setup, django_db_blocker):
    """The servers' worker threads may still hold PostgreSQL connections at the end (a pool closes only its
    idle ones); end them before the test database is dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connection.close()
        connection.close_pool()


@pytest.fixture
def browser(monkeypatch):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield _CspBypassingBrowser(browser)
        browser.close()


class _CspBypassingBrowser:
    """Pages that ignore the Content Security Policy unless asked (`new_page(bypass_csp=False)`): Playwright
    runs `wait_for_function` strings through eval, which the policy forbids. test_csp.py runs pages under it."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        return self._browser.new_context(**{"bypass_csp": True, **options})

    def new_page(self, **options: Any) -> Any:
        return self._browser.new_page(**{"bypass_csp": True, **options})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


def shot(page, name: str, folder: str = "booking") -> None:
    """With AUDIT_SCREENSHOTS set (`make screenshots`), keep a screenshot of the page as the test sees it."""
    root = os.environ.get("AUDIT_SCREENSHOTS")
    if root:
        Path(root, folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(root, folder, f"{name}.png")), full_page=True)
