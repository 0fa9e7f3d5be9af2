"""115 emergency coordination: incidents and their timeline, ambulances and their positions, hospital diversion,
and the latest camera counts of emergency waiting areas."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opscenter.org.models import Unit, Ward


class Capability(models.TextChoices):
    TRAUMA = "trauma", _("Trauma")
    STROKE = "stroke", _("Stroke")
    CARDIAC = "cardiac", _("Cardiac")
    PAEDIATRICS = "paediatrics", _("Paediatrics")
    OBSTETRICS = "obstetrics", _("Obstetrics")
    BURNS = "burns", _("Burns")


class Incident(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        DISPATCHED = "dispatched", _("Dispatched")
        EN_ROUTE = "en_route", _("En route")
        ON_SCENE = "on_scene", _("On scene")
        TRANSPORTING = "transporting", _("Transporting")
        AT_HOSPITAL = "at_hospital", _("At hospital")
        HANDED_OVER = "handed_over", _("Handed over")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        FORM = "form", _("Dispatcher form")
        API = "api", _("Call-taking system")
        SIMULATOR = "simulator", _("Simulator")

    code = models.CharField(max_length=24, unique=True)
    center = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="incidents",
                               help_text=_("The emergency centre handling the call"))
    external_id = models.CharField(max_length=64, null=True, blank=True,
                                   help_text=_("The call-taking system's id; a repeat returns the same incident"))
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.FORM)
    received_at = models.DateTimeField(db_index=True, help_text=_("When the call was received"))
    caller_phone = models.CharField(max_length=32, blank=True)  # personal data: cleared after retention
    address = models.CharField(max_length=255, blank=True)
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    chief_complaint = models.CharField(max_length=255)
    priority = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)],
                                                help_text=_("1 most urgent … 4"))
    patients = models.PositiveSmallIntegerField(default=1)
    need = models.CharField(max_length=16, choices=Capability.choices, blank=True,
                            help_text=_("Capability the receiving hospital needs"))
    notes = models.TextField(blank=True)  # personal data: cleared after retention
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    destination = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    destination_eta = models.DateTimeField(null=True, blank=True)
    # The first time each milestone was reached (set once, from the timeline) for the KPIs.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    on_scene_at = models.DateTimeField(null=True, blank=True)
    at_hospital_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text=_("Closed or cancelled"))
    personal_data_cleared_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["center", "external_id"], condition=Q(external_id__isnull=False),
                                    name="unique_incident_external_id"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=4), name="incident_priority_1_to_4"),
        ]
        indexes = [models.Index(fields=["center", "status"], name="incident_center_status")]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.code} P{self.priority} {self.chief_complaint}"

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.CANCELLED)


class IncidentEvent(models.Model):
    """The incident's timeline: every status change, assignment and note, appended and never edited."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    time = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=24)  # a status, or "assigned", "destination", "note"
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=150)
    ambulance = models.ForeignKey("Ambulance", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    OTHER_ACTIONS = {"assigned": _("Ambulance assigned"), "destination": _("Destination set"), "note": _("Note")}

    class Meta:
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.incident.code} {self.action} {self.time:%H:%M:%S}"

    @property
    def action_label(self) -> str:
        """What happened, in words: a status's label, or one of the other actions'."""
        if self.action in Incident.Status.values:
            return str(Incident.Status(self.action).label)
        return str(self.OTHER_ACTIONS.get(self.action, self.action))


class Ambulance(models.Model):
    class Crew(models.TextChoices):
        BASIC = "basic", _("Driver and nurse")
        DOCTOR = "doctor", _("Doctor-led crew")

    class Equipment(models.TextChoices):
        BLS = "bls", _("Basic life support")
        ALS = "als", _("Advanced life support")
        MICU = "micu", _("Mobile intensive care")

    class Status(models.TextChoices):
        AVAILABLE = "available", pgettext_lazy("ambulance status", "Available")
        DISPATCHED = "dispatched", _("Dispatched")
        EN_ROUTE = "en_route", _("En route")
        ON_SCENE = "on_scene", _("On scene")
        TRANSPORTING = "transporting", _("Transporting")
        AT_HOSPITAL = "at_hospital", _("At hospital")
        OUT_OF_SERVICE = "out_of_service", _("Out of service")

    code = models.CharField(max_length=32, unique=True)
    plate = models.CharField(max_length=20, blank=True)
    station = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ambulances")
    crew = models.CharField(max_length=16, choices=Crew.choices, default=Crew.BASIC)
    equipment = models.CharField(max_length=8, choices=Equipment.choices, default=Equipment.BLS)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AVAILABLE, db_index=True)
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 help_text=_("The incident the ambulance is assigned to"))
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    position_at = models.DateTimeField(null=True, blank=True, help_text=_("Device time of the last position"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ambulance")
        verbose_name_plural = _("ambulances")

    def __str__(self) -> str:
        return self.code


class Assignment(models.Model):
    """An ambulance sent to an incident, from the dispatcher's confirmation until it is released."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="assignments")
    ambulance = models.ForeignKey(Ambulance, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    estimated_seconds = models.FloatField(null=True, blank=True, help_text=_("Estimated travel to the scene"))
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-assigned_at"]
        constraints = [
            # Belt and braces under the conditional update of the ambulance: one open assignment at a time.
            models.UniqueConstraint(fields=["ambulance"], condition=Q(released_at__isnull=True),
                                    name="one_open_assignment_per_ambulance"),
        ]

    def __str__(self) -> str:
        return f"{self.ambulance.code} → {self.incident.code}"


class Position(models.Model):
    """The track of an ambulance, as sent by its device (kept for the configured retention)."""

    ambulance = models.ForeignKey(Ambulance, on_delete=models.CASCADE, related_name="track")
    time = models.DateTimeField(help_text=_("Device time"))
    latitude = models.FloatField()
    longitude = models.FloatField()
    speed_kmh = models.FloatField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ambulance", "time"], name="one_position_per_instant")]
        indexes = [models.Index(fields=["time"], name="position_time")]

    def __str__(self) -> str:
        return f"{self.ambulance_id} {self.time:%H:%M:%S}"


class Diversion(models.Model):
    """A hospital's emergency department diversion status, as a history: the latest row per hospital holds."""

    hospital = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="diversions")
    active = models.BooleanField()
    reason = models.CharField(max_length=255, blank=True)
    set_at = models.DateTimeField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["hospital", "-set_at"], name="diversion_latest")]
        verbose_name = _("diversion")
        verbose_name_plural = _("diversions")

    def __str__(self) -> str:
        return f"{self.hospital} {'on' if self.active else 'off'} {self.set_at:%Y-%m-%d %H:%M}"


class WaitingAreaCount(models.Model):
    """The latest head count of one camera watching a hospital's emergency waiting area (a reading, not a
    record: each count replaces the camera's previous one)."""

    hospital = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    camera = models.CharField(max_length=64)
    zone = models.CharField(max_length=100, blank=True)
    count = models.PositiveIntegerField()
    time = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hospital", "camera"], name="one_count_per_camera")]

    def __str__(self) -> str:
        return f"{self.hospital} {self.camera}: {self.count}"
