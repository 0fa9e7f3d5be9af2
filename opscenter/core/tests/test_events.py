"""The event bus: in-process subscribers after commit, live listeners, and the Redis backend."""

import asyncio
import os
import threading
import uuid

import pytest
from django.db import transaction

from opscenter.core import events


@pytest.fixture
def test_kinds():
    """Two kinds declared for these tests only (publishing an undeclared kind is refused)."""
    from typing_extensions import TypedDict

    class Nothing(TypedDict):
        pass

    events.declare("t", ["inside", "rolled.back"], Nothing)
    yield
    for kind in ("inside", "rolled.back"):
        events.CATALOGUE.pop(kind)


def test_event_round_trips_through_json():
    event = events.Event(source="reporting", kind="report.submitted", unit="BV-A", payload={"x": "Chợ Rẫy"})
    assert events.Event.from_json(event.to_json()) == event


@pytest.mark.django_db(transaction=True)
def test_subscribers_run_only_after_commit(test_kinds):
    seen = []
    handler = events.subscribe(lambda e: seen.append(e.kind))
    try:
        with transaction.atomic():
            events.publish(events.Event(source="t", kind="inside", unit=None))
            assert seen == []
        assert seen == ["inside"]
        try:
            with transaction.atomic():
                events.publish(events.Event(source="t", kind="rolled.back", unit=None))
                raise RuntimeError
        except RuntimeError:
            pass
        assert seen == ["inside"]
    finally:
        events._handlers.remove(handler)


def test_a_failing_subscriber_does_not_stop_the_others():
    seen = []

    def broken(event):
        raise ValueError("boom")

    events.subscribe(broken)
    events.subscribe(seen.append)
    try:
        events._dispatch(events.Event(source="t", kind="k", unit=None))
        assert len(seen) == 1
    finally:
        events._handlers.remove(broken)
        events._handlers.remove(seen.append)


def _listen_once(backend, publish):
    async def main():
        stream = await backend.listen()  # subscribed on return: nothing published from now on is missed
        threading.Thread(target=publish).start()  # publishers live on other threads
        event = await asyncio.wait_for(anext(stream), timeout=5)
        stream.close()
        return event

    return asyncio.run(main())


def test_inprocess_backend_delivers_across_threads():
    backend = events.InProcessBackend()
    sent = events.Event(source="t", kind="k", unit="BV-A")
    assert _listen_once(backend, lambda: backend.broadcast(sent)) == sent


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), reason="no Redis")
def test_redis_backend_delivers_between_instances():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    channel = f"opscenter.test.{uuid.uuid4().hex}"
    try:
        import redis

        redis.Redis.from_url(url).ping()
    except Exception:
        pytest.skip(f"Redis not reachable at {url}")
    publisher, listener = events.RedisBackend(url, channel), events.RedisBackend(url, channel)
    sent = events.Event(source="t", kind="k", unit="BV-A", payload={"n": 1})
    assert _listen_once(listener, lambda: publisher.broadcast(sent)) == sent
