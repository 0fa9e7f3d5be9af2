"""The hospital desk's page: the day's bookings of its own hospital, check-in by the scanned code, no-shows."""

import datetime as dt

from django.utils import timezone

from opscenter.booking import services
from opscenter.booking.models import Appointment, Slot
from opscenter.booking.tests.conftest import PERSON, phone_token
from opscenter.org.roles import Role


def todays_booking(clinic) -> Appointment:
    slot = Slot.objects.filter(service=clinic, start__gt=timezone.now() + dt.timedelta(hours=3)).order_by("start")[0]
    appointment = services.book(slot.pk, PERSON, phone_token(), consent=True)
    Slot.objects.filter(pk=slot.pk).update(start=timezone.now() + dt.timedelta(minutes=20),
                                           end=timezone.now() + dt.timedelta(minutes=35))
    return appointment


def test_the_desk_sees_its_day_and_checks_in_by_code(clinic, api_client):
    appointment = todays_booking(clinic)
    desk = api_client(Role.HOSPITAL_MANAGER, "A", language="vi")
    page = desk.get("/booking/desk/").content.decode()
    assert "Trần Thị Bình" in page and "Đã đặt" in page
    answer = desk.post("/booking/desk/check-in/", {"code": appointment.code.lower()}, follow=True)
    assert "Trần Thị Bình" in answer.content.decode() and "Đã tiếp nhận" in answer.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == "checked-in"
    wrong = desk.post("/booking/desk/check-in/", {"code": "NOSUCH"}, follow=True).content.decode()
    assert "không có lịch hẹn nào mang mã này" in wrong


def test_another_hospital_neither_sees_nor_checks_in(clinic, api_client):
    appointment = todays_booking(clinic)
    other = api_client(Role.HOSPITAL_MANAGER, "B")
    assert "Trần Thị Bình" not in other.get("/booking/desk/").content.decode()
    other.post("/booking/desk/check-in/", {"code": appointment.code})
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"
    assert api_client(Role.REPORTER, "A").get("/booking/desk/").status_code == 403


def test_a_booking_whose_time_has_passed_is_marked_as_not_come(clinic, api_client):
    appointment = todays_booking(clinic)
    Slot.objects.filter(pk=appointment.slot_id).update(start=timezone.now() - dt.timedelta(minutes=40),
                                                       end=timezone.now() - dt.timedelta(minutes=25))
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    assert "Did not come" in desk.get("/booking/desk/").content.decode()
    desk.post(f"/booking/desk/{appointment.code}/no-show/")
    assert Appointment.objects.get(pk=appointment.pk).status == "noshow"
