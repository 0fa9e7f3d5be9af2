"""One camera's analysis, frame by frame: motion gate → detection → tracking → zone and line rules.

`CameraPipeline.process` takes a decoded frame and returns the people count per zone and the typed events
(Frigate-style new/update/end, each with a unique message id) that the worker publishes.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
import warnings
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opscenter.extras import needs

from .config import CameraConfig, Line, Rule, Zone
from .detectors import FALL_LABELS, PERSON_LABELS, WEAPON_LABELS, Box, Detection, Detector, box_iou
from .faces import WatchEntry, best_match, face_crop, find_faces
from .motion import MotionGate, StaticObjects, flow_chaos

with needs("vision"):
    import cv2

with warnings.catch_warnings():  # supervision marks its ByteTrack deprecated in favour of a package that
    warnings.simplefilter("ignore")  # needs the non-headless OpenCV wheel; it still works as it is.
    with needs("vision"):
        from supervision import ByteTrack, Detections

KINDS = ("crowding", "barrier", "line_crossing", "loitering", "watchlist", "abandoned", "fight", "weapon", "fall")


@dataclass
class VisionEvent:
    """One message about one incident. The incident keeps its `id` through new → update → end."""

    id: str
    camera: str
    kind: str
    type: str  # new, update, end
    time: float  # epoch seconds of the frame
    start_time: float
    zone: str = ""
    label: str = "person"
    score: float = 0.0
    box: list[float] | None = None  # normalised x1, y1, x2, y2
    track_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    boxes: list[list[float]] = field(default_factory=list)  # every person in the frame, normalised
    snapshot: bytes | None = None  # JPEG of the frame, evidence
    before: dict[str, Any] | None = None
    message_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def state(self) -> dict[str, Any]:
        return {"id": self.id, "camera": self.camera, "kind": self.kind, "label": self.label, "zone": self.zone,
                "score": round(self.score, 3), "box": self.box, "track_id": self.track_id,
                "start_time": self.start_time, "end_time": self.time if self.type == "end" else None,
                "frame_time": self.time, "data": self.data, "boxes": self.boxes}

    def message(self, with_snapshot: bool = True) -> dict[str, Any]:
        """The MQTT payload (`<prefix>/events`), Frigate-style, plus a message id for exactly-once ingestion."""
        out: dict[str, Any] = {"message_id": self.message_id, "type": self.type, "before": self.before,
                               "after": self.state()}
        if with_snapshot and self.snapshot is not None:
            out["snapshot"] = base64.b64encode(self.snapshot).decode()
        return out


@dataclass
class FrameResult:
    time: float
    counts: dict[str, int]
    people: list[tuple[int, Box]]
    events: list[VisionEvent]
    detected: bool  # did the detector run (something moved or was being tracked)?
    count_changes: dict[str, int] = field(default_factory=dict)  # zones whose count is worth publishing
    trends: dict[str, float] = field(default_factory=dict)  # people per minute, per zone
    inside: dict[str, list[int]] = field(default_factory=dict)  # per zone, the track ids of the people counted
    image: np.ndarray | None = None  # the frame as analysed (at the analysis size), e.g. for a snapshot

    def boxes(self, size: tuple[int, int]) -> dict[int, list[float]]:
        """The people seen, by track id, as fractions of the frame (as events carry them)."""
        w, h = size
        return {tid: [round(b[0] / w, 4), round(b[1] / h, 4), round(b[2] / w, 4), round(b[3] / h, 4)]
                for tid, b in self.people}


@dataclass
class _Track:
    id: int
    box: Box
    first_seen: float
    last_seen: float
    zone_frames: dict[str, int] = field(default_factory=dict)  # consecutive frames inside each zone
    zone_since: dict[str, float] = field(default_factory=dict)
    line_side: dict[str, float] = field(default_factory=dict)
    pending_cross: dict[str, tuple[str, int]] = field(default_factory=dict)  # line: (direction, frames)
    allowed: set[str] = field(default_factory=set)
    face_tries: int = 0
    next_face_try: float = 0.0
    matched: bool = False


class _Incidents:
    """Open incidents by key; turns conditions into new/update/end messages."""

    def __init__(self, camera: str) -> None:
        self.camera = camera
        self.open: dict[tuple, VisionEvent] = {}

    def new(self, key: tuple, t: float, kind: str, **fields: Any) -> VisionEvent | None:
        if key in self.open:
            return None
        event = VisionEvent(id=uuid.uuid4().hex, camera=self.camera, kind=kind, type="new", time=t, start_time=t,
                            **fields)
        self.open[key] = event
        return event

    def update(self, key: tuple, t: float, **fields: Any) -> VisionEvent | None:
        last = self.open.get(key)
        if last is None:
            return None
        event = VisionEvent(**{**last.__dict__, "type": "update", "time": t, "before": last.state(),
                               "message_id": uuid.uuid4().hex, "snapshot": None, **fields})
        self.open[key] = event
        return event

    def end(self, key: tuple, t: float) -> VisionEvent | None:
        last = self.open.pop(key, None)
        if last is None:
            return None
        return VisionEvent(**{**last.__dict__, "type": "end", "time": t, "before": last.state(),
                              "message_id": uuid.uuid4().hex, "snapshot": None})

    def keys(self, kind: str) -> list[tuple]:
        return [k for k in self.open if k[0] == kind]


def _side(line: Line, point: tuple[float, float], size: tuple[int, int]) -> float:
    (ax, ay), (bx, by) = ((x * size[0], y * size[1]) for x, y in line.points)
    return (bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax)


def _within_segment(line: Line, point: tuple[float, float], size: tuple[int, int]) -> bool:
    (ax, ay), (bx, by) = ((x * size[0], y * size[1]) for x, y in line.points)
    dx, dy = bx - ax, by - ay
    t = ((point[0] - ax) * dx + (point[1] - ay) * dy) / (dx * dx + dy * dy)
    return -0.05 <= t <= 1.05


class CameraPipeline:
    TRACK_REGION_GROWTH = 0.25
    FACE_RETRY_SECONDS = 2.0
    FACE_MAX_TRIES = 5

    def __init__(self, config: CameraConfig, detector: Detector, watchlist: list[WatchEntry] | None = None,
                 count_interval: float = 5.0, timezone: dt.tzinfo | None = None, hold_seconds: float | None = None,
                 track_growth: tuple[float, float] | None = None, confirm_seconds: float = 0.0) -> None:
        """`hold_seconds`: a tracked person the detector misses for up to this long still counts, at the box last
        seen (detectors blink on people this small; people do not). `track_growth`: (width, height) factors the
        tracker grows boxes by before matching them by overlap. Both default to the detector's own (attributes
        of the same names; the default HOG detector holds 0.4 s, two frames at 5 fps, and grows its tight boxes
        back to its window), else 0 and 1: measured on hand-labelled footage by bench/vision_accuracy.py.
        `confirm_seconds`: a new track counts once it has been seen over this long (0: at once; measured, it
        only deepened the undercount)."""
        self.config = config
        self.hold_seconds = float(getattr(detector, "hold_seconds", 0.0)) if hold_seconds is None else hold_seconds
        self.confirm_seconds = confirm_seconds
        self.track_growth = (tuple(getattr(detector, "track_growth", (1.0, 1.0))) if track_growth is None
                             else track_growth)
        self.detector = detector
        self.size = (config.width, config.height)
        self.watchlist = list(watchlist or [])
        self.count_interval = count_interval
        self.tz = timezone or dt.UTC
        self.motion = MotionGate((config.height, config.width), config.masks)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.tracker = ByteTrack(track_activation_threshold=config.min_person_score,
                                     lost_track_buffer=int(config.fps * 3), minimum_matching_threshold=0.8,
                                     frame_rate=max(1, round(config.fps)))
        self.incidents = _Incidents(config.code)
        self.tracks: dict[int, _Track] = {}
        self.zone_px = {z.name: np.array([[x * config.width, y * config.height] for x, y in z.polygon], np.float32)
                        for z in config.zones}
        self.static = StaticObjects((config.height, config.width), config.fps) if config.rules("abandoned") else None
        self.previous_gray: np.ndarray | None = None
        self.last_time: float | None = None
        self.streaks: dict[tuple, int] = {}  # consecutive frames a condition held
        self.published_counts: dict[str, tuple[int, float]] = {}
        self.history: dict[str, deque[tuple[float, int]]] = {z.name: deque(maxlen=600) for z in config.zones}
        self.last_seen_detection: dict[tuple, float] = {}
        self.fight_scores: dict[str, deque[float]] = {}
        self.fight_regions: dict[str, Box] = {}
        self.weapon_labels = frozenset(getattr(detector, "labels", ())) & WEAPON_LABELS
        self.frames = 0

    # ---- helpers --------------------------------------------------------------------------
    def _norm(self, box: Box) -> list[float]:
        w, h = self.size
        return [round(box[0] / w, 4), round(box[1] / h, 4), round(box[2] / w, 4), round(box[3] / h, 4)]

    def _in_zone(self, zone: Zone, point: tuple[float, float]) -> bool:
        return cv2.pointPolygonTest(self.zone_px[zone.name], (float(point[0]), float(point[1])), False) >= 0

    def _streak(self, key: tuple, holds: bool) -> int:
        self.streaks[key] = self.streaks.get(key, 0) + 1 if holds else 0
        return self.streaks[key]

    @staticmethod
    def _snapshot(frame: np.ndarray) -> bytes:
        return cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()

    # ---- the frame --------------------------------------------------------------------------
    def process(self, frame: np.ndarray, t: float, original: np.ndarray | None = None) -> FrameResult:
        if frame.shape[1] != self.size[0] or frame.shape[0] != self.size[1]:
            original = frame if original is None else original
            frame = cv2.resize(frame, self.size, interpolation=cv2.INTER_AREA)
        self.frames += 1
        dt_seconds = 0.0 if self.last_time is None else max(0.0, t - self.last_time)
        self.last_time = t
        moment = dt.datetime.fromtimestamp(t, self.tz)
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)

        regions = self.motion.regions(frame)
        for track in self.tracks.values():  # keep looking where still people were
            x1, y1, x2, y2 = track.box
            gx, gy = (x2 - x1) * self.TRACK_REGION_GROWTH, (y2 - y1) * self.TRACK_REGION_GROWTH
            grown = (x1 - gx, y1 - gy, x2 + gx, y2 + gy)
            if not any(box_iou(grown, r) > 0.2 for r in regions):
                regions.append(grown)
        detections = self.detector.detect(frame, regions) if regions else []
        people = [d for d in detections if d.label in PERSON_LABELS and d.score >= self.config.min_person_score]
        self._track(people, t)

        events: list[VisionEvent] = []
        visible = self._visible()
        boxes = [self._norm(tr.box) for tr in visible]
        inside = {z.name: [tr.id for tr in visible if self._in_zone(z, _foot(tr.box))] for z in self.config.zones}
        counts = {name: len(ids) for name, ids in inside.items()}
        snapshot_cache: list[bytes] = []

        def snap() -> bytes:
            if not snapshot_cache:
                snapshot_cache.append(self._snapshot(frame))
            return snapshot_cache[0]

        def emit(event: VisionEvent | None, with_snapshot: bool = True) -> None:
            if event is not None:
                event.boxes = boxes
                if with_snapshot and event.type == "new":
                    event.snapshot = snap()
                events.append(event)

        for zone in self.config.zones:
            for rule in zone.rules:
                if not rule.active(moment):
                    for key in [k for k in self.incidents.open if k[1] == zone.name and k[0] == rule.type]:
                        emit(self.incidents.end(key, t))
                    continue
                handler = getattr(self, f"_rule_{rule.type}")
                for event in handler(zone, rule, t, counts, detections, frame, gray, dt_seconds, original):
                    emit(event)
        for line in self.config.lines:
            for rule in line.rules:
                if rule.active(moment):
                    for event in self._crossings(line, rule, t):
                        emit(event)
        if self.watchlist:
            for event in self._faces(t, original if original is not None else frame, frame):
                emit(event)
        # Incidents about people who are gone end.
        for key in list(self.incidents.open):
            if key[0] in ("barrier", "loitering") and key[2] not in self.tracks:
                emit(self.incidents.end(key, t))

        self.previous_gray = gray
        changes, trends = self._count_changes(counts, t)
        return FrameResult(t, counts, [(tr.id, tr.box) for tr in visible], events, bool(regions),
                           changes, trends, inside, frame)

    def finish(self, t: float, reason: str) -> list[VisionEvent]:
        """End every open incident (the stream stopped, the file looped, the worker stops): the next pass starts
        with a new pipeline that knows nothing of them, so without this they would stay open for ever."""
        ended = []
        for key in list(self.incidents.open):
            event = self.incidents.end(key, t)
            if event is not None:
                event.data = {**event.data, "end_reason": reason}
                ended.append(event)
        return ended

    def _track(self, people: list[Detection], t: float) -> None:
        gx, gy = self.track_growth  # the tracker matches boxes by overlap: slim people at 5 fps overlap little
        if people:
            boxes = np.array([d.box for d in people], np.float32)
            cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
            hw, hh = (boxes[:, 2] - boxes[:, 0]) * gx / 2, (boxes[:, 3] - boxes[:, 1]) * gy / 2
            found = Detections(xyxy=np.stack([cx - hw, cy - hh, cx + hw, cy + hh], axis=1),
                               confidence=np.array([d.score for d in people], np.float32),
                               class_id=np.zeros(len(people), int))
        else:
            found = Detections.empty()
        tracked = self.tracker.update_with_detections(found)
        alive = set()
        ids: Any = tracked.tracker_id if tracked.tracker_id is not None else []
        for box, track_id in zip(tracked.xyxy, ids, strict=False):
            key = int(track_id)
            alive.add(key)
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            hw, hh = (box[2] - box[0]) / gx / 2, (box[3] - box[1]) / gy / 2
            box_t = (float(cx - hw), float(cy - hh), float(cx + hw), float(cy + hh))
            if key not in self.tracks:
                self.tracks[key] = _Track(key, box_t, t, t)  # type: ignore[arg-type]
            track = self.tracks[key]
            track.box, track.last_seen = box_t, t  # type: ignore[assignment]
        lost_after = 3.0  # seconds: a person hidden for a moment keeps their dwell time
        for key in [k for k, tr in self.tracks.items() if k not in alive and t - tr.last_seen > lost_after]:
            del self.tracks[key]

    def _visible(self) -> list[_Track]:
        now = self.last_time if self.last_time is not None else 0.0
        return [tr for tr in self.tracks.values()
                if now - tr.last_seen <= self.hold_seconds and tr.last_seen - tr.first_seen >= self.confirm_seconds]

    # ---- rules --------------------------------------------------------------------------------
    def _rule_count(self, zone, rule, t, counts, *_):
        limit = rule.get("max_people")
        if limit is None:
            return
        over = counts[zone.name] > limit
        key = ("crowding", zone.name)
        streak = self._streak(key, over)
        under = self._streak(("crowding-under", zone.name), not over)
        data = {"count": counts[zone.name], "max_people": limit, "trend_per_minute": self._trend(zone.name)}
        if over and streak >= rule.get("min_frames"):
            if key not in self.incidents.open:
                yield self.incidents.new(key, t, "crowding", zone=zone.name, score=counts[zone.name] / limit,
                                         label="people", data=data)
            elif self.incidents.open[key].data.get("count") != counts[zone.name] and \
                    t - self.incidents.open[key].time >= rule.get("min_interval"):
                yield self.incidents.update(key, t, score=counts[zone.name] / limit, data=data)
        elif key in self.incidents.open and under >= rule.get("min_frames"):
            yield self.incidents.end(key, t)

    def _rule_barrier(self, zone, rule, t, *_):
        for track in self._visible():
            inside = self._in_zone(zone, _foot(track.box))
            frames = self._streak(("barrier", zone.name, track.id), inside)
            if frames >= rule.get("min_frames") and not (track.allowed & set(rule.allowed)):
                yield self.incidents.new(("barrier", zone.name, track.id), t, "barrier", zone=zone.name,
                                         box=self._norm(track.box), track_id=track.id, score=1.0,
                                         data={"frames_inside": frames})
            elif not inside:
                yield self.incidents.end(("barrier", zone.name, track.id), t)

    def _rule_loitering(self, zone, rule, t, *_):
        for track in self._visible():
            inside = self._in_zone(zone, _foot(track.box))
            if not inside:
                track.zone_since.pop(zone.name, None)
                yield self.incidents.end(("loitering", zone.name, track.id), t)
                continue
            since = track.zone_since.setdefault(zone.name, t)
            if t - since >= rule.get("seconds"):
                key = ("loitering", zone.name, track.id)
                yield self.incidents.new(key, t, "loitering", zone=zone.name, box=self._norm(track.box),
                                         track_id=track.id, score=1.0,
                                         data={"dwell_seconds": round(t - since, 1),
                                               "limit_seconds": rule.get("seconds")})

    def _rule_abandoned(self, zone, rule, t, counts, detections, frame, gray, dt_seconds, original):
        assert self.static is not None
        seen = set()
        w, h = self.size
        near = rule.get("person_distance") * max(w, h)
        for box, age in self.static.update(frame, dt_seconds, rule.get("seconds")):
            centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            if not self._in_zone(zone, centre):
                continue
            if any(_distance(centre, tr.box) < near for tr in self.tracks.values()):
                continue  # someone is with it: not abandoned
            key = ("abandoned", zone.name, round(centre[0] / 20), round(centre[1] / 20))
            seen.add(key)
            yield self.incidents.new(key, t, "abandoned", zone=zone.name, box=self._norm(box), label="object",
                                     score=1.0, data={"static_seconds": round(age, 1)})
        for key in self.incidents.keys("abandoned"):
            if key[1] == zone.name and key not in seen:
                yield self.incidents.end(key, t)

    def _rule_fight(self, zone, rule, t, counts, detections, frame, gray, *_):
        """The chaos score of the most agitated group of close people, averaged over `min_frames` frames: one
        frame of flow is noisy, a scuffle lasts."""
        key = ("fight", zone.name)
        score, region = 0.0, None
        if self.previous_gray is not None:
            inside = [tr for tr in self._visible() if self._in_zone(zone, _foot(tr.box))]
            for group in _close_groups(inside, rule.get("min_people")):
                union = _union([tr.box for tr in group], self.size)
                s = flow_chaos(self.previous_gray, gray, union)
                if s > score:
                    score, region = s, union
        recent = self.fight_scores.setdefault(zone.name, deque(maxlen=rule.get("min_frames")))
        recent.append(score)
        if region is not None:
            self.fight_regions[zone.name] = region
        smoothed = sum(recent) / len(recent)
        threshold = rule.get("threshold")
        if len(recent) == recent.maxlen and smoothed >= threshold and zone.name in self.fight_regions:
            yield self.incidents.new(key, t, "fight", zone=zone.name, box=self._norm(self.fight_regions[zone.name]),
                                     score=smoothed, label="people",
                                     data={"score": round(smoothed, 3), "threshold": threshold,
                                           "method": "heuristic: optical-flow statistics"})
        calm = self._streak(("fight-calm", zone.name), smoothed < threshold * 0.5)
        if calm >= 5:
            self.fight_regions.pop(zone.name, None)
            yield self.incidents.end(key, t)

    def _rule_weapon(self, zone, rule, t, counts, detections, *_):
        yield from self._labelled(zone, rule, t, detections, self.weapon_labels, "weapon", 1)

    def _rule_fall(self, zone, rule, t, counts, detections, *_):
        labels = frozenset(getattr(self.detector, "labels", ())) & FALL_LABELS
        yield from self._labelled(zone, rule, t, detections, labels, "fall", rule.get("min_frames"))

    def _labelled(self, zone, rule, t, detections, labels, kind, min_frames):
        hits = [d for d in detections if d.label in labels and d.score >= rule.get("min_score")
                and self._in_zone(zone, _foot(d.box))]
        key = (kind, zone.name)
        if self._streak(key, bool(hits)) >= min_frames:
            best = max(hits, key=lambda d: d.score)
            self.last_seen_detection[key] = t
            yield self.incidents.new(key, t, kind, zone=zone.name, box=self._norm(best.box), label=best.label,
                                     score=best.score, data={"model_label": best.label})
        elif key in self.incidents.open and t - self.last_seen_detection.get(key, t) > 10:
            yield self.incidents.end(key, t)

    def _crossings(self, line: Line, rule: Rule, t: float):
        for track in self._visible():
            foot = _foot(track.box)
            side = _side(line, foot, self.size)
            if side == 0:
                continue  # standing on the line: on neither side yet
            before = track.line_side.get(line.name)
            track.line_side[line.name] = side
            pending = track.pending_cross.get(line.name)
            if before is not None and before * side < 0 and _within_segment(line, foot, self.size):
                # Walking from A to B, "left" is negative in image coordinates (y grows downwards).
                direction = "left_to_right" if before < 0 < side else "right_to_left"
                track.pending_cross[line.name] = (direction, 1)
            elif pending is not None:  # inertia: stay on the new side for a few frames
                direction, frames = pending
                if (side > 0) == (direction == "left_to_right"):
                    track.pending_cross[line.name] = (direction, frames + 1)
                else:
                    del track.pending_cross[line.name]
            pending = track.pending_cross.get(line.name)
            if pending and pending[1] >= rule.get("min_frames"):
                track.pending_cross.pop(line.name)
                if line.direction in ("both", pending[0]) and not (track.allowed & set(rule.allowed)):
                    event = self.incidents.new(("line", line.name, track.id, t), t, "line_crossing",
                                               zone=line.name, box=self._norm(track.box), track_id=track.id,
                                               score=1.0, data={"direction": pending[0], "line": line.name})
                    self.incidents.open.pop(("line", line.name, track.id, t), None)  # instantaneous
                    if event is not None:
                        event.data["instantaneous"] = True
                        yield event

    def _faces(self, t: float, original: np.ndarray, frame: np.ndarray):
        fx, fy = original.shape[1] / self.size[0], original.shape[0] / self.size[1]
        for track in self._visible():
            if track.matched or track.face_tries >= self.FACE_MAX_TRIES or t < track.next_face_try:
                continue
            track.face_tries += 1
            track.next_face_try = t + self.FACE_RETRY_SECONDS
            x1, y1, x2, y2 = track.box
            head = (x1 * fx, y1 * fy, x2 * fx, (y1 + (y2 - y1) * 0.5) * fy)
            crop = face_crop(original, head, margin=0.1)
            if crop.size == 0:
                continue
            for face in find_faces(crop, upsample=1 if crop.shape[0] >= 80 else 2):
                match = best_match(face.encoding, self.watchlist, self.config.face_threshold)
                if match is None:
                    continue
                track.matched = True
                if match.entry.category == "allowed":
                    track.allowed.add(match.entry.list_name or match.entry.name)
                    continue
                fb = face.box
                crop_face = face_crop(crop, fb, 0.2)
                yield self.incidents.new(
                    ("watchlist", match.entry.id, track.id), t, "watchlist", box=self._norm(track.box),
                    track_id=track.id, label="face", score=1 - match.distance,
                    data={"entry_id": match.entry.id, "name": match.entry.name, "distance": round(match.distance, 4),
                          "threshold": match.threshold,
                          "face_crop": base64.b64encode(self._snapshot(crop_face)).decode()},
                )

    # ---- counts ----------------------------------------------------------------------------------
    def _trend(self, zone: str) -> float:
        history = self.history.get(zone)
        if not history or len(history) < 3 or history[-1][0] - history[0][0] < 1:
            return 0.0
        times, values = zip(*history, strict=False)
        slope = np.polyfit(np.array(times) - times[0], np.array(values, float), 1)[0]
        return round(float(slope) * 60, 2)

    def _count_changes(self, counts: dict[str, int], t: float) -> tuple[dict[str, int], dict[str, float]]:
        changes, trends = {}, {}
        for zone, count in counts.items():
            history = self.history[zone]
            history.append((t, count))
            while history and t - history[0][0] > 120:
                history.popleft()
            published = self.published_counts.get(zone)
            if published is None or (published[0] != count and t - published[1] >= self.count_interval):
                self.published_counts[zone] = (count, t)
                changes[zone] = count
                trends[zone] = self._trend(zone)
        return changes, trends


def _foot(box: Box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, box[3])


def _distance(point: tuple[float, float], box: Box) -> float:
    dx = max(box[0] - point[0], 0, point[0] - box[2])
    dy = max(box[1] - point[1], 0, point[1] - box[3])
    return float(np.hypot(dx, dy))


def _union(boxes: list[Box], size: tuple[int, int]) -> Box:
    x1, y1 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x2, y2 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return (max(0.0, x1), max(0.0, y1), min(float(size[0]), x2), min(float(size[1]), y2))


def _close_groups(tracks: list[_Track], min_people: int) -> list[list[_Track]]:
    """Groups of people whose boxes touch or nearly touch (within half a body width)."""
    groups: list[list[_Track]] = []
    for track in tracks:
        x1, y1, x2, y2 = track.box
        grow = (x2 - x1) * 0.5
        grown = (x1 - grow, y1, x2 + grow, y2)
        joined = [g for g in groups if any(box_iou(grown, o.box) > 0 for o in g)]
        merged = [track] + [t for g in joined for t in g]
        groups = [g for g in groups if g not in joined] + [merged]
    return [g for g in groups if len(g) >= min_people]
