"""A camera's analytics configuration: zones and lines with their rules, motion masks, schedules.

Coordinates are fractions of the frame (0..1, origin top left), so a configuration drawn on a snapshot
holds at any analysis resolution. `parse_camera` checks everything with the pydantic models below and names
the faulty field (`zones[2].polygon`), so a bad definition is refused before it reaches a worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

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


# ---- the JSON, checked by pydantic ------------------------------------------------------------------------
# Numbers are strict (no "3" or true for 3); the checks pydantic has no word for raise PydanticCustomError,
# whose message is shown as it is.

def _fault(message: str) -> PydanticCustomError:
    return PydanticCustomError("camera_config", message)


def _polygon_shape(polygon: tuple[Point, ...]) -> tuple[Point, ...]:
    if abs(_signed_area(polygon)) < 1e-6:
        raise _fault("has no area (its points are on one line)")
    if _self_intersects(polygon):
        raise _fault("crosses itself")
    return polygon


def _time_of_day(value: Any) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise _fault("must be a time of day HH:MM") from None


Fraction = Annotated[float, Strict(), Field(ge=0, le=1)]
PointIn = tuple[Fraction, Fraction]
PolygonIn = Annotated[tuple[PointIn, ...], Field(min_length=3), AfterValidator(_polygon_shape)]
def _text(what: str, most: int) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > most:
            raise _fault(f"must be a non-empty {what} of at most {most} characters")
        return value

    return Annotated[str, BeforeValidator(check)]


Name = _text("name", 64)
TimeOfDay = Annotated[dt.time, BeforeValidator(_time_of_day)]
Weekday = Annotated[int, Strict(), Field(ge=0, le=6)]


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _null_is_unset(cls, data: Any) -> Any:  # `"rules": null` means the default, as leaving it out does
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data


class WindowIn(_In):
    days: Annotated[tuple[Weekday, ...], Field(min_length=1)] = tuple(range(7))
    start: TimeOfDay
    end: TimeOfDay

    @field_validator("end")
    @classmethod
    def _not_empty(cls, end: dt.time, info: ValidationInfo) -> dt.time:
        if end == info.data.get("start"):
            raise _fault("must differ from start")
        return end


class RuleIn(_In):
    # a misspelt parameter is refused, not ignored
    model_config = ConfigDict(frozen=True, allow_inf_nan=False, extra="forbid")
    type: str
    schedule: tuple[WindowIn, ...] = ()
    allowed: tuple[Annotated[str, Strict()], ...] = ()

    def params(self) -> dict[str, Any]:
        return {k: v for k in RULE_PARAMS[self.type] if (v := getattr(self, k)) is not None}


def _rule_model(rule_type: str) -> type[RuleIn]:
    number = {int: int, float: float}
    fields: dict[str, Any] = {"type": (Literal[rule_type], ...)}
    for name, (kind, default, minimum) in RULE_PARAMS[rule_type].items():
        fields[name] = (Annotated[number[kind] | None, Strict(), Field(ge=minimum)], default)
    return create_model(f"{rule_type.title()}Rule", __base__=RuleIn, **fields)


RULE_MODELS = {rule_type: _rule_model(rule_type) for rule_type in RULE_PARAMS}


def _rules_of(types: tuple[str, ...]) -> Any:
    if len(types) == 1:
        return tuple[RULE_MODELS[types[0]], ...]  # type: ignore[valid-type]
    return tuple[Annotated[Union[tuple(RULE_MODELS[t] for t in types)], Field(discriminator="type")], ...]  # type: ignore[misc]  # noqa: UP007


class ZoneIn(_In):
    name: Name  # type: ignore[valid-type]
    polygon: PolygonIn
    rules: _rules_of(ZONE_RULES) = ()  # type: ignore[valid-type]


class LineIn(_In):
    name: Name  # type: ignore[valid-type]
    points: tuple[PointIn, PointIn]
    direction: Literal["left_to_right", "right_to_left", "both"] = "both"
    rules: _rules_of(("crossing",)) = (RULE_MODELS["crossing"](type="crossing"),)  # type: ignore[valid-type]

    @field_validator("points")
    @classmethod
    def _two_points(cls, points: tuple[Point, Point]) -> tuple[Point, Point]:
        if points[0] == points[1]:
            raise _fault("must be two different points")
        return points


class CameraIn(_In):
    code: _text("code", 32)  # type: ignore[valid-type]
    unit: str = ""
    name: str = ""
    location_kind: Literal[LOCATION_KINDS] = "other"  # type: ignore[valid-type]
    stream_url: str = ""
    width: Annotated[int, Strict(), Field(ge=64, le=3840)] = 640
    height: Annotated[int, Strict(), Field(ge=64, le=2160)] = 360
    fps: Annotated[float, Strict(), Field(ge=0.2, le=30)] = 5.0
    zones: tuple[ZoneIn, ...] = ()
    lines: tuple[LineIn, ...] = ()
    masks: tuple[PolygonIn, ...] = ()
    face_threshold: Annotated[float, Strict(), Field(ge=0.1, le=1.0)] = 0.6
    min_person_score: Fraction = 0.3


def _path(loc: tuple[int | str, ...]) -> str:
    """pydantic's location as the field path of the API's errors: `zones[0].rules[1].seconds` (the rule type
    that picked the model is left out)."""
    path = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif not (part in RULE_MODELS and i and isinstance(loc[i - 1], int)):
            path += f".{part}" if path else part
    return path or "body"


def _message(error: Any) -> str:
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):  # only zones' rules are a union
        return f"must be one of: {', '.join(ZONE_RULES)}"
    return error["msg"]


def _duplicate_names(config: CameraIn) -> list[tuple[str, str]]:
    errors = []
    for kind, names in (("zones", [z.name for z in config.zones]), ("lines", [ln.name for ln in config.lines])):
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                errors.append((f"{kind}[{i}].name", f"'{name}' is used twice"))
            seen.add(name)
    return errors


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
    if not isinstance(raw, dict):
        raise ConfigError([("body", "must be a JSON object")])
    try:
        checked = CameraIn.model_validate(raw)
    except ValidationError as exc:
        errors = [(_path(e["loc"]) + (".type" if e["type"].startswith("union_tag") else ""), _message(e))
                  for e in exc.errors(include_url=False)]
        raise ConfigError(errors) from None
    if duplicates := _duplicate_names(checked):
        raise ConfigError(duplicates)

    def rules(items: tuple[RuleIn, ...]) -> tuple[Rule, ...]:
        return tuple(Rule(r.type, r.params(), tuple(Window(tuple(sorted(set(w.days))), w.start, w.end)
                                                          for w in r.schedule), r.allowed) for r in items)

    return CameraConfig(
        code=checked.code, unit=checked.unit, name=checked.name, location_kind=checked.location_kind,
        stream_url=checked.stream_url, width=checked.width, height=checked.height, fps=checked.fps,
        zones=tuple(Zone(z.name, z.polygon, rules(z.rules)) for z in checked.zones),
        lines=tuple(Line(ln.name, ln.points, ln.direction, rules(ln.rules)) for ln in checked.lines),
        masks=checked.masks, face_threshold=checked.face_threshold, min_person_score=checked.min_person_score,
    )
