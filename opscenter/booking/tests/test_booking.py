"""Booking through the service layer: slots from schedules, phone codes, booking without ever exceeding a slot's
places, cancelling and moving by the person, and the hospital desk."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opscenter.booking import services, sms
from opscenter.booking.models import Appointment, Closure, PhoneCode, Schedule, Slot
from opscenter.booking.tests.conftest import PERSON, phone_token
from opscenter.core.errors import Conflict, NotFound, TooMany, ValidationFailed
from opscenter.core.models import AuditLog
from opscenter.org.roles import Role


def tomorrow_slots(service) -> list[Slot]:
    day = timezone.localdate() + dt.timedelta(days=1)
    return [s for s in Slot.objects.filter(service=service).order_by("start")
            if timezone.localtime(s.start).date() == day]


def fields(exc: ValidationFailed) -> set[str]:
    return {e.field for e in exc.errors}


def test_a_weekly_schedule_becomes_slots_with_places_kept_for_walk_ins(clinic):
    slots = tomorrow_slots(clinic)
    assert len(slots) == 16  # 07:00 to 11:00 in quarters
    first = timezone.localtime(slots[0].start)
    assert (first.hour, first.minute) == (7, 0) and timezone.localtime(slots[-1].end).hour == 11
    assert {(s.capacity, s.walk_ins) for s in slots} == {(3, 1)}
    assert Slot.objects.filter(service=clinic).count() == 14 * 16
    assert services.make_slots(timezone.localdate(), 14) == 0  # made again: nothing new, nothing changed


def test_a_closed_day_has_no_bookable_slot(clinic):
    day = timezone.localdate() + dt.timedelta(days=20)
    schedule = Schedule.objects.get(service=clinic, weekday=day.weekday())
    Closure.objects.create(schedule=schedule, day=day, reason="Nghỉ phép")
    assert services.make_slots(day, 1) == 16
    assert set(Slot.objects.filter(schedule=schedule, start__date=day).values_list("status", flat=True)) == {
        Slot.Status.CLOSED}


def test_a_phone_is_proved_by_the_code_sent_to_it_and_only_that_code(city):
    services.request_code("+84 912 345 678", "10.0.0.1")
    phone, text = sms.outbox[-1]
    assert phone == "0912345678"
    code = text.split(": ")[1][:6]
    with pytest.raises(ValidationFailed) as wrong:
        services.verify_code("0912345678", "000000" if code != "000000" else "111111")
    assert fields(wrong.value) == {"code"}
    token = services.verify_code("0912345678", code)
    assert services.verified_phone(token) == "0912345678"
    with pytest.raises(ValidationFailed):  # used once: gone
        services.verify_code("0912345678", code)
    assert code not in PhoneCode.objects.get().code_hash  # only a keyed hash is kept


def test_codes_expire_and_wrong_tries_are_limited(city, settings):
    services.request_code("0912345678")
    PhoneCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationFailed, match="expired"):
        services.verify_code("0912345678", sms.outbox[-1][1].split(": ")[1][:6])
    services.request_code("0912345678")
    code = sms.outbox[-1][1].split(": ")[1][:6]
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            services.verify_code("0912345678", "999999" if code != "999999" else "888888")
    with pytest.raises(ValidationFailed, match="too many"):
        services.verify_code("0912345678", code)  # even the right one, after five wrong tries


def test_code_requests_are_limited_per_phone_and_per_address(city, settings):
    settings.BOOKING_CODES_PER_PHONE_HOUR = 2
    settings.BOOKING_CODES_PER_ADDRESS_HOUR = 3
    services.request_code("0912345678", "10.0.0.9")
    services.request_code("0912345678", "10.0.0.9")
    with pytest.raises(TooMany):
        services.request_code("0912345678", "10.0.0.8")
    services.request_code("0987654321", "10.0.0.9")
    with pytest.raises(TooMany):
        services.request_code("0911111111", "10.0.0.9")
    with pytest.raises(ValidationFailed) as bad:
        services.request_code("12345", "10.0.0.7")
    assert fields(bad.value) == {"phone"}


def test_a_slot_takes_as_many_bookings_as_it_has_places_and_no_more(clinic, settings):
    settings.BOOKING_FUTURE_BOOKINGS_PER_PHONE = 10
    slot = tomorrow_slots(clinic)[0]
    booked = [services.book(slot.pk, PERSON, phone_token(f"09{i}2345678"), consent=True) for i in range(3)]
    assert [a.queue_number for a in booked] == [1, 2, 3]
    assert len({a.code for a in booked}) == 3 and all(len(a.code) == 8 for a in booked)
    with pytest.raises(Conflict):
        services.book(slot.pk, PERSON, phone_token("0942345678"), consent=True)
    slot.refresh_from_db()
    assert (slot.booked, slot.free) == (3, 0)
    # Cancelled: the place is free again; the booking stays, with its reason; the queue number is not reused.
    services.cancel(booked[1].code, "0912345678", "Bận việc")
    again = services.book(slot.pk, PERSON, phone_token("0942345678"), consent=True)
    assert again.queue_number == 4
    assert Appointment.objects.get(pk=booked[1].pk).status == "cancelled"
    assert Appointment.objects.get(pk=booked[1].pk).cancelled_reason == "Bận việc"
    assert AuditLog.objects.filter(action="booking.appointment.booked").count() == 4


def test_bad_person_details_are_named_field_by_field(clinic):
    slot = tomorrow_slots(clinic)[0]
    future = timezone.localdate() + dt.timedelta(days=1)
    bad = services.Person(name="  ", birth_date=future, identifier="12AB", reason="x" * 301)
    with pytest.raises(ValidationFailed) as caught:
        services.book(slot.pk, bad, phone_token(), consent=True)
    assert fields(caught.value) == {"name", "birth_date", "identifier", "reason"}
    with pytest.raises(ValidationFailed) as token:
        services.book(slot.pk, PERSON, "0912345678:forged", consent=True)
    assert fields(token.value) == {"phone_token"}
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_a_phone_holds_a_limited_number_of_future_bookings(clinic, settings):
    settings.BOOKING_FUTURE_BOOKINGS_PER_PHONE = 2
    slots = tomorrow_slots(clinic)
    token = phone_token()
    services.book(slots[0].pk, PERSON, token, consent=True)
    services.book(slots[1].pk, PERSON, token, consent=True)
    with pytest.raises(Conflict, match="already holds 2"):
        services.book(slots[2].pk, PERSON, token, consent=True)


def test_a_booking_is_found_moved_and_cancelled_with_its_phone_only(clinic):
    slots = tomorrow_slots(clinic)
    first = services.book(slots[0].pk, PERSON, phone_token(), consent=True)
    with pytest.raises(NotFound):
        services.find(first.code, "0987654321")
    assert services.find(first.code.lower(), "0912 345 678").pk == first.pk
    moved = services.reschedule(first.code, "0912345678", slots[5].pk)
    assert moved.slot_id == slots[5].pk and moved.code != first.code
    old = Appointment.objects.get(pk=first.pk)
    assert old.status == "cancelled" and moved.code in old.cancelled_reason
    assert Slot.objects.get(pk=slots[0].pk).booked == 0 and Slot.objects.get(pk=slots[5].pk).booked == 1
    with pytest.raises(Conflict):  # a cancelled booking cannot be changed again
        services.cancel(first.code, "0912345678")


def test_changes_close_before_the_appointment(clinic, settings):
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 48
    appointment = services.book(tomorrow_slots(clinic)[0].pk, PERSON, phone_token(), consent=True)
    with pytest.raises(Conflict, match="48 hours"):
        services.cancel(appointment.code, "0912345678")


def test_the_desk_checks_in_todays_bookings_of_its_own_hospital(clinic, city):
    slot = tomorrow_slots(clinic)[0]
    appointment = services.book(slot.pk, PERSON, phone_token(), consent=True)
    desk = city.user(Role.HOSPITAL_MANAGER, "A")
    with pytest.raises(Conflict, match="not today"):
        services.check_in(desk, appointment.code)
    Slot.objects.filter(pk=slot.pk).update(start=timezone.now() + dt.timedelta(minutes=30),
                                           end=timezone.now() + dt.timedelta(minutes=45))
    with pytest.raises(PermissionDenied):
        services.check_in(city.user(Role.HOSPITAL_MANAGER, "B"), appointment.code)
    assert services.check_in(desk, appointment.code).status == "checked-in"
    assert services.check_in(desk, appointment.code).status == "checked-in"  # scanned twice: same answer
    with pytest.raises(ValidationFailed) as unknown:
        services.check_in(desk, "NOSUCH00")
    assert fields(unknown.value) == {"code"}


def test_walk_ins_take_their_kept_place_then_a_booking_place(clinic, city):
    slot = tomorrow_slots(clinic)[0]
    desk = city.user(Role.HOSPITAL_MANAGER, "A")
    first = services.add_walk_in(desk, slot, PERSON, "0912345678")
    assert first.walk_in and first.status == "checked-in" and first.queue_number == 1
    assert Slot.objects.get(pk=slot.pk).booked == 0  # the walk-in place, not a booking one
    second = services.add_walk_in(desk, slot, PERSON, "0912345679")
    assert second.queue_number == 2 and Slot.objects.get(pk=slot.pk).booked == 1
    with pytest.raises(PermissionDenied):
        services.add_walk_in(city.user(Role.HOSPITAL_MANAGER, "B"), slot, PERSON, "0912345678")


def test_personal_data_is_erased_after_the_retention_and_the_figures_stay(clinic, settings):
    settings.BOOKING_RETENTION_DAYS = 30
    slot = tomorrow_slots(clinic)[0]
    appointment = services.book(slot.pk, PERSON, phone_token(), consent=True)
    Appointment.objects.filter(pk=appointment.pk).update(his_identifier="urn:his|77")  # as a HIS's booking has
    assert services.purge() == 0  # its time has not even come
    Slot.objects.filter(pk=slot.pk).update(start=timezone.now() - dt.timedelta(days=31, minutes=15),
                                           end=timezone.now() - dt.timedelta(days=31))
    PhoneCode.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    assert services.purge() == 1
    erased = Appointment.objects.get(pk=appointment.pk)
    assert (erased.name, erased.phone, erased.identifier, erased.reason, erased.birth_date) == ("", "", "", "", None)
    assert erased.his_identifier == ""
    assert erased.erased_at is not None and erased.status == "booked" and erased.queue_number == 1
    assert not PhoneCode.objects.exists()
    assert AuditLog.objects.filter(action="booking.appointment.erased").get().data["count"] == 1
    assert services.purge() == 0


def test_the_file_backend_keeps_each_days_text_messages_where_the_demo_says(city, settings, tmp_path):
    settings.BOOKING_SMS_BACKEND = "opscenter.booking.sms.FileBackend"
    settings.BOOKING_SMS_FILE_PATH = str(tmp_path / "sms")
    services.request_code("0912 345 678")
    sent = (tmp_path / "sms" / f"{timezone.localdate():%Y-%m-%d}.txt").read_text(encoding="utf-8")
    assert "0912345678: " in sent and re.search(r"\b\d{6}\b", sent)
