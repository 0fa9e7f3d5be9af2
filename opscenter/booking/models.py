"""Outpatient appointments: what a facility offers (services), who sees patients (doctors), when (weekly
schedules, made into slots), and the bookings citizens make. Named as FHIR R4 names them where a resource fits:
HealthcareService, Practitioner, Schedule, Slot, Appointment."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opscenter.org.models import Specialty, Unit
from opscenter.reporting.models import localized_name

ARRIVE_BEFORE = dt.timedelta(minutes=30)


class Service(models.Model):
    """A clinic or service a facility offers for booking (FHIR HealthcareService)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="booking_services")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150, blank=True)
    specialty = models.CharField(max_length=32, choices=Specialty.choices)
    accepts_insurance = models.BooleanField(default=True, help_text=_("Health insurance (BHYT) accepted"))
    active = models.BooleanField(default=True)
    screen_version = models.PositiveIntegerField(
        default=1, help_text=_("Raised to revoke the links of the clinic's queue screens"))

    class Meta:
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="unique_booking_service_code")]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized_name(self.name, self.name_en)


class Doctor(models.Model):
    """Who sees patients (FHIR Practitioner)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="doctors")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=150)
    title = models.CharField(max_length=60, blank=True, help_text=_("As written before the name, e.g. ThS.BS."))
    specialty = models.CharField(max_length=32, choices=Specialty.choices)
    languages = models.JSONField(default=list, blank=True, help_text=_("Language codes, e.g. [\"vi\", \"en\"]"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="unique_doctor_code")]
        verbose_name = _("doctor")
        verbose_name_plural = _("doctors")

    def __str__(self) -> str:
        return self.called(self.title, self.name)

    @staticmethod
    def called(title: str, name: str) -> str:
        """How a doctor is named: the title before the name (also for rows read without the model)."""
        return f"{title} {name}".strip()


class Schedule(models.Model):
    """A weekly template: on `weekday`, from `start` to `end`, slots of `slot_minutes` for `capacity` patients
    each, of which `walk_in_share` is kept for people who come without booking (FHIR Schedule)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="schedules")
    doctor = models.ForeignKey(Doctor, null=True, blank=True, on_delete=models.PROTECT, related_name="schedules")
    room = models.CharField(max_length=80, blank=True)
    weekday = models.PositiveSmallIntegerField(help_text=_("0 Monday … 6 Sunday"))
    start = models.TimeField()
    end = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField(default=15)
    capacity = models.PositiveSmallIntegerField(default=1, help_text=_("Patients per slot"))
    walk_in_share = models.FloatField(default=0.0, help_text=_("Share of places kept for walk-ins (0 to 1)"))
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # Raised by every change: a change made from an older version is refused (two managers, one template).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["service", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="schedule_ends_after_start"),
            models.CheckConstraint(condition=Q(walk_in_share__gte=0, walk_in_share__lte=1),
                                   name="schedule_walk_in_share_0_1"),
        ]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return f"{self.service} {self.weekday} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAYS[self.weekday])

    @property
    def label(self) -> str:
        """As a manager reads it: the day of the week, the hours, the service and the doctor."""
        doctor = f" · {self.doctor}" if self.doctor_id else ""
        return f"{self.weekday_name} {self.start:%H:%M}–{self.end:%H:%M} {self.service.label}{doctor}"


class Closure(models.Model):
    """A day a schedule does not run (leave, holiday): its slots that day are closed, bookings moved or cancelled
    by the hospital."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="closures")
    day = models.DateField()
    reason = models.CharField(max_length=200)
    # The closures made together (one template, a doctor's or the whole facility's, over a range of days): they
    # are listed and reopened together.
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schedule", "day"], name="one_closure_per_schedule_day")]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.schedule} {self.day:%d/%m/%Y}"


class Slot(models.Model):
    """One bookable time (FHIR Slot). `booked` counts the live bookings; a booking raises it only while it is
    below `capacity`, in one conditional UPDATE, so two people never get the last place. `issued` only grows:
    it numbers the queue."""

    class Status(models.TextChoices):
        FREE = "free", _("Free")
        CLOSED = "busy-unavailable", _("Closed")

    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="slots")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="slots")
    doctor = models.ForeignKey(Doctor, null=True, blank=True, on_delete=models.PROTECT, related_name="slots")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="slots")
    start = models.DateTimeField()
    end = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(help_text=_("Places that can be booked"))
    walk_ins = models.PositiveSmallIntegerField(default=0, help_text=_("Places kept for walk-ins"))
    booked = models.PositiveSmallIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.FREE)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "start"], name="one_slot_per_schedule_start"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_never_overbooked"),
        ]
        indexes = [models.Index(fields=["start", "status"], name="slot_start_status"),
                   models.Index(fields=["service", "start"], name="slot_service_start")]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")

    def __str__(self) -> str:
        return f"{self.service} {self.start:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0) if self.status == self.Status.FREE else 0


class Appointment(models.Model):
    """A booking (FHIR Appointment). Never deleted: cancelled with a reason. Personal data is what the hospital
    needs to receive the person, kept until `retention` days after the visit (services.purge)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked-in", _("Checked in")
        FULFILLED = "fulfilled", pgettext_lazy("appointment status", "Seen")
        NO_SHOW = "noshow", _("Did not come")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE = (Status.BOOKED, Status.CHECKED_IN)

    code = models.CharField(max_length=12, unique=True)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    queue_number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED, db_index=True)
    walk_in = models.BooleanField(default=False)
    name = models.CharField(max_length=150)
    birth_date = models.DateField(null=True, blank=True)  # erased with the rest (services.purge)
    phone = models.CharField(max_length=20, db_index=True)
    email = models.EmailField(blank=True, help_text=_("Optional, for the reminder"))
    language = models.CharField(max_length=8, default="vi", help_text=_("The language the person booked in"))
    identifier = models.CharField(max_length=20, blank=True, help_text=_("National ID or insurance number"))
    reason = models.CharField(max_length=300, blank=True)
    his_identifier = models.CharField(
        max_length=255, blank=True, db_index=True,
        help_text=_("The hospital system's own identifier of a booking it made (system|value); a retry finds it"))
    consent_at = models.DateTimeField(help_text=_("When the person agreed to the use of their data"))
    created_at = models.DateTimeField(auto_now_add=True)
    called_at = models.DateTimeField(null=True, blank=True, help_text=_("When the clinic called the person in"))
    cancelled_reason = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    erased_at = models.DateTimeField(null=True, blank=True, help_text=_("When the personal data was erased"))
    reminded_at = models.DateTimeField(null=True, blank=True, help_text=_("When the reminder was sent"))

    class Meta:
        ordering = ["slot__start", "queue_number"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return self.code

    @property
    def arrive_from(self) -> dt.datetime:
        """The arrival window opens ARRIVE_BEFORE the time (the desk needs them before the doctor does)."""
        return self.slot.start - ARRIVE_BEFORE


class PhoneCode(models.Model):
    """A one-time code sent to a phone before it may book; only its hash is kept."""

    phone = models.CharField(max_length=20, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%d/%m/%Y %H:%M}"


class CrowdReading(models.Model):
    """The latest head count of one camera zone in a facility's public areas (entrances, corridors, waiting
    rooms), kept from the cameras' `crowd.count` events for the portal's load: a reading, not a record, each
    count replaces the zone's previous one. Numbers only."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    camera = models.CharField(max_length=64)
    zone = models.CharField(max_length=64)
    location_kind = models.CharField(max_length=24)
    count = models.PositiveIntegerField()
    max_people = models.PositiveIntegerField(null=True, blank=True, help_text=_("The zone's limit, if it has one"))
    time = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["camera", "zone"], name="one_reading_per_camera_zone")]
        indexes = [models.Index(fields=["unit", "time"], name="crowd_reading_unit_time")]

    def __str__(self) -> str:
        return f"{self.unit} {self.camera}/{self.zone}: {self.count}"
