"""Shared test helpers: a small city (department, two hospitals, 115), one user per role, clients."""

from __future__ import annotations

import datetime as dt
import logging
import os

# Every payload published under the tests is validated against its declared type (core.events). (The data folder
# of each test process is set earlier, by opscenter.pytest_plugin, before the settings are read.)
os.environ.setdefault("EVENT_PAYLOAD_CHECKS", "1")

import pytest

from opscenter.org.roles import Role
from opscenter.testing import City, build_city, full_report  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def _event_payload_checks():
    """Every payload published under the tests is validated against its declared type (core.events); the
    environment variable (set above) carries it to the processes the tests start."""
    from django.conf import settings

    settings.EVENT_PAYLOAD_CHECKS = os.environ["EVENT_PAYLOAD_CHECKS"] == "1"


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering, which this keeps within each part
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On pytest-xdist's workers (`make test`: `-n 2`), the slow tests first: one that started last would run
    alone on one core at the end while the other has finished."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def city(db) -> City:
    """The city inside the test's transaction (rolled back after it): on-commit callbacks run as in production,
    see `_commit_callbacks_at_test_level`. A test that also asks for `live_city` gets this same city, committed."""
    return build_city()


@pytest.fixture
def live_city(transactional_db, city) -> City:
    """The city really committed (the database is flushed after the test): for what other threads or
    processes must see — a live server, SSE streams, select_for_update races, workers."""
    return city


def _at_test_level(connection) -> bool:
    """Inside only the atomic blocks a `django_db` test wraps itself in: production would be in autocommit."""
    return connection.in_atomic_block and all(block._from_testcase for block in connection.atomic_blocks)


def _run_on_commit(func, robust: bool) -> None:
    if not robust:
        func()
        return
    try:
        func()
    except Exception:
        logging.getLogger("django.db.backends.base").exception("on_commit callback %s failed", func)


@pytest.fixture(scope="session", autouse=True)
def _commit_callbacks_at_test_level():
    """A `django_db` test never commits, so `transaction.on_commit` callbacks (event bus, outbox, Celery's
    delay_on_commit) would never run. Run them where production commits: when the code's own outermost atomic
    block ends, or at once outside any block of its own. Transactional tests are not affected."""
    from django.db import transaction
    from django.db.backends.base.base import BaseDatabaseWrapper

    original_on_commit = BaseDatabaseWrapper.on_commit
    original_exit = transaction.Atomic.__exit__

    def on_commit(self, func, robust=False):
        if _at_test_level(self):
            if not callable(func):
                raise TypeError("on_commit()'s callback must be a callable.")
            _run_on_commit(func, robust)
        else:
            original_on_commit(self, func, robust)

    def atomic_exit(self, exc_type, exc_value, traceback):
        original_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if _at_test_level(connection) and connection.run_on_commit:
            # The block "committed": what it registered (a rolled-back savepoint's callbacks are already gone).
            pending, connection.run_on_commit = connection.run_on_commit, []
            for _savepoints, func, robust in pending:
                _run_on_commit(func, robust)

    BaseDatabaseWrapper.on_commit = on_commit
    transaction.Atomic.__exit__ = atomic_exit
    yield
    BaseDatabaseWrapper.on_commit = original_on_commit
    transaction.Atomic.__exit__ = original_exit


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def api_client(city):
    """A Django test client factory logged in as the user of a role: api_client(Role.OPERATOR).

    It asks for English, so assertions read like the msgids; `language="vi"` tests the default."""
    from django.test import Client

    def make(role: str = Role.OPERATOR, hospital: str = "A", language: str = "en") -> Client:
        client = Client(headers={"Accept-Language": language})
        client.force_login(city.user(role, hospital))
        return client

    return make


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_event_bus(settings):
    from opscenter.core import events

    events.reset_backend()
    yield
    events.reset_backend()


@pytest.fixture(autouse=True)
def _fhir_responses_are_r4(monkeypatch):
    """Every FHIR response a test receives is checked as an R4 resource (`core.fhir_r4`)."""
    from django.test.client import Client

    from opscenter.core.fhir_r4 import problems

    request = Client.request

    def checked(self, **kwargs):
        response = request(self, **kwargs)
        if response.get("Content-Type", "").startswith("application/fhir+json"):
            found = problems(response.json())
            assert not found, f"not a valid R4 resource: {found}"
        return response

    monkeypatch.setattr(Client, "request", checked)

