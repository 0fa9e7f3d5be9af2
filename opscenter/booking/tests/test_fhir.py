"""Appointments over FHIR R4 for the hospitals' information systems: clinics, doctors, places, schedules and
free slots (public), bookings (a token of the hospital, its own only: read, create, cancel); every answer read back
with the R4B models."""

import datetime as dt
import json

from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.slot import Slot as FhirSlot

from opscenter.booking import services
from opscenter.booking.models import Appointment, Slot
from opscenter.booking.tests.conftest import PERSON, phone_token
from opscenter.core import events
from opscenter.core.models import AuditLog
from opscenter.org.models import Unit
from opscenter.org.roles import Role
from opscenter.org.services import issue_token


def get(path: str, token: str | None = None, **params):
    client = Client(headers={"Accept-Language": "en", **({"Authorization": f"Bearer {token}"} if token else {})})
    response = client.get(path, params)
    assert response["Content-Type"] == "application/fhir+json", response.content[:200]
    return response


def test_a_his_finds_free_slots_by_specialty_and_day(clinic):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    bundle = Bundle.model_validate(get("/fhir/Slot", **{"service-type": "urn:opscenter:specialty|cardiac",
                                                        "start": tomorrow.isoformat(), "status": "free"}).json())
    assert bundle.type == "searchset" and bundle.total == 16
    slots = [e.resource for e in bundle.entry]
    assert all((s.status == "free" and s.start.date() == tomorrow) or timezone.localtime(s.start).date() == tomorrow
               for s in slots)
    assert slots[0].serviceType[0].coding[0].code == "cardiac"
    # A full slot is busy and no longer listed as free.
    full = Slot.objects.get(pk=int(slots[0].id))
    Slot.objects.filter(pk=full.pk).update(booked=full.capacity)
    assert FhirSlot.model_validate(get(f"/fhir/Slot/{full.pk}").json()).status == "busy"
    again = get("/fhir/Slot", **{"start": tomorrow.isoformat(), "status": "free"}).json()
    assert again["total"] == 15
    # Its schedule and the doctor behind it resolve.
    schedule = get(f"/fhir/{slots[1].schedule.reference}").json()
    doctor = get(f"/fhir/{schedule['actor'][0]['reference']}").json()
    assert doctor["name"][0]["prefix"] == ["ThS.BS."] and schedule["comment"] == "P.12"
    assert get("/fhir/HealthcareService", specialty="cardiac").json()["entry"][0]["resource"]["name"]


def test_bad_search_parameters_are_named(clinic):
    answer = get("/fhir/Slot", start="tomorrow", colour="blue")
    assert answer.status_code == 422
    assert {i["diagnostics"].split(":")[0] for i in answer.json()["issue"]} >= {"not a valid value",
                                                                                "unknown search parameter colour"}


def test_a_hospital_reads_its_own_appointments_and_no_one_elses(clinic, city):
    slot = Slot.objects.filter(start__gt=timezone.now() + dt.timedelta(hours=3)).order_by("start")[0]
    booked = services.book(slot.pk, PERSON, phone_token(), consent=True)
    assert get("/fhir/Appointment").status_code == 401
    own = issue_token("test", city.user(Role.HOSPITAL_MANAGER, "A"), "HIS")[1]
    other = issue_token("test", city.user(Role.HOSPITAL_MANAGER, "B"), "HIS")[1]
    day = timezone.localtime(slot.start).date().isoformat()
    bundle = Bundle.model_validate(get("/fhir/Appointment", own, date=day, status="booked").json())
    [entry] = bundle.entry
    appointment = FhirAppointment.model_validate(entry.resource.model_dump())
    assert appointment.id == booked.code and appointment.status == "booked"
    assert appointment.slot[0].reference == f"Slot/{slot.pk}"
    assert appointment.participant[0].actor.display == "Trần Thị Bình"
    assert "079161000123" not in str(entry.resource.model_dump())  # no identifier leaves the platform
    assert get("/fhir/Appointment", other, date=day).json()["total"] == 0
    assert get(f"/fhir/Appointment/{booked.code}", other).status_code == 404
    reporter = issue_token("test", city.user(Role.REPORTER, "A"), "HIS")[1]
    assert get("/fhir/Appointment", reporter).status_code == 403


def test_the_capability_statement_lists_the_appointment_resources(clinic):
    resources = {r["type"]: r for r in get("/fhir/metadata").json()["rest"][0]["resource"]}
    assert {"Slot", "Schedule", "Appointment", "Practitioner", "HealthcareService"} <= set(resources)
    assert {p["name"] for p in resources["Slot"]["searchParam"]} == {"schedule", "service-type", "start", "status"}
    assert {p["name"] for p in resources["Location"]["searchParam"]} == {"name", "address", "partof",
                                                                        "organization"}
    assert {i["code"] for i in resources["Location"]["interaction"]} == {"read", "search-type"}
    assert {i["code"] for i in resources["Appointment"]["interaction"]} >= {"create", "update", "read", "vread"}
    assert resources["Appointment"]["conditionalCreate"] is True
    assert resources["Appointment"]["versioning"] == "versioned-update"


# --- Location --------------------------------------------------------------------------------------------------

def test_facilities_and_their_rooms_are_locations(clinic, city):
    Unit.objects.filter(pk=city.hospital_a.pk).update(address="215 Hồng Bàng, Phường Chợ Lớn")
    bundle = Bundle.model_validate(get("/fhir/Location").json())
    by_id = {e.resource.id: e.resource for e in bundle.entry}
    assert set(by_id) == {"BV-A", "BV-A.p12"}  # hospital B takes no bookings
    facility, room = by_id["BV-A"], by_id["BV-A.p12"]
    assert facility.name == "Bệnh viện A" and facility.address.text.startswith("215 Hồng Bàng")
    assert float(facility.position.latitude) == 10.757
    assert room.name == "P.12" and room.partOf.reference == "Location/BV-A"
    assert room.physicalType.coding[0].code == "ro"

    def ids(**params):
        return [e["resource"]["id"] for e in get("/fhir/Location", **params).json().get("entry", [])]

    assert ids(name="p.12") == ["BV-A.p12"]
    assert ids(name="BV A") == ["BV-A"]  # the short name
    assert ids(address="hồng bàng") == ["BV-A"]
    assert ids(partof="Location/BV-A") == ["BV-A.p12"]
    assert ids(partof="Location/BV-B") == []
    assert Location.model_validate(get("/fhir/Location/BV-A.p12").json()).partOf.reference == "Location/BV-A"
    assert get("/fhir/Location/BV-B").status_code == 404
    # What points at them resolves.
    service = get(f"/fhir/HealthcareService/{clinic.pk}").json()
    assert get(f"/fhir/{service['location'][0]['reference']}").json()["id"] == "BV-A"
    schedule = get("/fhir/Schedule", actor="Location/BV-A.p12").json()
    assert schedule["total"] == 7
    places = [a["reference"] for a in schedule["entry"][0]["resource"]["actor"] if "Location/" in a["reference"]]
    assert places == ["Location/BV-A.p12"]


# --- Appointment create and cancel -----------------------------------------------------------------------------

def send(method: str, path: str, body: dict, token: str | None, **headers: str):
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(headers={**auth, "Accept-Language": "en", **headers})  # the site's default is Vietnamese
    response = getattr(client, method)(path, json.dumps(body), content_type="application/fhir+json")
    assert response["Content-Type"] == "application/fhir+json", response.content[:200]
    return response


def booking(slot: Slot, *, his_id: str = "HIS-0001", **patient) -> dict:
    """An Appointment as a hospital system sends it: the slot, and the patient contained."""
    return {
        "resourceType": "Appointment", "status": "booked", "description": "Đau ngực khi gắng sức",
        "identifier": [{"system": "urn:oid:1.2.704.1.1.215", "value": his_id}],
        "slot": [{"reference": f"Slot/{slot.pk}"}],
        "contained": [{"resourceType": "Patient", "id": "p", **{
            "name": [{"family": "Trần", "given": ["Thị", "Bình"]}], "birthDate": "1961-03-14",
            "telecom": [{"system": "phone", "value": "+84912345678"}],
            "identifier": [{"system": "urn:vn:cccd", "value": "079161000123"}], **patient}}],
        "participant": [{"actor": {"reference": "#p"}, "status": "accepted"}],
    }


def desk_token(city, hospital: str = "A") -> str:
    return issue_token("test", city.user(Role.HOSPITAL_MANAGER, hospital), "HIS")[1]


def later_slot() -> Slot:
    return Slot.objects.filter(start__gt=timezone.now() + dt.timedelta(hours=3)).order_by("start")[0]


def issues(response) -> dict[str | None, str | None]:
    """The OperationOutcome's issues: expression -> diagnostics."""
    found = OperationOutcome.model_validate(response.json())
    return {(i.expression or [""])[0]: i.diagnostics for i in found.issue}


def test_a_his_books_a_slot_for_its_patient(clinic, city):
    slot = later_slot()
    seen: list = []
    handler = events.subscribe(lambda e: seen.append(e) if e.kind == "appointment.booked" else None)
    try:
        response = send("post", "/fhir/Appointment", booking(slot), desk_token(city))
    finally:
        events._handlers.remove(handler)
    assert response.status_code == 201, response.content
    made = FhirAppointment.model_validate(response.json())
    assert made.status == "booked" and made.slot[0].reference == f"Slot/{slot.pk}"
    assert made.participant[0].actor.display == "Trần Thị Bình"
    assert {(i.system, i.value) for i in made.identifier} >= {("urn:oid:1.2.704.1.1.215", "HIS-0001")}
    assert "079161000123" not in response.content.decode()  # what it sent is not echoed back
    assert response["ETag"] == 'W/"1"' and made.meta.versionId == "1"
    assert response["Location"].endswith(f"/fhir/Appointment/{made.id}/_history/1")
    stored = Appointment.objects.get(code=made.id)
    assert (stored.phone, stored.birth_date, stored.identifier) == ("0912345678", dt.date(1961, 3, 14),
                                                                    "079161000123")
    assert stored.reason == "Đau ngực khi gắng sức"
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert AuditLog.objects.get(action="booking.appointment.booked").actor == city.user(Role.HOSPITAL_MANAGER, "A")
    assert [e.payload["code"] for e in seen] == [made.id]
    # Its Location reads it back, as does a search by the hospital's own identifier.
    again = get(response["Location"], desk_token(city))
    assert again.json()["id"] == made.id
    found = get("/fhir/Appointment", desk_token(city), identifier="urn:oid:1.2.704.1.1.215|HIS-0001").json()
    assert [e["resource"]["id"] for e in found["entry"]] == [made.id]


def test_a_retried_create_books_once(clinic, city):
    slot, token = later_slot(), desk_token(city)
    first = send("post", "/fhir/Appointment", booking(slot), token)
    retry = send("post", "/fhir/Appointment", booking(slot), token)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    # If-None-Exist finds it too, even when the body carries no identifier of the hospital's.
    bare = {**booking(slot), "identifier": []}
    conditional = send("post", "/fhir/Appointment", bare, token,
                       **{"If-None-Exist": "identifier=urn:oid:1.2.704.1.1.215|HIS-0001"})
    assert conditional.status_code == 200 and conditional.json()["id"] == first.json()["id"]
    assert Appointment.objects.count() == 1 and Slot.objects.get(pk=slot.pk).booked == 1
    # Another booking of the hospital's is another booking.
    other = send("post", "/fhir/Appointment", booking(slot, his_id="HIS-0002"), token)
    assert other.status_code == 201 and Slot.objects.get(pk=slot.pk).booked == 2
    # Another hospital's system may not book hospital A's slot, identifier or not.
    assert send("post", "/fhir/Appointment", booking(slot), desk_token(city, "B")).status_code == 403


def test_a_full_slot_is_a_conflict(clinic, city):
    slot = later_slot()
    Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    response = send("post", "/fhir/Appointment", booking(slot), desk_token(city))
    assert response.status_code == 409
    assert OperationOutcome.model_validate(response.json()).issue[0].code == "conflict"
    assert not Appointment.objects.exists()


def test_bad_input_is_named_by_its_path(clinic, city):
    slot, token = later_slot(), desk_token(city)
    patient = booking(slot, telecom=[{"system": "phone", "value": "12345"}], birthDate="2999-01-01")
    response = send("post", "/fhir/Appointment", patient, token)
    assert response.status_code == 422
    found = issues(response)
    assert set(found) == {"Appointment.contained[0].birthDate", "Appointment.contained[0].telecom"}
    assert "Vietnamese mobile number" in found["Appointment.contained[0].telecom"]
    # What the resource itself gets wrong: no slot, not booked, no patient.
    wrong = {**booking(slot), "status": "proposed", "slot": [{"reference": "Schedule/1"}],
             "participant": [{"actor": {"display": "Trần Thị Bình"}, "status": "accepted"}]}
    assert set(issues(send("post", "/fhir/Appointment", wrong, token))) == {
        "Appointment.status", "Appointment.slot", "Appointment.participant"}
    assert "Appointment.slot" in issues(send("post", "/fhir/Appointment",
                                             {**booking(slot), "slot": [{"reference": "Slot/999999"}]}, token))
    # In the language the request asks for.
    nameless = send("post", "/fhir/Appointment", booking(slot, name=[{"text": " "}]), token,
                    **{"Accept-Language": "vi"})
    assert issues(nameless) == {"Appointment.contained[0].name": "nhập họ và tên người bệnh"}
    assert not Appointment.objects.exists()


def test_only_the_hospitals_own_staff_book_and_cancel(clinic, city):
    slot = later_slot()
    assert send("post", "/fhir/Appointment", booking(slot), None).status_code == 401
    reporter = issue_token("test", city.user(Role.REPORTER, "A"), "HIS")[1]
    assert send("post", "/fhir/Appointment", booking(slot), reporter).status_code == 403
    refused = send("post", "/fhir/Appointment", booking(slot), desk_token(city, "B"))
    assert refused.status_code == 403 and "Appointment.slot" in issues(refused)
    made = send("post", "/fhir/Appointment", booking(slot), desk_token(city)).json()
    # A conditional create answers with the booking it finds: not to someone who may not book.
    asked = send("post", "/fhir/Appointment", booking(slot), reporter,
                 **{"If-None-Exist": f"identifier={made['id']}"})
    assert asked.status_code == 403 and made["id"] not in asked.content.decode()
    cancel = {**made, "status": "cancelled"}
    assert send("put", f"/fhir/Appointment/{made['id']}", cancel, desk_token(city, "B")).status_code == 403
    assert send("put", f"/fhir/Appointment/{made['id']}", cancel, None).status_code == 401
    assert Appointment.objects.get(code=made["id"]).status == "booked"


def test_a_his_cancels_under_if_match(clinic, city):
    slot, token = later_slot(), desk_token(city)
    made = send("post", "/fhir/Appointment", booking(slot), token).json()
    path = f"/fhir/Appointment/{made['id']}"
    cancel = {**made, "status": "cancelled", "cancelationReason": {"text": "Bác sĩ đi công tác"}}
    # Only cancelling is taken.
    moved = send("put", path, {**made, "status": "arrived"}, token, **{"If-Match": 'W/"1"'})
    assert moved.status_code == 422 and "Appointment.status" in issues(moved)
    done = send("put", path, cancel, token, **{"If-Match": 'W/"1"'})
    assert done.status_code == 200, done.content
    cancelled = FhirAppointment.model_validate(done.json())
    assert cancelled.status == "cancelled" and cancelled.cancelationReason.text == "Bác sĩ đi công tác"
    assert done["ETag"] == 'W/"2"' and cancelled.meta.versionId == "2"
    assert Slot.objects.get(pk=slot.pk).booked == 0  # the place is free again
    entry = AuditLog.objects.get(action="booking.appointment.cancelled")
    assert entry.actor == city.user(Role.HOSPITAL_MANAGER, "A") and entry.data["by"] == "hospital"
    # A client that still holds version 1 is told so.
    stale = send("put", path, cancel, token, **{"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert get(f"{path}/_history/1", token).status_code == 404
    assert get(f"{path}/_history/2", token).json()["status"] == "cancelled"
    # Sent again at the current version, it changes nothing.
    assert send("put", path, cancel, token, **{"If-Match": 'W/"2"'}).json()["meta"]["versionId"] == "2"
    assert send("put", "/fhir/Appointment/NOSUCH00", {**cancel, "id": "NOSUCH00"}, token).status_code == 404
    assert send("put", path, {**cancel, "id": "OTHER000"}, token).status_code == 400
