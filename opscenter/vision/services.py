"""Camera AI: the only place that writes its state. Validates, audits, publishes on the event bus."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.alerts.models import Alert
from opscenter.core import audit, edits, events
from opscenter.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from opscenter.core.permissions import require
from opscenter.extras import needs
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm

from .events import ANALYTIC_KINDS, CROWD_COUNT, SOURCE
from .models import (
    Camera,
    CameraVersion,
    EventMessage,
    FaceMatch,
    LocationKind,
    VisionEvent,
    WatchListEntry,
    ZoneCount,
)
from .pipeline.config import ConfigError, parse_camera

if TYPE_CHECKING:  # OpenCV and NumPy stay out of the web process until a watch-list photo arrives
    import numpy as np

CAMERA_FIELDS = ("name", "location_kind", "stream_url", "width", "height", "fps")
ANALYTICS_FIELDS = ("zones", "lines", "masks", "face_threshold", "min_person_score")
WORKER = "vision-worker"


def _epoch(value: Any, field: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ValidationFailed.one(field, _("must be a time in seconds since 1970")) from None


def _decode_jpeg(raw: str | None, field: str) -> bytes | None:
    if not raw:
        return None
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed.one(field, _("must be a base64 JPEG image")) from None
    if not data.startswith(b"\xff\xd8"):
        raise ValidationFailed.one(field, _("must be a base64 JPEG image"))
    return data


# ---- the camera registry ------------------------------------------------------------------------------

def validate_camera(data: dict[str, Any]) -> dict[str, Any]:
    """Check a camera JSON (see docs/vision.md); 422 naming each faulty field, e.g. `zones[2].polygon`."""
    try:
        parse_camera(data)
    except ConfigError as exc:
        raise ValidationFailed([FieldError(f, m) for f, m in exc.errors]) from None
    return data


def _camera_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: data[k] for k in CAMERA_FIELDS if k in data}
    fields["analytics"] = {k: data[k] for k in ANALYTICS_FIELDS if data.get(k) not in (None, [])}
    return fields


def _require(actor: User | str, perm: Perm, unit: Unit | None = None) -> None:
    """People are checked; a named process (the demo, a migration) acts for the system."""
    if not isinstance(actor, str):
        require(actor, perm, unit)


def _unit_for(user: User | str, code: Any) -> Unit:
    unit = Unit.objects.filter(code=code, kind=Unit.Kind.HOSPITAL).first() if isinstance(code, str) else None
    if unit is None:
        raise ValidationFailed.one("unit", _("no hospital with this code"))
    _require(user, Perm.MANAGE_CAMERAS, unit)
    return unit


@transaction.atomic
def save_camera(user: User | str, data: dict[str, Any], comment: str = "",
                base_version: int | None = None) -> tuple[Camera, bool]:
    """Register a camera or change its configuration (a new version; the old one is kept).

    Sending the same configuration again changes nothing. Returns (camera, changed). `user` may be a process
    name (the demo) acting for the system. An edit names the version it started from (`base_version`): if
    another was saved since, StaleEdit (409) with what changed, instead of silently undoing it.
    """
    _require(user, Perm.MANAGE_CAMERAS)
    validate_camera(data)
    unit = _unit_for(user, data.get("unit"))
    fields = _camera_fields(data)
    camera = Camera.objects.select_for_update().filter(code=data["code"]).first()
    if camera is None:
        try:
            with transaction.atomic():
                camera = Camera.objects.create(code=data["code"], unit=unit, **fields)
        except IntegrityError:
            raise Conflict(_("A camera with this code was registered at the same moment")) from None
        CameraVersion.objects.create(camera=camera, version=1, config=camera.config(), changed_by=_person(user),
                                     comment=comment)
        audit.record(user, "vision.camera.registered", camera, unit.code, code=camera.code)
        _publish_camera(camera, "camera.registered")
        return camera, True
    if camera.unit_id != unit.id:
        _require(user, Perm.MANAGE_CAMERAS, camera.unit)
        raise ValidationFailed.one("unit", _("a camera cannot move to another hospital; register a new one"))
    if all(getattr(camera, k) == v for k, v in fields.items()):
        return camera, False
    _check_base(camera, base_version, fields)
    for key, value in fields.items():
        setattr(camera, key, value)
    camera.version += 1
    camera.save()
    CameraVersion.objects.create(camera=camera, version=camera.version, config=camera.config(),
                                 changed_by=_person(user), comment=comment)
    audit.record(user, "vision.camera.reconfigured", camera, unit.code, version=camera.version, comment=comment)
    _publish_camera(camera, "camera.reconfigured")
    return camera, True


def _check_base(camera: Camera, base_version: int | None, fields: dict[str, Any]) -> None:
    """The edit-conflict rule for camera configurations, compared as the camera JSON (`Camera.config`)."""
    if base_version is None or base_version == camera.version:
        return
    base = CameraVersion.objects.filter(camera=camera, version=base_version).values_list("config", flat=True).first()
    stored = camera.config()
    yours = {**{k: v for k, v in stored.items() if k in ("code", "unit", *CAMERA_FIELDS)},
             **{k: v for k, v in fields.items() if k != "analytics"}, **fields["analytics"]}
    edits.check_version(base_version, camera.version, base or {}, stored, yours)


def _person(actor: User | str) -> User | None:
    return None if isinstance(actor, str) else actor


@transaction.atomic
def set_camera_enabled(user: User, camera: Camera, enabled: bool, reason: str) -> Camera:
    require(user, Perm.MANAGE_CAMERAS, camera.unit)
    if not enabled and not reason.strip():
        raise ValidationFailed.one("reason", _("say why the camera is switched off"))
    if camera.enabled != enabled:
        camera.enabled = enabled
        camera.save(update_fields=["enabled"])
        audit.record(user, "vision.camera.enabled" if enabled else "vision.camera.disabled", camera,
                     camera.unit.code, reason=reason)
        _publish_camera(camera, "camera.enabled" if enabled else "camera.disabled")
    return camera


def _publish_camera(camera: Camera, kind: str) -> None:
    events.publish(events.Event(source=SOURCE, kind=kind, unit=camera.unit.code, payload={
        "camera": camera.code, "name": camera.name, "status": camera.status, "reason": camera.status_reason,
        "fps": camera.measured_fps, "last_frame_at": camera.last_frame_at.isoformat() if camera.last_frame_at
        else None, "location_kind": camera.location_kind, "version": camera.version,
    }))


def camera_for_worker(user: User, code: Any, field: str = "camera") -> Camera:
    camera = Camera.objects.select_related("unit").filter(code=code).first() if isinstance(code, str) else None
    if camera is None:
        raise ValidationFailed.one(field, _("no camera with this code"))
    require(user, Perm.MANAGE_CAMERAS, camera.unit)
    return camera


# ---- what the workers send ------------------------------------------------------------------------------

@transaction.atomic
def record_health(actor: User | None, message: dict[str, Any]) -> Camera:
    """A worker's word on a camera: online/offline with the reason, measured fps, the newest frame."""
    camera = camera_for_worker(actor, message.get("camera")) if actor is not None else _camera(message.get("camera"))
    status = message.get("status")
    if status not in (Camera.Status.ONLINE, Camera.Status.OFFLINE):
        raise ValidationFailed.one("status", _("must be online or offline"))
    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    changed = camera.status != status or camera.status_reason != str(message.get("reason", ""))[:500]
    now = timezone.now()
    camera.status, camera.status_reason = status, str(message.get("reason", ""))[:500]
    if message.get("last_frame_time"):
        camera.last_frame_at = _epoch(message["last_frame_time"], "last_frame_time")
    if message.get("fps") is not None:
        camera.measured_fps = round(float(message["fps"]), 2)
    if isinstance(message.get("capabilities"), dict) and message["capabilities"] != camera.capabilities:
        camera.capabilities = message["capabilities"]
        changed = True
    if frame := _decode_jpeg(message.get("frame"), "frame"):
        path = f"vision/live/{camera.code}.jpg"
        default_storage.delete(path)
        camera.latest_frame = default_storage.save(path, ContentFile(frame))
    if changed:
        camera.status_at = now
        audit.record(WORKER, f"vision.camera.{status}", camera, camera.unit.code, reason=camera.status_reason)
    camera.save()
    if changed:
        _publish_camera(camera, "camera.status")
    return camera


def _camera(code: Any) -> Camera:
    camera = Camera.objects.select_related("unit").filter(code=code).first() if isinstance(code, str) else None
    if camera is None:
        raise ValidationFailed.one("camera", _("no camera with this code"))
    return camera


def ingest(actor: User | None, message: dict[str, Any]) -> tuple[VisionEvent, bool]:
    """Store one event message from a worker (Frigate-style new/update/end). Exactly once: a message id seen
    before changes nothing. A new incident raises an alert by its kind's rule. Returns (event, stored)."""
    message_id = message.get("message_id")
    if not isinstance(message_id, str) or not 8 <= len(message_id) <= 64:
        raise ValidationFailed.one("message_id", _("must be a unique id of 8 to 64 characters"))
    after = message.get("after")
    if not isinstance(after, dict):
        raise ValidationFailed.one("after", _("must be the event's state"))
    if message.get("type") not in ("new", "update", "end"):
        raise ValidationFailed.one("type", _("must be new, update or end"))
    if after.get("kind") not in VisionEvent.Kind.values:
        raise ValidationFailed.one("after.kind", _("must be one of: %(v)s") % {"v": ", ".join(VisionEvent.Kind.values)})
    if not isinstance(after.get("id"), str) or not after["id"]:
        raise ValidationFailed.one("after.id", _("must be the incident id"))
    camera = camera_for_worker(actor, after.get("camera"), "after.camera") if actor is not None \
        else _camera(after.get("camera"))
    time = _epoch(after.get("frame_time"), "after.frame_time")
    snapshot = _decode_jpeg(message.get("snapshot"), "snapshot")
    face = _decode_jpeg((after.get("data") or {}).get("face_crop"), "after.data.face_crop")
    try:
        with transaction.atomic():
            event, stored = _store(camera, message, after, time, snapshot, face)
    except IntegrityError:  # the same message ingested at the same moment elsewhere
        existing = EventMessage.objects.select_related("event").filter(message_id=message_id).first()
        if existing is None:
            raise
        return existing.event, False
    if stored and event.alert_id is None:
        # Its alert is raised after commit by the rules (through the outbox): there already when delivered
        # in-process; still None while a worker raises it.
        event.alert_id = VisionEvent.objects.filter(pk=event.pk).values_list("alert_id", flat=True).first()
    return event, stored


def _store(camera: Camera, message: dict[str, Any], after: dict[str, Any], time: dt.datetime,
           snapshot: bytes | None, face: bytes | None) -> tuple[VisionEvent, bool]:
    seen = EventMessage.objects.select_related("event").filter(message_id=message["message_id"]).first()
    if seen is not None:
        return seen.event, False
    data = {k: v for k, v in (after.get("data") or {}).items() if k != "face_crop"}
    event = VisionEvent.objects.select_for_update().filter(event_id=after["id"]).first()
    created = event is None
    if event is None:
        event = VisionEvent.objects.create(
            event_id=after["id"], camera=camera, unit=camera.unit, kind=after["kind"],
            zone=str(after.get("zone") or "")[:64], label=str(after.get("label") or "")[:64],
            score=float(after.get("score") or 0), started_at=_epoch(after.get("start_time", after["frame_time"]),
                                                                      "after.start_time"),
            box=after.get("box"), boxes=after.get("boxes") or [], data=data,
        )
    elif event.camera_id != camera.id:
        raise ValidationFailed.one("after.camera", _("this incident belongs to another camera"))
    else:
        event.score = max(event.score, float(after.get("score") or 0))
        event.data, event.boxes = {**event.data, **data}, after.get("boxes") or event.boxes
        event.box = after.get("box") or event.box
    if message["type"] == "end" or data.get("instantaneous"):
        event.ended_at = time
    if snapshot and not event.snapshot:
        event.snapshot = default_storage.save(f"vision/snapshots/{time:%Y/%m/%d}/{event.event_id}.jpg",
                                              ContentFile(snapshot))
    event.save()
    payload = {k: v for k, v in message.items() if k != "snapshot"}
    payload["after"] = {**after, "data": data}
    if isinstance(payload.get("before"), dict):  # an update repeats the face crop in the state before it
        payload["before"] = _without_face(payload["before"])
    EventMessage.objects.create(message_id=message["message_id"], event=event, type=message["type"], time=time,
                                payload=payload)
    if face and event.kind == VisionEvent.Kind.WATCHLIST and created:
        _store_match(event, data, face)
    audit.record(WORKER, f"vision.event.{message['type']}", event, camera.unit.code, kind=event.kind,
                 camera=camera.code)
    # A new incident raises its alert through the rule of its analytic (vision.rules), after commit.
    events.publish(events.Event(source=SOURCE, kind=ANALYTIC_KINDS[event.kind], unit=camera.unit.code, payload={
        "event_id": event.event_id, "id": event.pk, "camera": camera.code, "camera_name": camera.name,
        "kind": event.kind, "type": message["type"], "created": created, "zone": event.zone,
        "score": round(event.score, 3), "location_kind": camera.location_kind, "data": data,
    }))
    return event, True


def _without_face(state: dict[str, Any]) -> dict[str, Any]:
    """An event state as kept: the face crop is stored once, as a file that retention deletes, never in JSON."""
    data = state.get("data")
    if not isinstance(data, dict) or "face_crop" not in data:
        return state
    return {**state, "data": {k: v for k, v in data.items() if k != "face_crop"}}


def _store_match(event: VisionEvent, data: dict[str, Any], face: bytes) -> None:
    entry_id = data.get("entry_id")
    entry = WatchListEntry.objects.filter(pk=entry_id).first() if isinstance(entry_id, int) else None
    FaceMatch.objects.create(
        event=event, entry=entry, distance=float(data.get("distance", 1)), threshold=float(data.get("threshold", 0.6)),
        face_crop=default_storage.save(f"vision/faces/{event.started_at:%Y/%m/%d}/{event.event_id}.jpg",
                                       ContentFile(face)),
    )


@transaction.atomic
def record_counts(actor: User | None, message: dict[str, Any]) -> list[ZoneCount]:
    """People counted per zone (sent when a count changes, rate-limited by the worker): the time series, and a
    `crowd.count` event for the dashboard and 115."""
    camera = camera_for_worker(actor, message.get("camera")) if actor is not None else _camera(message.get("camera"))
    time = _epoch(message.get("time"), "time")
    counts, trends = message.get("counts"), message.get("trends") or {}
    if not isinstance(counts, dict) or any(isinstance(v, bool) or not isinstance(v, int) or v < 0
                                           for v in counts.values()):
        raise ValidationFailed.one("counts", _("must map zone names to people counts"))
    rows = ZoneCount.objects.bulk_create([
        ZoneCount(camera=camera, zone=str(zone)[:64], time=time, count=count,
                  trend_per_minute=float(trends.get(zone, 0) or 0))
        for zone, count in counts.items()
    ])
    for zone, count in counts.items():
        events.publish(events.Event(source=SOURCE, kind=CROWD_COUNT, unit=camera.unit.code, payload={
            "camera": camera.code, "zone": zone, "location_kind": camera.location_kind, "count": count,
            "trend_per_minute": float(trends.get(zone, 0) or 0), "max_people": _zone_limit(camera, str(zone)),
        }))
    return rows


# ---- the watch-list -----------------------------------------------------------------------------------

def _decode_image(raw: str) -> np.ndarray:
    import numpy as np

    with needs("vision"):
        import cv2

    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise ValidationFailed.one("image", _("must be a base64 JPEG or PNG image")) from None
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise ValidationFailed.one("image", _("must be a base64 JPEG or PNG image"))
    return image


@transaction.atomic
def add_watch_entry(user: User, *, unit: str, name: str, image: str, category: str = "watch", list_name: str = "",
                    reason: str = "") -> WatchListEntry:
    """Add a face to the watch-list (or an allowed-person list) from a photo showing one face."""
    with needs("vision"):
        import cv2

    from .pipeline.faces import encode_single_face, face_crop

    target = Unit.objects.filter(code=unit).first()
    if target is None:
        raise ValidationFailed.one("unit", _("no unit with this code"))
    require(user, Perm.MANAGE_WATCHLIST, target)
    errors = []
    if not name.strip():
        errors.append(FieldError("name", _("give the person's name or a description")))
    if category not in WatchListEntry.Category.values:
        errors.append(FieldError("category", _("must be watch or allowed")))
    if category == WatchListEntry.Category.ALLOWED and not list_name.strip():
        errors.append(FieldError("list_name", _("an allowed person belongs to a named list (e.g. staff)")))
    if errors:
        raise ValidationFailed(errors)
    picture = _decode_image(image)
    try:
        face = encode_single_face(picture)
    except ValueError as exc:
        raise ValidationFailed.one("image", str(exc)) from None
    crop = cv2.imencode(".jpg", face_crop(picture, face.box))[1].tobytes()
    entry = WatchListEntry.objects.create(
        unit=target, name=name.strip(), category=category, list_name=list_name.strip(), reason=reason,
        encoding=[round(float(v), 6) for v in face.encoding], created_by=user,
    )
    entry.face_crop = default_storage.save(f"vision/watchlist/{entry.pk}.jpg", ContentFile(crop))
    entry.save(update_fields=["face_crop"])
    audit.record(user, "vision.watchlist.added", entry, target.code, name=entry.name, category=category)
    return entry


@transaction.atomic
def cancel_watch_entry(user: User, entry: WatchListEntry, reason: str) -> WatchListEntry:
    require(user, Perm.MANAGE_WATCHLIST, entry.unit)
    if not reason.strip():
        raise ValidationFailed.one("reason", _("say why the entry is withdrawn"))
    if not entry.active:
        raise Conflict(_("This entry was already withdrawn"))
    entry.active, entry.cancelled_reason, entry.cancelled_by = False, reason.strip(), user
    entry.cancelled_at = timezone.now()
    entry.save()
    audit.record(user, "vision.watchlist.withdrawn", entry, entry.unit.code, reason=entry.cancelled_reason)
    return entry


def watch_entries_for(camera: Camera) -> list[WatchListEntry]:
    """The active entries that apply to a camera: its hospital's and those of the units above it."""
    ancestors = [int(p) for p in camera.unit.path.strip("/").split("/") if p]
    return list(WatchListEntry.objects.filter(active=True, unit_id__in=ancestors))


def log_face_view(user: User, obj: FaceMatch | WatchListEntry, what: str) -> None:
    """Every look at a face (a match or a watch-list photo) is recorded."""
    unit = obj.event.unit if isinstance(obj, FaceMatch) else obj.unit
    require(user, Perm.MANAGE_WATCHLIST if isinstance(obj, WatchListEntry) else Perm.VIEW_CAMERAS, unit)
    audit.record(user, f"vision.face.viewed.{what}", obj, unit.code)


def log_footage_view(user: User, event: VisionEvent) -> None:
    audit.record(user, "vision.footage.viewed", event, event.unit.code, camera=event.camera.code)


def purge_expired(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete face crops and snapshots past their retention; the records stay, without the pictures."""
    now = now or timezone.now()
    face_limit = now - dt.timedelta(days=settings.VISION_FACE_RETENTION_DAYS)
    snap_limit = now - dt.timedelta(days=settings.VISION_SNAPSHOT_RETENTION_DAYS)
    faces = list(FaceMatch.objects.filter(crop_deleted_at__isnull=True, event__started_at__lt=face_limit)
                 .exclude(face_crop=""))
    for match in faces:
        default_storage.delete(match.face_crop)
    FaceMatch.objects.filter(pk__in=[m.pk for m in faces]).update(face_crop="", crop_deleted_at=now)
    # Copies of the crop in stored messages (kept by versions that did not strip the state before an update).
    for message in EventMessage.objects.filter(event_id__in=[m.event_id for m in faces]):
        cleaned = {k: _without_face(v) if k in ("before", "after") and isinstance(v, dict) else v
                   for k, v in message.payload.items()}
        if cleaned != message.payload:
            EventMessage.objects.filter(pk=message.pk).update(payload=cleaned)
    snapshots = list(VisionEvent.objects.filter(started_at__lt=snap_limit).exclude(snapshot="")
                     .values_list("pk", "snapshot"))
    for _pk, path in snapshots:
        default_storage.delete(path)
    VisionEvent.objects.filter(pk__in=[pk for pk, _p in snapshots]).update(snapshot="")
    if faces or snapshots:
        audit.record("vision-retention", "vision.retention.purged", None, "", face_crops=len(faces),
                     snapshots=len(snapshots))
    return {"face_crops": len(faces), "snapshots": len(snapshots)}


# ---- reading helpers shared by the API and the views ----------------------------------------------------

def visible_cameras(user: User):
    require(user, Perm.VIEW_CAMERAS)
    return Camera.objects.filter(user.scope_filter()).select_related("unit")


def get_camera(user: User, code: str) -> Camera:
    camera = visible_cameras(user).filter(code=code).first()
    if camera is None:
        raise NotFound(_("No such camera in your scope"))
    return camera


def visible_events(user: User):
    require(user, Perm.VIEW_CAMERAS)
    return VisionEvent.objects.filter(user.scope_filter()).select_related("camera", "unit", "alert")


def get_event(user: User, pk: int) -> VisionEvent:
    event = visible_events(user).filter(pk=pk).first()
    if event is None:
        raise NotFound(_("No such camera event in your scope"))
    return event


def false_alarm_counts(user: User) -> list[dict[str, Any]]:
    """Per camera and rule: alerts raised, and how many operators marked as false alarms (to tune rules)."""
    from django.db.models import Count, Q

    require(user, Perm.VIEW_CAMERAS)
    events_qs = (VisionEvent.objects.filter(user.scope_filter(), alert__isnull=False)
                 .values("camera__code", "camera__name", "alert__rule__code")
                 .annotate(alerts=Count("alert", distinct=True),
                           false_alarms=Count("alert", filter=Q(alert__resolution=Alert.Resolution.FALSE_ALARM),
                                              distinct=True))
                 .order_by("camera__code", "alert__rule__code"))
    return [{"camera": r["camera__code"], "camera_name": r["camera__name"], "rule": r["alert__rule__code"],
             "alerts": r["alerts"], "false_alarms": r["false_alarms"],
             "false_alarm_share": round(r["false_alarms"] / r["alerts"], 3) if r["alerts"] else 0.0}
            for r in events_qs]



def latest_counts(camera_ids: list[int], since: dt.datetime) -> dict[int, dict[str, ZoneCount]]:
    """The newest count of every zone of these cameras (counted after `since`): camera id -> zone -> count."""
    from django.db.models import Max, Q

    newest = (ZoneCount.objects.filter(camera_id__in=camera_ids, time__gte=since)
              .values("camera_id", "zone").annotate(last=Max("time")))
    wanted = Q(pk__in=[])
    for row in newest:  # one indexed lookup per zone (a few per camera)
        wanted |= Q(camera_id=row["camera_id"], zone=row["zone"], time=row["last"])
    out: dict[int, dict[str, ZoneCount]] = {}
    for count in ZoneCount.objects.filter(wanted):
        out.setdefault(count.camera_id, {})[count.zone] = count
    return out


def _zone_limit(camera: Camera, zone: str) -> int | None:
    limits = [rule.get("max_people") for z in camera.analytics.get("zones", []) if z.get("name") == zone
              for rule in z.get("rules", []) if rule.get("type") == "count" and rule.get("max_people")]
    return min(limits) if limits else None


def crowding(user: User, max_age_minutes: float = 60, unit: Unit | None = None) -> list[dict[str, Any]]:
    """People seen by the cameras now, per hospital and kind of place: the load indicator next to the reported
    figures. Per camera its most crowded zone counts (zones may nest); the cameras of a place add up. Numbers
    only, no footage: for everyone who sees the dashboard."""
    require(user, Perm.VIEW_DASHBOARD)
    cameras_in_scope = Camera.objects.filter(user.scope_filter(), enabled=True)
    if unit is not None:
        cameras_in_scope = cameras_in_scope.filter(unit=unit)
    cameras = list(cameras_in_scope.select_related("unit"))
    since = timezone.now() - dt.timedelta(minutes=max_age_minutes)
    counts = latest_counts([c.pk for c in cameras], since)
    places: dict[tuple[str, str], dict[str, Any]] = {}
    for camera in cameras:
        zones = counts.get(camera.pk)
        if not zones:
            continue
        busiest = max(zones.values(), key=lambda c: (c.count, c.time))
        place = places.setdefault((camera.unit.code, camera.location_kind), {
            "unit": camera.unit.code, "unit_name": str(camera.unit), "location_kind": camera.location_kind,
            "location_label": str(LocationKind(camera.location_kind).label), "count": 0, "max_people": 0,
            "cameras": 0, "time": busiest.time, "trend_per_minute": 0.0,
        })
        limit = _zone_limit(camera, busiest.zone)
        place["count"] += busiest.count
        place["max_people"] = None if limit is None or place["max_people"] is None else place["max_people"] + limit
        place["cameras"] += 1
        place["time"] = max(place["time"], busiest.time)
        place["trend_per_minute"] = round(place["trend_per_minute"] + busiest.trend_per_minute, 2)
    for place in places.values():
        place["load"] = round(place["count"] / place["max_people"], 3) if place["max_people"] else None
    return sorted(places.values(), key=lambda p: (p["unit"], p["location_kind"]))


def log_wall_view(user: User) -> None:
    """Opening the camera wall shows live footage: recorded once per visit (the frames refresh by themselves)."""
    audit.record(user, "vision.footage.viewed.wall", None, user.unit.code if user.unit else "")


def log_watchlist_view(user: User) -> None:
    audit.record(user, "vision.watchlist.viewed", None, user.unit.code if user.unit else "")


def visible_matches(user: User):
    require(user, Perm.MANAGE_WATCHLIST)
    return (FaceMatch.objects.filter(user.scope_filter("event__unit"))
            .select_related("entry", "event", "event__camera", "event__unit").order_by("-event__started_at"))


def manageable_units(user: User, perm: Perm) -> list[Unit]:
    """Hospitals (and the department, for the watch-list) where the user may do `perm`."""
    kinds = [Unit.Kind.HOSPITAL] + ([Unit.Kind.DEPARTMENT] if perm == Perm.MANAGE_WATCHLIST else [])
    return [u for u in user.scope_units().filter(kind__in=kinds).order_by("kind", "name") if user.has_perm_in(perm, u)]
