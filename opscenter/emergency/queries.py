"""Reads for the 115 screens and API: what a user may see, the emergency beds board, recommendations, KPIs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from opscenter.org.models import BedType, Unit, User
from opscenter.org.roles import Perm
from opscenter.reporting import figures

from . import ranking
from .models import Ambulance, Diversion, Incident, WaitingAreaCount
from .travel import travel_model

REPORT_FRESH_DAYS = 2  # yesterday's report stands in until today's arrives
CROWD_FRESH = dt.timedelta(minutes=30)  # an older camera count says nothing about the waiting room now


def _scope_path(user: User) -> str | None:
    if not user.is_authenticated or user.unit is None or not user.has_perm_in(Perm.VIEW_EMERGENCY):
        return None
    return user.unit.path


def visible_incidents(user: User) -> QuerySet[Incident]:
    """The centre's incidents for its staff and the department; a hospital sees those coming to it."""
    path = _scope_path(user)
    if path is None:
        return Incident.objects.none()
    return Incident.objects.filter(
        Q(center__path__startswith=path) | Q(destination__path__startswith=path)
    ).select_related("center", "destination", "ward")


def visible_ambulances(user: User) -> QuerySet[Ambulance]:
    path = _scope_path(user)
    if path is None:
        return Ambulance.objects.none()
    return Ambulance.objects.filter(station__path__startswith=path, active=True).select_related("station", "incident")


def sees_whole_city(user: User) -> bool:
    """Those who hold an emergency centre in scope (its staff, the department) coordinate with every hospital."""
    path = _scope_path(user)
    return path is not None and user.unit is not None and (
        user.unit.kind == Unit.Kind.EMERGENCY_CENTER
        or Unit.objects.filter(kind=Unit.Kind.EMERGENCY_CENTER, path__startswith=path).exists()
        or Unit.objects.filter(kind=Unit.Kind.EMERGENCY_CENTER, pk__in=_ancestor_ids(user.unit)).exists()
    )


def _ancestor_ids(unit: Unit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def board_hospitals(user: User) -> QuerySet[Unit]:
    hospitals = Unit.objects.filter(kind=Unit.Kind.HOSPITAL, active=True)
    if sees_whole_city(user):
        return hospitals
    path = _scope_path(user)
    return hospitals.filter(path__startswith=path) if path else hospitals.none()


@dataclass
class BedsRow:
    code: str
    name: str
    latitude: float | None
    longitude: float | None
    specialties: list[str]
    period: dt.date | None
    ed_total: int | None
    ed_free: int | None
    icu_free: int | None
    er_waiting: int | None
    crowd: int | None
    crowd_at: dt.datetime | None
    on_diversion: bool
    diversion_reason: str
    diversion_since: dt.datetime | None

    def state(self) -> ranking.HospitalState:
        return ranking.HospitalState(
            code=self.code, position=(self.latitude or 0.0, self.longitude or 0.0),
            capabilities=frozenset(self.specialties), ed_free=self.ed_free, icu_free=self.icu_free,
            er_waiting=self.er_waiting, crowd=self.crowd, on_diversion=self.on_diversion,
        )


def latest_diversions(hospitals: list[Unit]) -> dict[int, Diversion]:
    latest: dict[int, Diversion] = {}
    for row in Diversion.objects.filter(hospital__in=hospitals).order_by("hospital_id", "-set_at", "-id"):
        latest.setdefault(row.hospital_id, row)
    return latest


def beds_rows(hospitals: QuerySet[Unit] | list[Unit], now: dt.datetime | None = None) -> list[BedsRow]:
    """Per hospital: free emergency and ICU beds (latest report), ER crowding (report and cameras), diversion."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    units = list(hospitals)
    latest = figures.latest((u.pk for u in units), today, REPORT_FRESH_DAYS)
    crowds: dict[int, list[WaitingAreaCount]] = defaultdict(list)
    for count in WaitingAreaCount.objects.filter(hospital__in=units, time__gte=now - CROWD_FRESH):
        crowds[count.hospital_id].append(count)
    diversions = latest_diversions(units)
    rows = []
    for unit in units:
        row = latest.get(unit.pk)
        beds = row.beds if row else {}
        ed, icu = beds.get(BedType.EMERGENCY), beds.get(BedType.ICU)
        counts = crowds.get(unit.pk, [])
        diversion = diversions.get(unit.pk)
        rows.append(BedsRow(
            code=unit.code, name=str(unit), latitude=unit.latitude, longitude=unit.longitude,
            specialties=list(unit.specialties or []),
            period=row.period if row else None,
            ed_total=ed.total if ed else None, ed_free=ed.available if ed else None,
            icu_free=icu.available if icu else None, er_waiting=row.er_waiting_for_bed if row else None,
            crowd=sum(c.count for c in counts) if counts else None,
            crowd_at=max(c.time for c in counts) if counts else None,
            on_diversion=bool(diversion and diversion.active),
            diversion_reason=diversion.reason if diversion and diversion.active else "",
            diversion_since=diversion.set_at if diversion and diversion.active else None,
        ))
    return sorted(rows, key=lambda r: r.name)


def beds_board(user: User) -> dict[str, Any]:
    rows = beds_rows(board_hospitals(user))
    return {
        "hospitals": [asdict(r) for r in rows],
        "city": {
            "ed_free": sum(r.ed_free or 0 for r in rows),
            "ed_total": sum(r.ed_total or 0 for r in rows),
            "icu_free": sum(r.icu_free or 0 for r in rows),
            "er_waiting": sum(r.er_waiting or 0 for r in rows),
            "on_diversion": [r.code for r in rows if r.on_diversion],
            "reporting": sum(1 for r in rows if r.period is not None),
            "hospitals": len(rows),
        },
    }


def ambulance_position(ambulance: Ambulance) -> tuple[float, float] | None:
    if ambulance.latitude is not None and ambulance.longitude is not None:
        return ambulance.latitude, ambulance.longitude
    station = ambulance.station
    if station.latitude is not None and station.longitude is not None:
        return station.latitude, station.longitude
    return None


def available_ambulances(center: Unit) -> list[Ambulance]:
    return list(Ambulance.objects.filter(
        station__path__startswith=center.path, active=True, status=Ambulance.Status.AVAILABLE,
    ).select_related("station"))


def destination_weights() -> ranking.DestinationWeights:
    """The ranking's prices from settings.EMERGENCY_DESTINATION_WEIGHTS (checked at start-up, see apps.py)."""
    return ranking.DestinationWeights.from_mapping(settings.EMERGENCY_DESTINATION_WEIGHTS)


def rank_destinations(incident: Incident, now: dt.datetime | None = None,
                      limit: int = 10) -> list[dict[str, Any]]:
    """The receiving hospitals for an incident, best first (ranking.rank_hospitals on the latest beds)."""
    now = now or timezone.now()
    weights = destination_weights()
    rows = {r.code: r for r in beds_rows(Unit.objects.filter(kind=Unit.Kind.HOSPITAL, active=True,
                                                             latitude__isnull=False, longitude__isnull=False), now)}
    ranked = ranking.rank_hospitals(travel_model(), (incident.latitude, incident.longitude),
                                    [r.state() for r in rows.values()], need=incident.need or None,
                                    when=timezone.localtime(now), priority=incident.priority, weights=weights)
    return [
        {"code": r.code, "name": rows[r.code].name, "travel_seconds": round(r.travel_seconds),
         "score_seconds": round(r.score_seconds), "on_diversion": r.on_diversion, "reasons": list(r.reasons),
         "preferred": r.preferred, "extra_seconds": round(r.extra_seconds), "specialties": rows[r.code].specialties,
         "ed_free": rows[r.code].ed_free, "icu_free": rows[r.code].icu_free,
         "er_waiting": rows[r.code].er_waiting, "crowd": rows[r.code].crowd}
        for r in ranked[:limit]
    ]


def recommend(incident: Incident, now: dt.datetime | None = None, limit: int = 10) -> dict[str, Any]:
    """Ranked ambulances (by travel time to the scene) and hospitals (see rank_destinations) for an incident."""
    now = now or timezone.now()
    model = travel_model()
    scene = (incident.latitude, incident.longitude)
    ambulances = {a.code: a for a in available_ambulances(incident.center)}
    vehicles = [ranking.Vehicle(a.code, pos, a.equipment) for a in ambulances.values()
                if (pos := ambulance_position(a)) is not None]
    ranked_vehicles = ranking.rank_ambulances(model, scene, vehicles, when=timezone.localtime(now),
                                              priority=incident.priority, limit=limit)
    weights = destination_weights()
    return {
        "model": model.name,
        "time_critical": weights.time_critical(incident.need or None, incident.priority),
        "max_detour_seconds": round(weights.max_detour_s),
        "ambulances": [
            {"code": r.code, "station": str(ambulances[r.code].station), "equipment": r.equipment,
             "crew": ambulances[r.code].crew, "travel_seconds": round(r.seconds),
             "eta": now + dt.timedelta(seconds=r.seconds)}
            for r in ranked_vehicles
        ],
        "hospitals": rank_destinations(incident, now, limit),
    }


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    return (end - start).total_seconds() if start and end and end >= start else None


def kpis(user: User, hours: int = 24, now: dt.datetime | None = None) -> dict[str, Any]:
    """Call to dispatch and call to scene by priority (mean, p90), offload time per hospital (p90), fleet."""
    now = now or timezone.now()
    incidents = list(visible_incidents(user).filter(received_at__gte=now - dt.timedelta(hours=hours))
                     .exclude(status=Incident.Status.CANCELLED))
    by_priority = []
    for priority in (1, 2, 3, 4):
        mine = [i for i in incidents if i.priority == priority]
        dispatch = ranking.summarise(s for i in mine if (s := _seconds(i.received_at, i.dispatched_at)) is not None)
        response = ranking.summarise(s for i in mine if (s := _seconds(i.received_at, i.on_scene_at)) is not None)
        by_priority.append({"priority": priority, "incidents": len(mine), "call_to_dispatch": asdict(dispatch),
                            "response": asdict(response)})
    offload: dict[str, list[float]] = defaultdict(list)
    names: dict[str, str] = {}
    for i in incidents:
        if i.destination and (s := _seconds(i.at_hospital_at, i.handed_over_at)) is not None:
            offload[i.destination.code].append(s)
            names[i.destination.code] = str(i.destination)
    fleet: dict[str, int] = defaultdict(int)
    for status in visible_ambulances(user).values_list("status", flat=True):
        fleet[status] += 1
    waiting = [i for i in incidents if i.status == Incident.Status.RECEIVED]
    return {
        "hours": hours,
        "incidents": len(incidents),
        "open": sum(1 for i in incidents if i.is_open),
        "waiting": len(waiting),
        "by_priority": by_priority,
        "offload": sorted(({"hospital": code, "name": names[code], **asdict(ranking.summarise(v))}
                           for code, v in offload.items()), key=lambda r: -(r["p90"] or 0)),
        "fleet": dict(fleet),
        "ambulances_available": fleet.get(Ambulance.Status.AVAILABLE, 0),
    }


def offload_p90(hospital: Unit, hours: int = 24, now: dt.datetime | None = None) -> ranking.Summary:
    now = now or timezone.now()
    pairs = Incident.objects.filter(destination=hospital, handed_over_at__gte=now - dt.timedelta(hours=hours)) \
        .values_list("at_hospital_at", "handed_over_at")
    return ranking.summarise(s for start, end in pairs if (s := _seconds(start, end)) is not None)


def live_map(user: User) -> dict[str, Any]:
    """Open incidents and the fleet, for the dispatcher's map and queue."""
    incidents = visible_incidents(user).filter(ended_at__isnull=True).order_by("priority", "received_at")
    return {
        "incidents": [incident_summary(i) for i in incidents[:500]],
        "ambulances": [ambulance_summary(a) for a in visible_ambulances(user)],
    }


def incident_summary(i: Incident) -> dict[str, Any]:
    """What lists and the map show: no caller phone, no notes."""
    return {
        "code": i.code, "priority": i.priority, "status": i.status, "chief_complaint": i.chief_complaint,
        "patients": i.patients, "need": i.need, "address": i.address, "ward": i.ward.name if i.ward else "",
        "latitude": i.latitude, "longitude": i.longitude, "received_at": i.received_at,
        "destination": i.destination.code if i.destination else None,
        "destination_name": str(i.destination) if i.destination else "", "destination_eta": i.destination_eta,
    }


def ambulance_summary(a: Ambulance) -> dict[str, Any]:
    position = ambulance_position(a)
    return {
        "code": a.code, "station": a.station.code, "station_name": str(a.station), "crew": a.crew,
        "equipment": a.equipment, "status": a.status, "incident": a.incident.code if a.incident else None,
        "latitude": position[0] if position else None, "longitude": position[1] if position else None,
        "position_at": a.position_at,
    }
