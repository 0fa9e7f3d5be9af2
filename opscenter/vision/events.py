"""The events the camera analytics publish: camera changes, one kind per analytic, people counts."""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict

from opscenter.core.events import declare

from .models import VisionEvent

SOURCE = "vision"
CAMERA_KINDS = ("camera.registered", "camera.reconfigured", "camera.enabled", "camera.disabled", "camera.status")
# One kind per analytic (VisionEvent.Kind): "vision.crowding", "vision.weapon", ...
ANALYTIC_KINDS = {kind: f"vision.{kind}" for kind in VisionEvent.Kind.values}
CROWD_COUNT = "crowd.count"


class CameraChanged(TypedDict):
    camera: str
    name: str
    status: str
    reason: str
    fps: float | None
    last_frame_at: str | None  # ISO date-time
    location_kind: str
    version: int


class AnalyticEvent(TypedDict):
    event_id: str
    id: int
    camera: str
    camera_name: str
    kind: str  # the analytic
    type: str  # new, update or end
    created: bool  # the first message stored of this incident (the one that may raise its alert)
    zone: str
    score: float
    location_kind: str
    data: dict[str, Any]


class CrowdCount(TypedDict):
    camera: str
    zone: str
    location_kind: str
    count: int
    trend_per_minute: float
    max_people: NotRequired[int | None]  # the zone's limit (its count rule), if it has one


declare(SOURCE, CAMERA_KINDS, CameraChanged, live=("camera",),
        doc="A camera was registered, reconfigured, switched on or off, or went online/offline.")
declare(SOURCE, list(ANALYTIC_KINDS.values()), AnalyticEvent, live=("camera",),
        doc="An analytic's incident started, changed or ended.")
declare(SOURCE, CROWD_COUNT, CrowdCount, live=("camera",), read_by="115 waiting-room counts; the booking portal's load",
        doc="People counted in a camera zone.")
