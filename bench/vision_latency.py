"""From a camera frame to the alert on an operator's screen: p50/p95/max over the events of a real clip.

    .venv/bin/python bench/vision_latency.py [--database-url URL] [--mqtt 127.0.0.1:1883] [--seconds 80]

The path measured, as in production:
  worker process (decode vtest.avi at its real pace, 5 analysed fps, 640×360 → motion gate → HOG → ByteTrack →
  rules → on-disk spool → MQTT QoS 1) → broker (127.0.0.1:1883, a topic prefix of its own) → ingestion (the
  `vision-ingest` subscriber: stores the event and its snapshot, raises or refreshes the alert) → event bus →
  `/events/stream` of a real uvicorn → an SSE client logged in as the hospital's security officer.
Latency of an event: from the moment its frame was decoded (before analysis) to the moment the SSE client reads
the alert that the event raised (or refreshed). Worker and server are separate processes on one machine, so both
read the same wall clock. The ingestion and the web server share one process here (the in-process event bus).
Baseline in the same run: the MQTT round trip alone (publish QoS 1 → subscriber) with messages of the same size.
Uses its own database (PostgreSQL `opscenter_bench_vision` by default, or e.g. `sqlite:////tmp/bench-vision.db`).
Target: p95 < 1 s.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from common import argument_parser, describe_database, emit_summary, machine, print_table, setup_django, summary_ms

VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
CAMERA = "BENCH-VIS-CAM1"
HOSPITAL = "BENCH-VIS-BV001"
TARGET_P95_MS = 1000.0
LAWN = [[0, 0.46], [0.39, 0.56], [0.56, 0.68], [0.78, 0.80], [1, 0.89], [1, 1], [0, 1]]
CONFIG = {
    "code": CAMERA, "unit": HOSPITAL, "name": "Sảnh chờ (benchmark)", "location_kind": "emergency_waiting",
    "stream_url": VTEST, "width": 640, "height": 360, "fps": 5,
    "zones": [{"name": "hall", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]],
               "rules": [{"type": "barrier", "min_frames": 2}, {"type": "count", "max_people": 5, "min_frames": 2}]},
              {"name": "lawn", "polygon": LAWN, "rules": [{"type": "barrier", "min_frames": 2}]}],
    "lines": [{"name": "lamp", "points": [[0.5, 0], [0.5, 1]], "direction": "both",
               "rules": [{"type": "crossing", "min_frames": 2}]}],
}


# ---- the worker (a process of its own, no Django) ---------------------------------------------------------

def run_worker(host: str, port: int, prefix: str, seconds: float, spool_dir: str, out: mp.Queue) -> None:
    """Analyse the clip at its real pace and publish through the spool; report when each new event's frame
    was decoded, and how long the analysis of frames took."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from opscenter.vision.pipeline.analytics import CameraPipeline
    from opscenter.vision.pipeline.config import parse_camera
    from opscenter.vision.pipeline.publish import MqttSink, Spool
    from opscenter.vision.pipeline.run import build_detector, source_aspect
    from opscenter.vision.pipeline.source import frames

    config = parse_camera(CONFIG)
    pipeline = CameraPipeline(config, build_detector(config, aspect=source_aspect(VTEST)))
    sink = MqttSink(host, port, prefix, Spool(Path(spool_dir) / "spool.sqlite3"))
    decoded: dict[str, float] = {}
    analysis: list[float] = []
    began = time.time()
    for frame in frames(VTEST, config.fps, start=began, realtime=True):
        t0 = time.time()
        result = pipeline.process(frame.image, frame.time, original=frame.image)
        analysis.append(time.time() - t0)
        for event in result.events:
            if event.type == "new":
                decoded[event.id] = t0
            sink.event(event.message())
        if time.time() - began > seconds:
            break
    sink.flush(30)
    sink.close()
    out.put({"decoded": decoded, "analysis": analysis})


# ---- the server side ----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_uvicorn():
    import uvicorn

    from opscenter.asgi import application

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=1, lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise SystemExit("uvicorn did not start")
    return server, f"http://127.0.0.1:{port}"


class AlertWatcher(threading.Thread):
    """An operator's screen: reads the event stream and notes when the alert of each new camera event arrives.
    The alert is published in the same transaction as the camera event, right after it."""

    def __init__(self, url: str, cookies: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.url, self.cookies = url, cookies
        self.seen: dict[str, float] = {}
        self.ready = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        pending: str | None = None
        with (contextlib.suppress(httpx.HTTPError),
              httpx.Client(timeout=httpx.Timeout(10, read=None), cookies=self.cookies) as client,
              client.stream("GET", f"{self.url}/events/stream") as stream):
            self.ready.set()
            kind = None
            for line in stream.iter_lines():
                if self.stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind:
                    payload = json.loads(line[6:])["payload"]
                    if kind.startswith("vision.") and payload.get("type") == "new":
                        pending = payload["event_id"]
                    elif kind in ("alert.raised", "alert.updated") and pending:
                        self.seen[pending] = time.time()
                        pending = None


def prepare() -> dict[str, str]:
    """The hospital, its security officer (whose screen is watched) and the camera; earlier events removed."""
    from common import build_org
    from django.test import Client

    from opscenter.alerts.models import Alert
    from opscenter.org import services as org
    from opscenter.org.models import User
    from opscenter.org.roles import Role
    from opscenter.vision import services
    from opscenter.vision.models import VisionEvent

    _department, hospitals, _operator = build_org("BENCH-VIS", 1, "bench_vision_operator")
    officer = User.objects.filter(username="bench_vision_security").first() or org.create_user(
        "bench", username="bench_vision_security", password=None, role=Role.SECURITY, unit=hospitals[0])
    services.save_camera("bench", CONFIG, comment="benchmark")
    VisionEvent.objects.filter(camera__code=CAMERA).delete()
    Alert.objects.filter(unit=hospitals[0]).delete()
    client = Client()
    client.force_login(officer)
    return {"sessionid": client.cookies["sessionid"].value}


def mqtt_round_trip(host: str, port: int, size: int, n: int = 100) -> list[float]:
    """The baseline: QoS 1 publish to a subscriber's callback, messages of the events' size."""
    import paho.mqtt.client as mqtt

    topic = f"bench/{uuid.uuid4().hex}/rtt"
    arrived: dict[str, float] = {}
    got = threading.Condition()

    def on_message(_c, _u, msg):
        with got:
            arrived[json.loads(msg.payload)["id"]] = time.perf_counter()
            got.notify_all()

    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-sub-{uuid.uuid4().hex[:8]}")
    subscriber.on_message = on_message
    subscriber.connect(host, port)
    subscriber.subscribe(topic, qos=1)
    subscriber.loop_start()
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}")
    publisher.connect(host, port)
    publisher.loop_start()
    time.sleep(0.5)
    samples = []
    filler = "x" * size
    for i in range(n):
        key = str(i)
        t0 = time.perf_counter()
        publisher.publish(topic, json.dumps({"id": key, "filler": filler}), qos=1)
        with got:
            got.wait_for(lambda k=key: k in arrived, timeout=5)
        if key in arrived:
            samples.append(arrived[key] - t0)
        time.sleep(0.02)
    for client in (publisher, subscriber):
        client.loop_stop()
        client.disconnect()
    return samples


def main() -> None:
    parser = argument_parser(__doc__ or "")
    parser.set_defaults(database_url=os.environ.get("BENCH_DATABASE_URL",
                                                    "postgres://postgres@127.0.0.1:5432/opscenter_bench_vision"))
    parser.add_argument("--mqtt", default="127.0.0.1:1883")
    parser.add_argument("--seconds", type=float, default=80.0, help="seconds of the clip to play (it lasts 79.5)")
    args = parser.parse_args()
    if not Path(VTEST).exists():
        sys.exit(f"{VTEST} is missing: apt-get install opencv-doc")
    host, _, port_text = args.mqtt.rpartition(":")
    port = int(port_text)
    with socket.socket() as s:
        s.settimeout(2)
        if s.connect_ex((host, port)):
            sys.exit(f"No MQTT broker at {args.mqtt}")

    # The worker process starts before this one opens threads and database connections.
    ctx = mp.get_context("spawn")
    results: mp.Queue = ctx.Queue()
    prefix = f"bench/{uuid.uuid4().hex}/vision"
    spool_dir = tempfile.mkdtemp(prefix="bench-vision-spool-")
    setup_django(args.database_url, args.fresh)
    from opscenter.vision.ingest import handle
    from opscenter.vision.pipeline.publish import subscribe

    print(f"Frame → alert latency, {machine()} (shared with other work while measuring)")
    print(f"Database: {describe_database()}; MQTT broker {args.mqtt}, prefix {prefix}")
    cookies = prepare()
    server, url = start_uvicorn()
    watcher = AlertWatcher(url, cookies)
    watcher.start()
    if not watcher.ready.wait(10):
        sys.exit("the event stream did not open")
    ingest = subscribe(host, port, prefix, handle, client_id=f"bench-ingest-{uuid.uuid4().hex[:8]}")

    print("Baseline: MQTT round trip alone (QoS 1, 60 kB messages) …", flush=True)
    baseline = mqtt_round_trip(host, port, 60_000)
    print(f"Playing {min(args.seconds, 79.5):.0f} s of vtest.avi through the worker …", flush=True)
    worker = ctx.Process(target=run_worker, args=(host, port, prefix, args.seconds, spool_dir, results))
    worker.start()
    report = results.get(timeout=args.seconds + 300)
    worker.join(timeout=30)
    deadline = time.monotonic() + 10  # the last events may still be on their way
    while time.monotonic() < deadline and len(watcher.seen) < len(report["decoded"]):
        time.sleep(0.1)
    watcher.stop.set()
    ingest.loop_stop()
    ingest.disconnect()
    server.should_exit = True

    latencies = [watcher.seen[e] - t0 for e, t0 in report["decoded"].items() if e in watcher.seen]
    lost = len(report["decoded"]) - len(latencies)
    frame_to_alert, rtt, analysis = summary_ms(latencies), summary_ms(baseline), summary_ms(report["analysis"])
    print_table(["path", "n", "p50 ms", "p95 ms", "max ms"], [
        ["frame → alert on the SSE client", frame_to_alert["n"], frame_to_alert["p50"], frame_to_alert["p95"],
         frame_to_alert["max"]],
        ["  of which: analysing the frame", analysis["n"], analysis["p50"], analysis["p95"], analysis["max"]],
        ["baseline: MQTT round trip alone", rtt["n"], rtt["p50"], rtt["p95"], rtt["max"]],
    ])
    ratio = frame_to_alert["p95"] / rtt["p95"] if rtt["p95"] else float("nan")
    print(f"events: {len(report['decoded'])} new, {lost} without an alert on screen within 10 s")
    print(f"ratio p95 frame→alert / p95 MQTT round trip: {ratio:.1f}")
    met = frame_to_alert["p95"] < TARGET_P95_MS and frame_to_alert["n"] >= 50 and lost == 0
    print(f"target p95 < {TARGET_P95_MS:.0f} ms over ≥ 50 events: {'PASS' if met else 'MISS'}")
    emit_summary("vision_latency", [("frame→alert p95 ms", round(frame_to_alert["p95"], 1), "< 1000", met),
                                    ("MQTT round trip p95 ms", round(rtt["p95"], 1), "baseline", None)])


if __name__ == "__main__":
    main()
