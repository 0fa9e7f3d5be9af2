"""Shapes of the camera AI API. The camera JSON itself is documented in docs/vision.md and checked by
pipeline.config (so its errors name the exact field, e.g. `zones[2].polygon`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema

from opscenter.core.inputs import CleanStr, Text


class CameraOut(Schema):
    code: str
    unit: str
    unit_name: str
    name: str
    location_kind: str
    stream_url: str
    width: int
    height: int
    fps: float
    worker_group: str
    enabled: bool
    version: int
    status: str
    status_reason: str
    status_at: dt.datetime | None
    last_frame_at: dt.datetime | None
    measured_fps: float | None
    config: dict[str, Any]
    analytics_available: dict[str, Any]
    frame_url: str | None


class SaveCameraOut(Schema):
    changed: bool
    camera: CameraOut


class VersionOut(Schema):
    version: int
    config: dict[str, Any]
    changed_by: str | None
    changed_at: dt.datetime
    comment: str


class VisionReasonIn(Schema):
    reason: Annotated[str, Text(255)] = ""


class EventOut(Schema):
    id: int
    event_id: str
    camera: str
    camera_name: str
    unit: str
    kind: str
    kind_label: str
    zone: str
    label: str
    score: float
    started_at: dt.datetime
    ended_at: dt.datetime | None
    box: list[float] | None
    boxes: list[list[float]]
    data: dict[str, Any]
    snapshot_url: str | None
    alert_id: int | None
    alert_status: str | None
    alert_resolution: str | None


class MessageOut(Schema):
    message_id: str
    type: str
    time: dt.datetime


class MatchOut(Schema):
    entry_id: int | None
    entry_name: str | None
    distance: float
    threshold: float
    face_url: str | None


class EventDetailOut(EventOut):
    messages: list[MessageOut]
    match: MatchOut | None


class IngestOut(Schema):
    stored: bool
    event_id: str
    id: int
    alert_id: int | None


class ZoneCountOut(Schema):
    zone: str
    time: dt.datetime
    count: int
    trend_per_minute: float


class FalseAlarmOut(Schema):
    camera: str
    camera_name: str
    rule: str | None
    alerts: int
    false_alarms: int
    false_alarm_share: float


class WatchEntryIn(Schema):
    unit: Annotated[str, CleanStr(32)]
    name: Annotated[str, CleanStr(120)]
    image: Annotated[str, CleanStr(20_000_000)]  # base64 JPEG/PNG showing one face
    category: Annotated[str, CleanStr(16)] = "watch"
    list_name: Annotated[str, CleanStr(64)] = ""
    reason: Annotated[str, CleanStr(255)] = ""


class WatchEntryOut(Schema):
    id: int
    unit: str
    name: str
    category: str
    list_name: str
    reason: str
    active: bool
    created_at: dt.datetime
    created_by: str | None
    cancelled_reason: str
    face_url: str


class WorkerWatchEntry(Schema):
    id: int
    name: str
    category: str
    list_name: str
    encoding: list[float]


class WorkerCamerasOut(Schema):
    cameras: list[dict[str, Any]]
    watchlist: dict[str, list[WorkerWatchEntry]]  # camera code -> entries that apply to it


class CrowdingOut(Schema):
    unit: str
    unit_name: str
    location_kind: str
    location_label: str
    count: int  # people seen now by the cameras of this kind of place
    max_people: int | None  # the crowding thresholds of those zones, added up (None if one has none)
    load: float | None  # count / max_people
    cameras: int
    time: dt.datetime  # the newest count
    trend_per_minute: float
