"""A camera's analytics configuration: zones and lines with their rules, motion masks, schedules.

Coordinates are fractions of the frame (0..1, origin top left), so a configuration drawn on a snapshot
holds at any analysis resolution. `parse_camera` checks everything and names the faulty field
(`zones[2].polygon`), so a bad definition is refused before it reaches a worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

LOCATION_KINDS = ("emergency_waiting", "operating_corridor", "isolation_ward", "entrance", "parking", "corridor",
                  "other")
ZONE_RULES = ("count", "barrier", "loitering", "abandoned", "fight", "weapon", "fall")
LINE_DIRECTIONS = ("left_to_right", "right_to_left", "both")
Point = tuple[float, float]


class ConfigError(ValueError):
    """Invalid configuration: one (field, message) pair per fault."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


@dataclass(frozen=True)
class Window:
    """Active on `days` (0 = Monday) from `start` to `end`, local time; end before start wraps past midnight."""

    days: tuple[int, ...]
    start: dt.time
    end: dt.time

    def contains(self, moment: dt.datetime) -> bool:
        t, day = moment.time(), moment.weekday()
        if self.start <= self.end:
            return day in self.days and self.start <= t < self.end
        # Overnight window: the part after midnight belongs to the previous day's window.
        return (day in self.days and t >= self.start) or ((day - 1) % 7 in self.days and t < self.end)


@dataclass(frozen=True)
class Rule:
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    schedule: tuple[Window, ...] = ()  # empty: always active
    allowed: tuple[str, ...] = ()  # names of allowed-person lists that this rule lets through

    def active(self, moment: dt.datetime) -> bool:
        return not self.schedule or any(w.contains(moment) for w in self.schedule)

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


@dataclass(frozen=True)
class Zone:
    name: str
    polygon: tuple[Point, ...]
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Line:
    name: str
    points: tuple[Point, Point]
    direction: str = "both"
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class CameraConfig:
    code: str
    unit: str = ""
    name: str = ""
    location_kind: str = "other"
    stream_url: str = ""
    width: int = 640
    height: int = 360
    fps: float = 5.0
    zones: tuple[Zone, ...] = ()
    lines: tuple[Line, ...] = ()
    masks: tuple[tuple[Point, ...], ...] = ()
    face_threshold: float = 0.6
    min_person_score: float = 0.3

    def rules(self, rule_type: str) -> list[tuple[Zone, Rule]]:
        return [(z, r) for z in self.zones for r in z.rules if r.type == rule_type]


# Parameters each rule type accepts: name -> (type, default, minimum).
RULE_PARAMS: dict[str, dict[str, tuple[type, Any, float]]] = {
    "count": {"max_people": (int, None, 1), "min_frames": (int, 3, 1), "min_interval": (float, 5.0, 0)},
    "barrier": {"min_frames": (int, 3, 1)},
    "loitering": {"seconds": (float, 120.0, 1)},
    "abandoned": {"seconds": (float, 30.0, 1), "min_area": (float, 0.0005, 0), "person_distance": (float, 0.1, 0)},
    "fight": {"threshold": (float, 0.2, 0), "min_frames": (int, 3, 1), "min_people": (int, 2, 2)},
    "weapon": {"min_score": (float, 0.5, 0)},
    "fall": {"min_score": (float, 0.5, 0), "min_frames": (int, 3, 1)},
    "crossing": {"min_frames": (int, 2, 1)},
}
COMMON_KEYS = {"type", "schedule", "allowed"}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append((where, message))

    def number(self, value: Any, where: str, kind: type = float, minimum: float | None = None,
               maximum: float | None = None) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
            self.fail(where, f"must be {'an integer' if kind is int else 'a number'}")
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.fail(where, f"must be {bounds}")
            return None
        return kind(value)

    def items(self, raw: dict[str, Any], key: str) -> list[Any]:
        value = raw.get(key) or []
        if not isinstance(value, list):
            self.fail(key, "must be a list")
            return []
        return value

    def point(self, raw: Any, where: str) -> Point | None:
        if not isinstance(raw, (list, tuple)) or len(raw) != 2:
            self.fail(where, "must be a point [x, y]")
            return None
        x, y = (self.number(v, f"{where}[{i}]", float, 0, 1) for i, v in enumerate(raw))
        return None if x is None or y is None else (x, y)

    def polygon(self, raw: Any, where: str) -> tuple[Point, ...]:
        if not isinstance(raw, list) or len(raw) < 3:
            self.fail(where, "must be a list of at least 3 points [x, y] with coordinates between 0 and 1")
            return ()
        points = [self.point(p, f"{where}[{i}]") for i, p in enumerate(raw)]
        if any(p is None for p in points):
            return ()
        polygon = tuple(p for p in points if p is not None)
        if abs(_signed_area(polygon)) < 1e-6:
            self.fail(where, "has no area (its points are on one line)")
        elif _self_intersects(polygon):
            self.fail(where, "crosses itself")
        return polygon

    def name(self, raw: Any, where: str, seen: set[str]) -> str:
        if not isinstance(raw, str) or not raw.strip() or len(raw) > 64:
            self.fail(where, "must be a non-empty name of at most 64 characters")
            return ""
        if raw in seen:
            self.fail(where, f"'{raw}' is used twice")
        seen.add(raw)
        return raw

    def time_of_day(self, raw: Any, where: str) -> dt.time | None:
        try:
            return dt.time.fromisoformat(raw)
        except (TypeError, ValueError):
            self.fail(where, "must be a time of day HH:MM")
            return None

    def schedule(self, raw: Any, where: str) -> tuple[Window, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.fail(where, "must be a list of windows {days, start, end}")
            return ()
        windows = []
        for i, w in enumerate(raw):
            at = f"{where}[{i}]"
            if not isinstance(w, dict):
                self.fail(at, "must be an object {days, start, end}")
                continue
            days = w.get("days", list(range(7)))
            if not isinstance(days, list) or not days or any(d not in range(7) or isinstance(d, bool) for d in days):
                self.fail(f"{at}.days", "must list weekdays as numbers 0 (Monday) to 6 (Sunday)")
                continue
            start, end = self.time_of_day(w.get("start"), f"{at}.start"), self.time_of_day(w.get("end"), f"{at}.end")
            if start is not None and end is not None:
                if start == end:
                    self.fail(f"{at}.end", "must differ from start")
                else:
                    windows.append(Window(tuple(sorted(set(days))), start, end))
        return tuple(windows)

    def rules(self, raw: Any, where: str, allowed_types: tuple[str, ...]) -> tuple[Rule, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.fail(where, "must be a list of rules")
            return ()
        rules = []
        for i, r in enumerate(raw):
            at = f"{where}[{i}]"
            if not isinstance(r, dict) or r.get("type") not in allowed_types:
                self.fail(f"{at}.type", f"must be one of: {', '.join(allowed_types)}")
                continue
            spec = RULE_PARAMS[r["type"]]
            params: dict[str, Any] = {}
            for key, value in r.items():
                if key in COMMON_KEYS:
                    continue
                if key not in spec:
                    self.fail(f"{at}.{key}", f"is not a parameter of a {r['type']} rule")
                    continue
                kind, _default, minimum = spec[key]
                if value is not None:
                    params[key] = self.number(value, f"{at}.{key}", kind, minimum)
            allowed = r.get("allowed", [])
            if not isinstance(allowed, list) or any(not isinstance(a, str) for a in allowed):
                self.fail(f"{at}.allowed", "must be a list of allowed-person list names")
                allowed = []
            defaults = {k: d for k, (_t, d, _m) in spec.items() if d is not None}
            rules.append(Rule(r["type"], {**defaults, **params}, self.schedule(r.get("schedule"), f"{at}.schedule"),
                              tuple(allowed)))
        return tuple(rules)


def _signed_area(polygon: tuple[Point, ...]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=False)) / 2


def _segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    def side(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    return side(p1, p2, q1) * side(p1, p2, q2) < 0 and side(q1, q2, p1) * side(q1, q2, p2) < 0


def _self_intersects(polygon: tuple[Point, ...]) -> bool:
    edges = list(zip(polygon, polygon[1:] + polygon[:1], strict=False))
    return any(
        _segments_cross(*edges[i], *edges[j])
        for i in range(len(edges)) for j in range(i + 2, len(edges))
        if not (i == 0 and j == len(edges) - 1)
    )


def parse_camera(raw: Any) -> CameraConfig:
    """Check a camera's JSON configuration and build it; raise ConfigError naming every faulty field."""
    c = _Checker()
    if not isinstance(raw, dict):
        raise ConfigError([("body", "must be a JSON object")])
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 32:
        c.fail("code", "must be a non-empty code of at most 32 characters")
    kind = raw.get("location_kind", "other")
    if kind not in LOCATION_KINDS:
        c.fail("location_kind", f"must be one of: {', '.join(LOCATION_KINDS)}")
    url = raw.get("stream_url", "")
    if not isinstance(url, str):
        c.fail("stream_url", "must be a text (rtsp://, http(s):// or a file path)")
    width = c.number(raw.get("width", 640), "width", int, 64, 3840)
    height = c.number(raw.get("height", 360), "height", int, 64, 2160)
    fps = c.number(raw.get("fps", 5), "fps", float, 0.2, 30)
    face_threshold = c.number(raw.get("face_threshold", 0.6), "face_threshold", float, 0.1, 1.0)
    min_score = c.number(raw.get("min_person_score", 0.3), "min_person_score", float, 0, 1)

    zones, names = [], set[str]()
    for i, z in enumerate(c.items(raw, "zones")):
        at = f"zones[{i}]"
        if not isinstance(z, dict):
            c.fail(at, "must be an object {name, polygon, rules}")
            continue
        zones.append(Zone(c.name(z.get("name"), f"{at}.name", names), c.polygon(z.get("polygon"), f"{at}.polygon"),
                          c.rules(z.get("rules"), f"{at}.rules", ZONE_RULES)))
    lines, line_names = [], set[str]()
    for i, ln in enumerate(c.items(raw, "lines")):
        at = f"lines[{i}]"
        if not isinstance(ln, dict):
            c.fail(at, "must be an object {name, points, direction, rules}")
            continue
        name = c.name(ln.get("name"), f"{at}.name", line_names)
        pts = ln.get("points")
        a = b = None
        if not isinstance(pts, list) or len(pts) != 2:
            c.fail(f"{at}.points", "must be two points [[x1, y1], [x2, y2]]")
        else:
            a, b = c.point(pts[0], f"{at}.points[0]"), c.point(pts[1], f"{at}.points[1]")
            if a is not None and a == b:
                c.fail(f"{at}.points", "must be two different points")
        direction = ln.get("direction", "both")
        if direction not in LINE_DIRECTIONS:
            c.fail(f"{at}.direction", f"must be one of: {', '.join(LINE_DIRECTIONS)}")
        rules = c.rules(ln.get("rules", [{"type": "crossing"}]), f"{at}.rules", ("crossing",))
        if a is not None and b is not None:
            lines.append(Line(name, (a, b), direction, rules))
    masks = tuple(c.polygon(m, f"masks[{i}]") for i, m in enumerate(c.items(raw, "masks")))
    if c.errors:
        raise ConfigError(c.errors)
    return CameraConfig(
        code=str(code), unit=str(raw.get("unit", "")), name=str(raw.get("name", "")), location_kind=kind,
        stream_url=url, width=width, height=height, fps=fps, zones=tuple(zones), lines=tuple(lines), masks=masks,
        face_threshold=face_threshold, min_person_score=min_score,
    )
