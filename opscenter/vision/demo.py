"""The camera AI demo: six cameras at each pilot hospital, then a live wall: frames, people counts and now and
then an incident with its snapshot. The pictures are real footage (Debian's vtest.avi) with the people boxes the
pipeline found on them, so the web process never runs a detector. Everything goes through the services."""

from __future__ import annotations

import base64
import logging
import random
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Q

from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.org.models import Unit

from . import services
from .models import Camera

log = logging.getLogger(__name__)
ACTOR = "demo"
VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
EVENT_CHANCE = 0.12  # per tick (a few seconds): an incident every half minute or so
INCIDENT_SECONDS = 45  # a demo incident ends after this long
FULL = [[0, 0], [1, 0], [1, 1], [0, 1]]
STAFF_ONLY = {"allowed": ["staff"]}
NIGHT = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "20:00", "end": "06:00"}]

# (suffix, location kind, name, zones, lines, people usually there)
LAYOUTS: list[tuple[str, str, str, list[dict], list[dict], int]] = [
    ("CAM01", "emergency_waiting", "Phòng chờ cấp cứu",
     [{"name": "waiting", "polygon": [[0, 0.25], [1, 0.25], [1, 1], [0, 1]],
       "rules": [{"type": "count", "max_people": 40, "min_frames": 5}, {"type": "loitering", "seconds": 900}]},
      {"name": "triage-desk", "polygon": [[0.65, 0.2], [0.95, 0.2], [0.95, 0.6], [0.65, 0.6]],
       "rules": [{"type": "count", "max_people": 8}]}], [], 22),
    ("CAM02", "operating_corridor", "Hành lang khu phẫu thuật",
     [{"name": "theatre-door", "polygon": [[0.55, 0.3], [0.9, 0.3], [0.9, 0.95], [0.55, 0.95]],
       "rules": [{"type": "barrier", "min_frames": 3, **STAFF_ONLY}]},
      {"name": "corridor", "polygon": FULL, "rules": [{"type": "count", "max_people": 12}]}],
     [{"name": "red-line", "points": [[0.5, 0.2], [0.5, 1]], "direction": "left_to_right",
       "rules": [{"type": "crossing", "min_frames": 2, **STAFF_ONLY}]}], 4),
    ("CAM03", "isolation_ward", "Khu cách ly",
     [{"name": "isolation", "polygon": [[0.1, 0.35], [0.9, 0.35], [0.9, 1], [0.1, 1]],
       "rules": [{"type": "barrier", "min_frames": 3, "schedule": NIGHT, **STAFF_ONLY},
                 {"type": "count", "max_people": 6}]}], [], 2),
    ("CAM04", "entrance", "Cổng chính",
     [{"name": "gate", "polygon": FULL, "rules": [{"type": "count", "max_people": 60},
                                                  {"type": "loitering", "seconds": 300}]}],
     [{"name": "door", "points": [[0.2, 0.55], [0.8, 0.55]], "direction": "both",
       "rules": [{"type": "crossing"}]}], 15),
    ("CAM05", "parking", "Bãi giữ xe",
     [{"name": "parking", "polygon": [[0, 0.3], [1, 0.3], [1, 1], [0, 1]],
       "rules": [{"type": "count"}, {"type": "abandoned", "seconds": 60}, {"type": "loitering", "seconds": 600}]}],
     [], 6),
    ("CAM06", "corridor", "Hành lang khoa Nội",
     [{"name": "corridor", "polygon": FULL, "rules": [{"type": "count", "max_people": 20},
                                                      {"type": "fight", "threshold": 0.6},
                                                      {"type": "fall"}]}], [], 7),
]
# People boxes the pipeline found on vtest.avi frames (fractions of the frame), for the synthetic incidents.
PEOPLE = {
    200: [[0.613, 0.215, 0.691, 0.423], [0.78, 0.419, 0.878, 0.679], [0.267, 0.299, 0.345, 0.505],
          [0.089, 0.234, 0.153, 0.404], [0.898, 0.4, 0.992, 0.651], [0.868, 0.135, 0.927, 0.292],
          [0.863, 0.029, 0.97, 0.317]],
    400: [[0.879, 0.471, 0.99, 0.769], [0.334, 0.31, 0.417, 0.53], [0.752, 0.206, 0.818, 0.382]],
    600: [[0.787, 0.422, 0.917, 0.765], [0.225, 0.225, 0.293, 0.405], [0.563, 0.489, 0.667, 0.765],
          [0.712, 0.307, 0.8, 0.54], [0.346, 0.722, 0.442, 0.979], [0.854, 0.322, 0.941, 0.555]],
}
FRAME_INDEXES = (0, 100, 200, 300, 400, 500, 600, 700)
_rng = random.Random()
_open: dict[str, dict[str, Any]] = {}  # demo incidents waiting for their end message


@cache
def _frames() -> dict[int, str]:
    """A few frames of the footage as base64 JPEGs at the analysis size (decoded once per process)."""
    import cv2

    if not VTEST.exists():
        return {}
    capture = cv2.VideoCapture(str(VTEST))
    frames: dict[int, str] = {}
    index = 0
    try:
        while index <= max(FRAME_INDEXES):
            ok, image = capture.read()
            if not ok:
                break
            if index in FRAME_INDEXES:
                small = cv2.resize(image, (640, 360), interpolation=cv2.INTER_AREA)
                frames[index] = base64.b64encode(cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 75])[1]
                                                 .tobytes()).decode()
            index += 1
    finally:
        capture.release()
    return frames


def _pilot_hospitals() -> list[Unit]:
    return list(Unit.objects.filter(kind=Unit.Kind.HOSPITAL, is_pilot=True, active=True).order_by("code"))


def _codes() -> list[str]:
    return [f"{unit.code}-{suffix}" for unit in _pilot_hospitals() for suffix, *_rest in LAYOUTS]


def _layout(camera: Camera) -> tuple[str, str, str, list[dict], list[dict], int]:
    suffix = camera.code.rsplit("-", 1)[-1]
    return next(layout for layout in LAYOUTS if layout[0] == suffix)


def seed() -> int:
    """Register the demo cameras (adds only what is missing). Returns how many were added."""
    added = 0
    frames = _frames()
    for unit in _pilot_hospitals():
        for n, (suffix, kind, name, zones, lines, _usual) in enumerate(LAYOUTS):
            code = f"{unit.code}-{suffix}"
            if Camera.objects.filter(code=code).exists():
                continue
            services.save_camera(ACTOR, {
                "code": code, "unit": unit.code, "name": name, "location_kind": kind, "stream_url": str(VTEST),
                "width": 640, "height": 360, "fps": 5, "zones": zones, "lines": lines,
            }, comment="demo")
            added += 1
            if frames:
                services.record_health(None, {
                    "camera": code, "status": "online", "fps": 5.0, "last_frame_time": time.time(),
                    "frame": frames[FRAME_INDEXES[n % len(FRAME_INDEXES)]],
                    "capabilities": {"detector": "hog", "labels": ["person"]}})
            else:
                services.record_health(None, {"camera": code, "status": "offline", "reason": "no demo footage"})
    return added


def tick() -> None:
    """One step of the live wall: new frames and counts for two cameras, now and then an incident. Quick: no
    detector runs here, only a few inserts."""
    frames = _frames()
    if not frames:
        return  # the cameras say "no demo footage"
    try:
        cameras = list(Camera.objects.filter(code__in=_codes(), enabled=True).filter(~Q(status="offline"))
                       .select_related("unit"))
        now = time.time()
        for camera in _rng.sample(cameras, min(2, len(cameras))):
            _refresh(camera, frames, now)
        if cameras and _rng.random() < EVENT_CHANCE:
            _incident(_rng.choice(cameras), frames, now)
        for incident_id, opened in list(_open.items()):
            if now - opened["start_time"] > INCIDENT_SECONDS:
                _end(incident_id, opened, now)
    except (ValidationFailed, Conflict) as exc:  # someone reconfigured a demo camera meanwhile: next tick
        log.info("camera demo step skipped: %s", exc)


def _refresh(camera: Camera, frames: dict[int, str], now: float) -> None:
    usual = _layout(camera)[5]
    hour = time.localtime(now).tm_hour
    busy = 1.0 if 7 <= hour < 17 else 0.6 if 17 <= hour < 22 else 0.3  # clinics' hours
    counts = {}
    for zone in camera.analytics.get("zones", []):
        if any(rule["type"] == "count" for rule in zone.get("rules", [])):
            share = 1.0 if zone["polygon"] == FULL or len(camera.analytics["zones"]) == 1 else 0.3
            counts[zone["name"]] = max(0, round(_rng.gauss(usual * busy * share, max(1.0, usual * 0.15))))
    if counts:
        services.record_counts(None, {"camera": camera.code, "time": now, "counts": counts,
                                      "trends": {z: round(_rng.gauss(0, 0.8), 2) for z in counts}})
    services.record_health(None, {"camera": camera.code, "status": "online", "reason": "",
                                  "fps": round(_rng.uniform(4.6, 5.0), 2), "last_frame_time": now,
                                  "frame": frames[_rng.choice(FRAME_INDEXES)]})


def _incident(camera: Camera, frames: dict[int, str], now: float) -> None:
    _suffix, _kind, _name, zones, lines, _usual = _layout(camera)
    choices = [(rule["type"], zone["name"]) for zone in zones for rule in zone["rules"]
               if rule["type"] in ("count", "barrier", "loitering", "abandoned")]
    choices += [("crossing", line["name"]) for line in lines]
    rule, where = _rng.choice(choices)
    frame = _rng.choice(list(PEOPLE))
    people = PEOPLE[frame]
    subject: list[float] | None = _rng.choice(people)
    kind = {"count": "crowding", "crossing": "line_crossing"}.get(rule, rule)
    data: dict[str, Any] = {"demo": True}
    label, score = "person", 1.0
    if kind == "crowding":
        limit = next(r.get("max_people") or 40 for z in zones if z["name"] == where for r in z["rules"]
                     if r["type"] == "count")
        count = limit + _rng.randint(1, 12)
        data |= {"count": count, "max_people": limit}
        label, score, subject = "people", count / limit, None
    elif kind == "loitering":
        data |= {"dwell_seconds": _rng.randint(300, 1200)}
    elif kind == "abandoned":
        label, subject = "object", [0.45, 0.8, 0.52, 0.9]
        data |= {"static_seconds": _rng.randint(60, 300)}
    elif kind == "line_crossing":
        data |= {"direction": "left_to_right", "line": where, "instantaneous": True}
    incident = uuid.uuid4().hex
    after = {"id": incident, "camera": camera.code, "kind": kind, "label": label, "zone": where, "score": score,
             "box": subject, "track_id": _rng.randint(1, 500), "start_time": now, "end_time": None,
             "frame_time": now, "data": data, "boxes": people}
    services.ingest(None, {"message_id": uuid.uuid4().hex, "type": "new", "before": None, "after": after,
                           "snapshot": frames[frame]})
    if kind != "line_crossing":
        _open[incident] = after


def _end(incident_id: str, after: dict[str, Any], now: float) -> None:
    del _open[incident_id]
    services.ingest(None, {"message_id": uuid.uuid4().hex, "type": "end", "before": after,
                           "after": {**after, "end_time": now, "frame_time": now}})
