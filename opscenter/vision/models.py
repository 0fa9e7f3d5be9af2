"""Camera AI: the camera registry (with configuration history), events from the workers, zone counts,
the watch-list and its matches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.alerts.models import Alert
from opscenter.org.models import Unit


class LocationKind(models.TextChoices):
    EMERGENCY_WAITING = "emergency_waiting", _("Emergency waiting room")
    OPERATING_CORRIDOR = "operating_corridor", _("Operating theatre corridor")
    ISOLATION_WARD = "isolation_ward", _("Isolation ward")
    ENTRANCE = "entrance", _("Entrance")
    PARKING = "parking", _("Parking")
    CORRIDOR = "corridor", _("Corridor")
    OTHER = "other", _("Other")


class Camera(models.Model):
    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cameras")
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    location_kind = models.CharField(max_length=24, choices=LocationKind.choices, default=LocationKind.OTHER)
    stream_url = models.CharField(max_length=500, help_text=_("rtsp://, http(s):// or a video file path"))
    width = models.PositiveIntegerField(default=640)
    height = models.PositiveIntegerField(default=360)
    fps = models.FloatField(default=5.0)
    # zones, lines, masks, face threshold...: the documented camera JSON, checked by pipeline.config
    analytics = models.JSONField(default=dict, blank=True)
    worker_group = models.CharField(max_length=64, blank=True, default="default",
                                    help_text=_("Workers serve the cameras of their group"))
    enabled = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNKNOWN)
    status_reason = models.CharField(max_length=500, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    last_frame_at = models.DateTimeField(null=True, blank=True)
    measured_fps = models.FloatField(null=True, blank=True)
    latest_frame = models.CharField(max_length=255, blank=True)  # storage path of the newest JPEG
    # What the worker's detector can see: {"detector": "hog" | model file, "labels": [...]}
    capabilities = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__code", "code"]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def analytics_available(self) -> dict[str, dict]:
        """Which analytics this camera's detector supports; weapons and falls need a model with such classes."""
        from .pipeline.detectors import FALL_LABELS, WEAPON_LABELS

        labels = {str(label).lower() for label in self.capabilities.get("labels", [])}
        out = {kind: {"available": True, "reason": ""} for kind in ("crowding", "barrier", "line_crossing",
                                                                    "loitering", "watchlist", "abandoned", "fight")}
        out["fight"]["reason"] = str(_("heuristic (optical-flow statistics) until a trained model is supplied"))
        for kind, wanted in (("weapon", WEAPON_LABELS), ("fall", FALL_LABELS)):
            found = sorted(labels & wanted)
            out[kind] = {"available": bool(found), "labels": found, "reason": "" if found else str(
                _("Not available: the camera's detection model has no %(kind)s classes")
                % {"kind": str(VisionEvent.Kind(kind).label).lower()})}
        for kind, entry in out.items():
            entry["label"] = str(VisionEvent.Kind(kind).label)
        return out

    def config(self) -> dict:
        """The camera JSON that workers and `opscenter vision-analyze` read."""
        return {"code": self.code, "unit": self.unit.code, "name": self.name, "location_kind": self.location_kind,
                "stream_url": self.stream_url, "width": self.width, "height": self.height, "fps": self.fps,
                **self.analytics}


class CameraVersion(models.Model):
    """Every configuration a camera had: nothing is overwritten without a trace."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    config = models.JSONField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["camera", "version"]
        constraints = [models.UniqueConstraint(fields=["camera", "version"], name="unique_camera_version")]
        verbose_name = _("camera version")
        verbose_name_plural = _("camera versions")

    def __str__(self) -> str:
        return f"{self.camera_id} v{self.version}"


class VisionEvent(models.Model):
    """One incident seen by a camera (crossing, crowding, loitering, ...), from its first to its last message."""

    class Kind(models.TextChoices):
        CROWDING = "crowding", _("Crowding")
        BARRIER = "barrier", _("Restricted zone entered")
        LINE_CROSSING = "line_crossing", _("Line crossed")
        LOITERING = "loitering", _("Loitering")
        WATCHLIST = "watchlist", _("Watch-list face")
        ABANDONED = "abandoned", _("Abandoned object")
        FIGHT = "fight", _("Fighting (heuristic)")
        WEAPON = "weapon", _("Weapon")
        FALL = "fall", _("Fall")

    event_id = models.CharField(max_length=64, unique=True)
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="events")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    zone = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=64, blank=True)
    score = models.FloatField(default=0)
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    box = models.JSONField(null=True, blank=True)
    boxes = models.JSONField(default=list, blank=True)
    data = models.JSONField(default=dict, blank=True)
    snapshot = models.CharField(max_length=255, blank=True)  # storage path of the JPEG evidence
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["camera", "kind", "started_at"], name="vision_event_cam_kind")]
        verbose_name = _("camera event")
        verbose_name_plural = _("camera events")

    def __str__(self) -> str:
        return f"{self.camera.code} {self.kind} {self.started_at:%Y-%m-%d %H:%M:%S}"


class EventMessage(models.Model):
    """Each message received for an incident (new, update, end): its history, and exactly-once by message id."""

    message_id = models.CharField(max_length=64, unique=True)
    event = models.ForeignKey(VisionEvent, on_delete=models.CASCADE, related_name="messages")
    type = models.CharField(max_length=8)
    time = models.DateTimeField()
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"


class ZoneCount(models.Model):
    """People counted in a zone: the time series behind the load indicator."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="counts")
    zone = models.CharField(max_length=64)
    time = models.DateTimeField()
    count = models.PositiveIntegerField()
    trend_per_minute = models.FloatField(default=0)

    class Meta:
        ordering = ["-time"]
        indexes = [models.Index(fields=["camera", "zone", "-time"], name="vision_count_series")]

    def __str__(self) -> str:
        return f"{self.zone}: {self.count}"


class WatchListEntry(models.Model):
    """A face that security officers watch for (known thieves, touts) or let through barriers (staff)."""

    class Category(models.TextChoices):
        WATCH = "watch", _("Watch for")
        ALLOWED = "allowed", _("Allowed person")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             help_text=_("The hospital (or the department, for all hospitals)"))
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.WATCH)
    list_name = models.CharField(max_length=64, blank=True, help_text=_("For allowed persons: the list's name"))
    reason = models.CharField(max_length=255, blank=True)
    encoding = models.JSONField()  # 128 floats; the photo itself is not kept beyond the face crop
    face_crop = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)
    cancelled_reason = models.CharField(max_length=255, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("watch-list entry")
        verbose_name_plural = _("watch-list entries")

    def __str__(self) -> str:
        return self.name


class FaceMatch(models.Model):
    """A face seen by a camera that matched a watch-list entry. The crop is deleted after the retention period."""

    event = models.OneToOneField(VisionEvent, on_delete=models.CASCADE, related_name="face_match")
    entry = models.ForeignKey(WatchListEntry, null=True, on_delete=models.SET_NULL, related_name="matches")
    distance = models.FloatField()
    threshold = models.FloatField()
    face_crop = models.CharField(max_length=255, blank=True)
    crop_deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.entry_id} at {self.distance:.3f}"
