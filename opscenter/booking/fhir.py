"""Appointments over HL7 FHIR R4, for the hospitals' information systems (HIS): `HealthcareService`,
`Practitioner`, `Location`, `Schedule` and `Slot` (public, as on the portal, read and search) and `Appointment`
(a bearer token of someone who may see the hospital's bookings, only the units in their scope: read and search;
of someone who receives its patients: create and cancel). Every resource is validated with fhir.resources' R4B
models, which R4 clients read unchanged.

Mapping:
- HealthcareService: a facility's clinic (`Service`); specialty and serviceType coded in urn:opscenter:specialty;
  `location` the facility.
- Practitioner: a doctor, `name.prefix` the title, `communication` the languages (BCP 47).
- Location: a facility that takes bookings (id: its unit code), and each room named on its schedules (id:
  `<unit code>.<room slug>`, partOf the facility).
- Schedule: a weekly template; actor = the Practitioner, the HealthcareService and the Location (the room, else
  the facility); `comment` the room.
- Slot: status `free` while a place is left, `busy` when full, `busy-unavailable` when closed.
- Appointment: id = the booking code, meta.versionId its version; status booked / arrived (checked in) /
  fulfilled / noshow / cancelled; the patient as a display name only (no identifiers leave the platform).
  Created from a contained Patient; cancelled by an update (PUT) to `cancelled`, under If-Match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.text import slugify
from django.utils.translation import gettext as _
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.schedule import Schedule as FhirSchedule
from fhir.resources.R4B.slot import Slot as FhirSlot

from opscenter.core.auth import bearer_user
from opscenter.core.errors import FieldError, NotFound, ValidationFailed
from opscenter.core.fhir import Served, endpoint, handle_write, outcome, respond, serve
from opscenter.org.models import Specialty, Unit
from opscenter.org.roles import Perm

from . import services
from .models import Appointment, Doctor, Schedule, Service, Slot

SPECIALTY_SYSTEM = "urn:opscenter:specialty"
PHYSICAL_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/location-physical-type"
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
        "location": [{"reference": f"Location/{s.unit.code}", "display": str(s.unit)}],
    }).model_dump(mode="json", exclude_none=True)


def practitioner_resource(d: Doctor) -> dict[str, Any]:
    return Practitioner.model_validate({
        "resourceType": "Practitioner", "id": str(d.pk), "active": d.active,
        "identifier": [{"system": f"urn:opscenter:unit:{d.unit.code}:doctor", "value": d.code}],
        "name": [{"text": str(d), **({"prefix": [d.title]} if d.title else {})}],
        "communication": [{"coding": [{"system": "urn:ietf:bcp:47", "code": lang}]} for lang in d.languages or []],
    }).model_dump(mode="json", exclude_none=True)


# --- Location: the facilities that take bookings and the rooms their schedules name -------------------------

def room_id(unit_code: str, room: str) -> str:
    """A room's Location id: the facility's code and the room's name as a slug (`BV-A.p12`); a name with
    nothing left to slug (`Đ`) gets a short hash instead. FHIR ids are at most 64 of [A-Za-z0-9-.]."""
    slug = slugify(room)[:40].strip("-") or "r" + hashlib.sha256(room.encode()).hexdigest()[:10]
    return f"{unit_code}.{slug}"


@dataclass
class Place:
    """A Location: a facility (`room` empty) or one of its rooms."""

    unit: Unit
    room: str = ""

    @property
    def id(self) -> str:
        return room_id(self.unit.code, self.room) if self.room else self.unit.code

    @property
    def name(self) -> str:
        return self.room or self.unit.name


def _place_reference(unit: Unit, room: str) -> dict[str, Any]:
    place = Place(unit, room)
    return {"reference": f"Location/{place.id}", "display": place.name}


def location_resource(p: Place) -> dict[str, Any]:
    unit = p.unit
    common = {"resourceType": "Location", "id": p.id, "status": "active" if unit.active else "inactive",
              "name": p.name, "mode": "instance",
              "managingOrganization": {"display": unit.name,
                                       "identifier": {"system": "urn:opscenter:unit", "value": unit.code}}}
    if p.room:
        body = {"physicalType": {"coding": [{"system": PHYSICAL_TYPE_SYSTEM, "code": "ro", "display": "Room"}]},
                "partOf": {"reference": f"Location/{unit.code}", "display": unit.name}}
    else:
        body = {"identifier": [{"system": "urn:opscenter:unit", "value": unit.code}],
                "physicalType": {"coding": [{"system": PHYSICAL_TYPE_SYSTEM, "code": "bu", "display": "Building"}]},
                **({"alias": [unit.short_name]} if unit.short_name else {}),
                **({"address": {"text": unit.address, "city": "Hồ Chí Minh", "country": "VN"}} if unit.address
                   else {}),
                **({"position": {"latitude": unit.latitude, "longitude": unit.longitude}}
                   if unit.latitude is not None and unit.longitude is not None else {})}
    return Location.model_validate({**common, **body}).model_dump(mode="json", exclude_none=True)


def _places() -> list[Place]:
    """Every facility with a booking service, each followed by its rooms, in code order."""
    facilities = Unit.objects.filter(booking_services__isnull=False).distinct().order_by("code")
    rooms: dict[int, dict[str, str]] = {}
    for unit_id, room in (Schedule.objects.exclude(room="").values_list("service__unit_id", "room")
                          .distinct().order_by("service__unit_id", "room")):
        rooms.setdefault(unit_id, {}).setdefault(room_id("", room), room)  # one Location per id
    places = []
    for unit in facilities:
        places.append(Place(unit))
        places.extend(Place(unit, room) for room in rooms.get(unit.pk, {}).values())
    return places


def schedule_resource(s: Schedule) -> dict[str, Any]:
    actors = [{"reference": f"HealthcareService/{s.service_id}", "display": s.service.label},
              _place_reference(s.service.unit, s.room)]
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
    participants.append({"actor": _place_reference(slot.unit, slot.schedule.room), "status": "accepted"})
    identifiers = [{"system": BOOKING_CODE_SYSTEM, "value": a.code}]
    if a.his_identifier:  # the hospital system's own, as it sent it
        system, _bar, value = a.his_identifier.partition("|")
        identifiers.append({**({"system": system} if system else {}), "value": value})
    return FhirAppointment.model_validate({
        "resourceType": "Appointment", "id": a.code, "status": APPOINTMENT_STATUS[a.status],
        "meta": {"versionId": str(a.version)}, "identifier": identifiers,
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


def _searchset(request: HttpRequest, rows: QuerySet | list[Any], render: Callable[[Any], dict[str, Any]],
               filters: dict[str, Callable[[str], Any]]) -> HttpResponse:
    """Search `rows`: a QuerySet, each filter giving a Q; or a list, each filter giving a predicate on a row."""
    issues = []
    for name, values in request.GET.lists():
        if name == "_count":
            continue
        if name not in filters:
            issues.append(("not-supported", name, _("unknown search parameter %(name)s") % {"name": name}))
            continue
        for value in values:
            try:
                chosen = filters[name](value)
                rows = rows.filter(chosen) if isinstance(rows, QuerySet) else [r for r in rows if chosen(r)]
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
    total = rows.count() if isinstance(rows, QuerySet) else len(rows)
    return respond({
        "resourceType": "Bundle", "type": "searchset", "total": total,
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in resources],
    })


def _not_found() -> HttpResponse:
    return outcome([("not-found", "", _("no such resource"))], 404)


def _read(rows: QuerySet, render: Callable[[Any], dict[str, Any]], **key: Any) -> HttpResponse:
    found = rows.filter(**key).first()
    if found is None:
        return _not_found()
    return respond(render(found))


def _id(value: str) -> int:
    return int(value.rsplit("/", 1)[-1])


def _services() -> QuerySet[Service]:
    return Service.objects.select_related("unit").order_by("unit__code", "code")


def _doctors() -> QuerySet[Doctor]:
    return Doctor.objects.select_related("unit").order_by("unit__code", "code")


def _schedules() -> QuerySet[Schedule]:
    return Schedule.objects.select_related("service", "service__unit", "doctor").order_by("pk")


def _slots() -> QuerySet[Slot]:
    return Slot.objects.select_related("service").order_by("start", "pk")


@endpoint("GET")
def healthcare_service(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        return _read(_services(), service_resource, pk=pk)
    return _searchset(request, _services(), service_resource, {
        "specialty": lambda v: Q(specialty=v.split("|")[-1]), "active": lambda v: Q(active=v == "true"),
        "organization": lambda v: Q(unit__code=v.rsplit("/", 1)[-1]),
        "location": lambda v: Q(unit__code=v.rsplit("/", 1)[-1])})


@endpoint("GET")
def practitioner(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        return _read(_doctors(), practitioner_resource, pk=pk)
    return _searchset(request, _doctors(), practitioner_resource, {
        "name": lambda v: Q(name__icontains=v), "active": lambda v: Q(active=v == "true")})


def _contains(value: str, *texts: str) -> bool:
    return any(value.casefold() in text.casefold() for text in texts)


@endpoint("GET")
def location(request: HttpRequest, location_id: str | None = None) -> HttpResponse:
    places = _places()
    if location_id is not None:
        found = next((p for p in places if p.id == location_id), None)
        return respond(location_resource(found)) if found is not None else _not_found()

    def partof(value: str) -> Callable[[Place], bool]:
        code = value.rsplit("/", 1)[-1]
        return lambda p: bool(p.room) and p.unit.code == code

    return _searchset(request, places, location_resource, {
        "name": lambda v: lambda p: _contains(v, p.name, "" if p.room else p.unit.short_name),
        "address": lambda v: lambda p: not p.room and _contains(v, p.unit.address),
        "partof": partof,
        "organization": lambda v: lambda p: p.unit.code == v.rsplit("/", 1)[-1]})


@endpoint("GET")
def schedule(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is not None:
        return _read(_schedules(), schedule_resource, pk=pk)

    def actor(value: str) -> Q:
        if "Practitioner/" in value:
            return Q(doctor_id=_id(value))
        if "Location/" in value:
            code = value.rsplit("/", 1)[-1]
            rooms = [pk for pk, unit, room in Schedule.objects.exclude(room="").filter(
                service__unit__code=code.split(".")[0]).values_list("pk", "service__unit__code", "room")
                if room_id(unit, room) == code]
            return Q(pk__in=rooms) if "." in code else Q(service__unit__code=code)
        return Q(service_id=_id(value))

    return _searchset(request, _schedules(), schedule_resource, {
        "actor": actor, "service-type": lambda v: Q(service__specialty=v.split("|")[-1]),
        "active": lambda v: Q(active=v == "true")})


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


# --- Appointment: read and search, create, cancel ---------------------------------------------------------------

def _appointments(user: Any) -> QuerySet[Appointment]:
    return (Appointment.objects.filter(user.scope_filter("slot__unit"))
            .select_related("slot", "slot__service", "slot__unit", "slot__schedule")
            .order_by("slot__start", "queue_number"))


def _reader(request: HttpRequest) -> Any:
    """The token holder who may see bookings, or the OperationOutcome refusing them."""
    user = bearer_user(request)
    if user is None:
        return outcome([("login", "", _("authentication required"))], 401)
    if not (user.has_perm_in(Perm.RECEIVE_PATIENTS) or user.has_perm_in(Perm.VIEW_BOOKINGS)):
        return outcome([("forbidden", "", _("you may not see appointments"))], 403)
    return user


def _identifier_filter(value: str) -> Q:
    """`identifier=[system|]value`: our booking code, or the hospital system's own identifier."""
    system, bar, code = value.partition("|")
    if not bar:
        return Q(code=value) | Q(his_identifier__endswith=f"|{value}")
    return Q(code=code) if system == BOOKING_CODE_SYSTEM else Q(his_identifier=value)


def _answer(request: HttpRequest, a: Appointment, status: int = 200) -> HttpResponse:
    """The booking, with its version as ETag and its versioned address as Location (as a create answers)."""
    where = request.build_absolute_uri(f"/fhir/Appointment/{a.code}/_history/{a.version}")
    return respond(appointment_resource(a), status, ETag=f'W/"{a.version}"', Location=where)


@endpoint("GET", "POST")
def appointment(request: HttpRequest) -> HttpResponse:
    """Search (GET) or create (POST) bookings."""
    if request.method == "POST":
        return handle_write(request, FhirAppointment, lambda user, resource: _create(request, user, resource),
                            forbidden_expression="Appointment.slot")
    user = _reader(request)
    if isinstance(user, HttpResponse):
        return user
    statuses = {fhir: ours for ours, fhir in APPOINTMENT_STATUS.items()}
    return _searchset(request, _appointments(user), appointment_resource, {
        "date": lambda v: _date_filter("slot__start", v), "status": lambda v: Q(status=statuses[v]),
        "practitioner": lambda v: Q(slot__doctor_id=_id(v)), "slot": lambda v: Q(slot_id=_id(v)),
        "service-type": lambda v: Q(slot__service__specialty=v.split("|")[-1]),
        "identifier": _identifier_filter})


@endpoint("GET", "PUT")
def appointment_instance(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    """Read (GET), vread (`/_history/<version>`, the current version only), or cancel (PUT)."""
    if request.method == "PUT":
        if version is not None:
            return outcome([("not-supported", "", _("update the booking at its address, not a version's"))], 405)
        return handle_write(request, FhirAppointment, lambda user, resource: _update(request, user, code, resource),
                            forbidden_expression="Appointment")
    user = _reader(request)
    if isinstance(user, HttpResponse):
        return user
    found = _appointments(user).filter(code=code).first()
    if found is None or (version is not None and version != found.version):
        return _not_found()
    return _answer(request, found)


PATIENT_FIELDS = {"name": "name", "birth_date": "birthDate", "identifier": "identifier", "phone": "telecom"}


def _patient(resource: FhirAppointment) -> tuple[Patient, str]:
    """The contained Patient a participant refers to (`#id`), and its FHIRPath."""
    for p in resource.participant or []:
        ref = p.actor.reference if p.actor is not None else None
        if not ref or not ref.startswith("#"):
            continue
        for i, contained in enumerate(resource.contained or []):
            if isinstance(contained, Patient) and contained.id == ref[1:]:
                return contained, f"Appointment.contained[{i}]"
    raise ValidationFailed.one("Appointment.participant", _(
        "name the patient: a participant whose actor refers to a contained Patient (#id)"))


def _person(patient: Patient) -> tuple[services.Person, str]:
    name = next(iter(patient.name or []), None)
    text = ""
    if name is not None:
        parts = [name.family, *(name.given or [])]  # Vietnamese order: family name first
        text = name.text or " ".join(p for p in parts if p)
    born = patient.birthDate if isinstance(patient.birthDate, dt.date) else None
    phone = next((t.value for t in patient.telecom or [] if t.system in ("phone", "sms") and t.value), "")
    identifier = next((i.value for i in patient.identifier or [] if i.value), "")
    return services.Person(name=text, birth_date=born, identifier=identifier or ""), phone or ""


def _create(request: HttpRequest, user: Any, resource: FhirAppointment) -> HttpResponse:
    """Book through services.book_for_hospital. Retries are safe: an `If-None-Exist: identifier=system|value`
    answers with the booking it finds, and a booking carrying the same identifier of the hospital's system
    (Appointment.identifier) is never made twice."""
    if not user.has_perm_in(Perm.RECEIVE_PATIENTS):  # before If-None-Exist, which answers with a booking
        raise PermissionDenied(_("you may not book appointments"))
    if condition := request.headers.get("If-None-Exist"):
        query = QueryDict(condition)
        if set(query) != {"identifier"}:
            return outcome([("not-supported", "", _("If-None-Exist takes one identifier=system|value"))], 400)
        found = list(_appointments(user).filter(_identifier_filter(query["identifier"]))[:2])
        if len(found) > 1:
            return outcome([("multiple-matches", "", _("If-None-Exist matches more than one booking"))], 412)
        if found:
            return _answer(request, found[0])
    errors = []
    if resource.status != "booked":
        errors.append(FieldError("Appointment.status", _("a new appointment's status is booked")))
    slots = [r.reference for r in resource.slot or [] if r.reference]
    slot_id = None
    if len(slots) != 1 or not re.fullmatch(r"(.*/)?Slot/\d+", slots[0]):
        errors.append(FieldError("Appointment.slot", _("name the one slot to book: Slot/<id>")))
    else:
        slot_id = _id(slots[0])
    his = next((f"{i.system or ''}|{i.value}" for i in resource.identifier or []
                if i.value and i.system != BOOKING_CODE_SYSTEM), "")
    if len(his) > 255:
        errors.append(FieldError("Appointment.identifier", _("an identifier is at most 255 characters")))
    try:
        patient, path = _patient(resource)
    except ValidationFailed as exc:
        raise ValidationFailed(errors + exc.errors) from None
    if errors:
        raise ValidationFailed(errors)
    person, phone = _person(patient)
    person.reason = resource.description or ""
    where = {**{k: f"{path}.{v}" for k, v in PATIENT_FIELDS.items()}, "reason": "Appointment.description",
             "slot": "Appointment.slot"}
    try:
        booked, new = services.book_for_hospital(user, slot_id or 0, person, phone, his)
    except ValidationFailed as exc:
        raise ValidationFailed([FieldError(where.get(e.field, "Appointment"), e.message) for e in exc.errors]) from exc
    booked = _appointments(user).get(pk=booked.pk)
    return _answer(request, booked, 201 if new else 200)


def _version(request: HttpRequest) -> int | None:
    """The version an `If-Match: W/"3"` names (None without the header); ValueError if it names none."""
    match = request.headers.get("If-Match")
    if match is None:
        return None
    found = re.fullmatch(r'\s*(W/)?"(\d+)"\s*', match)
    if found is None:
        raise ValueError(match)
    return int(found.group(2))


def _update(request: HttpRequest, user: Any, code: str, resource: FhirAppointment) -> HttpResponse:
    """An update may only cancel (status `cancelled`, with a cancelationReason); other changes are made at the
    hospital desk. Sent again unchanged, it changes nothing."""
    if resource.id != code:
        return outcome([("invalid", "Appointment.id", _("the id must be the booking code of the address"))], 400)
    try:
        version = _version(request)
    except ValueError:
        return outcome([("invalid", "", _("If-Match takes an ETag such as W/\"2\""))], 400)
    try:
        if resource.status == "cancelled":
            reason = resource.cancelationReason
            text = (reason.text or next((c.display or c.code for c in reason.coding or []), "")) if reason else ""
            changed = services.cancel_by_hospital(user, code, text or "", version)
            return _answer(request, _appointments(user).get(pk=changed.pk))
        current = _appointments(user).filter(code=code).first()
        if current is None:
            raise NotFound(code)
        if not user.has_perm_in(Perm.RECEIVE_PATIENTS, current.slot.unit):
            raise PermissionDenied(_("You may not receive patients of %(unit)s") % {"unit": current.slot.unit})
        if version is not None and version != current.version:
            raise services.StaleVersion(_("The booking was changed meanwhile; look at it again."))
        if resource.status != APPOINTMENT_STATUS[current.status]:
            raise ValidationFailed.one("Appointment.status", _(
                "only a cancellation can be sent; other changes are made at the hospital desk"))
        return _answer(request, current)
    except NotFound:
        return _not_found()
    except services.StaleVersion as exc:
        return outcome([("conflict", "", str(exc))], 412)


serve(Served("HealthcareService", ("read", "search-type"), (
    ("specialty", "token", "Specialty (urn:opscenter:specialty)"), ("active", "token", "true / false"),
    ("organization", "reference", "The facility, by its unit code"),
    ("location", "reference", "Location/<unit code>: the facility")), "Clinics that take bookings."))
serve(Served("Practitioner", ("read", "search-type"), (
    ("name", "string", "Part of the name"), ("active", "token", "true / false")), "Doctors who see booked patients."))
serve(Served("Location", ("read", "search-type"), (
    ("name", "string", "Part of the name (or a facility's short name)"),
    ("address", "string", "Part of a facility's address"),
    ("partof", "reference", "Location/<unit code>: the facility's rooms"),
    ("organization", "reference", "The facility, by its unit code: it and its rooms")),
    "Facilities that take bookings (id: the unit code) and the rooms their schedules name (id: "
    "<unit code>.<room>, partOf the facility)."))
serve(Served("Schedule", ("read", "search-type"), (
    ("actor", "reference", "Practitioner/<id>, HealthcareService/<id> or Location/<id>"),
    ("service-type", "token", "Specialty"), ("active", "token", "true / false")), "Weekly consultation templates."))
serve(Served("Slot", ("read", "search-type"), (
    ("schedule", "reference", "Schedule/<id>"), ("service-type", "token", "Specialty"),
    ("start", "date", "Day of the slot, with ge/gt/le/lt/eq"), ("status", "token", "free | busy | busy-unavailable")),
    "Bookable times; `free` while a place is left."))
serve(Served("Appointment", ("read", "vread", "search-type", "create", "update"), (
    ("date", "date", "Day of the appointment, with ge/gt/le/lt/eq"),
    ("status", "token", "booked | arrived | fulfilled | noshow | cancelled"),
    ("practitioner", "reference", "Practitioner/<id>"), ("slot", "reference", "Slot/<id>"),
    ("service-type", "token", "Specialty"),
    ("identifier", "token", "The booking code, or your system's identifier (system|value)")),
    "Bookings of the facilities in the token holder's scope (id: the booking code). Create: status booked, one "
    "slot (Slot/<id>), a participant referring to a contained Patient (name, birthDate, phone telecom, "
    "optional identifier); your Appointment.identifier, or If-None-Exist: identifier=system|value, makes a retry "
    "return the first booking. Update: only to cancel (status cancelled, cancelationReason), with If-Match: "
    "W/\"<versionId>\" (412 when stale).",
    details={"versioning": "versioned-update", "readHistory": False, "updateCreate": False,
             "conditionalCreate": True}))
