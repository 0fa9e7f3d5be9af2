"""The desk's walk-ins and calls, and the clinic's queue screen for the waiting room's TV, through the pages."""

from __future__ import annotations

import datetime as dt
import json
import time
from unittest import mock

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from opscenter.booking import services
from opscenter.booking.models import Appointment, Schedule, Service, Slot
from opscenter.booking.tests.conftest import PERSON, phone_token
from opscenter.core import events
from opscenter.core.models import AuditLog
from opscenter.org.roles import Role


def slot_at(clinic: Service, start: dt.datetime, minutes: int = 15) -> Slot:
    """One of the clinic's slots (of a later day), moved to `start`: the tests run at any hour of the day."""
    later = Slot.objects.filter(service=clinic, start__date__gt=timezone.localdate() + dt.timedelta(days=1))
    slot = later.order_by("-start")[0]
    Slot.objects.filter(pk=slot.pk).update(start=start, end=start + dt.timedelta(minutes=minutes))
    slot.refresh_from_db()
    return slot


@pytest.fixture
def today(clinic):
    """Today's slots of the clinic are all in the past or the future depending on the hour; these two run now:
    the current one (its walk-in place is free) and the next one, 15 minutes later."""
    Slot.objects.filter(service=clinic, start__date=timezone.localdate()).update(status=Slot.Status.CLOSED)
    now = timezone.now().replace(second=0, microsecond=0)
    running = slot_at(clinic, now - dt.timedelta(minutes=5))
    following = slot_at(clinic, now + dt.timedelta(minutes=10))
    return running, following


def booked_and_checked_in(slot: Slot, phone: str, desk) -> Appointment:
    """A booking made for a later time, moved to `slot` (the booking refuses a time that has begun), then
    checked in at the desk."""
    later = Slot.objects.filter(service=slot.service, start__gt=timezone.now() + dt.timedelta(days=3)).order_by(
        "start")[0]
    appointment = services.book(later.pk, PERSON, phone_token(phone), consent=True)
    Appointment.objects.filter(pk=appointment.pk).update(slot=slot, queue_number=slot.issued + 1)
    Slot.objects.filter(pk=slot.pk).update(issued=slot.issued + 1, booked=slot.booked + 1)
    slot.refresh_from_db()
    desk.post("/booking/desk/check-in/", {"code": appointment.code})
    appointment.refresh_from_db()
    assert appointment.status == "checked-in"
    return appointment


def walk_in(clinic: Service, **fields: str) -> dict:
    return {"service": clinic.pk, "name": "Lê Văn Cường", "phone": "0987654321", "reason": "Hồi hộp", **fields}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_walk_in_gets_the_running_time_then_the_next(clinic, today, api_client):
    running, following = today
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    page = desk.get("/booking/desk/").content.decode()
    assert 'id="walk-in"' in page and "Cardiology clinic" in page

    first = desk.post("/booking/desk/walk-in/", walk_in(clinic), follow=True)
    added = Appointment.objects.get(name="Lê Văn Cường")
    assert (added.slot_id, added.walk_in, added.status, added.birth_date) == (running.pk, True, "checked-in", None)
    at = timezone.localtime(running.start).strftime("%H:%M")
    assert messages_of(first) == [f"Lê Văn Cường added to Cardiology clinic: number {added.queue_number} at {at}"]
    assert AuditLog.objects.filter(action="booking.appointment.walk_in", object_id=str(added.pk)).exists()

    # The running time's one walk-in place is taken, and its booking places closed once it began: the next time.
    desk.post("/booking/desk/walk-in/", walk_in(clinic, name="Phạm Thị Dung", birth_date="1950-01-02"))
    second = Appointment.objects.get(name="Phạm Thị Dung")
    assert (second.slot_id, second.status, second.birth_date) == (following.pk, "checked-in", dt.date(1950, 1, 2))


def test_a_walk_in_refused_names_the_fields(clinic, today, api_client):
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    refused = desk.post("/booking/desk/walk-in/", walk_in(clinic, phone="12345", birth_date="2990-01-01"))
    assert refused.status_code == 422
    errors = refused.context["walk_in"].errors
    assert errors["phone"] == ["enter a Vietnamese mobile number of 10 digits, e.g. 0912345678"]
    assert errors["birth_date"] == ["enter a date of birth that has passed"]
    assert 'id="error-phone"' in refused.content.decode()
    assert not Appointment.objects.filter(walk_in=True).exists()

    vi = api_client(Role.HOSPITAL_MANAGER, "A", language="vi")
    in_vietnamese = vi.post("/booking/desk/walk-in/", walk_in(clinic, phone="12345")).context["walk_in"].errors
    assert in_vietnamese["phone"] == ["nhập số di động Việt Nam gồm 10 chữ số, ví dụ 0912345678"]


def test_a_walk_in_when_the_clinic_has_no_place_left_today(clinic, api_client):
    Slot.objects.filter(service=clinic, start__date=timezone.localdate()).update(status=Slot.Status.CLOSED)
    refused = api_client(Role.HOSPITAL_MANAGER, "A").post("/booking/desk/walk-in/", walk_in(clinic))
    assert refused.status_code == 422
    assert refused.context["walk_in"].non_field_errors() == [
        "Cardiology clinic has no place left today; suggest another clinic or a booking for another day."]


def test_the_desk_list_is_filtered_by_clinic(clinic, today, api_client, city):
    other = Service.objects.create(unit=city.hospital_a, code="noi", name="Khám Nội", name_en="General medicine",
                                   specialty="internal")
    Schedule.objects.create(service=other, room="P.3", weekday=timezone.localdate().weekday(), start=dt.time(7),
                            end=dt.time(8), valid_from=timezone.localdate(), walk_in_share=1)
    services.make_slots(timezone.localdate() + dt.timedelta(days=7), 1)
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    desk.post("/booking/desk/walk-in/", walk_in(clinic))
    both = desk.get("/booking/desk/").content.decode()
    assert "Lê Văn Cường" in both and "General medicine" in both  # the filter offers the other clinic
    only_other = desk.get(f"/booking/desk/?service={other.pk}").content.decode()
    assert "Lê Văn Cường" not in only_other
    assert "Lê Văn Cường" in desk.get(f"/booking/desk/?service={clinic.pk}").content.decode()


def test_call_next_goes_by_time_then_number_and_the_screen_follows(clinic, today, api_client,
                                                                  django_capture_on_commit_callbacks, monkeypatch):
    running, following = today
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    late = booked_and_checked_in(following, "0912000001", desk)  # checked in first, but for the later time
    early = booked_and_checked_in(running, "0912000002", desk)
    desk.post("/booking/desk/walk-in/", walk_in(clinic))
    walked = Appointment.objects.get(walk_in=True)
    assert walked.slot_id == running.pk and walked.queue_number > early.queue_number

    feed = f"/booking/queue/BV-A/{clinic.code}/now.json"
    before = desk.get(feed).json()
    assert before["called"] is None and before["waiting"] == 3
    at = {s.pk: timezone.localtime(s.start).strftime("%H:%M") for s in (running, following)}
    assert [(t["time"], t["number"]) for t in before["next"]] == [
        (at[running.pk], early.queue_number), (at[running.pk], walked.queue_number),
        (at[following.pk], late.queue_number)]

    heard: list[events.Event] = []
    monkeypatch.setattr(events, "_handlers", [heard.append])
    with django_capture_on_commit_callbacks(execute=True):
        called = desk.post("/booking/desk/call-next/", {"service": clinic.pk}, follow=True)
    assert messages_of(called)[-1:] == [f"Called number {early.queue_number} ({at[running.pk]}) to Cardiology clinic"]
    early.refresh_from_db()
    assert early.status == "fulfilled" and early.called_at is not None
    assert [(e.kind, e.unit, e.payload["queue_number"], e.payload["room"]) for e in heard] == [
        ("appointment.called", "BV-A", early.queue_number, "P.12")]
    assert AuditLog.objects.filter(action="booking.appointment.called", object_id=str(early.pk)).exists()

    after = desk.get(feed).json()
    assert after["called"] == {"number": early.queue_number, "time": at[running.pk], "room": "P.12"}
    assert [t["number"] for t in after["next"]] == [walked.queue_number, late.queue_number]

    desk.post("/booking/desk/call-next/", {"service": clinic.pk})
    desk.post("/booking/desk/call-next/", {"service": clinic.pk})
    assert desk.get(feed).json()["called"]["time"] == at[following.pk]
    nobody = desk.post("/booking/desk/call-next/", {"service": clinic.pk}, follow=True)
    assert messages_of(nobody)[-1:] == ["Nobody checked in is waiting for Cardiology clinic"]


def test_the_queue_screen_shows_numbers_and_never_who(clinic, today, api_client):
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    running, _following = today
    waiting = booked_and_checked_in(running, "0912000003", desk)
    desk.post("/booking/desk/walk-in/", walk_in(clinic))
    desk.post("/booking/desk/call-next/", {"service": clinic.pk})
    screen = desk.get(f"/booking/queue/BV-A/{clinic.code}/")
    feed = desk.get(f"/booking/queue/BV-A/{clinic.code}/now.json")
    assert screen.status_code == feed.status_code == 200
    assert set(feed.json()) == {"clinic", "unit", "rooms", "called", "next", "waiting", "time"}
    for answer in (screen.content.decode(), json.dumps(feed.json(), ensure_ascii=False)):
        for personal in ("Trần Thị Bình", "Lê Văn Cường", "0912000003", "0987654321", "079161000123", "1961",
                         "Đau ngực", "Hồi hộp", waiting.code, "Nguyễn Văn An"):
            assert personal not in answer
    assert "Cardiology clinic" in screen.content.decode() and "P.12" in screen.content.decode()
    assert 'src="/static/booking/queue.js"' in screen.content.decode() and "<script>" not in screen.content.decode()


def test_a_tv_link_shows_one_clinic_until_revoked_or_expired(clinic, today, api_client, settings):
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    desk.post("/booking/desk/walk-in/", walk_in(clinic))
    page = desk.get("/booking/desk/")
    link = page.context["queues"][0]["tv_link"].removeprefix("http://testserver")
    tv = Client()  # nobody signed in
    assert tv.get(link).status_code == 200
    assert tv.get(link + "now.json").json()["waiting"] == 1
    assert tv.get(link.replace("/screen/", "/screen/x")).status_code == 404  # forged
    # What the link opens is read-only: the desk's pages still want a sign-in.
    assert "/login/" in tv.post("/booking/desk/call-next/", {"service": clinic.pk})["Location"]

    desk.post("/booking/desk/screens/revoke/", {"service": clinic.pk})
    assert tv.get(link).status_code == tv.get(link + "now.json").status_code == 404
    fresh = desk.get("/booking/desk/").context["queues"][0]["tv_link"].removeprefix("http://testserver")
    assert fresh != link and tv.get(fresh).status_code == 200

    a_year_on = time.time() + 366 * 24 * 3600
    with mock.patch.object(signing.time, "time", return_value=a_year_on):
        assert tv.get(fresh).status_code == 404  # expired (BOOKING_SCREEN_DAYS, 365)
        settings.BOOKING_SCREEN_DAYS = 400
        assert tv.get(fresh).status_code == 200

    settings.BOOKING_SCREEN_SECRET = "changed"  # every link at once
    assert tv.get(fresh).status_code == 404


def test_another_hospital_can_neither_call_nor_watch_nor_add(clinic, today, api_client):
    running, _following = today
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    waiting = booked_and_checked_in(running, "0912000004", desk)
    other = api_client(Role.HOSPITAL_MANAGER, "B")
    assert other.post("/booking/desk/call-next/", {"service": clinic.pk}).status_code == 404
    assert Appointment.objects.get(pk=waiting.pk).status == "checked-in"
    assert other.get(f"/booking/queue/BV-A/{clinic.code}/").status_code == 404
    assert other.get(f"/booking/queue/BV-A/{clinic.code}/now.json").status_code == 404
    refused = other.post("/booking/desk/walk-in/", walk_in(clinic))
    assert refused.status_code == 422 and "service" in refused.context["walk_in"].errors  # not a choice
    assert not Appointment.objects.filter(walk_in=True).exists()
    assert other.post("/booking/desk/screens/revoke/", {"service": clinic.pk}).status_code == 404
    assert "Cardiology clinic" not in other.get("/booking/desk/").content.decode()

    reporter = api_client(Role.REPORTER, "A")
    assert reporter.get(f"/booking/queue/BV-A/{clinic.code}/").status_code == 403
    assert reporter.post("/booking/desk/call-next/", {"service": clinic.pk}).status_code == 403
