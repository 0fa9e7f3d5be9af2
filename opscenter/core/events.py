"""The internal event bus.

Every module records its own facts in its own tables and publishes a small typed `Event` here.
Once the writing transaction commits, the event is broadcast to live listeners (SSE clients), in this
process only (`inprocess`) or to every process through Redis pub/sub (`redis`); then the subscribers
of this process (cache invalidation, ...) are called. Durable subscribers (the alert rules) get the events
they want through the outbox (`core.outbox`), written in the publishing transaction, so none is lost.

Every kind is declared, with the app that publishes it and the type of its payload (a TypedDict), in that app's
`events.py` (found at start-up by `CoreConfig.ready`); publishing an undeclared kind raises `UndeclaredEvent`.
With EVENT_PAYLOAD_CHECKS (on under the tests) each payload is validated against its type as it is published.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    source: str  # the module that saw it: "reporting", "alerts", "vision", ...
    kind: str  # what happened: "report.submitted", "alert.raised", ...
    unit: str | None  # code of the unit concerned, None for city-wide
    payload: dict[str, Any] = field(default_factory=dict)
    time: datetime = field(default_factory=timezone.now)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> str:
        # isoformat keeps microseconds (DjangoJSONEncoder would cut them to milliseconds).
        return json.dumps({**asdict(self), "time": self.time.isoformat()}, cls=DjangoJSONEncoder,
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        data = json.loads(raw)
        data["time"] = datetime.fromisoformat(data["time"])
        return cls(**data)


class UndeclaredEvent(LookupError):
    """An event of a kind no app declared, or published by another app than the one that declared it."""


class PayloadMismatch(ValueError):
    """A payload that does not fit its kind's declared type (checked with EVENT_PAYLOAD_CHECKS)."""


@dataclass(frozen=True)
class EventKind:
    kind: str
    source: str  # the app that publishes it
    payload: type  # a TypedDict: the payload's fields and their types
    live: tuple[str, ...] = ()  # named groups the browser pages listen to ("alert", "incident", ...)
    read_by: str = ""  # the in-process readers (cache, counts), for the catalogue; rules are found on their own
    doc: str = ""

    @property
    def fields(self) -> dict[str, Any]:
        from typing import get_type_hints

        return get_type_hints(self.payload)


CATALOGUE: dict[str, EventKind] = {}


def declare(source: str, kinds: str | list[str] | tuple[str, ...], payload: type, *, live: tuple[str, ...] = (),
            read_by: str = "", doc: str = "") -> None:
    """Declare event kinds (in the publishing app's `events.py`). A kind belongs to one app."""
    from pydantic import ConfigDict

    if not getattr(payload, "__pydantic_config__", None):
        # A field not declared is a mistake, as a missing one is: the catalogue says every field.
        payload.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
    for kind in [kinds] if isinstance(kinds, str) else kinds:
        seen = CATALOGUE.get(kind)
        if seen is not None and seen.source != source:
            raise ImproperlyConfigured(f"event kind {kind!r} declared by {seen.source} and {source}")
        CATALOGUE[kind] = EventKind(kind, source, payload, tuple(live), read_by, doc)


def declared(kind: str) -> EventKind:
    spec = CATALOGUE.get(kind)
    if spec is None:
        raise UndeclaredEvent(f"event kind {kind!r} is not declared (declare it in its app's events.py)")
    return spec


def live_kinds() -> dict[str, Any]:
    """What the browser receives (`includes/live_js.html`): every kind, and the kinds of each live group."""
    groups: dict[str, list[str]] = {}
    for spec in sorted(CATALOGUE.values(), key=lambda s: s.kind):
        for group in spec.live:
            groups.setdefault(group, []).append(spec.kind)
    return {"all": sorted(CATALOGUE), "groups": groups}


_adapters: dict[type, Any] = {}


def check_payload(kind: str, payload: dict[str, Any]) -> None:
    """Validate a payload against its kind's type; PayloadMismatch says which field is wrong."""
    from pydantic import TypeAdapter, ValidationError

    spec = declared(kind)
    adapter = _adapters.get(spec.payload)
    if adapter is None:
        adapter = _adapters[spec.payload] = TypeAdapter(spec.payload)
    try:
        adapter.validate_python(payload, strict=True)
    except ValidationError as exc:
        raise PayloadMismatch(f"payload of {kind}: {exc}") from None


def check(event: Event) -> None:
    """Refuse an event of an undeclared kind (always) or with a payload not of its type (EVENT_PAYLOAD_CHECKS)."""
    spec = declared(event.kind)
    if spec.source != event.source:
        raise UndeclaredEvent(f"event kind {event.kind!r} is published by {spec.source}, not {event.source}")
    if getattr(settings, "EVENT_PAYLOAD_CHECKS", False):
        check_payload(event.kind, event.payload)


Handler = Callable[[Event], None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> Handler:
    """Register an in-process subscriber (usable as a decorator). It sees every event once."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def publish(event: Event) -> None:
    """Publish once the current transaction commits (at once outside a transaction). What durable subscribers
    (core.outbox: the alert rules) want is written to the outbox in this transaction and delivered after it."""
    from . import outbox

    check(event)
    entry = outbox.record(event)
    transaction.on_commit(lambda: _dispatch(event))
    if entry is not None:
        # After the live broadcast, so that what the rules raise (an alert) is seen after its cause.
        transaction.on_commit(lambda: outbox.deliver_soon(entry))


def _dispatch(event: Event) -> None:
    # Live listeners first, so that what a subscriber raises in turn (an alert) is seen after its cause.
    get_backend().broadcast(event)
    for handler in list(_handlers):
        try:
            handler(event)
        except Exception:  # one broken subscriber must not stop the others
            log.exception("event handler %s failed on %s", handler, event.kind)


class InProcessBackend:
    """Fan-out to listeners of this process; publishers may be on any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]] = set()

    def broadcast(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for loop, queue in listeners:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # the listener's loop has closed
                self._discard((loop, queue))

    def _discard(self, listener: tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]) -> None:
        with self._lock:
            self._listeners.discard(listener)

    async def listen(self) -> Listener:
        """A subscription that holds every event broadcast from now on, until it is closed."""
        return Listener(self)


class Listener:
    """One live subscription to a backend: iterate it for the events; close it when done."""

    def __init__(self, backend: InProcessBackend) -> None:
        self._backend = backend
        self._entry = (asyncio.get_running_loop(), asyncio.Queue[Event](maxsize=1000))
        with backend._lock:
            backend._listeners.add(self._entry)

    def __aiter__(self) -> Listener:
        return self

    async def __anext__(self) -> Event:
        return await self._entry[1].get()

    def close(self) -> None:
        self._backend._discard(self._entry)


class RedisBackend(InProcessBackend):
    """Broadcast through a Redis pub/sub channel, so every server process's listeners see every event.

    Each process holds ONE subscription, read by a thread that fans events out to the process's
    listeners (as the in-process backend does): open dashboards cost no Redis connection each, and a
    client that leaves never strands a subscription."""

    def __init__(self, url: str, channel: str) -> None:
        import redis

        super().__init__()
        self.url = url
        self.channel = channel
        self._client = redis.Redis.from_url(url)
        self._reader: threading.Thread | None = None
        self._ready = threading.Event()

    def broadcast(self, event: Event) -> None:
        try:
            self._client.publish(self.channel, event.to_json())
        except Exception:
            log.exception("could not broadcast %s to Redis", event.kind)

    def _read_forever(self) -> None:
        import redis

        while True:
            try:
                pubsub = redis.Redis.from_url(self.url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self._ready.set()
                for message in pubsub.listen():
                    if message.get("type") == "message":
                        InProcessBackend.broadcast(self, Event.from_json(message["data"]))
            except Exception:  # Redis restarted or unreachable: keep trying, listeners stay connected
                log.exception("Redis event subscription lost; reconnecting")
                self._ready.clear()
                time.sleep(1)

    def _ensure_reader(self) -> None:
        with self._lock:
            if self._reader is None:
                self._reader = threading.Thread(target=self._read_forever, name="event-bus-redis", daemon=True)
                self._reader.start()

    async def listen(self) -> Listener:
        self._ensure_reader()
        await asyncio.get_running_loop().run_in_executor(None, self._ready.wait, 5)
        return await super().listen()


_backend: InProcessBackend | RedisBackend | None = None
_backend_lock = threading.Lock()


def get_backend() -> InProcessBackend | RedisBackend:
    global _backend
    with _backend_lock:
        if _backend is None:
            if settings.EVENT_BUS_BACKEND == "redis":
                _backend = RedisBackend(settings.REDIS_URL, settings.EVENT_BUS_CHANNEL)
            else:
                _backend = InProcessBackend()
        return _backend


def reset_backend() -> None:
    """Forget the backend so the next call reads the settings again (tests, reconfiguration)."""
    global _backend
    with _backend_lock:
        _backend = None
