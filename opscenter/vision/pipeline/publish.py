"""Getting events out of the worker: an on-disk spool and MQTT, Frigate-style topics.

Topics under a prefix (default `opscenter/vision`):
- `<prefix>/events`: event messages (new/update/end with before/after), spooled, QoS 1.
- `<prefix>/counts`: people counts per zone when they change, spooled, QoS 1.
- `<prefix>/<camera>/health`: online/offline with the reason, fps and the newest frame; not spooled
  (a stale health report is worth nothing), retained so a new subscriber sees the current state.
- `<prefix>/workers/<name>/status`: the worker online with the cameras it serves, retained; its MQTT last
  will says offline with the same cameras, so the broker tells the ingest side when the worker dies without a
  word (killed, crashed, cut off) and its cameras show offline. A worker that stops says so itself.

Every spooled message is written to SQLite before anything is sent, and deleted only once the broker has
acknowledged it, so a broker that is down loses nothing; the ingest side drops repeats by message id.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from opscenter.extras import needs

log = logging.getLogger(__name__)


class Sink(Protocol):
    def event(self, message: dict[str, Any]) -> None: ...
    def counts(self, message: dict[str, Any]) -> None: ...
    def health(self, message: dict[str, Any]) -> None: ...


class Spool:
    """A durable FIFO of (topic, payload), safe across threads and restarts."""

    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "topic TEXT NOT NULL, payload TEXT NOT NULL)")
        self._lock = threading.Lock()
        self.added = threading.Event()

    def put(self, topic: str, payload: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("INSERT INTO outbox (topic, payload) VALUES (?, ?)", (topic, json.dumps(payload)))
        self.added.set()

    def peek(self, limit: int = 100) -> list[tuple[int, str, str]]:
        with self._lock:
            return self._db.execute("SELECT seq, topic, payload FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()

    def remove(self, seq: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class MqttSink:
    """Spool first, then deliver in a background thread; reconnects with back-off while the broker is away."""

    def __init__(self, host: str, port: int, prefix: str, spool: Spool, client_id: str | None = None,
                 ack_timeout: float = 5.0, name: str = "worker") -> None:
        with needs("vision"):
            import paho.mqtt.client as mqtt

        self.prefix = prefix.rstrip("/")
        self.name = name
        self.status_topic = f"{self.prefix}/workers/{name}/status"
        self.cameras: list[str] = []
        self._rewill = threading.Event()  # the cameras changed: reconnect so that the will names them
        self.spool = spool
        self.ack_timeout = ack_timeout
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or f"vision-{uuid.uuid4()}")
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.host, self.port = host, port
        self.connected = threading.Event()
        self.client.on_connect = lambda c, u, f, rc, p=None: self.connected.set() if not rc.is_failure else None
        self.client.on_disconnect = lambda *a: self.connected.clear()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._deliver, name="vision-mqtt", daemon=True)
        self._thread.start()

    def event(self, message: dict[str, Any]) -> None:
        self.spool.put(f"{self.prefix}/events", message)

    def counts(self, message: dict[str, Any]) -> None:
        self.spool.put(f"{self.prefix}/counts", message)

    def health(self, message: dict[str, Any]) -> None:
        if self.connected.is_set():
            self.client.publish(f"{self.prefix}/{message['camera']}/health", json.dumps(message), qos=0, retain=True)

    def serving(self, cameras: list[str]) -> None:
        """The cameras this worker serves, named by its status and its last will."""
        if cameras != self.cameras:
            self.cameras = list(cameras)
            self._rewill.set()

    def _status(self, status: str, reason: str = "") -> str:
        return json.dumps({"worker": self.name, "status": status, "cameras": self.cameras, "reason": reason})

    def _connect(self) -> bool:
        self._rewill.clear()
        self.client.will_set(self.status_topic, self._status("offline", f"vision worker {self.name} lost"),
                             qos=1, retain=True)
        try:
            self.client.connect(self.host, self.port, keepalive=30)
        except OSError as exc:
            log.warning("MQTT broker %s:%s unreachable: %s", self.host, self.port, exc)
            return False
        self.client.loop_start()
        if not self.connected.wait(5):
            return False
        self.client.publish(self.status_topic, self._status("online"), qos=1, retain=True)
        return True

    def _reconnect_for_will(self) -> None:
        """A will is fixed when connecting: to name other cameras, leave cleanly (no will) and come back."""
        self.client.disconnect()
        self.client.loop_stop()
        self.connected.clear()

    def _deliver(self) -> None:
        wait = 0.5
        while not self._stop.is_set():
            if self._rewill.is_set() and self.connected.is_set():
                self._reconnect_for_will()
            if not self.connected.is_set():
                if not self._connect():
                    self.client.loop_stop()
                    self._stop.wait(wait)
                    wait = min(wait * 2, 30)
                    continue
                wait = 0.5
            batch = self.spool.peek()
            if not batch:
                self.spool.added.wait(0.5)
                self.spool.added.clear()
                continue
            for seq, topic, payload in batch:
                info = self.client.publish(topic, payload, qos=1)
                try:
                    info.wait_for_publish(self.ack_timeout)
                except (RuntimeError, ValueError):
                    break
                if not info.is_published():
                    break  # not acknowledged: keep it spooled and try again after reconnecting
                self.spool.remove(seq)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything spooled has been delivered (or the time is up)."""
        deadline = time.monotonic() + timeout
        while len(self.spool) and time.monotonic() < deadline:
            time.sleep(0.05)
        return not len(self.spool)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self.connected.is_set():  # a worker that stops says so: its cameras are no longer watched
            info = self.client.publish(self.status_topic, self._status("offline", f"vision worker {self.name} "
                                                                                   "stopped"), qos=1, retain=True)
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(self.ack_timeout)
        self.client.loop_stop()
        self.client.disconnect()


class CallbackSink:
    """In-process delivery (the embedded default, tests): call functions directly."""

    def __init__(self, on_event: Callable[[dict], Any], on_counts: Callable[[dict], Any],
                 on_health: Callable[[dict], Any]) -> None:
        self.event, self.counts, self.health = on_event, on_counts, on_health  # type: ignore[method-assign]


class JsonlSink:
    """Writes each message as one JSON line (`opscenter vision-analyze`)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def _write(self, record: str, message: dict[str, Any]) -> None:
        self.stream.write(json.dumps({"record": record, **message}, ensure_ascii=False) + "\n")

    def event(self, message: dict[str, Any]) -> None:
        self._write("event", message)

    def counts(self, message: dict[str, Any]) -> None:
        self._write("counts", message)

    def health(self, message: dict[str, Any]) -> None:
        pass


def subscribe(host: str, port: int, prefix: str, handle: Callable[[str, dict[str, Any]], None],
              client_id: str = "opscenter-vision-ingest") -> Any:
    """The ingest side: a persistent session (messages wait at the broker while ingest is down), QoS 1.
    `handle(kind, message)` gets kind "events", "counts", "health" or "status" (a worker's, or its last will);
    returns the running client."""
    with needs("vision"):
        import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    base = prefix.rstrip("/")

    def on_connect(c, userdata, flags, reason_code, properties=None):
        c.subscribe([(f"{base}/events", 1), (f"{base}/counts", 1), (f"{base}/+/health", 0),
                      (f"{base}/workers/+/status", 1)])

    def on_message(c, userdata, msg):
        if not msg.payload:
            return  # a retained message cleared
        kind = msg.topic.rsplit("/", 1)[-1]
        try:
            message = json.loads(msg.payload)
            handle(kind, message)
            if kind == "status" and message.get("status") == "offline":
                # The dead worker's last "online" health stays retained; clear it, or an ingest restarting
                # later could read it after the will and show its cameras online again.
                for camera in message.get("cameras") or []:
                    c.publish(f"{base}/{camera}/health", b"", qos=1, retain=True)
        except Exception:  # a bad message must not stop ingestion
            log.exception("could not ingest a message on %s", msg.topic)

    client.on_connect = on_connect
    client.on_message = on_message
    client.connect(host, port, keepalive=30)
    client.loop_start()
    return client
