"""The camera AI demo: six cameras at each pilot hospital, then a live wall: frames, people counts and now and
then an incident with its snapshot.

The pictures are real footage (Debian's vtest.avi, people walking across a square) and every figure shown with
one is what the pipeline found on it: `footage()` runs the pipeline (motion gate, HOG people detector, ByteTrack,
zone and line rules) once over a few short clips of the video — the same analysis as `opscenter vision-analyze
vtest.avi --from-frame FIRST --to-frame LAST` — and keeps, for the last frame of each clip, its picture, the
people boxes and the count of every demo zone, plus the restricted-zone entries and line crossings the rules
raised, in the data folder. The web process never runs a detector after that.

Crowding incidents are the clips whose count is over the zone's capacity (the demo capacities are set from the
footage, so the busier moments are over it); restricted-zone entries and line crossings are the pipeline's own
events. What a short clip cannot show (a person loitering for minutes, an object left behind) is simulated on a
real frame and says so (`data.simulated`). Everything goes through the services."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import random
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.org.models import Unit

from . import services
from .models import Camera, CameraVersion, VisionEvent

log = logging.getLogger(__name__)
ACTOR = "demo"
VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
EVENT_CHANCE = 0.12  # per tick (a few seconds): an incident every half minute or so
INCIDENT_SECONDS = 45  # a demo incident ends after this long
FULL = [[0, 0], [1, 0], [1, 1], [0, 1]]
STAFF_ONLY = {"allowed": ["staff"]}
NIGHT = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "20:00", "end": "06:00"}]
SAMPLES = 10  # moments of the footage analysed, spread over the video
CLIP_FRAMES = 6  # analysed frames per moment: the first ones warm up the motion gate and the tracker
BUSY_SHARE = 0.3  # the demo capacity of a zone: about this share of the moments are over it
ANALYSIS_VERSION = 2  # change when the stored analysis changes shape
FOOTAGE_FILE = "vision-demo-footage.json"

# (suffix, location kind, name, zones, lines). A `max_people` here is used only without footage: with it, the
# capacity comes from the counts the pipeline found (see _capacity).
LAYOUTS: list[tuple[str, str, str, list[dict], list[dict]]] = [
    ("CAM01", "emergency_waiting", "Phòng chờ cấp cứu",
     [{"name": "waiting", "polygon": [[0, 0.25], [1, 0.25], [1, 1], [0, 1]],
       "rules": [{"type": "count", "max_people": 40, "min_frames": 5}, {"type": "loitering", "seconds": 900}]},
      {"name": "triage-desk", "polygon": [[0.65, 0.2], [0.95, 0.2], [0.95, 0.6], [0.65, 0.6]],
       "rules": [{"type": "count", "max_people": 8}]}], []),
    ("CAM02", "operating_corridor", "Hành lang khu phẫu thuật",
     [{"name": "theatre-door", "polygon": [[0.55, 0.3], [0.9, 0.3], [0.9, 0.95], [0.55, 0.95]],
       "rules": [{"type": "barrier", "min_frames": 3, **STAFF_ONLY}]},
      {"name": "corridor", "polygon": FULL, "rules": [{"type": "count", "max_people": 12}]}],
     [{"name": "red-line", "points": [[0.5, 0.2], [0.5, 1]], "direction": "left_to_right",
       "rules": [{"type": "crossing", "min_frames": 2, **STAFF_ONLY}]}]),
    ("CAM03", "isolation_ward", "Khu cách ly",
     [{"name": "isolation", "polygon": [[0.1, 0.35], [0.9, 0.35], [0.9, 1], [0.1, 1]],
       "rules": [{"type": "barrier", "min_frames": 3, "schedule": NIGHT, **STAFF_ONLY},
                 {"type": "count", "max_people": 6}]}], []),
    ("CAM04", "entrance", "Cổng chính",
     [{"name": "gate", "polygon": FULL, "rules": [{"type": "count", "max_people": 60},
                                                  {"type": "loitering", "seconds": 300}]}],
     [{"name": "door", "points": [[0.2, 0.55], [0.8, 0.55]], "direction": "both",
       "rules": [{"type": "crossing"}]}]),
    ("CAM05", "parking", "Bãi giữ xe",
     [{"name": "parking", "polygon": [[0, 0.3], [1, 0.3], [1, 1], [0, 1]],
       "rules": [{"type": "count"}, {"type": "abandoned", "seconds": 60}, {"type": "loitering", "seconds": 600}]}],
     []),
    ("CAM06", "corridor", "Hành lang khoa Nội",
     [{"name": "corridor", "polygon": FULL, "rules": [{"type": "count", "max_people": 20},
                                                      {"type": "fight", "threshold": 0.6},
                                                      {"type": "fall"}]}], []),
]
_rng = random.Random()
_open: dict[str, dict[str, Any]] = {}  # demo incidents waiting for their end message


# ---- the footage, analysed once --------------------------------------------------------------------------------

def _key(suffix: str, name: str) -> str:
    return f"{suffix}.{name}"


def analysis_config() -> dict[str, Any]:
    """One camera JSON holding every demo zone and line (named `CAM01.waiting`…), with the rules a short clip can
    show: restricted zones and line crossings, without schedules or allowed lists (the demo applies those). The
    people counted in a zone do not depend on the other zones or the rules, so each count is the one the demo
    camera's own configuration gives."""
    zones, lines = [], []
    for suffix, _kind, _name, layout_zones, layout_lines in LAYOUTS:
        for zone in layout_zones:
            rules = [{"type": "barrier", "min_frames": r.get("min_frames", 3)} for r in zone["rules"]
                     if r["type"] == "barrier"]
            zones.append({"name": _key(suffix, zone["name"]), "polygon": zone["polygon"], "rules": rules})
        for line in layout_lines:
            rules = [{"type": "crossing", "min_frames": r.get("min_frames", 2)} for r in line["rules"]]
            lines.append({"name": _key(suffix, line["name"]), "points": line["points"],
                          "direction": line["direction"], "rules": rules})
    return {"code": "DEMO-FOOTAGE", "width": 640, "height": 360, "fps": 5, "zones": zones, "lines": lines}


def _clips(video: Path, fps: float) -> list[tuple[int, int]]:
    """SAMPLES stretches of CLIP_FRAMES analysed frames, ending at moments spread evenly over the video."""
    import cv2

    capture = cv2.VideoCapture(str(video))
    try:
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        native = capture.get(cv2.CAP_PROP_FPS) or 25.0
    finally:
        capture.release()
    span = max(1, round((CLIP_FRAMES - 1) * native / fps))
    ends = sorted({round(total * (k + 1) / (SAMPLES + 1)) for k in range(SAMPLES)})
    return [(max(0, end - span), end) for end in ends if end > span]


def _analyse(video: Path, clips: list[tuple[int, int]]) -> dict[str, Any]:
    from .pipeline.analytics import CameraPipeline
    from .pipeline.config import parse_camera
    from .pipeline.run import analyze_video, build_detector, source_aspect

    config = parse_camera(analysis_config())
    detector = build_detector(config, aspect=source_aspect(str(video)))
    size = (config.width, config.height)
    last: dict[tuple[int, int], tuple[int, Any]] = {}
    events = []
    kept: set[tuple[str, str, tuple[int, int]]] = set()  # one event of a kind per zone and clip is enough
    for index, result in analyze_video(config, str(video), detector, clips=clips):
        clip = next(c for c in clips if c[0] <= index <= c[1])
        last[clip] = (index, result)
        for event in result.events:
            if event.type == "new" and event.kind in ("barrier", "line_crossing") and event.snapshot and \
                    (event.kind, event.zone, clip) not in kept:
                kept.add((event.kind, event.zone, clip))
                events.append({"frame": index, "from_frame": clip[0], "kind": event.kind, "zone": event.zone,
                               "label": event.label, "score": event.score, "box": event.box,
                               "track_id": event.track_id, "data": event.data, "boxes": event.boxes,
                               "snapshot": base64.b64encode(event.snapshot).decode()})
    samples = []
    for clip, (index, result) in sorted(last.items()):
        boxes = result.boxes(size)
        samples.append({"frame": index, "from_frame": clip[0], "counts": result.counts,
                        "people": [{"track": tid, "box": box} for tid, box in boxes.items()],
                        "inside": result.inside,
                        "snapshot": base64.b64encode(CameraPipeline._snapshot(result.image)).decode()})
    return {"samples": samples, "events": events}


def _footage_key(video: Path) -> dict[str, Any]:
    import cv2

    stat = video.stat()
    return {"version": ANALYSIS_VERSION, "video": str(video), "size": stat.st_size, "mtime": int(stat.st_mtime),
            "opencv": cv2.__version__, "config": analysis_config(), "samples": SAMPLES, "clip_frames": CLIP_FRAMES}


@cache
def footage() -> dict[str, Any] | None:
    """The analysed footage: {"name", "samples": [{frame, from_frame, counts, people, inside, snapshot}],
    "events": [...]}, from the data folder, or analysed now (a few seconds) and stored there. None without the
    footage."""
    if not VTEST.exists():
        return None
    stored = Path(settings.DATA_DIR) / FOOTAGE_FILE
    try:
        key = _footage_key(VTEST)
        if stored.exists():
            kept = json.loads(stored.read_text())
            if kept.get("key") == key:
                return kept
        began = time.perf_counter()
        analysed = {"key": key, "name": VTEST.name, **_analyse(VTEST, _clips(VTEST, 5.0))}
        stored.parent.mkdir(parents=True, exist_ok=True)
        partial = stored.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(analysed))
        partial.replace(stored)
        log.info("demo footage analysed in %.1f s: %d moments, %d events", time.perf_counter() - began,
                 len(analysed["samples"]), len(analysed["events"]))
        return analysed
    except Exception:  # a broken video or OpenCV build: the demo cameras say so instead of stopping the demo
        log.exception("the demo footage could not be analysed")
        return None


def _capacity(counts: list[int]) -> int:
    """A capacity the busier moments of the footage are over (about BUSY_SHARE of them), at least 2."""
    ranked = sorted(counts, reverse=True)
    if not ranked:
        return 1
    limit = ranked[min(len(ranked) - 1, max(1, round(len(ranked) * BUSY_SHARE)))]
    if limit >= ranked[0]:
        limit = ranked[0] - 1
    return max(2, limit)  # a capacity of one person is no place anyone would watch for crowding


def _zones(suffix: str, zones: list[dict], shots: dict[str, Any] | None) -> list[dict]:
    """The layout's zones, with capacities set from the footage's counts when there is footage."""
    if not shots:
        return zones
    out = []
    for zone in zones:
        counts = [s["counts"].get(_key(suffix, zone["name"]), 0) for s in shots["samples"]]
        rules = [{**r, "max_people": _capacity(counts)} if r["type"] == "count" and r.get("max_people") else r
                 for r in zone["rules"]]
        out.append({**zone, "rules": rules})
    return out


# ---- seeding and ticking -----------------------------------------------------------------------------------------

def _pilot_hospitals() -> list[Unit]:
    return list(Unit.objects.filter(kind=Unit.Kind.HOSPITAL, is_pilot=True, active=True).order_by("code"))


def _codes() -> list[str]:
    return [f"{unit.code}-{suffix}" for unit in _pilot_hospitals() for suffix, *_rest in LAYOUTS]


def _suffix(camera: Camera) -> str:
    return camera.code.rsplit("-", 1)[-1]


def _layout(camera: Camera) -> tuple[str, str, str, list[dict], list[dict]]:
    return next(layout for layout in LAYOUTS if layout[0] == _suffix(camera))


def _demo_owned(camera: Camera) -> bool:
    """Configured by the demo only (nobody edited it since): the demo may bring it up to date."""
    latest = CameraVersion.objects.filter(camera=camera).order_by("-version").first()
    return latest is not None and latest.changed_by_id is None and latest.comment.startswith("demo")


def seed() -> int:
    """Register the demo cameras (adds what is missing, brings the demo's own configurations up to date). Returns
    how many were added."""
    added = 0
    shots = footage()
    for unit in _pilot_hospitals():
        for n, (suffix, kind, name, zones, lines) in enumerate(LAYOUTS):
            code = f"{unit.code}-{suffix}"
            config = {"code": code, "unit": unit.code, "name": name, "location_kind": kind,
                      "stream_url": str(VTEST), "width": 640, "height": 360, "fps": 5,
                      "zones": _zones(suffix, zones, shots), "lines": lines}
            camera = Camera.objects.filter(code=code).first()
            if camera is not None:
                if _demo_owned(camera):
                    services.save_camera(ACTOR, config, comment="demo: capacities from the footage")
                continue
            camera, _changed = services.save_camera(ACTOR, config, comment="demo")
            added += 1
            if shots:
                _show(camera, shots["samples"][n % len(shots["samples"])], time.time())
            else:
                services.record_health(None, {"camera": code, "status": "offline", "reason": "no demo footage"})
    return added


def tick() -> None:
    """One step of the live wall: new frames and counts for two cameras, now and then an incident. Quick: no
    detector runs here, only a few inserts."""
    shots = footage()
    if not shots:
        return  # the cameras say "no demo footage"
    try:
        cameras = list(Camera.objects.filter(code__in=_codes(), enabled=True).filter(~Q(status="offline"))
                       .select_related("unit"))
        now = time.time()
        for camera in _rng.sample(cameras, min(2, len(cameras))):
            _show(camera, _rng.choice(shots["samples"]), now)
        if cameras and _rng.random() < EVENT_CHANCE:
            incident(_rng.choice(cameras), now=now)
        for incident_id, opened in list(_open.items()):
            if now - opened["start_time"] > INCIDENT_SECONDS:
                _end(incident_id, opened, now)
    except (ValidationFailed, Conflict) as exc:  # someone reconfigured a demo camera meanwhile: next tick
        log.info("camera demo step skipped: %s", exc)


def _analysed_zones(camera: Camera) -> dict[str, str]:
    """The camera's zones and lines the footage was analysed with (same name and shape as in its layout): name ->
    key in the analysis. A zone redrawn since has no footage figures."""
    suffix, _kind, _name, zones, lines = _layout(camera)
    drawn = {z["name"]: z["polygon"] for z in zones} | {ln["name"]: ln["points"] for ln in lines}
    shapes = {z.get("name"): z.get("polygon") for z in camera.analytics.get("zones", [])}
    shapes |= {ln.get("name"): ln.get("points") for ln in camera.analytics.get("lines", [])}
    return {name: _key(suffix, name) for name, shape in shapes.items() if name in drawn and drawn[name] == shape}


def _show(camera: Camera, sample: dict[str, Any], now: float) -> None:
    """The camera shows this moment of the footage: its frame, and the people the pipeline counted on it."""
    analysed = _analysed_zones(camera)
    counts = {name: sample["counts"][key] for name, key in analysed.items() if key in sample["counts"]}
    if counts:
        services.record_counts(None, {"camera": camera.code, "time": now, "counts": counts,
                                      "trends": dict.fromkeys(counts, 0.0)})
    services.record_health(None, {"camera": camera.code, "status": "online", "reason": "",
                                  "fps": round(_rng.uniform(4.6, 5.0), 2), "last_frame_time": now,
                                  "frame": sample["snapshot"],
                                  "capabilities": {"detector": "hog", "labels": ["person"]}})


def _footage_data(shot: dict[str, Any], name: str) -> dict[str, Any]:
    return {"footage": name, "frame": shot["frame"], "from_frame": shot["from_frame"]}


def _options(camera: Camera, shots: dict[str, Any], now: float) -> dict[str, list[dict[str, Any]]]:
    """What could happen on this camera now, by kind: each a ready `after` state and the snapshot to send."""
    from .pipeline.config import ConfigError, parse_camera

    try:
        config = parse_camera(camera.config())
    except ConfigError:
        return {}
    moment = dt.datetime.fromtimestamp(now, timezone.get_current_timezone())
    analysed = _analysed_zones(camera)
    name = shots["name"]
    options: dict[str, list[dict[str, Any]]] = {}

    def add(kind: str, shot: dict[str, Any], **after: Any) -> None:
        after["data"] = {**after.get("data", {}), **_footage_data(shot, name)}
        boxes = shot["boxes"] if "boxes" in shot else [p["box"] for p in shot["people"]]
        options.setdefault(kind, []).append({"kind": kind, "boxes": boxes, **after, "snapshot": shot["snapshot"]})

    for zone in config.zones:
        key = analysed.get(zone.name)
        if key is None:
            continue
        for rule in zone.rules:
            if not rule.active(moment):
                continue
            if rule.type == "count" and rule.get("max_people"):
                limit = rule.get("max_people")
                for shot in shots["samples"]:
                    count = shot["counts"].get(key, 0)
                    if count > limit:
                        add("crowding", shot, zone=zone.name, label="people", score=count / limit, box=None,
                            track_id=None, data={"count": count, "max_people": limit})
            elif rule.type == "barrier":
                for found in shots["events"]:
                    if found["kind"] == "barrier" and found["zone"] == key:
                        add("barrier", found, zone=zone.name, label=found["label"], score=found["score"],
                            box=found["box"], track_id=found["track_id"], data=dict(found["data"]))
            elif rule.type == "loitering":
                for shot in shots["samples"]:
                    boxes = {p["track"]: p["box"] for p in shot["people"]}
                    for track in shot["inside"].get(key, []):
                        add("loitering", shot, zone=zone.name, label="person", score=1.0, box=boxes[track],
                            track_id=track, data={"dwell_seconds": _rng.randint(int(rule.get("seconds")),
                                                                                int(rule.get("seconds")) * 3),
                                                  "limit_seconds": rule.get("seconds"), "simulated": True})
            elif rule.type == "abandoned":
                for shot in shots["samples"]:
                    add("abandoned", shot, zone=zone.name, label="object", score=1.0, box=[0.45, 0.8, 0.52, 0.9],
                        track_id=None, data={"static_seconds": _rng.randint(int(rule.get("seconds")), 300),
                                             "simulated": True})
    for line in config.lines:
        key = analysed.get(line.name)
        if key is None or not any(rule.active(moment) for rule in line.rules):
            continue
        for found in shots["events"]:
            if found["kind"] == "line_crossing" and found["zone"] == key:
                add("line_crossing", found, zone=line.name, label=found["label"], score=found["score"],
                    box=found["box"], track_id=found["track_id"],
                    data={**found["data"], "line": line.name})
    return options


def incident(camera: Camera, kind: str | None = None, now: float | None = None) -> VisionEvent | None:
    """One demo incident on this camera now, of a random analytic that can happen there (or of `kind`, for a
    walkthrough or a test). None if nothing can: no footage, or no such rule active on the camera now."""
    shots = footage()
    if not shots:
        return None
    now = time.time() if now is None else now
    options = _options(camera, shots, now)
    if kind is not None:
        options = {k: v for k, v in options.items() if k == kind}
    if not options:
        return None
    chosen = dict(_rng.choice(options[_rng.choice(sorted(options))]))
    snapshot = chosen.pop("snapshot")
    incident_id = uuid.uuid4().hex
    after = {"id": incident_id, "camera": camera.code, "start_time": now, "end_time": None, "frame_time": now,
             **chosen}
    event, _stored = services.ingest(None, {"message_id": uuid.uuid4().hex, "type": "new", "before": None,
                                            "after": after, "snapshot": snapshot})
    if not after["data"].get("instantaneous"):
        _open[incident_id] = after
    return event


def _end(incident_id: str, after: dict[str, Any], now: float) -> None:
    del _open[incident_id]
    services.ingest(None, {"message_id": uuid.uuid4().hex, "type": "end", "before": after,
                           "after": {**after, "end_time": now, "frame_time": now}})
