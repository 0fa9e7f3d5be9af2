"""115 coordination over HTTP: call-taking systems, vehicles and the dispatcher's screen. Thin: services decide."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Status

from opscenter.core.auth import AuthedRequest
from opscenter.core.errors import NotFound
from opscenter.core.inputs import Count, Line
from opscenter.core.permissions import needs, require
from opscenter.org.models import Unit
from opscenter.org.roles import Perm

from . import queries, services
from .filters import AmbulanceFilterSchema, IncidentFilterSchema
from .models import Ambulance, Diversion, Incident
from .schemas import (
    AmbulanceIn,
    AmbulanceStatusIn,
    DestinationIn,
    DiversionIn,
    DiversionOut,
    IncidentAssignIn,
    IncidentIn,
    IncidentNoteIn,
    IncidentReasonIn,
    IncidentStatusIn,
    PositionBatchIn,
    PositionResultOut,
    SinglePositionIn,
)

router = Router()


def _incident(request: AuthedRequest, code: str) -> Incident:
    require(request.user, Perm.VIEW_EMERGENCY)
    incident = queries.visible_incidents(request.user).filter(code=code).first()
    if incident is None:
        raise NotFound("No such incident in your scope")
    return incident


def incident_detail(incident: Incident) -> dict[str, Any]:
    """Everything about one incident, caller included: only for views that log the access."""
    return {
        **queries.incident_summary(incident),
        "caller_phone": incident.caller_phone, "notes": incident.notes, "source": incident.source,
        "external_id": incident.external_id, "center": incident.center.code,
        "milestones": {k: getattr(incident, k) for k in ("dispatched_at", "on_scene_at", "at_hospital_at",
                                                         "handed_over_at", "ended_at")},
        "ambulances": [{"code": a.ambulance.code, "assigned_at": a.assigned_at, "released_at": a.released_at,
                        "estimated_seconds": a.estimated_seconds}
                       for a in incident.assignments.select_related("ambulance").order_by("assigned_at")],
        "timeline": [{"time": e.time, "action": e.action, "actor": e.actor_label, "text": e.text,
                      "ambulance": e.ambulance.code if e.ambulance else None, "data": e.data}
                     for e in incident.timeline.select_related("ambulance")],
    }


@router.post("/incidents", response={200: dict, 201: dict})
@needs(Perm.DISPATCH)
def create_incident(request: AuthedRequest, payload: IncidentIn):
    """Open an incident (a call-taking system sends `external_id`: a repeat returns the first incident, 200)."""
    data = services.IncidentInput(**payload.dict(), source=Incident.Source.API)
    incident, created = services.create_incident(request.user, data)
    return Status(201 if created else 200, {"created": created, "incident": queries.incident_summary(incident)})


@router.get("/incidents")
@needs(Perm.VIEW_EMERGENCY)
def list_incidents(request: AuthedRequest, filters: Query[IncidentFilterSchema], limit: Count = 200):
    require(request.user, Perm.VIEW_EMERGENCY)
    incidents = filters.filter(queries.visible_incidents(request.user)).order_by("priority", "-received_at")
    return {"items": [queries.incident_summary(i) for i in incidents[: min(max(limit, 1), 1000)]]}


@router.get("/incidents/{code}")
@needs(Perm.VIEW_EMERGENCY)
def get_incident(request: AuthedRequest, code: Line):
    require(request.user, Perm.VIEW_EMERGENCY)
    return incident_detail(services.view_incident(request.user, code))


@router.get("/incidents/{code}/recommendation")
@needs(Perm.DISPATCH)
def recommendation(request: AuthedRequest, code: Line):
    """Available ambulances by travel time to the scene and hospitals by effective arrival; the dispatcher
    confirms with `assign`."""
    incident = _incident(request, code)
    require(request.user, Perm.DISPATCH, incident.center)
    return queries.recommend(incident)


@router.post("/incidents/{code}/assign")
@needs(Perm.DISPATCH)
def assign(request: AuthedRequest, code: Line, payload: IncidentAssignIn):
    """Send an ambulance (and name the receiving hospital). 409 if the ambulance is no longer available."""
    incident = _incident(request, code)
    services.assign(request.user, incident, payload.ambulance, payload.hospital,
                    expected_destination=payload.expected_destination)
    return queries.incident_summary(Incident.objects.get(pk=incident.pk))


@router.post("/incidents/{code}/destination")
@needs(Perm.DISPATCH, Perm.UPDATE_VEHICLES)
def destination(request: AuthedRequest, code: Line, payload: DestinationIn):
    incident = services.set_destination(request.user, _incident(request, code), payload.hospital,
                                        expected=payload.expected_destination)
    return queries.incident_summary(incident)


@router.post("/incidents/{code}/status")
@needs(Perm.DISPATCH, Perm.UPDATE_VEHICLES)
def status(request: AuthedRequest, code: Line, payload: IncidentStatusIn):
    """Move the incident forward: en_route, on_scene, transporting, at_hospital, handed_over, closed."""
    incident = services.advance(request.user, _incident(request, code), payload.status, at=payload.at,
                                note=payload.note)
    return queries.incident_summary(incident)


@router.post("/incidents/{code}/cancel")
@needs(Perm.DISPATCH)
def cancel(request: AuthedRequest, code: Line, payload: IncidentReasonIn):
    return queries.incident_summary(services.cancel(request.user, _incident(request, code), payload.reason))


@router.post("/incidents/{code}/notes", response={201: dict})
@needs(Perm.DISPATCH, Perm.UPDATE_VEHICLES)
def add_note(request: AuthedRequest, code: Line, payload: IncidentNoteIn):
    entry = services.add_note(request.user, _incident(request, code), payload.text)
    return Status(201, {"time": entry.time, "action": entry.action, "actor": entry.actor_label, "text": entry.text})


@router.get("/ambulances")
@needs(Perm.VIEW_EMERGENCY)
def list_ambulances(request: AuthedRequest, filters: Query[AmbulanceFilterSchema]):
    require(request.user, Perm.VIEW_EMERGENCY)
    return {"items": [queries.ambulance_summary(a) for a in filters.filter(queries.visible_ambulances(request.user))]}


@router.post("/ambulances", response={200: dict, 201: dict})
@needs(Perm.DISPATCH)
def register_ambulance(request: AuthedRequest, payload: AmbulanceIn):
    ambulance, created = services.register_ambulance(request.user, **payload.dict())
    return Status(201 if created else 200, queries.ambulance_summary(ambulance))


def _ambulance(request: AuthedRequest, code: str) -> Ambulance:
    ambulance = queries.visible_ambulances(request.user).filter(code=code).first()
    if ambulance is None:
        raise NotFound("No such ambulance in your scope")
    return ambulance


@router.post("/ambulances/{code}/status")
@needs(Perm.UPDATE_VEHICLES)
def ambulance_status(request: AuthedRequest, code: Line, payload: AmbulanceStatusIn):
    """Take an idle ambulance out of service, or back into service."""
    ambulance = services.set_ambulance_status(request.user, _ambulance(request, code), payload.status)
    return queries.ambulance_summary(ambulance)


@router.post("/ambulances/{code}/position", response=PositionResultOut)
@needs(Perm.UPDATE_VEHICLES)
def position(request: AuthedRequest, code: Line, payload: SinglePositionIn):
    update = services.PositionUpdate(ambulance=code, **payload.dict())
    return services.record_positions(request.user, [update])


@router.post("/positions", response=PositionResultOut)
@needs(Perm.UPDATE_VEHICLES)
def positions(request: AuthedRequest, payload: PositionBatchIn):
    """A batch of vehicle positions (e.g. a gateway forwarding every vehicle's fix once a second)."""
    updates = [services.PositionUpdate(**p.dict()) for p in payload.positions]
    return services.record_positions(request.user, updates)


@router.get("/beds")
@needs(Perm.VIEW_EMERGENCY)
def beds(request: AuthedRequest):
    """Free emergency and ICU beds per hospital and city-wide, ER crowding, diversion."""
    require(request.user, Perm.VIEW_EMERGENCY)
    return queries.beds_board(request.user)


def _diversion_out(row: Diversion) -> dict[str, Any]:
    return {"hospital": row.hospital.code, "active": row.active, "reason": row.reason, "set_at": row.set_at,
            "set_by": row.set_by.get_username() if row.set_by else None}


@router.get("/hospitals/{code}/diversion", response=list[DiversionOut])
@needs(Perm.VIEW_EMERGENCY)
def diversion_history(request: AuthedRequest, code: Line):
    require(request.user, Perm.VIEW_EMERGENCY)
    hospital = queries.board_hospitals(request.user).filter(code=code).first()
    if hospital is None:
        raise NotFound("No such hospital in your scope")
    return [_diversion_out(r) for r in Diversion.objects.filter(hospital=hospital).select_related("hospital",
                                                                                                  "set_by")]


@router.post("/hospitals/{code}/diversion", response={200: DiversionOut, 201: DiversionOut})
@needs(Perm.DISPATCH, (Perm.VIEW_EMERGENCY, Perm.SUBMIT_REPORTS))
def set_diversion(request: AuthedRequest, code: Line, payload: DiversionIn):
    require(request.user, Perm.VIEW_EMERGENCY)
    if not Unit.objects.filter(code=code, kind=Unit.Kind.HOSPITAL).exists():
        raise NotFound("No such hospital")
    row, created = services.set_diversion(request.user, code, payload.active, payload.reason)
    return Status(201 if created else 200, _diversion_out(row))


@router.get("/kpis")
@needs(Perm.VIEW_EMERGENCY)
def kpis(request: AuthedRequest, hours: Count = 24):
    require(request.user, Perm.VIEW_EMERGENCY)
    return queries.kpis(request.user, min(max(hours, 1), 24 * 31))


@router.get("/live")
@needs(Perm.VIEW_EMERGENCY)
def live(request: AuthedRequest):
    """Open incidents and the fleet, for the live map."""
    require(request.user, Perm.VIEW_EMERGENCY)
    return queries.live_map(request.user)
