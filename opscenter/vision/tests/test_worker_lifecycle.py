"""A worker's incidents and cameras when its stream restarts or the worker dies: open incidents get their end
message before a looping file starts again, and a worker killed without a word leaves its cameras offline
(the broker publishes its MQTT last will, the ingest side turns it into camera state)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid

import cv2
import pytest

from opscenter.vision.models import Camera
from opscenter.vision.pipeline.config import parse_camera
from opscenter.vision.pipeline.publish import CallbackSink, subscribe
from opscenter.vision.pipeline.worker import CameraRunner

from .conftest import camera_json
from .test_delivery import BROKER, broker_up, wait_for

needs_broker = pytest.mark.skipif(not broker_up(), reason="no MQTT broker on 127.0.0.1:1883")
ALL = [[0, 0], [1, 0], [1, 1], [0, 1]]


def clip_of(vtest, path, frames: int = 60):
    """The first seconds of the real footage, where several people walk about the whole time."""
    reader = cv2.VideoCapture(str(vtest))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (768, 576))
    for _ in range(frames):
        _ok, frame = reader.read()
        writer.write(frame)
    writer.release()
    reader.release()
    return path


def test_a_looping_file_ends_its_open_incidents_before_it_starts_again(vtest, tmp_path):
    clip = clip_of(vtest, tmp_path / "clip.avi")
    config = parse_camera({"code": "LOOP", "stream_url": str(clip), "fps": 5, "zones": [
        {"name": "all", "polygon": ALL, "rules": [{"type": "count", "max_people": 1, "min_frames": 2},
                                                  {"type": "loitering", "seconds": 1}]}]})
    seen: list[tuple[int, dict]] = []  # (pass of the file, message), in the order published
    lock = threading.Lock()
    runner: CameraRunner

    def on_event(message: dict) -> None:
        with lock:
            seen.append((runner.passes, message))

    runner = CameraRunner(config, CallbackSink(on_event, lambda m: None, lambda m: None), loop_files=True,
                          realtime=False)
    runner.start()
    try:
        assert wait_for(lambda: runner.passes >= 3, seconds=240), "the file did not loop"
    finally:
        runner.stop()
        runner.join(timeout=30)
    first = [m for p, m in seen if p == 1]
    opened = {m["after"]["id"]: m["after"]["kind"] for m in first if m["type"] == "new"}
    assert {"crowding", "loitering"} <= set(opened.values()), opened
    ended = {m["after"]["id"] for m in first if m["type"] == "end"}
    assert ended == set(opened), "every incident of the first pass ends within it"
    at_loop = [m for m in first if m["type"] == "end" and m["after"]["data"].get("end_reason") == "end_of_stream"]
    assert {m["after"]["kind"] for m in at_loop} >= {"crowding"}
    assert all(m["before"]["id"] == m["after"]["id"] and m["after"]["end_time"] for m in at_loop)
    # The ends come before anything of the next pass, which opens incidents of its own.
    last_of_first = max(i for i, (p, _m) in enumerate(seen) if p == 1)
    assert all(p >= 2 for p, _m in seen[last_of_first + 1:])
    second = {m["after"]["id"] for p, m in seen if p == 2 and m["type"] == "new"}
    assert second and not second & set(opened)


def start_worker(tmp_path, prefix: str, name: str) -> subprocess.Popen:
    config = tmp_path / "cameras.json"
    config.write_text(json.dumps([camera_json()]))
    return subprocess.Popen(
        [sys.executable, "-m", "opscenter.cli", "vision-worker", "--config", str(config), "--mqtt",
         f"{BROKER[0]}:{BROKER[1]}", "--prefix", prefix, "--spool", str(tmp_path / "spool.sqlite3"),
         "--name", name],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


class Ingest:
    """`vision-ingest` in this process: the broker's messages into the test database. The camera's state is
    read in the ingest thread after each message (SQLite's shared in-memory test database locks tables
    between threads), and the test looks at what it read."""

    def __init__(self) -> None:
        from opscenter.vision.ingest import handle

        self.handle = handle
        self.states: list[tuple[str, str]] = []
        self.prefix = f"test/{uuid.uuid4().hex}"
        self.client = subscribe(*BROKER, self.prefix, self.on_message, client_id=f"ingest-{uuid.uuid4().hex[:8]}")

    def on_message(self, kind: str, message: dict) -> None:
        self.handle(kind, message)
        camera = Camera.objects.get(code="CAM-A1")
        self.states.append((camera.status, camera.status_reason))

    def state(self) -> tuple[str, str]:
        return self.states[-1] if self.states else ("unknown", "")


@pytest.fixture
def ingest(camera, live_city):
    """On the MQTT client's thread: it sees only what is committed (live_city)."""
    ingest = Ingest()
    yield ingest
    ingest.client.loop_stop()
    ingest.client.disconnect()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


@needs_broker
def test_a_worker_killed_without_a_word_leaves_its_cameras_offline(vtest, tmp_path, ingest):
    prefix = ingest.prefix
    name = f"w-{uuid.uuid4().hex[:8]}"
    worker = start_worker(tmp_path, prefix, name)
    try:
        assert wait_for(lambda: ingest.state()[0] == "online", seconds=90), worker.stderr and worker.poll()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        assert wait_for(lambda: ingest.state()[0] == "offline", seconds=30)
        assert ingest.state()[1] == f"vision worker {name} lost"
        # The will stays retained: an ingest that starts later learns the worker is gone.
        later: list[dict] = []
        late = subscribe(*BROKER, prefix, lambda kind, m: later.append(m) if kind == "status" else None,
                         client_id=f"late-{uuid.uuid4().hex[:8]}")
        try:
            assert wait_for(lambda: any(m["status"] == "offline" and m["cameras"] == ["CAM-A1"] for m in later))
        finally:
            late.loop_stop()
            late.disconnect()
    finally:
        _stop(worker)
        ingest.client.publish(f"{prefix}/workers/{name}/status", b"", qos=1, retain=True).wait_for_publish(5)


@needs_broker
def test_a_worker_that_stops_says_its_cameras_are_offline(vtest, tmp_path, ingest):
    prefix = ingest.prefix
    name = f"w-{uuid.uuid4().hex[:8]}"
    worker = start_worker(tmp_path, prefix, name)
    try:
        assert wait_for(lambda: ingest.state()[0] == "online", seconds=90), worker.stderr and worker.poll()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        assert wait_for(lambda: ingest.state() == ("offline", f"vision worker {name} stopped"), seconds=30)
    finally:
        _stop(worker)
        ingest.client.publish(f"{prefix}/workers/{name}/status", b"", qos=1, retain=True).wait_for_publish(5)
