"""The citizen's way through the booking API, anonymous, and the hospital desk's."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from opscenter.booking import sms
from opscenter.booking.models import Appointment, Slot
from opscenter.org.roles import Role

JSON = "application/json"
PHONE = "0912345678"


def citizen(language: str = "en") -> Client:
    return Client(headers={"Accept-Language": language}, REMOTE_ADDR="203.0.113.7")


def post(client: Client, url: str, body: dict):
    return client.post(f"/api/booking{url}", body, content_type=JSON)


def prove_phone(client: Client, phone: str = PHONE) -> str:
    assert post(client, "/phone-codes", {"phone": phone}).status_code == 202
    code = sms.outbox[-1][1].split(": ")[1][:6]
    answer = post(client, "/phone-verifications", {"phone": phone, "code": code})
    assert answer.status_code == 200, answer.content
    return answer.json()["phone_token"]


def booking(slot_id: int, token: str, **overrides) -> dict:
    return {"slot": slot_id, "name": "Trần Thị Bình", "birth_date": "1961-03-14", "identifier": "079161000123",
            "reason": "Đau ngực", "phone_token": token, "consent": True, **overrides}


def test_a_citizen_finds_a_time_books_it_and_manages_it_with_phone_and_code(clinic):
    client = citizen()
    services = client.get("/api/booking/services", {"specialty": "cardiac"}).json()["items"]
    assert [(s["code"], s["unit"], s["specialty_label"]) for s in services] == [("tim-mach", "BV-A", "Cardiology")]
    slots = client.get("/api/booking/slots", {"specialty": "cardiac", "days": 3}).json()["items"]
    assert slots and all(s["free"] == 3 and s["doctor_name"] == "ThS.BS. Nguyễn Văn An" for s in slots)
    assert [s["start"] for s in slots] == sorted(s["start"] for s in slots)
    later = [s for s in slots if dt.datetime.fromisoformat(s["start"]) > timezone.now() + dt.timedelta(hours=3)]

    answer = post(client, "/appointments", booking(later[0]["id"], prove_phone(client)))
    assert answer.status_code == 201, answer.content
    mine = answer.json()
    assert mine["queue_number"] == 1 and mine["status"] == "booked" and mine["room"] == "P.12"
    assert dt.datetime.fromisoformat(mine["arrive_from"]) == dt.datetime.fromisoformat(mine["start"]) - dt.timedelta(
        minutes=30)
    assert "phone" not in mine and "birth_date" not in mine and "identifier" not in mine  # not echoed back
    # Looked up with the code and the phone; refused with another phone.
    assert post(client, "/appointments/lookup", {"code": mine["code"], "phone": PHONE}).json()["code"] == mine["code"]
    assert post(client, "/appointments/lookup", {"code": mine["code"], "phone": "0987654321"}).status_code == 404
    moved = post(client, f"/appointments/{mine['code']}/reschedule", {"phone": PHONE, "slot": later[1]["id"]})
    assert moved.status_code == 200, moved.content
    assert moved.json()["start"] == later[1]["start"]
    cancelled = post(client, f"/appointments/{moved.json()['code']}/cancel", {"phone": PHONE, "reason": "Khỏi"})
    assert cancelled.json()["status"] == "cancelled"
    assert Appointment.objects.count() == 2  # nothing deleted: both kept, cancelled


def test_bad_input_is_named_field_by_field_in_vietnamese(clinic):
    client = citizen("vi")
    slot = Slot.objects.filter(start__gt=timezone.now() + dt.timedelta(hours=3)).first()
    token = prove_phone(client)
    answer = post(client, "/appointments", booking(slot.pk, token, name="", birth_date="2100-01-01",
                                                  identifier="12AB", consent=False))
    assert answer.status_code == 422
    fields = {e["field"]: e["message"] for e in answer.json()["detail"]}
    assert set(fields) == {"consent", "name", "birth_date", "identifier"}  # every problem at once
    answer = post(client, "/appointments", booking(slot.pk, token, name="", birth_date="1990-01-01",
                                                  identifier="12AB"))
    fields = {e["field"]: e["message"] for e in answer.json()["detail"]}
    assert set(fields) == {"name", "identifier"} and "họ và tên" in fields["name"]
    bad_phone = post(client, "/phone-codes", {"phone": "12345"})
    assert bad_phone.status_code == 422 and bad_phone.json()["detail"][0]["field"] == "phone"
    assert "số di động" in bad_phone.json()["detail"][0]["message"]
    assert post(client, "/appointments", booking(slot.pk, "forged")).json()["detail"][0]["field"] == "phone_token"


def test_code_requests_beyond_the_limit_get_429(clinic, settings):
    settings.BOOKING_CODES_PER_PHONE_HOUR = 1
    client = citizen()
    assert post(client, "/phone-codes", {"phone": PHONE}).status_code == 202
    refused = post(client, "/phone-codes", {"phone": PHONE})
    assert refused.status_code == 429 and "try again" in refused.json()["detail"]


def test_a_full_time_answers_409(clinic, settings):
    settings.BOOKING_FUTURE_BOOKINGS_PER_PHONE = 10
    client = citizen()
    slot = Slot.objects.filter(start__gt=timezone.now() + dt.timedelta(hours=3)).first()
    for i in range(3):
        assert post(client, "/appointments", booking(slot.pk, prove_phone(client, f"09{i}1234567"))).status_code == 201
    full = post(client, "/appointments", booking(slot.pk, prove_phone(client, "0931234567")))
    assert full.status_code == 409 and "taken" in full.json()["detail"]


def test_the_desk_checks_in_by_code_within_its_own_hospital(clinic, city, api_client):
    slot = Slot.objects.filter(start__gt=timezone.now() + dt.timedelta(hours=3)).first()
    client = citizen()
    code = post(client, "/appointments", booking(slot.pk, prove_phone(client))).json()["code"]
    Slot.objects.filter(pk=slot.pk).update(start=timezone.now() + dt.timedelta(minutes=20))
    assert post(citizen(), "/desk/check-in", {"code": code}).status_code == 401
    assert post(api_client(Role.HOSPITAL_MANAGER, "B"), "/desk/check-in", {"code": code}).status_code == 403
    assert post(api_client(Role.REPORTER, "A"), "/desk/check-in", {"code": code}).status_code == 403
    desk = api_client(Role.HOSPITAL_MANAGER, "A")
    answer = post(desk, "/desk/check-in", {"code": code.lower()})
    assert answer.status_code == 200 and answer.json()["status"] == "checked-in"
    day = desk.get("/api/booking/desk/appointments").json()["items"]
    assert [a["code"] for a in day] == [code]
    assert api_client(Role.HOSPITAL_MANAGER, "B").get("/api/booking/desk/appointments").json()["items"] == []


def test_free_times_name_the_clinic_in_the_readers_language_and_skip_full_ones(clinic):
    first = Slot.objects.filter(service=clinic, start__gt=timezone.now()).order_by("start")[0]
    Slot.objects.filter(pk=first.pk).update(booked=first.capacity)  # full: not listed
    english = citizen("en").get("/api/booking/slots", {"service": "tim-mach", "days": 2}).json()
    vietnamese = citizen("vi").get("/api/booking/slots", {"service": "tim-mach", "days": 2}).json()
    slot = english["items"][0]
    assert first.pk not in {s["id"] for s in english["items"]} and english["count"] == len(english["items"])
    assert (slot["service"], slot["service_name"], slot["unit"], slot["unit_name"], slot["doctor"], slot["room"]) == (
        "tim-mach", "Cardiology clinic", "BV-A", "BV A", "bs-an", "P.12")
    assert vietnamese["items"][0]["service_name"] == "Khám Tim mạch"
