"""Appointments over HL7 FHIR R4, for the hospitals' information systems (HIS): `HealthcareService`,
`Practitioner`, `Schedule` and `Slot` (public, as on the portal) and `Appointment` (a bearer token of someone who
may see the hospital's bookings; only the units in their scope). Read and search; every resource is validated with
fhir.resources' R4B models, which R4 clients read unchanged.

Mapping:
- HealthcareService: a facility's clinic (`Service`); specialty and serviceType coded in urn:opscenter:specialty.
- Practitioner: a doctor, `name.prefix` the title, `communication` the languages (BCP 47).
- Schedule: a weekly template; actor = the Practitioner and the HealthcareService; `comment` the room.
- Slot: status `free` while a place is left, `busy` when full, `busy-unavailable` when closed.
- Appointment: id = the booking code; status booked / arrived (checked in) / fulfilled / noshow / cancelled;
  the patient as a display name only (no identifiers leave the platform).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.schedule import Schedule as FhirSchedule
from fhir.resources.R4B.slot import Slot as FhirSlot

from opscenter.core.auth import bearer_user
from opscenter.core.fhir import Served, endpoint, outcome, respond, serve
from opscenter.org.models import Specialty
from opscenter.org.roles import Perm

from .models import Appointment, Doctor, Schedule, Service, Slot

SPECIALTY_SYSTEM = "urn:opscenter:specialty"
BOOKING_CODE_SYSTEM = "urn:opscenter:booking-code"
MAX_COUNT = 500
APPOINTMENT_STATUS = {"booked": "booked", "checked-in": "arrived", "fulfilled": "fulfilled", "noshow": "noshow",
                      "cancelled": "cancelled"}
DATE_PREFIXES = {"eq": "", "ge": "__gte", "gt": "__gt", "le": "__lte", "lt": "__lt"}


def _specialty(code: str) -> dict[str, Any]:
    label = dict(Specialty.choices).get(code, code)
    return {"coding": [{"system": SPECIALTY_SYSTEM, "code": code, "display": str(label)}]}


def service_resource(s: Service) -> dict[str, Any]:
    return HealthcareService.model_validate({
        "resourceType": "HealthcareService", "id": str(s.pk), "active": s.active, "name": s.label,
        "providedBy": {"display": str(s.unit), "identifier": {"system": "urn:opscenter:unit", "value": s.unit.code}},
        "specialty": [_specialty(s.specialty)], "type": [_specialty(s.specialty)],
    }).model_dump(mode="json", exclude_none=True)


def practitioner_resource(d: Doctor) -> dict[str, Any]:
    return Practitioner.model_validate({
        "resourceType": "Practitioner", "id": str(d.pk), "active": d.active,
        "identifier": [{"system": f"urn:opscenter:unit:{d.unit.code}:doctor", "value": d.code}],
        "name": [{"text": str(d), **({"prefix": [d.title]} if d.title else {})}],
        "communication": [{"coding": [{"system": "urn:ietf:bcp:47", "code": lang}]} for lang in d.languages or []],
    }).model_dump(mode="json", exclude_none=True)


def schedule_resource(s: Schedule) -> dict[str, Any]:
    actors = [{"reference": f"HealthcareService/{s.service_id}", "display": s.service.label}]
    if s.doctor_id:
        actors.insert(0, {"reference": f"Practitioner/{s.doctor_id}", "display": str(s.doctor)})
    return FhirSchedule.model_validate({
        "resourceType": "Schedule", "id": str(s.pk), "active": s.active,
        "serviceType": [_specialty(s.service.specialty)], "specialty": [_specialty(s.service.specialty)],
        "actor": actors,
        "planningHorizon": {"start": s.valid_from.isoformat(),
                            **({"end": s.valid_until.isoformat()} if s.valid_until else {})},
        **({"comment": s.room} if s.room else {}),
    }).model_dump(mode="json", exclude_none=True)


def slot_resource(s: Slot) -> dict[str, Any]:
    status = ("busy-unavailable" if s.status == Slot.Status.CLOSED else "busy" if s.booked >= s.capacity
              else "free")
    return FhirSlot.model_validate({
        "resourceType": "Slot", "id": str(s.pk), "schedule": {"reference": f"Schedule/{s.schedule_id}"},
        "status": status, "start": s.start.isoformat(), "end": s.end.isoformat(),
        "serviceType": [_specialty(s.service.specialty)],
        "comment": _("%(free)s of %(places)s places free") % {"free": s.free, "places": s.capacity},
    }).model_dump(mode="json", exclude_none=True)


def appointment_resource(a: Appointment) -> dict[str, Any]:
    slot = a.slot
    participants: list[dict[str, Any]] = [{"actor": {"display": a.name or "—"}, "status": "accepted"}]
    if slot.doctor_id:
        participants.append({"actor": {"reference": f"Practitioner/{slot.doctor_id}"}, "status": "accepted"})
    return FhirAppointment.model_validate({
        "resourceType": "Appointment", "id": a.code, "status": APPOINTMENT_STATUS[a.status],
        "identifier": [{"system": BOOKING_CODE_SYSTEM, "value": a.code}],
        "serviceType": [_specialty(slot.service.specialty)], "start": slot.start.isoformat(),
        "end": slot.end.isoformat(), "created": a.created_at.isoformat(), "slot": [{"reference": f"Slot/{slot.pk}"}],
        "participant": participants,
        **({"description": a.reason} if a.reason else {}),
        **({"cancelationReason": {"text": a.cancelled_reason}} if a.status == "cancelled" and a.cancelled_reason
           else {}),
    }).model_dump(mode="json", exclude_none=True)


# --- search ------------------------------------------------------------------------------------------------------

def _date_filter(field: str, value: str) -> Q:
    """A FHIR date search value (`ge2026-12-01`, `2026-12-01`...) on a datetime field, by the local day."""
    match = re.fullmatch(r"(eq|ge|gt|le|lt)?(\d{4}-\d{2}-\d{2})", value)
    if match is None:
        raise ValueError(value)
    prefix, day = match.group(1) or "eq", dt.date.fromisoformat(match.group(2))
    return Q(**{f"{field}__date{DATE_PREFIXES[prefix]}": day})


def _searchset(request: HttpRequest, rows: QuerySet, render: Callable[[Any], dict[str, Any]],
               filters: dict[str, Callable[[str], Q]]) -> HttpResponse:
    issues = []
    for name, values in request.GET.lists():
        if name == "_count":
            continue
        if name not in filters:
            issues.append(("not-supported", name, _("unknown search parameter %(name)s") % {"name": name}))
            continue
        for value in values:
            try:
                rows = rows.filter(filters[name](value))
            except (ValueError, KeyError):
                issues.append(("invalid", name, _("not a valid value: %(value)s") % {"value": value}))
    count = 50
    try:
        count = max(0, min(MAX_COUNT, int(request.GET.get("_count", count))))
    except ValueError:
        issues.append(("invalid", "_count", _("must be a whole number")))
    if issues:
        return outcome(issues, 422)
    base = request.build_absolute_uri("/fhir/")
    resources = [render(row) for row in rows[:count]]
    return respond({
        "resourceType": "Bundle", "type": "searchset", "total": rows.count(),
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in resources],
    })


def _read(rows: QuerySet, render: Callable[[Any], dict[str, Any]], **key: Any) -> HttpResponse:
    found = rows.filter(**key).first()
    if found is None:
        return outcome([("not-found", "", _("no such resource"))], 404)
    return respond(render(found))


def _id(value: str) -> int:
    return int(value.rsplit("/", 1)[-1])




def _services() -> QuerySet[Service]:
    return Service.objects.select_related("unit").order_by("unit__code", "code")


def _doctors() -> QuerySet[Doctor]:
    return Doctor.objects.select_related("unit").order_by("unit__code", "code")


def _schedules() -> QuerySet[Schedule]:
    return Schedule.objects.select_related("service", "doctor").order_by("pk")


def _slots() -> QuerySet[Slot]:
    return Slot.objects.select_related("service").order_by("start", "pk")


@endpoint("GET")
def healthcare_service(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        return _read(_services(), service_resource, pk=pk)
    return _searchset(request, _services(), service_resource, {
        "specialty": lambda v: Q(specialty=v.split("|")[-1]), "active": lambda v: Q(active=v == "true"),
        "organization": lambda v: Q(unit__code=v.rsplit("/", 1)[-1])})


@endpoint("GET")
def practitioner(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        return _read(_doctors(), practitioner_resource, pk=pk)
    return _searchset(request, _doctors(), practitioner_resource, {
        "name": lambda v: Q(name__icontains=v), "active": lambda v: Q(active=v == "true")})


@endpoint("GET")
def schedule(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        return _read(_schedules(), schedule_resource, pk=pk)
    return _searchset(request, _schedules(), schedule_resource, {
        "actor": lambda v: (Q(doctor_id=_id(v)) if "Practitioner/" in v else Q(service_id=_id(v))),
        "service-type": lambda v: Q(service__specialty=v.split("|")[-1]), "active": lambda v: Q(active=v == "true")})


@endpoint("GET")
def slot(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        return _read(_slots(), slot_resource, pk=pk)

    def status(value: str) -> Q:
        free = Q(status=Slot.Status.FREE, booked__lt=F("capacity"))
        return {"free": free, "busy": Q(status=Slot.Status.FREE, booked__gte=F("capacity")),
                "busy-unavailable": Q(status=Slot.Status.CLOSED)}[value]

    return _searchset(request, _slots(), slot_resource, {
        "schedule": lambda v: Q(schedule_id=_id(v)), "service-type": lambda v: Q(service__specialty=v.split("|")[-1]),
        "start": lambda v: _date_filter("start", v), "status": status})


@endpoint("GET")
def appointment(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = bearer_user(request)
    if user is None:
        return outcome([("login", "", _("authentication required"))], 401)
    if not (user.has_perm_in(Perm.RECEIVE_PATIENTS) or user.has_perm_in(Perm.VIEW_BOOKINGS)):
        return outcome([("forbidden", "", _("you may not see appointments"))], 403)
    rows = (Appointment.objects.filter(user.scope_filter("slot__unit"))
            .select_related("slot", "slot__service").order_by("slot__start", "queue_number"))
    if code is not None:
        return _read(rows, appointment_resource, code=code)
    statuses = {fhir: ours for ours, fhir in APPOINTMENT_STATUS.items()}
    return _searchset(request, rows, appointment_resource, {
        "date": lambda v: _date_filter("slot__start", v), "status": lambda v: Q(status=statuses[v]),
        "practitioner": lambda v: Q(slot__doctor_id=_id(v)), "slot": lambda v: Q(slot_id=_id(v)),
        "service-type": lambda v: Q(slot__service__specialty=v.split("|")[-1]),
        "identifier": lambda v: Q(code=v.split("|")[-1])})


serve(Served("HealthcareService", ("read", "search-type"), (
    ("specialty", "token", "Specialty (urn:opscenter:specialty)"), ("active", "token", "true / false"),
    ("organization", "reference", "The facility, by its unit code")), "Clinics that take bookings."))
serve(Served("Practitioner", ("read", "search-type"), (
    ("name", "string", "Part of the name"), ("active", "token", "true / false")), "Doctors who see booked patients."))
serve(Served("Schedule", ("read", "search-type"), (
    ("actor", "reference", "Practitioner/<id> or HealthcareService/<id>"),
    ("service-type", "token", "Specialty"), ("active", "token", "true / false")), "Weekly consultation templates."))
serve(Served("Slot", ("read", "search-type"), (
    ("schedule", "reference", "Schedule/<id>"), ("service-type", "token", "Specialty"),
    ("start", "date", "Day of the slot, with ge/gt/le/lt/eq"), ("status", "token", "free | busy | busy-unavailable")),
    "Bookable times; `free` while a place is left."))
serve(Served("Appointment", ("read", "search-type"), (
    ("date", "date", "Day of the appointment, with ge/gt/le/lt/eq"),
    ("status", "token", "booked | arrived | fulfilled | noshow | cancelled"),
    ("practitioner", "reference", "Practitioner/<id>"), ("slot", "reference", "Slot/<id>"),
    ("service-type", "token", "Specialty"), ("identifier", "token", "The booking code")),
    "Bookings of the facilities in the token holder's scope (id: the booking code)."))
