"""Shared test helpers: a small city (department, two hospitals, 115), one user per role, clients."""

from __future__ import annotations

import datetime as dt
import os
import tempfile

os.environ.setdefault("OPSCENTER_DATA_DIR", tempfile.mkdtemp(prefix="opscenter-test-"))

import pytest

from opscenter.org.roles import Role
from opscenter.testing import City, build_city, full_report  # noqa: F401


@pytest.fixture
def city(transactional_db) -> City:
    """Transactional, so that commits happen and the event bus delivers as in production."""
    return build_city()


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
