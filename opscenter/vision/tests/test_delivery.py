"""Getting events out of a worker when things go wrong: the broker away, a stream of garbage."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import cv2
import numpy as np
import pytest

from opscenter.vision.pipeline.config import parse_camera
from opscenter.vision.pipeline.publish import MqttSink, Spool, subscribe
from opscenter.vision.pipeline.source import Backoff
from opscenter.vision.pipeline.worker import CameraRunner

BROKER = ("127.0.0.1", 1883)


def broker_up() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(BROKER) == 0


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not broker_up(), reason="no MQTT broker on 127.0.0.1:1883")
def test_events_wait_on_disk_while_the_broker_is_unreachable_then_arrive_once(tmp_path):
    prefix = f"test/{uuid.uuid4().hex}"
    received: list[dict] = []
    subscriber = subscribe(*BROKER, prefix, lambda kind, m: received.append(m) if kind == "events" else None,
                           client_id=f"ingest-{uuid.uuid4().hex[:8]}")
    spool_path = tmp_path / "spool.sqlite3"
    try:
        away = MqttSink("127.0.0.1", closed_port(), prefix, Spool(spool_path))
        messages = [{"message_id": uuid.uuid4().hex, "type": "new", "after": {"n": n}} for n in range(5)]
        for message in messages:
            away.event(message)
        time.sleep(0.5)
        assert len(away.spool) == 5 and not away.connected.is_set()
        away.close()
        away.spool.close()

        back = MqttSink(*BROKER, prefix, Spool(spool_path))  # the worker restarted, the broker is back
        try:
            assert back.flush(15)
            assert wait_for(lambda: len(received) >= 5)
        finally:
            back.close()
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()
    assert sorted(m["message_id"] for m in received) == sorted(m["message_id"] for m in messages)


class Collect:
    def __init__(self) -> None:
        self.events: list[dict] = []
        self.count_messages: list[dict] = []
        self.healths: list[dict] = []
        self.lock = threading.Lock()

    def event(self, m: dict) -> None:
        with self.lock:
            self.events.append(m)

    def counts(self, m: dict) -> None:
        with self.lock:
            self.count_messages.append(m)

    def health(self, m: dict) -> None:
        with self.lock:
            self.healths.append(m)


def test_a_garbage_stream_is_marked_offline_and_the_other_camera_goes_on(tmp_path):
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(np.random.default_rng(1).bytes(200_000))
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for i in range(40):
        frame = np.full((240, 320, 3), 40, np.uint8)
        cv2.rectangle(frame, (10 + 5 * i, 60), (50 + 5 * i, 180), (220, 220, 220), -1)
        writer.write(frame)
    writer.release()
    sink = Collect()
    zone = [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}]
    bad = CameraRunner(parse_camera({"code": "BAD", "stream_url": str(garbage), "zones": zone}), sink,
                       health_every=0.1, backoff=Backoff(0.05, 0.2))
    good = CameraRunner(parse_camera({"code": "GOOD", "stream_url": str(clip), "width": 320, "height": 240,
                                      "fps": 10, "zones": zone}), sink, health_every=0.1, loop_files=False)
    bad.start()
    good.start()
    try:
        good.join(timeout=60)
        assert not good.is_alive() and good.frames_analysed >= 35
        assert sink.count_messages and sink.count_messages[0]["camera"] == "GOOD"
        assert wait_for(lambda: sum(h["camera"] == "BAD" for h in sink.healths) >= 2)  # retried with back-off
    finally:
        bad.stop()
        bad.join(timeout=10)
    offline = [h for h in sink.healths if h["camera"] == "BAD"]
    assert all(h["status"] == "offline" and "cannot open" in h["reason"] for h in offline)
    online = [h for h in sink.healths if h["camera"] == "GOOD"]
    assert online and online[0]["status"] == "online" and json.dumps(online[0])
