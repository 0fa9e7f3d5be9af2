"""The events the 115 coordination publishes: incidents, the fleet, diversions."""

from __future__ import annotations

import datetime as dt

from typing_extensions import TypedDict

from opscenter.core.events import declare

SOURCE = "emergency"
INCIDENT_KINDS = ("incident.created", "incident.status", "incident.destination")
INCIDENT_ASSIGNED = "incident.assigned"


class IncidentSummary(TypedDict):
    """queries.incident_summary: what lists and the map show (no caller phone, no notes)."""
    code: str
    priority: int
    status: str
    chief_complaint: str
    patients: int
    need: str
    address: str
    ward: str
    latitude: float | None
    longitude: float | None
    received_at: dt.datetime
    destination: str | None  # hospital code
    destination_name: str
    destination_eta: dt.datetime | None


class IncidentAssigned(IncidentSummary):
    ambulance: str


class IncidentHandedOver(TypedDict):
    code: str
    offload_seconds: float | None
    offload_p90_seconds: float | None
    handovers: int


class IncidentWaiting(TypedDict):
    code: str
    priority: int
    chief_complaint: str
    waited_seconds: int


class AmbulanceStatus(TypedDict):
    code: str
    status: str
    incident: str | None


class Position(TypedDict):
    code: str
    latitude: float
    longitude: float
    status: str
    time: str  # ISO date-time


class AmbulancePositions(TypedDict):
    positions: list[Position]


class DiversionChanged(TypedDict):
    hospital: str
    name: str
    active: bool
    reason: str
    set_at: str  # ISO date-time


declare(SOURCE, INCIDENT_KINDS, IncidentSummary, live=("incident",),
        doc="An incident was created, moved on, or given a destination hospital.")
declare(SOURCE, INCIDENT_ASSIGNED, IncidentAssigned, live=("incident",), doc="An ambulance was assigned.")
declare(SOURCE, "incident.handed_over", IncidentHandedOver,
        doc="The patient was handed over at the hospital (unit), with its offload times.")
declare(SOURCE, "incident.waiting", IncidentWaiting,
        doc="Scheduled: how long an incident has waited for an ambulance.")
declare(SOURCE, "ambulance.status", AmbulanceStatus, live=("fleet",), doc="An ambulance's status changed.")
declare(SOURCE, "ambulance.positions", AmbulancePositions, live=("fleet",),
        doc="New positions of the ambulances of a 115 centre.")
declare(SOURCE, "diversion.changed", DiversionChanged, live=("diversion",),
        doc="A hospital started or ended an emergency diversion (city-wide).")
