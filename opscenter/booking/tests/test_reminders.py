"""Reminders the day before: once per booking, by text message and e-mail, in the language the person booked in,
only in the day's hours and not to someone who has just booked."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from opscenter.booking import services, sms, tasks
from opscenter.booking.models import Appointment
from opscenter.booking.tests.conftest import PERSON, phone_token
from opscenter.booking.tests.test_booking import fields, tomorrow_slots
from opscenter.core.errors import ValidationFailed
from opscenter.core.models import AuditLog


@pytest.fixture
def any_hour(settings):
    """Reminders go out whatever the hour the test runs, and for bookings made a moment ago."""
    settings.BOOKING_REMINDER_FROM_HOUR = 0
    settings.BOOKING_REMINDER_UNTIL_HOUR = 24
    settings.BOOKING_REMINDER_NOT_WITHIN_HOURS = 0
    return settings


def book(slot, phone="0912345678", language="vi", **person):
    token = phone_token(phone)
    with translation.override(language):
        return services.book(slot.pk, services.Person(**{**PERSON.__dict__, **person}), token, consent=True)


def test_each_person_booked_for_tomorrow_is_reminded_once_in_their_language(clinic, any_hour):
    slots = tomorrow_slots(clinic)
    vietnamese = book(slots[0])
    english = book(slots[1], phone="0987654321", language="en", email="binh@example.vn")
    later = clinic.slots.filter(start__date=timezone.localdate() + dt.timedelta(days=2)).first()
    not_yet = book(later, phone="0911222333")
    sms.outbox.clear()

    assert tasks.send_reminders() == 2
    texts = dict(sms.outbox)
    assert set(texts) == {vietnamese.phone, english.phone}  # the day after tomorrow waits
    number = f"{vietnamese.queue_number}, "
    assert vietnamese.code in texts[vietnamese.phone] and "07:00" in texts[vietnamese.phone]
    assert "Nhac lich" in texts[vietnamese.phone] and number in texts[vietnamese.phone]
    assert texts[vietnamese.phone].isascii()  # sent as plain GSM text: no diacritics
    assert "Reminder" in texts[english.phone] and english.code in texts[english.phone]
    assert [m.to for m in mail.outbox] == [["binh@example.vn"]]  # only the one who gave an address
    assert "07:15" in mail.outbox[0].subject and english.code in mail.outbox[0].body
    assert AuditLog.objects.filter(action="booking.appointment.reminded").exists()
    assert Appointment.objects.get(pk=not_yet.pk).reminded_at is None

    sms.outbox.clear()
    assert tasks.send_reminders() == 0 and sms.outbox == []  # once only


def test_a_cancelled_booking_is_not_reminded(clinic, any_hour):
    appointment = book(tomorrow_slots(clinic)[0])
    services.cancel(appointment.code, appointment.phone, "khỏi bệnh")
    sms.outbox.clear()
    assert services.send_reminders() == 0 and sms.outbox == []


def test_no_reminder_at_night_nor_to_someone_who_has_just_booked(clinic, any_hour):
    appointment = book(tomorrow_slots(clinic)[0])
    sms.outbox.clear()
    hour = timezone.localtime().hour
    any_hour.BOOKING_REMINDER_FROM_HOUR, any_hour.BOOKING_REMINDER_UNTIL_HOUR = (hour + 1) % 24, (hour + 1) % 24 + 1
    assert services.send_reminders() == 0  # outside the hours reminders go out

    any_hour.BOOKING_REMINDER_FROM_HOUR, any_hour.BOOKING_REMINDER_UNTIL_HOUR = 0, 24
    any_hour.BOOKING_REMINDER_NOT_WITHIN_HOURS = 12
    assert services.send_reminders() == 0  # booked a moment ago: they know
    Appointment.objects.filter(pk=appointment.pk).update(created_at=timezone.now() - dt.timedelta(hours=13))
    assert services.send_reminders() == 1 and [phone for phone, _text in sms.outbox] == [appointment.phone]


def test_a_wrong_email_is_named_and_the_address_is_erased_with_the_rest(clinic, settings):
    with pytest.raises(ValidationFailed) as raised:
        book(tomorrow_slots(clinic)[0], email="binh@")
    assert fields(raised.value) == {"email"}

    appointment = book(tomorrow_slots(clinic)[0], email="binh@example.vn")
    assert appointment.email == "binh@example.vn"
    services.purge(older_than_days=-2)  # as if the visit were long past
    assert Appointment.objects.get(pk=appointment.pk).email == ""
