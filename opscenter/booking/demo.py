"""Demo data for appointments, through the services: two outpatient clinics of each pilot hospital, two doctors each,
weekly schedules (Monday to Saturday mornings, weekday afternoons) made into two weeks of slots, and bookings
already made, more for the next days than for later ones, as people book. The two weeks before today are there
as they went (who came, who did not, who cancelled, the walk-ins), for the operations center's figures.
`tick()` goes on as a day would: now and then someone books, and the desk checks in the people whose time has
come.

People are invented; their phones (09xxxxxxxx from the demo's range) are proved by a signed token, as a
verified code would prove them: no text message goes out."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import zlib

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from opscenter.core.errors import Conflict
from opscenter.org import services as org
from opscenter.org.models import Specialty, Unit, User
from opscenter.org.roles import Role

from . import services
from .models import Appointment, Doctor, Schedule, Service, Slot

ACTOR = "demo-booking"
DAYS = 14
HISTORY_DAYS = 14
CLINICS = {  # specialty -> the clinic's name (vi, en)
    Specialty.GENERAL: ("Khám Nội tổng quát", "General medicine clinic"),
    Specialty.CARDIAC: ("Khám Tim mạch", "Cardiology clinic"),
    Specialty.PAEDIATRICS: ("Khám Nhi", "Paediatrics clinic"),
    Specialty.OBSTETRICS: ("Khám Sản phụ khoa", "Obstetrics and gynaecology clinic"),
    Specialty.RESPIRATORY: ("Khám Hô hấp", "Respiratory clinic"),
    Specialty.ONCOLOGY: ("Khám Ung bướu", "Oncology clinic"),
    Specialty.INFECTIOUS: ("Khám Bệnh nhiệt đới", "Tropical diseases clinic"),
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Huỳnh", "Phan", "Vũ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Hoài"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hạnh", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân",
         "Thảo", "Trang", "Tuấn", "Vy", "Yến"]
TITLES = ["BS.CKI", "BS.CKII", "ThS.BS.", "TS.BS.", "PGS.TS.BS."]
REASONS = ["Khám định kỳ", "Đau ngực khi gắng sức", "Ho kéo dài", "Sốt nhẹ, mệt", "Tái khám theo hẹn",
           "Tăng huyết áp", "Đau đầu", "Khó thở khi nằm", ""]
SHIFTS = [(dt.time(7), dt.time(11), range(6)), (dt.time(13), dt.time(16, 30), range(5))]  # (start, end, weekdays)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _hospitals() -> list[Unit]:
    return list(Unit.objects.filter(kind=Unit.Kind.HOSPITAL, is_pilot=True, active=True).order_by("code"))


def seed(now: dt.datetime | None = None) -> int:
    """Clinics, doctors and schedules of the pilot hospitals (adds only what is missing), slots for two weeks,
    and the bookings of a usual day. Returns how many bookings were made."""
    now = now or timezone.now()
    for hospital in _hospitals():
        rng = random.Random(zlib.crc32(hospital.code.encode()))
        specialties = [s for s in CLINICS if s in (hospital.specialties or [])] or [Specialty.GENERAL]
        for specialty in [Specialty.GENERAL, *[s for s in specialties if s != Specialty.GENERAL]][:2]:
            _clinic(hospital, specialty, rng)
        _desk(hospital)
    services.make_slots(timezone.localdate(now), DAYS)
    if Appointment.objects.exists():
        return 0
    return _history(now, random.Random(2024)) + _book_ahead(now, random.Random(2025))


def _clinic(hospital: Unit, specialty: str, rng: random.Random) -> None:
    name, name_en = CLINICS[Specialty(specialty)]
    service, _created = Service.objects.get_or_create(
        unit=hospital, code=str(specialty), defaults={"name": name, "name_en": name_en, "specialty": specialty})
    for n in (1, 2):
        doctor, created = Doctor.objects.get_or_create(
            unit=hospital, code=f"{specialty}-{n}",
            defaults={"name": _name(rng), "title": rng.choice(TITLES), "specialty": specialty,
                      "languages": ["vi", "en"] if rng.random() < 0.4 else ["vi"]})
        if not created:
            continue
        for start, end, weekdays in SHIFTS:
            for weekday in weekdays:
                if (weekday + n) % 2 and start.hour >= 13:  # afternoons: the two doctors take turns
                    continue
                Schedule.objects.create(service=service, doctor=doctor, room=f"P.{100 + 10 * n + weekday}",
                                        weekday=weekday, start=start, end=end, slot_minutes=15, capacity=3,
                                        walk_in_share=1 / 3,
                                        valid_from=timezone.localdate() - dt.timedelta(days=HISTORY_DAYS))


def _desk(hospital: Unit) -> User:
    """The hospital's reception desk in the demo (no password: nobody logs in as it)."""
    username = f"{hospital.code.lower()}.tiepdon"
    found = User.objects.filter(username=username).first()
    return found or org.create_user(ACTOR, username=username, password=None, role=Role.HOSPITAL_MANAGER,
                                    unit=hospital, first_name="Tiếp đón", last_name=hospital.short_name or "")


def _token(phone: str) -> str:
    return signing.TimestampSigner(salt=services.PHONE_SALT).sign(phone)


def _person(rng: random.Random) -> services.Person:
    born = dt.date(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28))
    return services.Person(name=_name(rng), birth_date=born, reason=rng.choice(REASONS))


def _book_one(slot: Slot, rng: random.Random) -> bool:
    phone = f"09{rng.randint(10_000_000, 99_999_999)}"
    try:
        services.book(slot.pk, _person(rng), _token(phone), consent=True)
    except Conflict:
        return False
    return True


@transaction.atomic  # one commit for the lot (each booking is still its own savepoint)
def _book_ahead(now: dt.datetime, rng: random.Random) -> int:
    """Most places of the next days taken, fewer later, none after a week: people book a few days ahead."""
    made = 0
    for slot in Slot.objects.filter(start__gt=now, start__lt=now + dt.timedelta(days=7),
                                    status=Slot.Status.FREE).order_by("start"):
        share = 0.7 - 0.1 * (slot.start - now).days
        for _place in range(slot.capacity):
            if rng.random() < share:
                made += _book_one(slot, rng)
    return made


@transaction.atomic
def _history(now: dt.datetime, rng: random.Random) -> int:
    """The last two weeks, up to now, as they went: booking places taken from half to nearly all; of those who
    booked, a few cancelled ahead, about nine in ten of the others came and were seen, the rest did not come; a
    walk-in now and then. Written in bulk, as the record of what happened: the services book only times to come."""
    today = timezone.localdate(now)
    services.make_slots(today - dt.timedelta(days=HISTORY_DAYS), HISTORY_DAYS)
    past = Slot.objects.filter(start__gte=now - dt.timedelta(days=HISTORY_DAYS), end__lt=now,
                               status=Slot.Status.FREE).order_by("start")
    made: list[Appointment] = []
    for slot in past:
        fill = rng.uniform(0.5, 0.95)
        booked = [_past_outcome(rng) for _place in range(slot.capacity - slot.walk_ins) if rng.random() < fill]
        walk_ins = rng.randint(0, slot.walk_ins) if rng.random() < 0.4 else 0
        outcomes = booked + [Appointment.Status.FULFILLED] * walk_ins  # a walk-in is there: seen
        for number, status in enumerate(outcomes, start=1):
            made.append(Appointment(
                code=services._new_code(), slot=slot, queue_number=number, status=status,
                walk_in=number > len(booked), name=_name(rng), phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                birth_date=dt.date(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28)),
                reason=rng.choice(REASONS), consent_at=slot.start - dt.timedelta(days=rng.randint(1, 6)),
                cancelled_reason="bận việc gia đình" if status == Appointment.Status.CANCELLED else "",
                called_at=(slot.start + dt.timedelta(minutes=rng.randint(0, 40))
                           if status == Appointment.Status.FULFILLED else None)))
        slot.issued = len(outcomes)
        slot.booked = sum(1 for status in outcomes if status != Appointment.Status.CANCELLED)
    Appointment.objects.bulk_create(made, batch_size=2000)
    Slot.objects.bulk_update(list(past), ["booked", "issued"], batch_size=2000)
    return len(made)


def _past_outcome(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.05:
        return Appointment.Status.CANCELLED
    return Appointment.Status.NO_SHOW if draw < 0.13 else Appointment.Status.FULFILLED


def _call_in(now: dt.datetime, rng: random.Random, desks: dict[int, User]) -> None:
    """The clinics call the people checked in whose time has come, about one every other minute each (two doctors,
    15-minute times of three): the queue screens move, and the portal reads the pace."""
    ready = (Appointment.objects.filter(status=Appointment.Status.CHECKED_IN, slot__start__lte=now,
                                        slot__start__date=timezone.localdate(now))
             .values_list("slot__service", flat=True).distinct())
    for service in Service.objects.filter(pk__in=list(ready)).select_related("unit"):
        if rng.random() < 0.6:
            desk = desks.get(service.unit_id) or desks.setdefault(service.unit_id, _desk(service.unit))
            with contextlib.suppress(Conflict):  # another desk called the last one meanwhile
                services.call_next(desk, service)


def tick(now: dt.datetime | None = None) -> None:
    """A minute of the day: sometimes a booking, and the people whose time is near checked in at the desk (most
    come; some do not, and are marked once their time has passed)."""
    now = now or timezone.now()
    rng = random.Random()
    if rng.random() < 0.3:
        free = list(Slot.objects.filter(start__gt=now + dt.timedelta(hours=2), status=Slot.Status.FREE,
                                        booked__lt=F("capacity")).order_by("start")[:200])
        if free:
            _book_one(rng.choice(free), rng)
    due = Appointment.objects.filter(status=Appointment.Status.BOOKED, slot__start__lte=now + dt.timedelta(
        minutes=15), slot__start__gte=now - dt.timedelta(hours=1)).select_related("slot__unit")
    desks: dict[int, User] = {}  # one desk account per hospital, looked up once a tick
    for appointment in due:
        if zlib.crc32(appointment.code.encode()) % 10:  # nine in ten come
            unit = appointment.slot.unit
            services.check_in(desks.get(unit.pk) or desks.setdefault(unit.pk, _desk(unit)), appointment.code)
    _call_in(now, rng, desks)
    gone = Appointment.objects.filter(status=Appointment.Status.BOOKED, slot__end__lt=now - dt.timedelta(hours=1),
                                      slot__start__date=timezone.localdate(now)).select_related("slot__unit")
    for appointment in gone:
        unit = appointment.slot.unit
        services.mark_no_show(desks.get(unit.pk) or desks.setdefault(unit.pk, _desk(unit)), appointment)
