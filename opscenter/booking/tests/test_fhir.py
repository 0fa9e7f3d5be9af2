"""Appointments over FHIR R4 for the hospitals' information systems: clinics, doctors, schedules and free slots
(public), bookings (a token of the hospital, its own only); every answer read back with the R4B models."""

import datetime as dt

from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.slot import Slot as FhirSlot

from opscenter.booking import services
from opscenter.booking.models import Slot
from opscenter.booking.tests.conftest import PERSON, phone_token
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
