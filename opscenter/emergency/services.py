"""The only writer of 115 state: incidents and their timeline, assignments, vehicle positions, diversion.

Each write checks the actor's role and scope, validates, is audited and published on the event bus. A user is a
person; a string names a system actor (the simulator, a scheduled task).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit, events
from opscenter.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from opscenter.org.models import Unit, User, Ward
from opscenter.org.roles import Perm

from . import queries
from .events import SOURCE
from .models import Ambulance, Assignment, Capability, Diversion, Incident, IncidentEvent, Position, WaitingAreaCount
from .routing import valid_point
from .travel import travel_model

CLOCK_SKEW = dt.timedelta(minutes=2)  # device and call-taking clocks may run a little ahead
SCENE_MINUTES = 15  # time on scene assumed for a hospital ETA given before the crew arrives
S = Incident.Status
# The forward path of an incident; "dispatched" is reached only by assigning an ambulance.
FLOW: list[str] = [S.RECEIVED, S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE, S.TRANSPORTING, S.AT_HOSPITAL, S.HANDED_OVER,
                   S.CLOSED]
MILESTONES: dict[str, str] = {
    S.DISPATCHED: "dispatched_at", S.ON_SCENE: "on_scene_at", S.AT_HOSPITAL: "at_hospital_at",
    S.HANDED_OVER: "handed_over_at", S.CLOSED: "ended_at", S.CANCELLED: "ended_at",
}
VEHICLE_STATUS: dict[str, str] = {
    S.EN_ROUTE: Ambulance.Status.EN_ROUTE, S.ON_SCENE: Ambulance.Status.ON_SCENE,
    S.TRANSPORTING: Ambulance.Status.TRANSPORTING, S.AT_HOSPITAL: Ambulance.Status.AT_HOSPITAL,
}
PHONE = re.compile(r"^\+?[0-9 .-]{3,20}$")


def _user(actor: User | str) -> User | None:
    return actor if isinstance(actor, User) else None


def _require(actor: User | str, perm: Perm, unit: Unit) -> None:
    if isinstance(actor, User) and not actor.has_perm_in(perm, unit):
        raise PermissionDenied(_("You may not do this for %(unit)s") % {"unit": unit})


def _publish(kind: str, unit: str | None, **payload: Any) -> None:
    events.publish(events.Event(source=SOURCE, kind=kind, unit=unit, payload=payload))


# ---- incidents -------------------------------------------------------------------------------------------------


@dataclass
class IncidentInput:
    chief_complaint: str
    priority: int
    latitude: float | None = None
    longitude: float | None = None
    ward: str = ""  # ward code
    address: str = ""
    caller_phone: str = ""
    patients: int = 1
    need: str = ""
    notes: str = ""
    received_at: dt.datetime | None = None
    external_id: str | None = None
    center: str = ""  # emergency centre code; the actor's own by default
    source: str = Incident.Source.FORM


def emergency_center_of(actor: User | str, code: str = "") -> Unit:
    centers = Unit.objects.filter(kind=Unit.Kind.EMERGENCY_CENTER, active=True)
    if code:
        center = centers.filter(code=code).first()
        if center is None:
            raise ValidationFailed.one("center", _("unknown emergency centre"))
        return center
    user = _user(actor)
    if user is not None and user.unit is not None:
        # The user's own centre: their unit, or the centre above it (a station), or the one below (department).
        mine = centers.filter(Q(path__startswith=user.unit.path) | Q(pk__in=queries._ancestor_ids(user.unit)))
        center = mine.order_by("path").first()
    else:
        center = centers.order_by("path").first()
    if center is None:
        raise ValidationFailed.one("center", _("no emergency centre in your scope"))
    return center


def _validate_incident(data: IncidentInput, now: dt.datetime) -> tuple[list[FieldError], Ward | None]:
    errors = []
    if not data.chief_complaint.strip():
        errors.append(FieldError("chief_complaint", _("say what happened")))
    if not isinstance(data.priority, int) or not 1 <= data.priority <= 4:
        errors.append(FieldError("priority", _("must be 1 (most urgent) to 4")))
    if not isinstance(data.patients, int) or not 1 <= data.patients <= 500:
        errors.append(FieldError("patients", _("must be between 1 and 500")))
    if data.need and data.need not in Capability.values:
        errors.append(FieldError("need", _("must be one of: %(v)s") % {"v": ", ".join(Capability.values)}))
    if data.caller_phone and not PHONE.match(data.caller_phone):
        errors.append(FieldError("caller_phone", _("not a phone number")))
    if data.received_at is not None and data.received_at > now + CLOCK_SKEW:
        errors.append(FieldError("received_at", _("is in the future")))
    ward = None
    if data.ward:
        ward = Ward.objects.filter(code=data.ward).first()
        if ward is None:
            errors.append(FieldError("ward", _("unknown ward")))
    if data.latitude is None and data.longitude is None:
        if ward is not None and (ward.latitude is None or ward.longitude is None):
            errors.append(FieldError("latitude", _("the ward has no known position: give coordinates")))
        elif ward is None and not any(e.field == "ward" for e in errors):
            errors.append(FieldError("latitude", _("give coordinates or a ward")))
    elif data.latitude is None or data.longitude is None or not valid_point(data.latitude, data.longitude):
        field_name = "latitude" if data.latitude is None or not -90 <= (data.latitude or 0) <= 90 else "longitude"
        errors.append(FieldError(field_name, _("invalid coordinates")))
    return errors, ward


def create_incident(actor: User | str, data: IncidentInput) -> tuple[Incident, bool]:
    """Open an incident. A repeat of the same call (same external id) returns the first one: (incident, created)."""
    if isinstance(actor, User) and not actor.has_perm_in(Perm.DISPATCH):
        raise PermissionDenied(_("You may not open incidents"))
    center = emergency_center_of(actor, data.center)
    _require(actor, Perm.DISPATCH, center)
    now = timezone.now()
    errors, ward = _validate_incident(data, now)
    if errors:
        raise ValidationFailed(errors)
    if data.external_id and (existing := Incident.objects.filter(center=center, external_id=data.external_id).first()):
        if (existing.chief_complaint, existing.priority) != (data.chief_complaint.strip(), data.priority):
            raise Conflict(_("Call %(id)s was already recorded with other details") % {"id": data.external_id})
        return existing, False
    latitude = data.latitude if data.latitude is not None else ward.latitude  # type: ignore[union-attr]
    longitude = data.longitude if data.longitude is not None else ward.longitude  # type: ignore[union-attr]
    try:
        with transaction.atomic():
            incident = Incident.objects.create(  # type: ignore[misc]  # coordinates checked in validation
                code=uuid.uuid4().hex[:24], center=center, external_id=data.external_id or None, source=data.source,
                received_at=data.received_at or now, caller_phone=data.caller_phone.strip(),
                address=data.address.strip(), ward=ward, latitude=latitude, longitude=longitude,
                chief_complaint=data.chief_complaint.strip(), priority=data.priority, patients=data.patients,
                need=data.need, notes=data.notes.strip(), created_by=_user(actor),
            )
            incident.code = f"{timezone.localtime(incident.received_at):%y%m%d}-{incident.pk:05d}"
            incident.save(update_fields=["code"])
            _append(actor, incident, S.RECEIVED, incident.received_at)
            audit.record(actor, "emergency.incident.created", incident, center.code, code=incident.code,
                         priority=incident.priority, source=incident.source)
            _publish_incident(incident, "incident.created")
    except IntegrityError:  # the same call stored at the same moment by a parallel request
        existing = Incident.objects.filter(center=center, external_id=data.external_id).first()
        if existing is None:
            raise
        return existing, False
    return incident, True


def _append(actor: User | str, incident: Incident, action: str, time: dt.datetime, text: str = "",
            ambulance: Ambulance | None = None, **data: Any) -> IncidentEvent:
    user = _user(actor)
    return IncidentEvent.objects.create(
        incident=incident, time=time, action=action, actor=user,
        actor_label=user.get_username() if user else str(actor), ambulance=ambulance, text=text, data=data,
    )


def _publish_incident(incident: Incident, kind: str, **extra: Any) -> None:
    _publish(kind, incident.center.code, **queries.incident_summary(incident), **extra)


def view_incident(user: User, code: str) -> Incident:
    """An incident with its caller's details: allowed in scope only, and every look is logged."""
    incident = queries.visible_incidents(user).filter(code=code).first()
    if incident is None:
        raise NotFound(_("No such incident in your scope"))
    audit.record(user, "emergency.incident.viewed", incident, incident.center.code)
    return incident


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update(of=("self",)).select_related("center", "destination", "ward") \
        .get(pk=incident.pk)


def _may_update(actor: User | str, incident: Incident) -> None:
    """The dispatcher, or the crew (a vehicle's device) of an ambulance assigned to it."""
    user = _user(actor)
    if user is None or user.has_perm_in(Perm.DISPATCH, incident.center):
        return
    stations = Unit.objects.filter(ambulances__assignments__incident=incident,
                                   ambulances__assignments__released_at__isnull=True)
    if not any(user.has_perm_in(Perm.UPDATE_VEHICLES, s) for s in stations):
        raise PermissionDenied(_("You may not update incident %(code)s") % {"code": incident.code})


def _event_time(incident: Incident, at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    last = incident.timeline.order_by("-time").values_list("time", flat=True).first()
    if at > now + CLOCK_SKEW:
        raise ValidationFailed.one("at", _("is in the future"))
    if last is not None and at < last:
        raise ValidationFailed.one("at", _("is before the last entry of the timeline"))
    return at


@transaction.atomic
def advance(actor: User | str, incident: Incident, status: str, *, at: dt.datetime | None = None,
            note: str = "") -> Incident:
    """Move an incident forward (en route, on scene, transporting, at hospital, handed over, closed). Repeating
    the current status changes nothing; going back is a conflict."""
    incident = _lock(incident)
    _may_update(actor, incident)
    if status not in FLOW or status in (S.RECEIVED, S.DISPATCHED):
        raise ValidationFailed.one("status", _("must be one of: %(v)s") % {"v": ", ".join(FLOW[2:])})
    if status == incident.status:
        return incident
    if not incident.is_open:
        raise Conflict(_("Incident %(code)s is already %(status)s")
                       % {"code": incident.code, "status": incident.get_status_display()})
    if incident.status == S.RECEIVED:
        raise Conflict(_("Assign an ambulance first"))
    if FLOW.index(status) < FLOW.index(incident.status):
        raise Conflict(_("Incident %(code)s is already %(status)s")
                       % {"code": incident.code, "status": incident.get_status_display()})
    if status == S.CLOSED and FLOW.index(incident.status) < FLOW.index(S.ON_SCENE):
        raise Conflict(_("An incident is closed once the crew has reached it; cancel it instead"))
    if status in (S.TRANSPORTING, S.AT_HOSPITAL, S.HANDED_OVER) and incident.destination is None:
        raise ValidationFailed.one("destination", _("choose the destination hospital first"))
    time = _event_time(incident, at, timezone.now())
    incident.status = status
    changed = ["status"]
    # Skipped steps (a crew that forgot a button) leave their milestone empty rather than invented.
    if (column := MILESTONES.get(status)) and getattr(incident, column) is None:
        setattr(incident, column, time)
        changed.append(column)
    incident.save(update_fields=changed)
    _append(actor, incident, status, time, note)
    if status in VEHICLE_STATUS:
        Ambulance.objects.filter(incident=incident).update(status=VEHICLE_STATUS[status])
    elif status in (S.HANDED_OVER, S.CLOSED):
        _release_all(incident, time, status)
    audit.record(actor, f"emergency.incident.{status}", incident, incident.center.code, at=time.isoformat())
    _publish_incident(incident, "incident.status")
    if status == S.HANDED_OVER:
        summary = queries.offload_p90(incident.destination)  # type: ignore[arg-type]
        _publish("incident.handed_over", incident.destination.code, code=incident.code,  # type: ignore[union-attr]
                 offload_seconds=queries._seconds(incident.at_hospital_at, incident.handed_over_at),
                 offload_p90_seconds=summary.p90, handovers=summary.count)
    return incident


def _release_all(incident: Incident, time: dt.datetime, reason: str) -> None:
    open_assignments = Assignment.objects.filter(incident=incident, released_at__isnull=True)
    ambulances = list(Ambulance.objects.filter(assignments__in=open_assignments))
    open_assignments.update(released_at=time, release_reason=reason)
    Ambulance.objects.filter(incident=incident).update(status=Ambulance.Status.AVAILABLE, incident=None)
    for ambulance in ambulances:
        _publish("ambulance.status", incident.center.code, code=ambulance.code, status=Ambulance.Status.AVAILABLE,
                 incident=None)


@transaction.atomic
def cancel(actor: User | str, incident: Incident, reason: str) -> Incident:
    incident = _lock(incident)
    _require(actor, Perm.DISPATCH, incident.center)
    if not reason.strip():
        raise ValidationFailed.one("reason", _("say why the incident is cancelled"))
    if incident.status == S.CANCELLED:
        return incident
    if not incident.is_open:
        raise Conflict(_("Incident %(code)s is already closed") % {"code": incident.code})
    now = timezone.now()
    incident.status, incident.ended_at = S.CANCELLED, now
    incident.save(update_fields=["status", "ended_at"])
    _append(actor, incident, S.CANCELLED, now, reason.strip())
    _release_all(incident, now, S.CANCELLED)
    audit.record(actor, "emergency.incident.cancelled", incident, incident.center.code, reason=reason.strip())
    _publish_incident(incident, "incident.status")
    return incident


@transaction.atomic
def add_note(actor: User | str, incident: Incident, text: str) -> IncidentEvent:
    _may_update(actor, incident)
    if not text.strip():
        raise ValidationFailed.one("text", _("a note cannot be empty"))
    entry = _append(actor, incident, "note", timezone.now(), text.strip()[:500])
    audit.record(actor, "emergency.incident.note", incident, incident.center.code)
    return entry


# ---- dispatch and destination ------------------------------------------------------------------------------------


def _hospital(code: str) -> Unit:
    hospital = Unit.objects.filter(code=code, kind=Unit.Kind.HOSPITAL, active=True).first()
    if hospital is None:
        raise ValidationFailed.one("hospital", _("unknown hospital"))
    return hospital


def assign(actor: User | str, incident: Incident, ambulance_code: str, hospital_code: str = "",
           expected_destination: str | None = None, expected_assignments: int | None = None, *,
           at: dt.datetime | None = None) -> Assignment:
    """The dispatcher's confirmation: send this ambulance (and name the receiving hospital). Safe under parallel
    requests: of two dispatchers sending the same ambulance, the second gets a Conflict (409). A hospital chosen
    on a page that showed another destination than the one set since is not applied (the ambulance still goes;
    the caller sees the destination it kept). `expected_assignments`: how many ambulances were on their way when
    the page was drawn; if another was sent since, this one is not (Conflict), so a stale page or a second
    dispatcher never sends a second ambulance unseen. `at`: when the dispatch was made, if not now (a call-taking
    system's record sent late, the demo's history); never in the future nor before the timeline's last entry."""
    _require(actor, Perm.DISPATCH, incident.center)
    ambulance = Ambulance.objects.filter(code=ambulance_code, active=True,
                                         station__path__startswith=incident.center.path).first()
    if ambulance is None:
        raise ValidationFailed.one("ambulance", _("unknown ambulance"))
    hospital = _hospital(hospital_code) if hospital_code else None
    try:
        with transaction.atomic():
            return _assign(actor, incident, ambulance, hospital, expected_destination, expected_assignments, at)
    except IntegrityError as exc:
        raise Conflict(_("Ambulance %(code)s was just assigned elsewhere") % {"code": ambulance.code}) from exc


def _assign(actor: User | str, incident: Incident, ambulance: Ambulance, hospital: Unit | None,
            expected_destination: str | None, expected_assignments: int | None,
            at: dt.datetime | None) -> Assignment:
    incident = _lock(incident)
    now = _event_time(incident, at, timezone.now())
    if not incident.is_open or FLOW.index(incident.status) >= FLOW.index(S.HANDED_OVER):
        raise Conflict(_("Incident %(code)s is already %(status)s")
                       % {"code": incident.code, "status": incident.get_status_display()})
    repeat = Assignment.objects.filter(incident=incident, ambulance=ambulance, released_at__isnull=True).first()
    if repeat is not None:  # the same confirmation sent twice
        if hospital is not None and not _destination_changed(incident, expected_destination):
            _set_destination(actor, incident, hospital, now)
        return repeat
    on_the_way = Assignment.objects.filter(incident=incident, released_at__isnull=True).count()
    if expected_assignments is not None and on_the_way != expected_assignments:
        raise Conflict(_("Another ambulance was sent to %(code)s since this page was shown; check the ambulances "
                         "on their way before sending one more.") % {"code": incident.code})
    # The conditional update is the lock: only one request can move the ambulance out of "available".
    taken = Ambulance.objects.filter(pk=ambulance.pk, status=Ambulance.Status.AVAILABLE, incident__isnull=True) \
        .update(status=Ambulance.Status.DISPATCHED, incident=incident)
    if not taken:
        current = Ambulance.objects.select_related("incident").get(pk=ambulance.pk)
        where = current.incident.code if current.incident else current.get_status_display()
        raise Conflict(_("Ambulance %(code)s is not available (%(where)s)") % {"code": ambulance.code,
                                                                                "where": where})
    position = queries.ambulance_position(ambulance)
    seconds = travel_model().times_to((incident.latitude, incident.longitude), [position],
                                      when=timezone.localtime(now), priority=incident.priority)[0] \
        if position else None
    assignment = Assignment.objects.create(incident=incident, ambulance=ambulance, assigned_at=now,
                                           assigned_by=_user(actor), estimated_seconds=seconds)
    first = incident.status == S.RECEIVED
    if first:
        incident.status, incident.dispatched_at = S.DISPATCHED, now
        incident.save(update_fields=["status", "dispatched_at"])
    _append(actor, incident, S.DISPATCHED if first else "assigned", now, ambulance=ambulance,
            estimated_seconds=round(seconds) if seconds is not None else None)
    audit.record(actor, "emergency.incident.assigned", incident, incident.center.code, ambulance=ambulance.code,
                 estimated_seconds=seconds)
    _publish_incident(incident, "incident.assigned", ambulance=ambulance.code)
    _publish("ambulance.status", incident.center.code, code=ambulance.code, status=Ambulance.Status.DISPATCHED,
             incident=incident.code)
    if hospital is not None and not _destination_changed(incident, expected_destination):
        _set_destination(actor, incident, hospital, now)
    return assignment


@transaction.atomic
def set_destination(actor: User | str, incident: Incident, hospital_code: str,
                    expected: str | None = None) -> Incident:
    """`expected`: the destination's code the person saw ("" for none). If another was set since, Conflict (409)
    naming it, rather than silently replacing it (its hospital was already told the patient is coming)."""
    incident = _lock(incident)
    _may_update(actor, incident)
    if not incident.is_open or FLOW.index(incident.status) >= FLOW.index(S.AT_HOSPITAL):
        raise Conflict(_("Incident %(code)s is already %(status)s")
                       % {"code": incident.code, "status": incident.get_status_display()})
    hospital = _hospital(hospital_code)
    if incident.destination_id != hospital.pk and _destination_changed(incident, expected):
        raise Conflict(_("Meanwhile the destination was changed to %(hospital)s; check and choose again if needed.")
                       % {"hospital": incident.destination or "—"})
    return _set_destination(actor, incident, hospital)


def _destination_changed(incident: Incident, expected: str | None) -> bool:
    """Is the stored destination another than the one the person saw (None: not said, not checked)?"""
    return expected is not None and expected != (incident.destination.code if incident.destination else "")


def hospital_eta(incident: Incident, hospital: Unit, now: dt.datetime) -> dt.datetime:
    """When the patient should arrive: the ambulance to the scene (unless it is there), time on scene, then the
    scene to the hospital; or straight from the ambulance once it is transporting."""
    model, when = travel_model(), timezone.localtime(now)
    ambulance = Ambulance.objects.filter(incident=incident).select_related("station").first()
    position = queries.ambulance_position(ambulance) if ambulance else None
    scene = (incident.latitude, incident.longitude)
    target = (hospital.latitude or 0.0, hospital.longitude or 0.0)
    if incident.status == S.TRANSPORTING and position:
        return now + dt.timedelta(seconds=model.times(position, [target], when=when, priority=incident.priority)[0]
                                  or 0)
    seconds = model.times(scene, [target], when=when, priority=incident.priority)[0] or 0
    if FLOW.index(incident.status) < FLOW.index(S.ON_SCENE):
        seconds += SCENE_MINUTES * 60
        if position:
            seconds += model.times_to(scene, [position], when=when, priority=incident.priority)[0] or 0
    return now + dt.timedelta(seconds=seconds)


def _set_destination(actor: User | str, incident: Incident, hospital: Unit,
                     at: dt.datetime | None = None) -> Incident:
    if incident.destination_id == hospital.pk:
        return incident
    now = at or timezone.now()
    previous = incident.destination
    incident.destination, incident.destination_eta = hospital, hospital_eta(incident, hospital, now)
    incident.save(update_fields=["destination", "destination_eta"])
    _append(actor, incident, "destination", now, hospital.code, hospital=hospital.code,
            previous=previous.code if previous else None, eta=incident.destination_eta.isoformat())
    audit.record(actor, "emergency.incident.destination", incident, incident.center.code, hospital=hospital.code,
                 previous=previous.code if previous else None)
    # The receiving hospital hears of the patient at once: an alert in its scope (rules.incoming_patient).
    _publish_incident(incident, "incident.destination")
    return incident


# ---- the fleet ---------------------------------------------------------------------------------------------------


@transaction.atomic
def register_ambulance(actor: User | str, *, code: str, station: str, crew: str = Ambulance.Crew.BASIC,
                       equipment: str = Ambulance.Equipment.BLS, plate: str = "") -> tuple[Ambulance, bool]:
    unit = Unit.objects.filter(code=station, kind=Unit.Kind.AMBULANCE_STATION).first()
    errors = []
    if unit is None:
        errors.append(FieldError("station", _("unknown ambulance station")))
    if not code.strip():
        errors.append(FieldError("code", _("required")))
    if crew not in Ambulance.Crew.values:
        errors.append(FieldError("crew", _("must be one of: %(v)s") % {"v": ", ".join(Ambulance.Crew.values)}))
    if equipment not in Ambulance.Equipment.values:
        errors.append(FieldError("equipment",
                                 _("must be one of: %(v)s") % {"v": ", ".join(Ambulance.Equipment.values)}))
    if errors:
        raise ValidationFailed(errors)
    assert unit is not None
    _require(actor, Perm.DISPATCH, unit)
    existing = Ambulance.objects.filter(code=code).first()
    if existing is not None:
        if (existing.station_id, existing.crew, existing.equipment) != (unit.pk, crew, equipment):
            raise Conflict(_("Ambulance %(code)s is already registered differently") % {"code": code})
        return existing, False
    ambulance = Ambulance.objects.create(code=code, station=unit, crew=crew, equipment=equipment, plate=plate,
                                         latitude=unit.latitude, longitude=unit.longitude)
    audit.record(actor, "emergency.ambulance.registered", ambulance, unit.code, station=unit.code, crew=crew,
                 equipment=equipment)
    return ambulance, True


@transaction.atomic
def set_ambulance_status(actor: User | str, ambulance: Ambulance, status: str) -> Ambulance:
    """Take an idle ambulance out of service or back (assignment statuses follow the incident)."""
    ambulance = Ambulance.objects.select_for_update().select_related("station").get(pk=ambulance.pk)
    _require(actor, Perm.UPDATE_VEHICLES, ambulance.station)
    idle = (Ambulance.Status.AVAILABLE, Ambulance.Status.OUT_OF_SERVICE)
    if status not in idle:
        raise ValidationFailed.one("status", _("must be one of: %(v)s") % {"v": ", ".join(idle)})
    if ambulance.status == status:
        return ambulance
    if ambulance.incident_id is not None:
        raise Conflict(_("Ambulance %(code)s is on an incident") % {"code": ambulance.code})
    ambulance.status = status
    ambulance.save(update_fields=["status"])
    audit.record(actor, "emergency.ambulance.status", ambulance, ambulance.station.code, status=status)
    _publish("ambulance.status", _center_code(ambulance.station), code=ambulance.code, status=status, incident=None)
    return ambulance


def _center_code(station: Unit) -> str | None:
    center = Unit.objects.filter(kind=Unit.Kind.EMERGENCY_CENTER, pk__in=queries._ancestor_ids(station)).first()
    return center.code if center else station.code


@dataclass(frozen=True)
class PositionUpdate:
    ambulance: str
    latitude: float
    longitude: float
    time: dt.datetime  # device time
    speed_kmh: float | None = None


@dataclass
class PositionResult:
    moved: list[str] = field(default_factory=list)  # vehicles whose position changed
    ignored: int = 0  # older than what the vehicle already reported (out of order, or a repeat)


def record_positions(actor: User | str, updates: list[PositionUpdate]) -> PositionResult:
    """Store a batch of vehicle positions: all valid or none. A position older than the vehicle's last one (out of
    order, or a repeat) never moves it back; the track keeps every distinct reading once."""
    if not updates:
        return PositionResult()
    now = timezone.now()
    prefix = (lambda i: f"[{i}].") if len(updates) > 1 else (lambda i: "")
    ambulances = {a.code: a for a in Ambulance.objects.filter(code__in={u.ambulance for u in updates})
                  .select_related("station")}
    errors: list[FieldError] = []
    allowed: dict[int, bool] = {}
    for i, u in enumerate(updates):
        ambulance = ambulances.get(u.ambulance)
        if ambulance is None:
            errors.append(FieldError(f"{prefix(i)}ambulance", _("unknown ambulance")))
        elif isinstance(actor, User):
            if ambulance.station_id not in allowed:
                allowed[ambulance.station_id] = actor.has_perm_in(Perm.UPDATE_VEHICLES, ambulance.station)
            if not allowed[ambulance.station_id]:
                raise PermissionDenied(_("You may not update ambulance %(code)s") % {"code": u.ambulance})
        if not valid_point(u.latitude, u.longitude):
            bad = "latitude" if not valid_point(u.latitude, 0) else "longitude"
            errors.append(FieldError(f"{prefix(i)}{bad}", _("invalid coordinates")))
        if u.time > now + CLOCK_SKEW:
            errors.append(FieldError(f"{prefix(i)}time", _("is in the future")))
        if u.speed_kmh is not None and not 0 <= u.speed_kmh <= 300:
            errors.append(FieldError(f"{prefix(i)}speed_kmh", _("must be between 0 and 300")))
    if errors:
        raise ValidationFailed(errors)

    newest: dict[str, PositionUpdate] = {}
    for u in updates:
        if u.ambulance not in newest or u.time > newest[u.ambulance].time:
            newest[u.ambulance] = u
    with transaction.atomic():
        moved_ids = _move_vehicles({ambulances[code].pk: u for code, u in newest.items()})
        distinct = {(u.ambulance, u.time): u for u in updates}
        Position.objects.bulk_create(
            [Position(ambulance=ambulances[code], time=time, latitude=u.latitude, longitude=u.longitude,
                      speed_kmh=u.speed_kmh, received_at=now) for (code, time), u in distinct.items()],
            ignore_conflicts=True,
        )
        # One audit entry per batch: the track itself is the detailed record.
        audit.record(actor, "emergency.positions.received", None, "", count=len(updates), moved=len(moved_ids))
        moved = [a for a in ambulances.values() if a.pk in moved_ids]
        centers = _centers_of({a.station for a in moved})
        by_center: dict[str | None, list[dict[str, Any]]] = {}
        for a in moved:
            u = newest[a.code]
            by_center.setdefault(centers.get(a.station_id), []).append(
                {"code": a.code, "latitude": u.latitude, "longitude": u.longitude, "status": a.status,
                 "time": u.time.isoformat()})
        for center, positions in by_center.items():
            _publish("ambulance.positions", center, positions=positions)
    return PositionResult(moved=[a.code for a in moved], ignored=len(updates) - len(moved))


def _move_vehicles(newest: dict[int, PositionUpdate]) -> set[int]:
    """Move each vehicle to its newest fix unless it already reported a later one; the ids that moved.

    The condition sits in the UPDATE itself, so a parallel batch can never move a vehicle back in time. Rows are
    locked in id order first: two batches naming the same vehicles cannot deadlock."""
    ids = sorted(newest)
    list(Ambulance.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    if connection.vendor != "postgresql":  # the embedded default: few vehicles, one statement each
        return {pk for pk in ids if Ambulance.objects.filter(
            Q(position_at__isnull=True) | Q(position_at__lt=newest[pk].time), pk=pk,
        ).update(latitude=newest[pk].latitude, longitude=newest[pk].longitude, position_at=newest[pk].time)}
    # PostgreSQL: the whole batch in one statement (bulk_update's CASE expressions cost more than the writes).
    table = Ambulance._meta.db_table
    rows = ", ".join(["(%s::bigint, %s::float8, %s::float8, %s::timestamptz)"] * len(ids))
    params = [x for pk in ids for x in (pk, newest[pk].latitude, newest[pk].longitude, newest[pk].time)]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" AS a SET latitude = v.lat, longitude = v.lon, position_at = v.t '
            f"FROM (VALUES {rows}) AS v(id, lat, lon, t) "
            "WHERE a.id = v.id AND (a.position_at IS NULL OR a.position_at < v.t) RETURNING a.id",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def _centers_of(stations: set[Unit]) -> dict[int, str | None]:
    """The emergency centre above each station (one query for the lot)."""
    ancestors = {s.pk: queries._ancestor_ids(s) for s in stations}
    centers = dict(Unit.objects.filter(kind=Unit.Kind.EMERGENCY_CENTER,
                                       pk__in={a for ids in ancestors.values() for a in ids})
                   .values_list("pk", "code"))
    return {pk: next((centers[a] for a in ids if a in centers), None) for pk, ids in ancestors.items()}


# ---- hospitals: diversion and waiting-room counts ----------------------------------------------------------------


def may_set_diversion(user: User, hospital: Unit) -> bool:
    """The 115 dispatchers, and those who speak for the hospital itself (its emergency-viewing managers)."""
    return user.has_perm_in(Perm.DISPATCH) or (
        user.has_perm_in(Perm.VIEW_EMERGENCY, hospital) and user.has_perm_in(Perm.SUBMIT_REPORTS, hospital)
    )


@transaction.atomic
def set_diversion(actor: User | str, hospital_code: str, active: bool, reason: str = "") -> tuple[Diversion, bool]:
    hospital = _hospital(hospital_code)
    if isinstance(actor, User) and not may_set_diversion(actor, hospital):
        raise PermissionDenied(_("You may not set the diversion status of %(unit)s") % {"unit": hospital})
    if active and not reason.strip():
        raise ValidationFailed.one("reason", _("say why the hospital is on diversion"))
    Unit.objects.select_for_update().filter(pk=hospital.pk).first()  # one change at a time per hospital
    latest = Diversion.objects.filter(hospital=hospital).order_by("-set_at", "-id").first()
    if latest is not None and latest.active == active:
        return latest, False
    if latest is None and not active:
        raise Conflict(_("%(unit)s is not on diversion") % {"unit": hospital})
    row = Diversion.objects.create(hospital=hospital, active=active, reason=reason.strip(), set_at=timezone.now(),
                                   set_by=_user(actor))
    audit.record(actor, "emergency.diversion.on" if active else "emergency.diversion.off", row, hospital.code,
                 reason=row.reason)
    # City-wide on purpose (unit None): every dispatcher and hospital must see a diversion at once.
    _publish("diversion.changed", None, hospital=hospital.code, name=str(hospital), active=active,
             reason=row.reason, set_at=row.set_at.isoformat())
    return row, True


def record_waiting_count(event: events.Event) -> None:
    """Bus subscriber: keep the latest camera count of each hospital's emergency waiting area."""
    if event.source != "vision" or event.kind != "crowd.count" or not event.unit:
        return
    payload = event.payload
    count = payload.get("count")
    if payload.get("location_kind") != "emergency_waiting" or not isinstance(count, int) or count < 0:
        return
    hospital = Unit.objects.filter(code=event.unit, kind=Unit.Kind.HOSPITAL).first()
    if hospital is None:
        return
    camera = str(payload.get("camera", ""))[:64]
    with transaction.atomic():
        current = WaitingAreaCount.objects.select_for_update().filter(hospital=hospital, camera=camera).first()
        if current is not None and current.time >= event.time:
            return  # an older reading arriving late
        WaitingAreaCount.objects.update_or_create(
            hospital=hospital, camera=camera,
            defaults={"zone": str(payload.get("zone", ""))[:100], "count": count, "time": event.time},
        )


# ---- scheduled work ----------------------------------------------------------------------------------------------


def announce_waiting(now: dt.datetime | None = None) -> int:
    """Publish how long each unassigned incident has waited; alert rules decide what is too long."""
    now = now or timezone.now()
    waiting = Incident.objects.filter(status=S.RECEIVED).select_related("center")
    for incident in waiting:
        _publish("incident.waiting", incident.center.code, code=incident.code, priority=incident.priority,
                 chief_complaint=incident.chief_complaint,
                 waited_seconds=round((now - incident.received_at).total_seconds()))
    return len(waiting)


# Audit payload keys that copy what people wrote about a call (reasons, notes): erased with the incident's
# personal data.
FREE_TEXT_KEYS = ("reason", "text", "note", "notes", "caller_phone")


@transaction.atomic
def clear_personal_data(days: int, now: dt.datetime | None = None) -> int:
    """Retention: once an incident has been over for `days` days, the caller's phone and everything people wrote
    about it go: its notes, the free text of its timeline (status notes, the cancel reason) and the same text
    copied into its audit entries. What happened and when stays."""
    now = now or timezone.now()
    ids = list(Incident.objects.filter(ended_at__lt=now - dt.timedelta(days=days),
                                       personal_data_cleared_at__isnull=True).values_list("pk", flat=True))
    count = Incident.objects.filter(pk__in=ids).update(caller_phone="", notes="", personal_data_cleared_at=now)
    # Every timeline text but the destination's (a hospital code) was written by people.
    IncidentEvent.objects.filter(incident_id__in=ids).exclude(text="").exclude(action="destination").update(text="")
    audit.redact(Incident, ids, FREE_TEXT_KEYS)
    if count:
        audit.record("retention", "emergency.incident.personal_data_cleared", None, "", count=count, days=days)
    return count


def purge_track(days: int, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    count, _detail = Position.objects.filter(time__lt=now - dt.timedelta(days=days)).delete()
    if count:
        audit.record("retention", "emergency.positions.purged", None, "", count=count, days=days)
    return count
