"""Appointments: slots made from the weekly schedules, phones verified by a one-time code, bookings that never
exceed a slot's places, cancelling and rescheduling by the person (phone + booking code), and the hospital desk's
check-in, no-show marking and walk-ins. The only place that writes booking state."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit, events
from opscenter.core.errors import Conflict, FieldError, NotFound, TooMany, ValidationFailed
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm

from . import sms
from .events import BOOKED, CANCELLED, CHECKED_IN, LEAD_TIME, NO_SHOW, SOURCE
from .models import Appointment, Closure, CrowdReading, PhoneCode, Schedule, Slot

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread at a desk
PHONE = re.compile(r"^0[1-9]\d{8}$")  # a Vietnamese number, written from 0 (+84 is turned into 0)
IDENTIFIER = re.compile(r"^(\d{9}|\d{12}|[A-Z]{2}\d{13})$")  # old ID, citizen ID, or health insurance number
PHONE_SALT = "opscenter.booking.phone"


def setting(name: str) -> int:
    """A booking limit from the settings (BOOKING_*), with the defaults people would expect."""
    defaults = {"CODE_MINUTES": 10, "CODE_ATTEMPTS": 5, "CODES_PER_PHONE_HOUR": 5, "CODES_PER_ADDRESS_HOUR": 20,
                "VERIFIED_MINUTES": 30, "FUTURE_BOOKINGS_PER_PHONE": 3, "CANCEL_CUTOFF_HOURS": 2,
                "RETENTION_DAYS": 30}
    return int(getattr(settings, f"BOOKING_{name}", defaults[name]))


@dataclass
class Person:
    """Who books: what the hospital needs to receive them, nothing more."""

    name: str
    birth_date: dt.date | None
    identifier: str = ""  # national ID or health insurance (BHYT) number, optional
    reason: str = ""


# --- slots from schedules ------------------------------------------------------------------------------------

def make_slots(first_day: dt.date, days: int, schedules: Iterable[Schedule] | None = None) -> int:
    """The slots of the active schedules for `days` days from `first_day`; slots that exist stay as they are
    (so this runs every night without touching a booked slot). Returns how many were new."""
    tz = timezone.get_current_timezone()
    last_day = first_day + dt.timedelta(days=days - 1)
    chosen = list(schedules) if schedules is not None else list(
        Schedule.objects.filter(active=True, valid_from__lte=last_day).select_related("service"))
    closed = set(Closure.objects.filter(schedule__in=chosen, day__range=(first_day, last_day))
                 .values_list("schedule_id", "day"))
    new = []
    for schedule in chosen:
        walk_ins = round(schedule.capacity * schedule.walk_in_share)
        length = dt.timedelta(minutes=schedule.slot_minutes)
        for offset in range(days):
            day = first_day + dt.timedelta(days=offset)
            if (day.weekday() != schedule.weekday or day < schedule.valid_from
                    or (schedule.valid_until is not None and day > schedule.valid_until)):
                continue
            start = dt.datetime.combine(day, schedule.start, tz)
            end = dt.datetime.combine(day, schedule.end, tz)
            while start + length <= end:
                new.append(Slot(schedule=schedule, service=schedule.service, doctor_id=schedule.doctor_id,
                                unit_id=schedule.service.unit_id, start=start, end=start + length,
                                capacity=schedule.capacity - walk_ins, walk_ins=walk_ins,
                                status=Slot.Status.CLOSED if (schedule.pk, day) in closed else Slot.Status.FREE))
                start += length
    before = Slot.objects.filter(schedule__in=chosen).count()
    Slot.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return Slot.objects.filter(schedule__in=chosen).count() - before


# --- phones ----------------------------------------------------------------------------------------------------

def normalise_phone(raw: str, field: str = "phone") -> str:
    phone = re.sub(r"[\s.\-()]", "", raw or "")
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    if not PHONE.match(phone):
        raise ValidationFailed.one(field, _("enter a Vietnamese mobile number of 10 digits, e.g. 0912345678"))
    return phone


def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(raw_phone: str, address: str | None = None) -> None:
    """Send a one-time code to the phone, within the limits per phone and per address."""
    phone = normalise_phone(raw_phone)
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    recent = PhoneCode.objects.filter(created_at__gte=hour_ago)
    if (recent.filter(phone=phone).count() >= setting("CODES_PER_PHONE_HOUR")
            or (address and recent.filter(address=address).count() >= setting("CODES_PER_ADDRESS_HOUR"))):
        raise TooMany(_("Too many codes were asked for; try again in an hour."))
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = setting("CODE_MINUTES")
    PhoneCode.objects.create(phone=phone, code_hash=_code_hash(phone, code), address=address,
                             expires_at=timezone.now() + dt.timedelta(minutes=minutes))
    # Translators: a text message; Vietnamese without diacritics, as SMS are sent (GSM 7-bit, 160 characters).
    sms.send(phone, _("Your code to book an appointment: %(code)s (valid %(minutes)s minutes). Do not share it.")
             % {"code": code, "minutes": minutes})


def verify_code(raw_phone: str, code: str) -> str:
    """Check the code sent to the phone; returns a token that proves the phone for a while (VERIFIED_MINUTES)."""
    phone = normalise_phone(raw_phone)
    with transaction.atomic():
        sent = (PhoneCode.objects.select_for_update().filter(phone=phone, used_at__isnull=True)
                .order_by("-created_at").first())
        if sent is None or sent.expires_at <= timezone.now():
            raise ValidationFailed.one("code", _("this code has expired; ask for a new one"))
        if sent.attempts >= setting("CODE_ATTEMPTS"):
            raise ValidationFailed.one("code", _("too many wrong tries; ask for a new code"))
        right = hmac.compare_digest(sent.code_hash, _code_hash(phone, (code or "").strip()))
        if right:
            PhoneCode.objects.filter(pk=sent.pk).update(used_at=timezone.now())
        else:  # counted, and kept: the refusal below must not undo it
            PhoneCode.objects.filter(pk=sent.pk).update(attempts=F("attempts") + 1)
    if not right:
        raise ValidationFailed.one("code", _("this code is not right"))
    return signing.TimestampSigner(salt=PHONE_SALT).sign(phone)


def verified_phone(token: str) -> str:
    try:
        return signing.TimestampSigner(salt=PHONE_SALT).unsign(token, max_age=setting("VERIFIED_MINUTES") * 60)
    except signing.BadSignature:
        raise ValidationFailed.one("phone_token", _("confirm your phone number again")) from None


# --- booking ---------------------------------------------------------------------------------------------------

def check_person(person: Person, consent: bool = True) -> Person:
    errors = []
    if not consent:
        errors.append(FieldError("consent", _("the person must agree to the use of their data to book")))
    name = " ".join((person.name or "").split())
    if not name:
        errors.append(FieldError("name", _("enter the patient's full name")))
    elif len(name) > 150:
        errors.append(FieldError("name", _("a name is at most 150 characters")))
    today = timezone.localdate()
    if person.birth_date is None or person.birth_date > today:
        errors.append(FieldError("birth_date", _("enter a date of birth that has passed")))
    elif person.birth_date < today.replace(year=today.year - 125):
        errors.append(FieldError("birth_date", _("check the year of birth")))
    identifier = (person.identifier or "").strip().upper().replace(" ", "")
    if identifier and not IDENTIFIER.match(identifier):
        errors.append(FieldError("identifier", _("a citizen ID has 12 digits (old ID: 9); an insurance number has "
                                                 "2 letters and 13 digits")))
    reason = " ".join((person.reason or "").split())
    if len(reason) > 300:
        errors.append(FieldError("reason", _("at most 300 characters")))
    if errors:
        raise ValidationFailed(errors)
    return Person(name=name, birth_date=person.birth_date, identifier=identifier, reason=reason)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _take_place(slot_id: int) -> Slot:
    """Take one place in the slot, or fail: one conditional UPDATE, so the check and the write are one step
    and two bookings can never share the last place (the row is locked until the transaction ends)."""
    taken = Slot.objects.filter(pk=slot_id, status=Slot.Status.FREE, start__gt=timezone.now(),
                                booked__lt=F("capacity")).update(booked=F("booked") + 1, issued=F("issued") + 1)
    if not taken:
        if not Slot.objects.filter(pk=slot_id).exists():
            raise NotFound(_("No such appointment time"))
        raise Conflict(_("This time has just been taken or is closed; choose another."))
    return Slot.objects.select_related("service", "unit").get(pk=slot_id)


def book(slot_id: int, person: Person, phone_token: str, consent: bool = False) -> Appointment:
    """Book a place for the person whose phone the token proves, who agreed to the use of their data (Decree
    13/2023). Refused (409) when the slot is full or closed or the phone already holds the most future bookings
    allowed."""
    person = check_person(person, consent)
    phone = verified_phone(phone_token)
    for attempt in range(3):  # a booking code drawn twice (one in 10^12) is drawn again
        try:
            with transaction.atomic():
                return _book(slot_id, person, phone)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _book(slot_id: int, person: Person, phone: str, walk_in: bool = False) -> Appointment:
    if not walk_in:
        held = Appointment.objects.filter(phone=phone, status=Appointment.Status.BOOKED,
                                          slot__start__gt=timezone.now()).count()
        if held >= setting("FUTURE_BOOKINGS_PER_PHONE"):
            raise Conflict(_("This phone already holds %(n)s bookings to come; cancel one first.") % {"n": held})
    slot = _take_place(slot_id)
    appointment = Appointment.objects.create(
        code=_new_code(), slot=slot, queue_number=slot.issued, name=person.name, birth_date=person.birth_date,
        phone=phone, identifier=person.identifier, reason=person.reason, consent_at=timezone.now(),
        walk_in=walk_in,
    )
    audit.record("citizen", "booking.appointment.booked", appointment, slot.unit.code, slot=slot.pk)
    _publish(appointment, BOOKED)
    return appointment


def find(code: str, raw_phone: str) -> Appointment:
    """The person's own booking: the code and the phone it was made with must both match."""
    phone = normalise_phone(raw_phone)
    found = (Appointment.objects.select_related("slot", "slot__service", "slot__unit", "slot__doctor")
             .filter(code=(code or "").strip().upper(), phone=phone).first())
    if found is None:
        raise NotFound(_("No booking with this code and phone number"))
    return found


def _before_cutoff(appointment: Appointment) -> None:
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(_("This booking is %(status)s and can no longer be changed")
                       % {"status": appointment.get_status_display().lower()})
    cutoff = appointment.slot.start - dt.timedelta(hours=setting("CANCEL_CUTOFF_HOURS"))
    if timezone.now() > cutoff:
        raise Conflict(_("Bookings can be changed up to %(n)s hours before the time; please call the hospital.")
                       % {"n": setting("CANCEL_CUTOFF_HOURS")})


@transaction.atomic
def cancel(code: str, raw_phone: str, reason: str = "") -> Appointment:
    """The person cancels: the booking stays, cancelled with the reason; its place is free again."""
    appointment = find(code, raw_phone)
    _before_cutoff(appointment)
    _release(appointment, " ".join((reason or "").split())[:200] or _("cancelled by the patient"))
    audit.record("citizen", "booking.appointment.cancelled", appointment, appointment.slot.unit.code)
    return appointment


def _release(appointment: Appointment, reason: str) -> None:
    changed = Appointment.objects.filter(pk=appointment.pk, version=appointment.version).update(
        status=Appointment.Status.CANCELLED, cancelled_reason=reason, version=F("version") + 1)
    if not changed:
        raise Conflict(_("The booking was changed meanwhile; look at it again."))
    Slot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    appointment.refresh_from_db()
    _publish(appointment, CANCELLED)


@transaction.atomic
def reschedule(code: str, raw_phone: str, slot_id: int) -> Appointment:
    """Move the booking to another time: the new place is taken first, then the old one released, so the person
    never ends up with neither."""
    old = find(code, raw_phone)
    _before_cutoff(old)
    person = Person(name=old.name, birth_date=old.birth_date, identifier=old.identifier, reason=old.reason)
    new = _book(slot_id, person, old.phone)
    _release(old, _("moved to booking %(code)s") % {"code": new.code})
    return new


# --- the hospital desk -----------------------------------------------------------------------------------------

def _at_desk(user: User, appointment: Appointment) -> None:
    if not user.has_perm_in(Perm.RECEIVE_PATIENTS, appointment.slot.unit):
        raise PermissionDenied(_("You may not receive patients of %(unit)s") % {"unit": appointment.slot.unit})


@transaction.atomic
def check_in(user: User, code: str) -> Appointment:
    """The desk scans the booking's QR code (or types it): the person has arrived."""
    appointment = (Appointment.objects.select_for_update().select_related("slot", "slot__unit", "slot__service")
                   .filter(code=(code or "").strip().upper()).first())
    if appointment is None:  # a code typed or scanned at the desk: bad input, named
        raise ValidationFailed.one("code", _("no booking has this code"))
    _at_desk(user, appointment)
    if appointment.status == Appointment.Status.CHECKED_IN:
        return appointment  # scanned twice: the same answer
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(_("This booking is %(status)s") % {"status": appointment.get_status_display().lower()})
    if timezone.localtime(appointment.slot.start).date() != timezone.localdate():
        raise Conflict(_("This booking is for %(day)s, not today")
                       % {"day": timezone.localtime(appointment.slot.start).strftime("%d/%m/%Y")})
    return _set_status(user, appointment, Appointment.Status.CHECKED_IN, CHECKED_IN)


@transaction.atomic
def mark_no_show(user: User, appointment: Appointment) -> Appointment:
    _at_desk(user, appointment)
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(_("Only a booking not yet checked in can be marked as not come"))
    if appointment.slot.end > timezone.now():
        raise Conflict(_("The appointment time has not passed yet"))
    return _set_status(user, appointment, Appointment.Status.NO_SHOW, NO_SHOW)


def _set_status(user: User, appointment: Appointment, status: str, kind: str) -> Appointment:
    Appointment.objects.filter(pk=appointment.pk).update(status=status, version=F("version") + 1)
    appointment.refresh_from_db()
    audit.record(user, f"booking.appointment.{status}", appointment, appointment.slot.unit.code)
    _publish(appointment, kind)
    return appointment


@transaction.atomic
def add_walk_in(user: User, slot: Slot, person: Person, raw_phone: str) -> Appointment:
    """Someone who came without booking, taken into a slot's walk-in places (or a free booking place)."""
    if not user.has_perm_in(Perm.RECEIVE_PATIENTS, slot.unit):
        raise PermissionDenied(_("You may not receive patients of %(unit)s") % {"unit": slot.unit})
    person = check_person(person)
    phone = normalise_phone(raw_phone)
    slot = Slot.objects.select_for_update().select_related("unit", "service").get(pk=slot.pk)  # one desk at a time
    walk_ins = Appointment.objects.filter(slot=slot, walk_in=True).exclude(status=Appointment.Status.CANCELLED)
    if walk_ins.count() >= slot.walk_ins:
        return _book(slot.pk, person, phone, walk_in=True)  # no walk-in place left: a booking place, if any
    Slot.objects.filter(pk=slot.pk).update(issued=F("issued") + 1)
    slot.refresh_from_db()
    appointment = Appointment.objects.create(
        code=_new_code(), slot=slot, queue_number=slot.issued, name=person.name, birth_date=person.birth_date,
        phone=phone, identifier=person.identifier, reason=person.reason, consent_at=timezone.now(), walk_in=True,
        status=Appointment.Status.CHECKED_IN)
    audit.record(user, "booking.appointment.walk_in", appointment, slot.unit.code)
    _publish(appointment, CHECKED_IN)
    return appointment


def _publish(appointment: Appointment, kind: str) -> None:
    slot = appointment.slot
    events.publish(events.Event(source=SOURCE, kind=kind, unit=slot.unit.code, payload={
        "code": appointment.code, "service": slot.service.code, "specialty": slot.service.specialty,
        "start": slot.start, "status": appointment.status, "walk_in": appointment.walk_in}))


# --- retention -------------------------------------------------------------------------------------------------

def purge(older_than_days: int | None = None) -> int:
    """Erase the personal data of bookings whose time is more than BOOKING_RETENTION_DAYS past (the consent says
    so). What remains counts for the figures: the time, the service, the status, the queue number. Returns how many
    bookings were erased."""
    days = setting("RETENTION_DAYS") if older_than_days is None else older_than_days
    limit = timezone.now() - dt.timedelta(days=days)
    PhoneCode.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=1)).delete()  # spent in minutes
    old = Appointment.objects.filter(slot__end__lt=limit, erased_at__isnull=True)
    ids = list(old.values_list("pk", flat=True))
    if not ids:
        return 0
    Appointment.objects.filter(pk__in=ids).update(name="", birth_date=None, phone="", identifier="", reason="",
                                                  cancelled_reason="", erased_at=timezone.now())
    audit.record("booking.retention", "booking.appointment.erased", None, count=len(ids), days=days)
    return len(ids)


# --- lead times ------------------------------------------------------------------------------------------------

def publish_lead_times() -> int:
    """For each specialty offered, how far ahead its first free appointment is, city-wide: an event the alert rule
    reads (a specialty with nothing free for days). On the department's unit. Returns how many were published."""
    from .queries import lead_times

    department = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, parent__isnull=True).order_by("pk").first()
    if department is None:
        return 0
    rows = lead_times()
    for row in rows:
        events.publish(events.Event(source=SOURCE, kind=LEAD_TIME, unit=department.code, payload=row))
    return len(rows)


# --- the cameras' counts, for the portal's load ------------------------------------------------------------------

# Where people coming to a clinic pass and wait. The cameras watch no outpatient zone as such (vision's
# LocationKind has none); theatre corridors, isolation wards and car parks say nothing about a clinic's queue.
PUBLIC_PLACES = ("entrance", "corridor", "emergency_waiting")


def record_crowd_count(event: events.Event) -> None:
    """Bus subscriber: keep the latest count of each camera zone in a hospital's public areas."""
    if event.source != "vision" or event.kind != "crowd.count" or not event.unit:
        return
    payload = event.payload
    count, limit = payload.get("count"), payload.get("max_people")
    if payload.get("location_kind") not in PUBLIC_PLACES or not isinstance(count, int) or count < 0:
        return
    unit = Unit.objects.filter(code=event.unit, kind=Unit.Kind.HOSPITAL).first()
    if unit is None:
        return
    camera, zone = str(payload.get("camera", ""))[:64], str(payload.get("zone", ""))[:64]
    with transaction.atomic():
        current = CrowdReading.objects.select_for_update().filter(camera=camera, zone=zone).first()
        if current is not None and current.time >= event.time:
            return  # an older reading arriving late
        CrowdReading.objects.update_or_create(camera=camera, zone=zone, defaults={
            "unit": unit, "location_kind": payload["location_kind"], "count": count, "time": event.time,
            "max_people": limit if isinstance(limit, int) and limit > 0 else None})
