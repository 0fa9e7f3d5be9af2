"""`opscenter vision-analyze`, `opscenter vision-worker` and `opscenter vision-ingest`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT_PREFIX = "opscenter/vision"


def register(sub: argparse._SubParsersAction) -> None:
    analyze = sub.add_parser("vision-analyze", help="run the camera analytics over a video file, without the server")
    analyze.add_argument("video")
    analyze.add_argument("--config", required=True, help="camera JSON (zones, lines, rules; see docs/vision.md)")
    analyze.add_argument("--model", help="Ultralytics-format ONNX detection model (default: OpenCV HOG people)")
    analyze.add_argument("--out", required=True, help="JSON lines: one per event and one per analysed frame")
    analyze.add_argument("--no-snapshots", action="store_true", help="leave the JPEG evidence out of the events")
    analyze.add_argument("--from-frame", type=int, metavar="N",
                         help="analyse from this frame index of the file (a fresh start there), not from its first")
    analyze.add_argument("--to-frame", type=int, metavar="N", help="stop after this frame index of the file")
    analyze.set_defaults(func=cmd_analyze)

    worker = sub.add_parser("vision-worker", help="analyse camera streams and publish events")
    source = worker.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="camera JSON file (one camera or a list)")
    source.add_argument("--server", help="operations center URL to fetch this group's cameras from")
    worker.add_argument("--token", help="API token of a security or admin account (with --server)")
    worker.add_argument("--group", default="default", help="worker group whose cameras to serve")
    worker.add_argument("--model", help="Ultralytics-format ONNX detection model")
    worker.add_argument("--mqtt", default="127.0.0.1:1883", help="broker host:port")
    worker.add_argument("--prefix", default=DEFAULT_PREFIX, help="MQTT topic prefix")
    worker.add_argument("--spool", default="var/vision-spool.sqlite3", help="where events wait for the broker")
    worker.add_argument("--embedded", action="store_true",
                        help="store events straight into this machine's database instead of MQTT")
    worker.add_argument("--refresh", type=float, default=60.0, help="seconds between configuration refreshes")
    worker.add_argument("--name", help="this worker's name on MQTT (its status and last will; default: "
                                       "host name and group); keep it the same across restarts")
    worker.set_defaults(func=cmd_worker)

    ingest = sub.add_parser("vision-ingest", help="store events from the MQTT broker into the database")
    ingest.add_argument("--mqtt", default="127.0.0.1:1883")
    ingest.add_argument("--prefix", default=DEFAULT_PREFIX)
    ingest.add_argument("--client-id", default="opscenter-vision-ingest")
    ingest.set_defaults(func=cmd_ingest)


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host or "127.0.0.1", int(port or 1883)


def _load_configs(path: str) -> list[dict[str, Any]]:
    raw = json.loads(Path(path).read_text())
    return raw if isinstance(raw, list) else [raw]


def cmd_analyze(args: argparse.Namespace) -> None:
    from .pipeline.config import ConfigError, parse_camera
    from .pipeline.run import analyze_video, build_detector, frame_record, source_aspect
    from .pipeline.source import StreamError

    try:
        config = parse_camera(_load_configs(args.config)[0])
    except ConfigError as exc:
        sys.exit("Invalid camera configuration:\n" + "\n".join(f"  {f}: {m}" for f, m in exc.errors))
    except (OSError, ValueError) as exc:
        sys.exit(f"Cannot read {args.config}: {exc}")
    clips = None
    if args.from_frame is not None or args.to_frame is not None:
        first, last = args.from_frame or 0, args.to_frame if args.to_frame is not None else sys.maxsize
        if first < 0 or last < first:
            sys.exit("--from-frame and --to-frame must be frame indexes, the first not after the last")
        clips = [(first, last)]
    kinds: Counter[str] = Counter()
    peaks: dict[str, int] = {}
    frames = 0
    began = time.perf_counter()
    try:
        detector = build_detector(config, args.model, source_aspect(args.video))
        with open(args.out, "w", encoding="utf-8") as out:
            for index, result in analyze_video(config, args.video, detector, clips=clips):
                frames += 1
                out.write(json.dumps(frame_record(config, result, index)) + "\n")
                for event in result.events:
                    out.write(json.dumps({"record": "event", **event.message(not args.no_snapshots)}) + "\n")
                    if event.type == "new":
                        kinds[event.kind] += 1
                for zone, count in result.counts.items():
                    peaks[zone] = max(peaks.get(zone, 0), count)
    except StreamError as exc:
        sys.exit(f"Cannot analyse {args.video}: {exc}")
    elapsed = time.perf_counter() - began
    print(f"{frames} frames analysed in {elapsed:.1f} s ({frames / elapsed if elapsed else 0:.1f} frames/s) "
          f"at {config.width}×{config.height}, {config.fps:g} fps")
    print("Peak people per zone: " + (", ".join(f"{z} {n}" for z, n in peaks.items()) or "no zones"))
    print("Events: " + (", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "none"))
    print(f"Written to {args.out}")


def _watch_entries(raw: list[dict[str, Any]]):
    import numpy as np

    from .pipeline.faces import WatchEntry

    return [WatchEntry(e["id"], e["name"], e["category"], (np.array(e["encoding"]),), e.get("list_name", ""))
            for e in raw]


def _fetch(server: str, token: str, group: str) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    import httpx

    response = httpx.get(f"{server.rstrip('/')}/api/vision/worker/cameras", params={"group": group},
                         headers={"Authorization": f"Bearer {token}"}, timeout=20)
    response.raise_for_status()
    body = response.json()
    return body["cameras"], body["watchlist"]


def cmd_worker(args: argparse.Namespace) -> None:
    from .pipeline.config import ConfigError, parse_camera
    from .pipeline.publish import MqttSink, Spool
    from .pipeline.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.server and not args.token:
        sys.exit("--server needs --token")
    if args.embedded:
        from opscenter.core.boot import setup_django

        setup_django()
        from .ingest import in_process_sink

        sink: Any = in_process_sink()
    else:
        host, port = _host_port(args.mqtt)
        name = args.name or f"{socket.gethostname()}-{args.group}"
        sink = MqttSink(host, port, args.prefix, Spool(args.spool), name=name)
    worker = Worker(sink, args.model)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    try:
        while not stop.is_set():
            try:
                raw, watch = _fetch(args.server, args.token, args.group) if args.server else \
                    (_load_configs(args.config), {})
                configs = [parse_camera(c) for c in raw]
                worker.reload(configs, {code: _watch_entries(entries) for code, entries in watch.items()})
                print(f"Serving {len(configs)} cameras: {', '.join(c.code for c in configs)}", flush=True)
            except ConfigError as exc:
                sys.exit(f"Invalid camera configuration: {exc}")
            except Exception as exc:  # the server may be down for a while: keep the cameras we have
                logging.getLogger(__name__).warning("could not refresh the camera list: %s", exc)
            if not args.server:
                stop.wait()
            stop.wait(args.refresh)
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()
        if hasattr(sink, "close"):
            sink.close()


def cmd_ingest(args: argparse.Namespace) -> None:
    from opscenter.core.boot import setup_django

    setup_django()
    from .ingest import handle
    from .pipeline.publish import subscribe

    logging.basicConfig(level=logging.INFO)
    host, port = _host_port(args.mqtt)
    client = subscribe(host, port, args.prefix, handle, client_id=args.client_id)
    print(f"Ingesting {args.prefix}/# from {host}:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        client.loop_stop()
        client.disconnect()
