"""The vision worker: one thread per camera, each decoding, analysing and publishing on its own, so a camera
that fails (cannot be opened, drops, sends garbage) is marked offline with the reason and retried with
back-off while the others go on."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from opscenter.extras import needs

from .analytics import CameraPipeline
from .config import CameraConfig
from .detectors import Detector
from .faces import WatchEntry
from .publish import Sink
from .run import build_detector, source_aspect
from .source import Backoff, StreamError, frames, is_file

with needs("vision"):
    import cv2

log = logging.getLogger(__name__)


class CameraRunner(threading.Thread):
    def __init__(self, config: CameraConfig, sink: Sink, watchlist: list[WatchEntry] | None = None,
                 model: str | None = None, health_every: float = 2.0, loop_files: bool = True,
                 backoff: Backoff | None = None, realtime: bool | None = None) -> None:
        super().__init__(name=f"camera-{config.code}", daemon=True)
        self.config, self.sink, self.watchlist, self.model = config, sink, watchlist or [], model
        self.health_every = health_every
        self.loop_files = loop_files
        self.realtime = realtime  # a looping file at its own pace (None) or as fast as it decodes
        self.passes = 0  # how many times the stream was opened (a looping file: once per loop)
        self.backoff = backoff or Backoff(1.0, 60.0)
        self.stop_event = threading.Event()
        self.frames_analysed = 0
        self.status = "unknown"
        self.reason = ""

    def stop(self) -> None:
        self.stop_event.set()

    def _health(self, status: str, reason: str = "", fps: float | None = None, last: float | None = None,
                frame: Any = None, detector: Detector | None = None) -> None:
        self.status, self.reason = status, reason
        message: dict[str, Any] = {"camera": self.config.code, "status": status, "reason": reason, "fps": fps,
                                   "last_frame_time": last, "time": time.time()}
        if frame is not None:
            jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 70])[1].tobytes()
            message["frame"] = base64.b64encode(jpeg).decode()
        if detector is not None:
            message["capabilities"] = {"detector": self.model or "hog", "labels": sorted(detector.labels)}
        try:
            self.sink.health(message)
        except Exception:
            log.exception("could not report the health of %s", self.config.code)

    def run(self) -> None:
        detector: Detector | None = None
        while not self.stop_event.is_set():
            try:
                if detector is None:
                    detector = build_detector(self.config, self.model, source_aspect(self.config.stream_url))
                self._analyse(detector)
                if not (is_file(self.config.stream_url) and self.loop_files):
                    return
            except StreamError as exc:
                log.warning("camera %s offline: %s", self.config.code, exc)
                self._health("offline", str(exc))
                self.stop_event.wait(self.backoff.next())
            except Exception as exc:  # a bug or a broken model must not take the other cameras down
                log.exception("camera %s failed", self.config.code)
                self._health("offline", f"analysis failed: {exc}")
                self.stop_event.wait(self.backoff.next())

    def _analyse(self, detector: Detector) -> None:
        pipeline = CameraPipeline(self.config, detector, self.watchlist)
        self.passes += 1
        last_time: float | None = None
        why = "stream_lost"
        try:
            for t in self._frames(pipeline, detector):
                last_time = t
            why = "worker_stopped" if self.stop_event.is_set() else "end_of_stream"
        finally:
            self._end_open(pipeline, last_time, why)

    def _end_open(self, pipeline: CameraPipeline, last_time: float | None, why: str) -> None:
        """Whatever ends a pass (the file ends and loops, the stream drops, the worker stops, a failure), the
        incidents it opened get their end message now: the next pass has a new pipeline and cannot end them."""
        if last_time is None:
            return
        for event in pipeline.finish(last_time, why):
            try:
                self.sink.event(event.message())
            except Exception:
                log.exception("could not end incident %s of %s", event.id, self.config.code)

    def _frames(self, pipeline: CameraPipeline, detector: Detector) -> Iterator[float]:
        """Analyse the stream once through; yields each analysed frame's time."""
        realtime = (is_file(self.config.stream_url) and self.loop_files) if self.realtime is None else self.realtime
        last_health = 0.0
        window: list[float] = []
        for frame in frames(self.config.stream_url, self.config.fps, start=time.time(), realtime=realtime):
            if self.stop_event.is_set():
                return
            result = pipeline.process(frame.image, frame.time, original=frame.image)
            self.frames_analysed += 1
            self.backoff.reset()
            for event in result.events:
                self.sink.event(event.message())
            if result.count_changes:
                self.sink.counts({"camera": self.config.code, "time": result.time, "counts": result.count_changes,
                                  "trends": result.trends})
            now = time.monotonic()
            window = [t for t in window if now - t < 10] + [now]
            if now - last_health >= self.health_every:
                fps = (len(window) - 1) / (window[-1] - window[0]) if len(window) > 1 else None
                small = cv2.resize(frame.image, (self.config.width, self.config.height))
                self._health("online", "", round(fps, 2) if fps else None, frame.time, small,
                             detector if last_health == 0.0 else None)
                last_health = now
            yield frame.time


class Worker:
    """Runs the cameras of one group; `reload` swaps in new configurations."""

    def __init__(self, sink: Sink, model: str | None = None,
                 runner_factory: Callable[..., CameraRunner] = CameraRunner) -> None:
        self.sink, self.model = sink, model
        self.runners: dict[str, CameraRunner] = {}
        self.configs: dict[str, CameraConfig] = {}
        self.runner_factory = runner_factory

    def reload(self, configs: list[CameraConfig], watchlists: dict[str, list[WatchEntry]]) -> None:
        wanted = {c.code: c for c in configs}
        for code in list(self.runners):
            if code not in wanted or wanted[code] != self.configs.get(code):
                self.runners.pop(code).stop()
        for code, config in wanted.items():
            if code not in self.runners:
                runner = self.runner_factory(config, self.sink, watchlists.get(code, []), self.model)
                self.runners[code] = runner
                self.configs[code] = config
                runner.start()
        if serving := getattr(self.sink, "serving", None):  # the MQTT sink's last will names these cameras
            serving(sorted(self.runners))

    def stop(self) -> None:
        for runner in self.runners.values():
            runner.stop()
        for runner in self.runners.values():
            runner.join(timeout=5)
