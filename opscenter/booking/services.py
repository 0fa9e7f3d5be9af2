"""Appointments: slots made from the weekly schedules, phones verified by a one-time code, bookings that never
exceed a slot's places, cancelling and rescheduling by the person (phone + booking code), and the hospital desk's
check-in, no-show marking and walk-ins. The only place that writes booking state."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.core import audit, events
from opscenter.core.edits import StaleEdit
from opscenter.core.errors import Conflict, FieldError, NotFound, TooMany, ValidationFailed
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm

from . import sms
from .events import (
    BOOKED,
    CALLED,
    CANCELLED,
    CHECKED_IN,
    LEAD_TIME,
    NO_SHOW,
    SCHEDULE_CHANGED,
    SCHEDULE_CLOSED,
    SCHEDULE_REOPENED,
    SOURCE,
)
from .models import Appointment, Closure, CrowdReading, Doctor, PhoneCode, Schedule, Service, Slot
from .queries import day_start

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread at a desk
PHONE = re.compile(r"^0[1-9]\d{8}$")  # a Vietnamese number, written from 0 (+84 is turned into 0)
IDENTIFIER = re.compile(r"^(\d{9}|\d{12}|[A-Z]{2}\d{13})$")  # old ID, citizen ID, or health insurance number
PHONE_SALT = "opscenter.booking.phone"


def setting(name: str) -> int:
    """A booking limit from the settings (BOOKING_*), with the defaults people would expect."""
    defaults = {"CODE_MINUTES": 10, "CODE_ATTEMPTS": 5, "CODES_PER_PHONE_HOUR": 5, "CODES_PER_ADDRESS_HOUR": 20,
                "VERIFIED_MINUTES": 30, "FUTURE_BOOKINGS_PER_PHONE": 3, "CANCEL_CUTOFF_HOURS": 2,
                "RETENTION_DAYS": 30, "REMINDER_FROM_HOUR": 8, "REMINDER_UNTIL_HOUR": 20,
                "REMINDER_NOT_WITHIN_HOURS": 12}
    return int(getattr(settings, f"BOOKING_{name}", defaults[name]))


@dataclass
class Person:
    """Who books: what the hospital needs to receive them, nothing more."""

    name: str
    birth_date: dt.date | None
    identifier: str = ""  # national ID or health insurance (BHYT) number, optional
    reason: str = ""
    email: str = ""  # optional: the reminder goes there too


# --- slots from schedules ------------------------------------------------------------------------------------

SLOT_DAYS = 14  # how far ahead slots are made (every night, and when a template changes)


def make_slots(first_day: dt.date, days: int, schedules: Iterable[Schedule] | None = None) -> int:
    """The slots of the active schedules for `days` days from `first_day`; slots that exist stay as they are
    (so this runs every night without touching a booked slot). Returns how many were new."""
    last_day = first_day + dt.timedelta(days=days - 1)
    chosen = list(schedules) if schedules is not None else list(
        Schedule.objects.filter(active=True, valid_from__lte=last_day).select_related("service"))
    closed = set(Closure.objects.filter(schedule__in=chosen, day__range=(first_day, last_day))
                 .values_list("schedule_id", "day"))
    new = [slot for schedule in chosen for slot in _planned(schedule, first_day, days, closed)]
    before = Slot.objects.filter(schedule__in=chosen).count()
    Slot.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return Slot.objects.filter(schedule__in=chosen).count() - before


def _planned(schedule: Schedule, first_day: dt.date, days: int, closed: set[tuple[int, dt.date]]) -> list[Slot]:
    """The slots the template gives on those days (not saved)."""
    tz = timezone.get_current_timezone()
    walk_ins = round(schedule.capacity * schedule.walk_in_share)
    length = dt.timedelta(minutes=schedule.slot_minutes)
    out = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        if (day.weekday() != schedule.weekday or day < schedule.valid_from
                or (schedule.valid_until is not None and day > schedule.valid_until)):
            continue
        start = dt.datetime.combine(day, schedule.start, tz)
        end = dt.datetime.combine(day, schedule.end, tz)
        while start + length <= end:
            out.append(Slot(schedule=schedule, service=schedule.service, doctor_id=schedule.doctor_id,
                            unit_id=schedule.service.unit_id, start=start, end=start + length,
                            capacity=schedule.capacity - walk_ins, walk_ins=walk_ins,
                            status=Slot.Status.CLOSED if (schedule.pk, day) in closed else Slot.Status.FREE))
            start += length
    return out


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

def check_person(person: Person, consent: bool = True, birth_date_needed: bool = True) -> Person:
    errors = []
    if not consent:
        errors.append(FieldError("consent", _("the person must agree to the use of their data to book")))
    name = " ".join((person.name or "").split())
    if not name:
        errors.append(FieldError("name", _("enter the patient's full name")))
    elif len(name) > 150:
        errors.append(FieldError("name", _("a name is at most 150 characters")))
    today = timezone.localdate()
    if person.birth_date is None and not birth_date_needed:
        pass  # at the desk the person is there: a walk-in's date of birth may wait for the clinic
    elif person.birth_date is None or person.birth_date > today:
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
    email = (person.email or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.append(FieldError("email", _("enter an e-mail address such as ten@example.vn, or leave it empty")))
    if errors:
        raise ValidationFailed(errors)
    return Person(name=name, birth_date=person.birth_date, identifier=identifier, reason=reason, email=email)


def check_person_and_phone(person: Person, raw_phone: str, consent: bool = True,
                           birth_date_needed: bool = True) -> tuple[Person, str]:
    """The person and their phone as the services accept them, every field's problem at once (the person, or the
    system sending them, corrects them in one go)."""
    errors = []
    try:
        person = check_person(person, consent, birth_date_needed)
    except ValidationFailed as exc:
        errors += exc.errors
    phone = ""
    try:
        phone = normalise_phone(raw_phone)
    except ValidationFailed as exc:
        errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    return person, phone


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


def _book(slot_id: int, person: Person, phone: str, walk_in: bool = False, staff: User | None = None,
          his_identifier: str = "") -> Appointment:
    if not walk_in and staff is None:  # the limit stops one phone hoarding places; a hospital books for its own
        held = Appointment.objects.filter(phone=phone, status=Appointment.Status.BOOKED,
                                          slot__start__gt=timezone.now()).count()
        if held >= setting("FUTURE_BOOKINGS_PER_PHONE"):
            raise Conflict(_("This phone already holds %(n)s bookings to come; cancel one first.") % {"n": held})
    slot = _take_place(slot_id)
    appointment = Appointment.objects.create(
        code=_new_code(), slot=slot, queue_number=slot.issued, name=person.name, birth_date=person.birth_date,
        phone=phone, identifier=person.identifier, reason=person.reason, consent_at=timezone.now(),
        walk_in=walk_in, email=person.email, language=translation.get_language() or settings.LANGUAGE_CODE,
        his_identifier=his_identifier,
    )
    audit.record(staff or "citizen", "booking.appointment.booked", appointment, slot.unit.code, slot=slot.pk)
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
    person = Person(name=old.name, birth_date=old.birth_date, identifier=old.identifier, reason=old.reason,
                    email=old.email)
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


class StaleVersion(Conflict):
    """The booking changed since the version the caller saw (an HTTP If-Match that no longer holds: 412)."""


@transaction.atomic
def book_for_hospital(user: User, slot_id: int, person: Person, raw_phone: str,
                      his_identifier: str = "") -> tuple[Appointment, bool]:
    """A hospital's own system books a place for a patient it has taken the consent of (as the desk does).
    `his_identifier` (its `system|value` for the booking) makes retries safe: a booking of the facility that
    already carries it is returned as it is, and nothing new is booked. Returns (booking, whether it is new)."""
    slot = Slot.objects.select_related("unit").filter(pk=slot_id).first()
    if slot is None:
        raise ValidationFailed.one("slot", _("no such appointment time"))
    if not user.has_perm_in(Perm.RECEIVE_PATIENTS, slot.unit):
        raise PermissionDenied(_("You may not receive patients of %(unit)s") % {"unit": slot.unit})
    person, phone = check_person_and_phone(person, raw_phone)
    # Two copies of one request take turns on the slot's row, so the second sees the first's booking.
    Slot.objects.select_for_update().filter(pk=slot.pk).first()
    if his_identifier:
        found = (Appointment.objects.select_related("slot", "slot__service", "slot__unit")
                 .filter(slot__unit=slot.unit, his_identifier=his_identifier).first())
        if found is not None:
            return found, False
    for attempt in range(3):  # a booking code drawn twice is drawn again, as in book()
        try:
            with transaction.atomic():
                return _book(slot.pk, person, phone, staff=user, his_identifier=his_identifier), True
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def cancel_by_hospital(user: User, code: str, reason: str = "", version: int | None = None) -> Appointment:
    """The hospital cancels a booking (its own system or its staff), at any time before the person is seen:
    the booking stays, cancelled with the reason, and its place is free again. `version`, if given, must be
    the booking's current one (StaleVersion otherwise). Cancelling a cancelled booking changes nothing."""
    appointment = (Appointment.objects.select_for_update().select_related("slot", "slot__unit", "slot__service")
                   .filter(code=(code or "").strip().upper()).first())
    if appointment is None:
        raise NotFound(_("No booking with this code"))
    _at_desk(user, appointment)
    if version is not None and version != appointment.version:
        raise StaleVersion(_("The booking was changed meanwhile; look at it again."))
    if appointment.status == Appointment.Status.CANCELLED:
        return appointment
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(_("This booking is %(status)s and can no longer be changed")
                       % {"status": appointment.get_status_display().lower()})
    _release(appointment, " ".join((reason or "").split())[:200] or _("cancelled by the hospital"))
    audit.record(user, "booking.appointment.cancelled", appointment, appointment.slot.unit.code, by="hospital")
    return appointment


def _set_status(user: User, appointment: Appointment, status: str, kind: str) -> Appointment:
    Appointment.objects.filter(pk=appointment.pk).update(status=status, version=F("version") + 1)
    appointment.refresh_from_db()
    audit.record(user, f"booking.appointment.{status}", appointment, appointment.slot.unit.code)
    _publish(appointment, kind)
    return appointment


@transaction.atomic
def add_walk_in(user: User, slot: Slot, person: Person, raw_phone: str) -> Appointment:
    """Someone who came without booking, taken into a slot's walk-in places (or a free booking place), checked in
    at once: they are here."""
    if not user.has_perm_in(Perm.RECEIVE_PATIENTS, slot.unit):
        raise PermissionDenied(_("You may not receive patients of %(unit)s") % {"unit": slot.unit})
    person = check_person(person, birth_date_needed=False)
    phone = normalise_phone(raw_phone)
    slot = Slot.objects.select_for_update().select_related("unit", "service").get(pk=slot.pk)  # one desk at a time
    if slot.status != Slot.Status.FREE or slot.end <= timezone.now():
        raise Conflict(_("This time is closed or over; choose another."))
    walk_ins = Appointment.objects.filter(slot=slot, walk_in=True).exclude(status=Appointment.Status.CANCELLED)
    if walk_ins.count() >= slot.walk_ins:
        booked = _book(slot.pk, person, phone, walk_in=True)  # no walk-in place left: a booking place, if any
        return _set_status(user, booked, Appointment.Status.CHECKED_IN, CHECKED_IN)
    Slot.objects.filter(pk=slot.pk).update(issued=F("issued") + 1)
    slot.refresh_from_db()
    appointment = Appointment.objects.create(
        code=_new_code(), slot=slot, queue_number=slot.issued, name=person.name, birth_date=person.birth_date,
        phone=phone, identifier=person.identifier, reason=person.reason, consent_at=timezone.now(), walk_in=True,
        status=Appointment.Status.CHECKED_IN)
    audit.record(user, "booking.appointment.walk_in", appointment, slot.unit.code)
    _publish(appointment, CHECKED_IN)
    return appointment


def add_walk_in_soonest(user: User, service: Service, person: Person, raw_phone: str) -> Appointment:
    """A walk-in into the clinic's soonest time today that still has a place for them (the running one first).
    Another desk may take the last place meanwhile: then the next time is tried."""
    from .queries import walk_in_slots

    if not user.has_perm_in(Perm.RECEIVE_PATIENTS, service.unit):
        raise PermissionDenied(_("You may not receive patients of %(unit)s") % {"unit": service.unit})
    person, phone = check_person_and_phone(person, raw_phone, birth_date_needed=False)
    for slot in walk_in_slots(service)[:5]:
        try:
            return add_walk_in(user, slot, person, phone)
        except Conflict:
            continue
    raise Conflict(_("%(clinic)s has no place left today; suggest another clinic or a booking for another day.")
                   % {"clinic": service.label})


@transaction.atomic
def call_next(user: User, service: Service) -> Appointment:
    """The clinic calls the next checked-in person in (by time, then queue number): they are being seen, and the
    queue screen shows their number."""
    if not user.has_perm_in(Perm.RECEIVE_PATIENTS, service.unit):
        raise PermissionDenied(_("You may not receive patients of %(unit)s") % {"unit": service.unit})
    today = timezone.localdate()
    waiting = (Appointment.objects.select_for_update(skip_locked=True, of=("self",))  # two doctors, two people
               .filter(slot__service=service, slot__start__date=today, status=Appointment.Status.CHECKED_IN)
               .select_related("slot", "slot__unit", "slot__service", "slot__schedule")
               .order_by("slot__start", "queue_number"))
    appointment = waiting.first()
    if appointment is None:
        raise Conflict(_("Nobody checked in is waiting for %(clinic)s") % {"clinic": service.label})
    Appointment.objects.filter(pk=appointment.pk).update(
        status=Appointment.Status.FULFILLED, called_at=timezone.now(), version=F("version") + 1)
    appointment.refresh_from_db()
    audit.record(user, "booking.appointment.called", appointment, service.unit.code)
    slot = appointment.slot
    events.publish(events.Event(source=SOURCE, kind=CALLED, unit=slot.unit.code, payload={
        "code": appointment.code, "service": service.code, "start": slot.start,
        "queue_number": appointment.queue_number, "room": slot.schedule.room}))
    return appointment


# --- the queue screens' links ----------------------------------------------------------------------------------

SCREEN_SALT = "opscenter.booking.screen"


def _screen_signer() -> signing.TimestampSigner:
    """Signed with BOOKING_SCREEN_SECRET when set: changing it revokes every screen link at once, sessions and
    the rest untouched."""
    secret = getattr(settings, "BOOKING_SCREEN_SECRET", "") or settings.SECRET_KEY
    return signing.TimestampSigner(key=secret, salt=SCREEN_SALT)


def screen_token(user: User, service: Service) -> str:
    """A link for a TV in the waiting room: it shows this clinic's queue screen, read-only, without signing in,
    until it expires (BOOKING_SCREEN_DAYS) or the clinic's links are revoked."""
    if not (user.has_perm_in(Perm.RECEIVE_PATIENTS, service.unit) or user.has_perm_in(Perm.VIEW_BOOKINGS,
                                                                                      service.unit)):
        raise PermissionDenied(_("You may not see the bookings of %(unit)s") % {"unit": service.unit})
    return _screen_signer().sign(f"{service.pk}.{service.screen_version}")


def screen_service(token: str) -> Service | None:
    """The clinic a screen link shows, or None when the link is forged, expired or revoked."""
    days = int(getattr(settings, "BOOKING_SCREEN_DAYS", 365))
    try:
        value = _screen_signer().unsign(token, max_age=dt.timedelta(days=days))
        service_id, version = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        return None
    return (Service.objects.select_related("unit")
            .filter(pk=service_id, screen_version=version, active=True, unit__active=True).first())


@transaction.atomic
def revoke_screens(user: User, service: Service) -> None:
    """Every screen link of the clinic stops working (a TV moved or a link shared too widely); new ones work."""
    if not user.has_perm_in(Perm.RECEIVE_PATIENTS, service.unit):
        raise PermissionDenied(_("You may not receive patients of %(unit)s") % {"unit": service.unit})
    Service.objects.filter(pk=service.pk).update(screen_version=F("screen_version") + 1)
    service.refresh_from_db()
    audit.record(user, "booking.service.screens_revoked", service, service.unit.code)


def _publish(appointment: Appointment, kind: str) -> None:
    slot = appointment.slot
    events.publish(events.Event(source=SOURCE, kind=kind, unit=slot.unit.code, payload={
        "code": appointment.code, "service": slot.service.code, "specialty": slot.service.specialty,
        "start": slot.start, "status": appointment.status, "walk_in": appointment.walk_in}))


# --- reminders -------------------------------------------------------------------------------------------------

def send_reminders() -> int:
    """The day before the visit, one reminder to each person still booked: a text to the phone, and an e-mail when
    they gave one, in the language they booked in. Only in the day (REMINDER_FROM_HOUR to REMINDER_UNTIL_HOUR, on
    the centre's clock) and not to someone who booked in the last hours; each booking is claimed before it is sent,
    so two workers never remind twice. Runs every hour; returns how many were reminded."""
    now = timezone.localtime()
    if not setting("REMINDER_FROM_HOUR") <= now.hour < setting("REMINDER_UNTIL_HOUR"):
        return 0
    tomorrow = now.date() + dt.timedelta(days=1)
    due = (Appointment.objects.filter(status=Appointment.Status.BOOKED, reminded_at__isnull=True,
                                      slot__start__date=tomorrow,
                                      created_at__lt=now - dt.timedelta(hours=setting("REMINDER_NOT_WITHIN_HOURS")))
           .select_related("slot", "slot__service", "slot__unit", "slot__schedule"))
    sent = 0
    for appointment in due:
        if not Appointment.objects.filter(pk=appointment.pk, reminded_at__isnull=True).update(reminded_at=now):
            continue  # another worker has it
        with translation.override(appointment.language):
            _remind(appointment)
        sent += 1
    if sent:
        audit.record("booking.reminders", "booking.appointment.reminded", None, count=sent, day=str(tomorrow))
    return sent


def _remind(a: Appointment) -> None:
    slot = a.slot
    facts = {"code": a.code, "n": a.queue_number, "service": slot.service.label, "unit": str(slot.unit),
             "day": timezone.localtime(slot.start).strftime("%d/%m"),
             "time": timezone.localtime(slot.start).strftime("%H:%M"),
             "arrive": timezone.localtime(a.arrive_from).strftime("%H:%M"),
             "hours": setting("CANCEL_CUTOFF_HOURS")}
    # Translators: a text message; Vietnamese without diacritics, as SMS are sent (GSM 7-bit, 160 characters).
    sms.send(a.phone, _("Reminder: %(service)s, %(unit)s, %(day)s %(time)s, no. %(n)s, code %(code)s. Arrive from "
                        "%(arrive)s. To cancel, use the code.") % facts)
    if a.email:
        body = _("Hello %(name)s,\n\nThis is a reminder of your appointment tomorrow:\n\n%(service)s\n"
                 "%(unit)s%(room)s\n%(day)s at %(time)s, queue number %(n)s\nBooking code: %(code)s\n\n"
                 "Please arrive from %(arrive)s and bring your citizen ID or health insurance card. If you cannot "
                 "come, please cancel the booking with its code up to %(hours)s hours before the time, so that "
                 "someone else can take the place.") % {**facts, "name": a.name, "unit": slot.unit.name,
                                  "room": f", {slot.schedule.room}" if slot.schedule.room else ""}
        send_mail(_("Your appointment tomorrow: %(service)s, %(time)s") % facts, body, None, [a.email])


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
    # The hospital system's identifier goes too: it would link the booking back to its patient record.
    Appointment.objects.filter(pk__in=ids).update(name="", birth_date=None, phone="", email="", identifier="",
                                                  reason="", cancelled_reason="", his_identifier="",
                                                  erased_at=timezone.now())
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


# --- schedules: the hospital's weekly templates, closed days and bulk edits -------------------------------------

STALE = gettext_lazy("This template was changed by someone else after you opened it; look at it again.")


@dataclass
class TemplateFields:
    """A weekly template as a manager sets it (`Schedule`); `walk_in_share` from 0 to 1."""

    service: Service
    doctor: Doctor | None
    room: str
    weekday: int
    start: dt.time
    end: dt.time
    slot_minutes: int
    capacity: int
    walk_in_share: float
    valid_from: dt.date
    valid_until: dt.date | None = None

    @classmethod
    def of(cls, schedule: Schedule) -> TemplateFields:
        return cls(**{f.name: getattr(schedule, f.name) for f in fields(cls)})


@dataclass
class Remade:
    """What a change did to the slots from the day it applies: `made` anew, `kept` as they were because
    someone has booked them (a booking is never dropped)."""

    made: int = 0
    kept: int = 0


@dataclass
class Closed:
    """Days closed (or reopened) together: on how many templates, how many slots, how many bookings cancelled."""

    batch: uuid.UUID
    first: dt.date
    last: dt.date
    schedules: int
    slots: int
    cancelled: int = 0


def may_manage(user: User, unit: Unit) -> None:
    if not user.has_perm_in(Perm.MANAGE_SCHEDULES, unit):
        raise PermissionDenied(_("You may not manage the schedules of %(unit)s") % {"unit": unit})


def check_template(values: TemplateFields) -> TemplateFields:
    errors = []
    if values.doctor is not None and values.doctor.unit_id != values.service.unit_id:
        errors.append(FieldError("doctor", _("this doctor does not work at the service's facility")))
    if not 0 <= values.weekday <= 6:
        errors.append(FieldError("weekday", _("choose a day of the week")))
    session = (dt.datetime.combine(dt.date.min, values.end) - dt.datetime.combine(dt.date.min, values.start))
    if session <= dt.timedelta(0):
        errors.append(FieldError("end", _("the end must be after the start")))
    if not 5 <= values.slot_minutes <= 240:
        errors.append(FieldError("slot_minutes", _("a slot lasts from 5 to 240 minutes")))
    elif session > dt.timedelta(0) and dt.timedelta(minutes=values.slot_minutes) > session:
        errors.append(FieldError("slot_minutes", _("a slot cannot be longer than the session")))
    if not 1 <= values.capacity <= 100:
        errors.append(FieldError("capacity", _("from 1 to 100 patients per slot")))
    if not 0 <= values.walk_in_share <= 1:
        errors.append(FieldError("walk_in_share", _("a share from 0 to 100 %")))
    room = " ".join((values.room or "").split())
    if len(room) > 80:
        errors.append(FieldError("room", _("at most 80 characters")))
    if values.valid_until is not None and values.valid_until < values.valid_from:
        errors.append(FieldError("valid_until", _("the last day cannot be before the first")))
    if errors:
        raise ValidationFailed(errors)
    return dataclasses.replace(values, room=room)


def _check_from(from_day: dt.date) -> None:
    if from_day < timezone.localdate():
        raise ValidationFailed.one("from_day", _("a change applies from today or a later day"))


def _audit_values(schedule: Schedule) -> dict:
    return {"service": schedule.service.code, "doctor": schedule.doctor.code if schedule.doctor else None,
            "room": schedule.room, "weekday": schedule.weekday, "start": schedule.start.isoformat("minutes"),
            "end": schedule.end.isoformat("minutes"), "slot_minutes": schedule.slot_minutes,
            "capacity": schedule.capacity, "walk_in_share": schedule.walk_in_share,
            "valid_from": schedule.valid_from.isoformat(),
            "valid_until": schedule.valid_until.isoformat() if schedule.valid_until else None,
            "active": schedule.active, "version": schedule.version}


def _announce(schedule: Schedule, change: str, from_day: dt.date, kept: int) -> None:
    events.publish(events.Event(source=SOURCE, kind=SCHEDULE_CHANGED, unit=schedule.service.unit.code, payload={
        "schedule": schedule.pk, "service": schedule.service.code,
        "doctor": schedule.doctor.code if schedule.doctor else None, "change": change, "from_day": from_day,
        "kept": kept}))


def _lock(slots: QuerySet[Slot]) -> None:
    """Hold the slots until the change commits: a booking under way finishes first (and is seen as booked), or
    waits and then finds the slot gone or closed; a booking is never lost between the check and the write."""
    list(slots.select_for_update().values_list("pk", flat=True))


def _live_bookings() -> Exists:
    return Exists(Appointment.objects.filter(slot=OuterRef("pk"), status__in=Appointment.LIVE))


@transaction.atomic
def create_schedule(user: User, values: TemplateFields) -> tuple[Schedule, Remade]:
    may_manage(user, values.service.unit)
    values = check_template(values)
    schedule = Schedule.objects.create(**vars(values))
    made = make_slots(timezone.localdate(), SLOT_DAYS, [schedule])
    audit.record(user, "booking.schedule.created", schedule, schedule.service.unit.code, **_audit_values(schedule))
    _announce(schedule, "created", max(schedule.valid_from, timezone.localdate()), 0)
    return schedule, Remade(made=made)


def _save(schedule: Schedule, version: int, **changes: object) -> Schedule:
    """Write the changes if nobody changed the template since `version` (one conditional UPDATE), else refuse."""
    if not Schedule.objects.filter(pk=schedule.pk, version=version).update(**changes, version=F("version") + 1):
        current = Schedule.objects.values_list("version", flat=True).get(pk=schedule.pk)
        raise StaleEdit(str(STALE), version, current, [])
    schedule.refresh_from_db()
    return schedule


def _apply(user: User, schedule: Schedule, values: TemplateFields, version: int, from_day: dt.date) -> Remade:
    if values.service.unit_id != schedule.service.unit_id:
        raise ValidationFailed.one("service", _("choose a service of the same facility"))
    values = check_template(values)
    _save(schedule, version, **vars(values))
    remade = _remake(schedule, from_day)
    audit.record(user, "booking.schedule.changed", schedule, schedule.service.unit.code,
                 from_day=from_day.isoformat(), made=remade.made, kept=remade.kept, **_audit_values(schedule))
    _announce(schedule, "changed", from_day, remade.kept)
    return remade


@transaction.atomic
def update_schedule(user: User, schedule: Schedule, values: TemplateFields, *, version: int,
                    from_day: dt.date) -> Remade:
    """Change a template from `from_day`: its future slots with no booking are made again from the new template;
    the booked ones stay as they were (counted in `kept`). Refused (409) if someone changed it since `version`."""
    may_manage(user, schedule.service.unit)
    _check_from(from_day)
    return _apply(user, schedule, values, version, from_day)


def _remake(schedule: Schedule, from_day: dt.date) -> Remade:
    since = max(day_start(from_day), timezone.now())
    future = Slot.objects.filter(schedule=schedule, start__gte=since)
    _lock(future)
    kept = set(future.filter(_live_bookings()).values_list("pk", flat=True))
    unbooked = future.exclude(pk__in=kept)
    # A slot that never held a booking goes; one that held only cancelled bookings stays, closed, for the record.
    unbooked.exclude(Exists(Appointment.objects.filter(slot=OuterRef("pk")))).delete()
    unbooked.update(status=Slot.Status.CLOSED)
    last_day = timezone.localdate() + dt.timedelta(days=SLOT_DAYS - 1)
    if not schedule.active or from_day > last_day:
        return Remade(kept=len(kept))  # later days are made by the nightly run, from the new template
    days = (last_day - from_day).days + 1
    closed = set(Closure.objects.filter(schedule=schedule, day__range=(from_day, last_day))
                 .values_list("schedule_id", "day"))
    planned = [s for s in _planned(schedule, from_day, days, closed) if s.start >= since]
    existing = {s.start: s for s in Slot.objects.filter(schedule=schedule, start__in=[p.start for p in planned])}
    new = []
    for slot in planned:
        old = existing.get(slot.start)
        if old is None:
            new.append(slot)
        elif old.pk not in kept:  # a slot kept for its cancelled bookings takes the new shape
            Slot.objects.filter(pk=old.pk).update(end=slot.end, capacity=slot.capacity, walk_ins=slot.walk_ins,
                                                  status=slot.status, doctor_id=slot.doctor_id,
                                                  service_id=slot.service_id)
    Slot.objects.bulk_create(new, batch_size=1000)
    return Remade(made=len(new), kept=len(kept))


@transaction.atomic
def set_active(user: User, schedule: Schedule, active: bool, *, version: int) -> Remade:
    """Switch a template off (its future free slots close; booked ones stay) or on again (slots made from today)."""
    may_manage(user, schedule.service.unit)
    _save(schedule, version, active=active)
    today = timezone.localdate()
    if active:
        remade = _remake(schedule, today)
    else:
        future = Slot.objects.filter(schedule=schedule, start__gt=timezone.now())
        _lock(future)
        remade = Remade(kept=future.filter(_live_bookings()).count())
        future.exclude(_live_bookings()).update(status=Slot.Status.CLOSED)
    change = "activated" if active else "deactivated"
    audit.record(user, f"booking.schedule.{change}", schedule, schedule.service.unit.code, kept=remade.kept,
                 version=schedule.version)
    _announce(schedule, change, today, remade.kept)
    return remade


@transaction.atomic
def bulk_update(user: User, unit: Unit, versions: dict[int, int], *, from_day: dt.date,
                slot_minutes: int | None = None, capacity: int | None = None,
                walk_in_share: float | None = None) -> Remade:
    """The same change on several templates of the facility (`versions`: template id → the version seen), as
    `update_schedule` each; all or none: one template changed meanwhile refuses the whole edit."""
    may_manage(user, unit)
    changes: dict[str, Any] = {k: v for k, v in (("slot_minutes", slot_minutes), ("capacity", capacity),
                                                 ("walk_in_share", walk_in_share)) if v is not None}
    if not versions:
        raise ValidationFailed.one("templates", _("choose at least one template"))
    if not changes:
        raise ValidationFailed.one("slot_minutes", _("give at least one new value"))
    _check_from(from_day)
    chosen = list(Schedule.objects.select_for_update(of=("self",)).select_related("service", "service__unit", "doctor")
                  .filter(pk__in=versions, service__unit=unit).order_by("pk"))
    if len(chosen) != len(versions):
        raise ValidationFailed.one("templates", _("a chosen template is not one of this facility's"))
    total = Remade()
    for schedule in chosen:
        values = dataclasses.replace(TemplateFields.of(schedule), **changes)
        try:
            remade = _apply(user, schedule, values, versions[schedule.pk], from_day)
        except ValidationFailed as exc:  # say which template the value does not fit
            raise ValidationFailed([FieldError(e.field, f"{schedule.label}: {e.message}")
                                    for e in exc.errors]) from None
        total.made += remade.made
        total.kept += remade.kept
    return total


def _schedules_closed(unit: Unit, applies_to: str, schedule: Schedule | None,
                      doctor: Doctor | None) -> list[Schedule]:
    found = Schedule.objects.filter(service__unit=unit)
    if applies_to == "schedule":
        if schedule is None or schedule.service.unit_id != unit.pk:
            raise ValidationFailed.one("schedule", _("choose the template to close"))
        found = found.filter(pk=schedule.pk)
    elif applies_to == "doctor":
        if doctor is None or doctor.unit_id != unit.pk:
            raise ValidationFailed.one("doctor", _("choose the doctor"))
        found = found.filter(doctor=doctor)
    elif applies_to != "facility":
        raise ValidationFailed.one("applies_to", _("choose what to close"))
    return list(found.select_related("service"))


@transaction.atomic
def close_days(user: User, unit: Unit, first: dt.date, last: dt.date, reason: str, *, applies_to: str,
               schedule: Schedule | None = None, doctor: Doctor | None = None) -> Closed:
    """Close the days from `first` to `last` (leave, a public holiday) for one template, all of a doctor's, or the
    whole facility's (`applies_to`): their slots close, the bookings on them are cancelled with the reason and
    the people told by SMS."""
    may_manage(user, unit)
    reason = " ".join((reason or "").split())
    errors = []
    if not reason:
        errors.append(FieldError("reason", _("say why these days are closed; the patients are told")))
    elif len(reason) > 200:
        errors.append(FieldError("reason", _("at most 200 characters")))
    if first < timezone.localdate():
        errors.append(FieldError("first", _("days that have passed cannot be closed")))
    if last < first:
        errors.append(FieldError("last", _("the last day cannot be before the first")))
    elif (last - first).days > 92:
        errors.append(FieldError("last", _("close at most 93 days at once")))
    if errors:
        raise ValidationFailed(errors)
    chosen = _schedules_closed(unit, applies_to, schedule, doctor)
    batch = uuid.uuid4()
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    # A day already closed keeps its first closure (and reason); this batch adds the others.
    Closure.objects.bulk_create([Closure(schedule=s, day=day, reason=reason, batch=batch)
                                 for s in chosen for day in days if day.weekday() == s.weekday],
                                ignore_conflicts=True)
    slots = Slot.objects.filter(schedule__in=chosen, start__gte=max(day_start(first), timezone.now()),
                                start__lt=day_start(last + dt.timedelta(days=1)))
    closed = slots.exclude(status=Slot.Status.CLOSED).update(status=Slot.Status.CLOSED)
    bookings = list(Appointment.objects.select_for_update(of=("self",))
                    .select_related("slot", "slot__unit", "slot__service")
                    .filter(slot__in=slots, status=Appointment.Status.BOOKED))
    for appointment in bookings:
        _release(appointment, reason)
        _tell_cancelled(appointment, reason)
    held = Closure.objects.filter(batch=batch).values("schedule_id").distinct().count()
    result = Closed(batch, first, last, held, closed, len(bookings))
    audit.record(user, "booking.schedule.closed", None, unit.code, batch=str(batch), applies_to=applies_to,
                 schedule=schedule.pk if schedule else None, doctor=doctor.code if doctor else None,
                 first=first.isoformat(), last=last.isoformat(), reason=reason, schedules=result.schedules,
                 slots=closed, cancelled=len(bookings))
    _announce_closure(unit, SCHEDULE_CLOSED, result)
    return result


def _tell_cancelled(appointment: Appointment, reason: str) -> None:
    """The person learns by SMS, in the language they booked in, once the cancelling is stored."""
    start = timezone.localtime(appointment.slot.start)
    with translation.override(appointment.language):
        # Translators: a text message; Vietnamese without diacritics, as SMS are sent (GSM 7-bit, 160 characters).
        text = _("Your appointment %(code)s at %(time)s %(day)s at %(unit)s is cancelled: %(reason)s. "
                 "Please book another time.") % {
            "code": appointment.code, "time": start.strftime("%H:%M"), "day": start.strftime("%d/%m"),
            "unit": str(appointment.slot.unit), "reason": reason}
    phone = appointment.phone
    transaction.on_commit(lambda: sms.send(phone, text))


def _announce_closure(unit: Unit, kind: str, result: Closed) -> None:
    events.publish(events.Event(source=SOURCE, kind=kind, unit=unit.code, payload={
        "first": result.first, "last": result.last, "schedules": result.schedules, "slots": result.slots,
        "cancelled": result.cancelled}))


@transaction.atomic
def reopen(user: User, unit: Unit, batch: uuid.UUID) -> Closed:
    """Undo a closure: its slots open again (but those of a day another closure still holds, or of a template
    switched off). Bookings cancelled by it stay cancelled: the people were told."""
    may_manage(user, unit)
    closures = list(Closure.objects.select_related("schedule", "schedule__service")
                    .filter(batch=batch, schedule__service__unit=unit))
    if not closures:
        raise NotFound(_("No such closure"))
    Closure.objects.filter(pk__in=[c.pk for c in closures]).delete()
    still = set(Closure.objects.filter(schedule__in={c.schedule_id for c in closures},
                                       day__in={c.day for c in closures}).values_list("schedule_id", "day"))
    opened = 0
    for closure in closures:
        schedule = closure.schedule
        if not schedule.active or (schedule.pk, closure.day) in still:
            continue
        starts = [s.start for s in _planned(schedule, closure.day, 1, set())]  # only the template's own times
        opened += Slot.objects.filter(schedule=schedule, start__in=starts, start__gt=timezone.now(),
                                      status=Slot.Status.CLOSED).update(status=Slot.Status.FREE)
    result = Closed(batch, min(c.day for c in closures), max(c.day for c in closures),
                    len({c.schedule_id for c in closures}), opened)
    audit.record(user, "booking.schedule.reopened", None, unit.code, batch=str(batch), first=result.first.isoformat(),
                 last=result.last.isoformat(), schedules=result.schedules, slots=opened)
    _announce_closure(unit, SCHEDULE_REOPENED, result)
    return result


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
