"""Camera AI API: registry, events with evidence, counts, false alarms, the watch-list, and the workers' side
(their configuration and ingestion, with a bearer token)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from opscenter.core.auth import AuthedRequest
from opscenter.core.edits import if_match_version
from opscenter.core.errors import NotFound, ValidationFailed
from opscenter.core.inputs import Line, clean_json
from opscenter.core.permissions import needs, require
from opscenter.org.roles import Perm

from . import services
from .filters import (
    CameraFilterSchema,
    VisionEventFilterSchema,
    WatchEntryFilterSchema,
    ZoneCountFilterSchema,
)
from .models import Camera, FaceMatch, VisionEvent, WatchListEntry
from .schemas import (
    CameraOut,
    CrowdingOut,
    EventDetailOut,
    EventOut,
    FalseAlarmOut,
    IngestOut,
    SaveCameraOut,
    VersionOut,
    VisionReasonIn,
    WatchEntryIn,
    WatchEntryOut,
    WorkerCamerasOut,
    ZoneCountOut,
)

router = Router()


def _json_body(request: AuthedRequest) -> Any:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.one("body", _("must be JSON")) from None
    return clean_json(body)


def _base_version(request: AuthedRequest, body: Any) -> int | None:
    """The version an edit started from: `base_version` in the body (taken out of it) or the If-Match header."""
    raw = body.pop("base_version", None) if isinstance(body, dict) else None
    if raw is None:
        return if_match_version(request.headers.get("If-Match"))
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        raise ValidationFailed.one("base_version", _("must be a version number"))
    return raw


def _jpeg(path: str) -> HttpResponse:
    if not path or not default_storage.exists(path):
        raise NotFound(_("No picture (none was taken, or it was deleted after the retention period)"))
    with default_storage.open(path, "rb") as f:
        response = HttpResponse(f.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


def camera_out(c: Camera) -> dict[str, Any]:
    return {
        **{f: getattr(c, f) for f in ("code", "name", "location_kind", "stream_url", "width", "height", "fps",
                                      "worker_group", "enabled", "version", "status", "status_reason", "status_at",
                                      "last_frame_at", "measured_fps")},
        "unit": c.unit.code, "unit_name": str(c.unit), "config": c.config(),
        "analytics_available": c.analytics_available(),
        "frame_url": reverse("api:camera_frame", args=[c.code]) if c.latest_frame else None,
    }


def event_out(e: VisionEvent) -> dict[str, Any]:
    return {
        **{f: getattr(e, f) for f in ("id", "event_id", "kind", "zone", "label", "score", "started_at", "ended_at",
                                      "box", "boxes", "data")},
        "camera": e.camera.code, "camera_name": e.camera.name, "unit": e.unit.code,
        "kind_label": str(VisionEvent.Kind(e.kind).label),
        "snapshot_url": reverse("api:event_snapshot", args=[e.pk]) if e.snapshot else None,
        "alert_id": e.alert_id, "alert_status": e.alert.status if e.alert else None,
        "alert_resolution": e.alert.resolution if e.alert else None,
    }


def entry_out(e: WatchListEntry) -> dict[str, Any]:
    return {
        **{f: getattr(e, f) for f in ("id", "name", "category", "list_name", "reason", "active", "created_at",
                                      "cancelled_reason")},
        "unit": e.unit.code, "created_by": e.created_by.get_username() if e.created_by else None,
        "face_url": reverse("api:watch_face", args=[e.pk]),
    }


# ---- cameras --------------------------------------------------------------------------------------------

@router.get("/cameras", response=list[CameraOut], url_name="list_cameras")
@needs(Perm.VIEW_CAMERAS)
def list_cameras(request: AuthedRequest, filters: Query[CameraFilterSchema]):
    return [camera_out(c) for c in filters.filter(services.visible_cameras(request.user))]


@router.post("/cameras", response={200: SaveCameraOut, 201: SaveCameraOut})
@needs(Perm.MANAGE_CAMERAS)
def register_camera(request: AuthedRequest):
    """Register a camera, or send a changed configuration (kept as a new version). Same content: no change.
    A change names the version it started from (`base_version` or If-Match): if another was saved since, 409."""
    body = _json_body(request)
    base = _base_version(request, body)
    camera, changed = services.save_camera(request.user, body, comment=str((body or {}).get("comment", ""))[:255]
                                           if isinstance(body, dict) else "", base_version=base)
    return Status(201 if changed and camera.version == 1 else 200, {"changed": changed, "camera": camera_out(camera)})


@router.get("/cameras/{code}", response=CameraOut)
@needs(Perm.VIEW_CAMERAS)
def get_camera(request: AuthedRequest, code: Line):
    return camera_out(services.get_camera(request.user, code))


@router.put("/cameras/{code}", response=SaveCameraOut)
@needs(Perm.MANAGE_CAMERAS)
def reconfigure_camera(request: AuthedRequest, code: Line):
    camera = services.get_camera(request.user, code)
    body = _json_body(request)
    if not isinstance(body, dict):
        raise ValidationFailed.one("body", _("must be a JSON object"))
    base = _base_version(request, body)
    body = {**body, "code": camera.code, "unit": body.get("unit", camera.unit.code)}
    camera, changed = services.save_camera(request.user, body, comment=str(body.get("comment", ""))[:255],
                                           base_version=base)
    return {"changed": changed, "camera": camera_out(camera)}


@router.get("/cameras/{code}/versions", response=list[VersionOut])
@needs(Perm.VIEW_CAMERAS)
def camera_versions(request: AuthedRequest, code: Line):
    camera = services.get_camera(request.user, code)
    return [{"version": v.version, "config": v.config, "changed_at": v.changed_at, "comment": v.comment,
             "changed_by": v.changed_by.get_username() if v.changed_by else None}
            for v in camera.versions.select_related("changed_by")]


@router.post("/cameras/{code}/disable", response=CameraOut)
@needs(Perm.MANAGE_CAMERAS)
def disable_camera(request: AuthedRequest, code: Line, payload: VisionReasonIn):
    return camera_out(services.set_camera_enabled(request.user, services.get_camera(request.user, code), False,
                                                  payload.reason))


@router.post("/cameras/{code}/enable", response=CameraOut)
@needs(Perm.MANAGE_CAMERAS)
def enable_camera(request: AuthedRequest, code: Line, payload: VisionReasonIn):
    return camera_out(services.set_camera_enabled(request.user, services.get_camera(request.user, code), True,
                                                  payload.reason))


@router.get("/cameras/{code}/frame.jpg", url_name="camera_frame")
@needs(Perm.VIEW_CAMERAS)
def camera_frame(request: AuthedRequest, code: Line):
    """The camera's newest frame (footage: security roles of its hospital and the department only)."""
    return _jpeg(services.get_camera(request.user, code).latest_frame)


@router.get("/cameras/{code}/counts", response=list[ZoneCountOut])
@needs(Perm.VIEW_CAMERAS)
def camera_counts(request: AuthedRequest, code: Line, filters: Query[ZoneCountFilterSchema]):
    qs = filters.filter(services.get_camera(request.user, code).counts.all())
    return list(qs.order_by("time").values("zone", "time", "count", "trend_per_minute")[:5000])


# ---- events ---------------------------------------------------------------------------------------------

@router.get("/events", response=list[EventOut])
@paginate(LimitOffsetPagination)
@needs(Perm.VIEW_CAMERAS)
def list_events(request: AuthedRequest, filters: Query[VisionEventFilterSchema]):
    return [event_out(e) for e in filters.filter(services.visible_events(request.user))]


@router.get("/events/{event_id}", response=EventDetailOut)
@needs(Perm.VIEW_CAMERAS)
def get_event(request: AuthedRequest, event_id: int):
    event = services.get_event(request.user, event_id)
    match = FaceMatch.objects.select_related("entry").filter(event=event).first()
    if match is not None:
        services.log_face_view(request.user, match, "match")
    return {
        **event_out(event),
        "messages": list(event.messages.values("message_id", "type", "time")),
        "match": None if match is None else {
            "entry_id": match.entry_id, "entry_name": match.entry.name if match.entry else None,
            "distance": match.distance, "threshold": match.threshold,
            "face_url": reverse("api:event_face", args=[event.pk]) if match.face_crop else None,
        },
    }


@router.get("/events/{event_id}/snapshot.jpg", url_name="event_snapshot")
@needs(Perm.VIEW_CAMERAS)
def event_snapshot(request: AuthedRequest, event_id: int):
    event = services.get_event(request.user, event_id)
    services.log_footage_view(request.user, event)
    return _jpeg(event.snapshot)


@router.get("/events/{event_id}/face.jpg", url_name="event_face")
@needs(Perm.VIEW_CAMERAS)
def event_face(request: AuthedRequest, event_id: int):
    match = FaceMatch.objects.filter(event=services.get_event(request.user, event_id)).first()
    if match is None:
        raise NotFound(_("This event has no face"))
    services.log_face_view(request.user, match, "crop")
    return _jpeg(match.face_crop)


@router.get("/crowding", response=list[CrowdingOut], url_name="crowding")
@needs(Perm.VIEW_DASHBOARD)
def crowding(request: AuthedRequest,
             max_age_minutes: Annotated[float, Field(gt=0, le=24 * 60, allow_inf_nan=False)] = 60):
    """People the cameras see now per hospital and kind of place (emergency waiting room, entrance...), in your
    scope: a load indicator for the dashboard. Counts only, no footage."""
    return services.crowding(request.user, max(1.0, min(max_age_minutes, 24 * 60)))


@router.get("/false-alarms", response=list[FalseAlarmOut])
@needs(Perm.VIEW_CAMERAS)
def false_alarms(request: AuthedRequest):
    """Alerts and false alarms per camera and rule, so that operators can tune zones and thresholds."""
    return services.false_alarm_counts(request.user)


# ---- the watch-list ---------------------------------------------------------------------------------------

@router.get("/watchlist", response=list[WatchEntryOut])
@needs(Perm.MANAGE_WATCHLIST)
def list_watch_entries(request: AuthedRequest, filters: Query[WatchEntryFilterSchema]):
    require(request.user, Perm.MANAGE_WATCHLIST)
    qs = filters.filter(WatchListEntry.objects.filter(request.user.scope_filter())).select_related("unit",
                                                                                                   "created_by")
    return [entry_out(e) for e in qs]


@router.post("/watchlist", response={201: WatchEntryOut})
@needs(Perm.MANAGE_WATCHLIST)
def add_watch_entry(request: AuthedRequest, payload: WatchEntryIn):
    return Status(201, entry_out(services.add_watch_entry(request.user, **payload.dict())))


def _entry(request: AuthedRequest, entry_id: int) -> WatchListEntry:
    require(request.user, Perm.MANAGE_WATCHLIST)
    entry = WatchListEntry.objects.filter(request.user.scope_filter(), pk=entry_id).select_related("unit").first()
    if entry is None:
        raise NotFound(_("No such watch-list entry in your scope"))
    return entry


@router.post("/watchlist/{entry_id}/withdraw", response=WatchEntryOut)
@needs(Perm.MANAGE_WATCHLIST)
def withdraw_watch_entry(request: AuthedRequest, entry_id: int, payload: VisionReasonIn):
    return entry_out(services.cancel_watch_entry(request.user, _entry(request, entry_id), payload.reason))


@router.get("/watchlist/{entry_id}/face.jpg", url_name="watch_face")
@needs(Perm.MANAGE_WATCHLIST)
def watch_face(request: AuthedRequest, entry_id: int):
    entry = _entry(request, entry_id)
    services.log_face_view(request.user, entry, "watchlist")
    return _jpeg(entry.face_crop)


# ---- the workers' side ---------------------------------------------------------------------------------

@router.get("/worker/cameras", response=WorkerCamerasOut)
@needs(Perm.MANAGE_CAMERAS)
def worker_cameras(request: AuthedRequest, group: Line = "default"):
    """The enabled cameras of a worker group with the watch-list entries that apply to each."""
    require(request.user, Perm.MANAGE_CAMERAS)
    cameras = list(Camera.objects.filter(request.user.scope_filter(), enabled=True, worker_group=group)
                   .select_related("unit"))
    return {"cameras": [c.config() for c in cameras],
            "watchlist": {c.code: [{"id": e.id, "name": e.name, "category": e.category, "list_name": e.list_name,
                                    "encoding": e.encoding} for e in services.watch_entries_for(c)]
                          for c in cameras}}


@router.post("/ingest/events", response={200: IngestOut, 201: IngestOut})
@needs(Perm.MANAGE_CAMERAS)
def ingest_event(request: AuthedRequest):
    """One event message (the MQTT `<prefix>/events` payload). Idempotent by message id."""
    body = _json_body(request)
    if not isinstance(body, dict):
        raise ValidationFailed.one("body", _("must be a JSON object"))
    event, stored = services.ingest(request.user, body)
    return Status(201 if stored else 200, {"stored": stored, "event_id": event.event_id, "id": event.pk,
                                           "alert_id": event.alert_id})


@router.post("/ingest/health", response=CameraOut)
@needs(Perm.MANAGE_CAMERAS)
def ingest_health(request: AuthedRequest):
    body = _json_body(request)
    if not isinstance(body, dict):
        raise ValidationFailed.one("body", _("must be a JSON object"))
    return camera_out(services.record_health(request.user, body))


@router.post("/ingest/counts", response={201: list[ZoneCountOut]})
@needs(Perm.MANAGE_CAMERAS)
def ingest_counts(request: AuthedRequest):
    body = _json_body(request)
    if not isinstance(body, dict):
        raise ValidationFailed.one("body", _("must be a JSON object"))
    rows = services.record_counts(request.user, body)
    return Status(201, [{"zone": r.zone, "time": r.time, "count": r.count, "trend_per_minute": r.trend_per_minute}
                        for r in rows])
