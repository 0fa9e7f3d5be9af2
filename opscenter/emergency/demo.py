"""The 115 demo: a fleet at every station, then a live stream of calls that a simulated dispatcher answers and
ambulances that drive to the scene and on to hospital. Everything goes through the services."""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import zlib
from typing import Any

from django.db.models import Q
from django.utils import timezone

from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.org.models import Unit, Ward

from . import queries, services
from .models import Ambulance, Incident

log = logging.getLogger(__name__)
ACTOR = "simulator"
PER_STATION = 4
CALL_CHANCE = 0.25  # per tick (a few seconds): a busy but readable screen
SPEED_UP = 6.0  # ambulances drive this many times faster than real, so journeys fit a demo
DRIVE_KMH = 30.0
ANSWER_AFTER = dt.timedelta(seconds=15)  # the simulated dispatcher takes a moment
ON_SCENE = dt.timedelta(seconds=40)
OFFLOAD = dt.timedelta(seconds=50)
# complaint, priority, capability needed, share of calls
CALLS = [
    ("Đau ngực, vã mồ hôi", 1, "cardiac", 8), ("Yếu nửa người, nói đớ", 1, "stroke", 6),
    ("Ngừng tim", 1, "cardiac", 2), ("Tai nạn giao thông, chấn thương đầu", 1, "trauma", 6),
    ("Tai nạn xe máy, gãy chân", 2, "trauma", 12), ("Khó thở", 2, "", 12), ("Trẻ sốt cao co giật", 2, "paediatrics", 6),
    ("Chuyển dạ", 3, "obstetrics", 5), ("Bỏng nước sôi", 2, "burns", 2), ("Ngã, đau lưng", 3, "", 10),
    ("Đau bụng", 3, "", 12), ("Chóng mặt, tăng huyết áp", 4, "", 10), ("Ngất", 2, "", 6),
]
_rng = random.Random()


def _stations() -> list[Unit]:
    return list(Unit.objects.filter(kind=Unit.Kind.AMBULANCE_STATION, active=True).order_by("code"))


def seed() -> int:
    """Register the fleet (adds only what is missing). Returns how many ambulances were added."""
    added = 0
    for station in _stations():
        for n in range(1, PER_STATION + 1):
            code = f"{station.code}-X{n}"
            if Ambulance.objects.filter(code=code).exists():
                continue
            equipment = ("micu", "als", "bls", "bls")[n - 1]
            services.register_ambulance(ACTOR, code=code, station=station.code, equipment=equipment,
                                        crew="doctor" if equipment != "bls" else "basic",
                                        plate=f"51B-{zlib.crc32(code.encode()) % 100000:05d}")
            added += 1
    return added


def tick(now: dt.datetime | None = None) -> None:
    """One step of the live simulation; quick (a handful of queries)."""
    now = now or timezone.now()
    try:
        if _rng.random() < CALL_CHANCE:
            _new_call(now)
        _answer_calls(now)
        _drive(now)
    except (ValidationFailed, Conflict) as exc:  # a race with a person using the screens: next tick
        log.info("115 simulation step skipped: %s", exc)


def _new_call(now: dt.datetime) -> None:
    wards = list(Ward.objects.filter(latitude__isnull=False, latitude__gt=10.5, population__isnull=False))
    if not wards:
        return
    ward = _rng.choices(wards, weights=[w.population or 1 for w in wards])[0]
    assert ward.latitude is not None and ward.longitude is not None  # filtered above
    complaint, priority, need, _share = _rng.choices(CALLS, weights=[c[3] for c in CALLS])[0]
    services.create_incident(ACTOR, services.IncidentInput(
        chief_complaint=complaint, priority=priority, need=need, ward=ward.code,
        latitude=round(ward.latitude + _rng.gauss(0, 0.006), 6),
        longitude=round(ward.longitude + _rng.gauss(0, 0.006), 6),
        patients=1 if _rng.random() < 0.9 else 2, caller_phone=f"09{_rng.randrange(10**8):08d}",
        source=Incident.Source.SIMULATOR, received_at=now,
    ))


def _answer_calls(now: dt.datetime) -> None:
    for incident in Incident.objects.filter(status=Incident.Status.RECEIVED, received_at__lte=now - ANSWER_AFTER) \
            .select_related("center").order_by("priority", "received_at")[:3]:
        choice = queries.recommend(incident, now, limit=1)
        if not choice["ambulances"]:
            return  # every ambulance is out: the call waits, and the alert rule will speak
        hospital = choice["hospitals"][0]["code"] if choice["hospitals"] else ""
        services.assign(ACTOR, incident, choice["ambulances"][0]["code"], hospital)


Point = tuple[float, float]


def _step(position: Point, target: Point, seconds: float) -> tuple[Point, bool]:
    """Move towards the target at city speed; (new position, arrived)."""
    metres = DRIVE_KMH / 3.6 * seconds * SPEED_UP
    dlat = (target[0] - position[0]) * 111_000
    dlon = (target[1] - position[1]) * 111_000 * math.cos(math.radians(position[0]))
    distance = math.hypot(dlat, dlon)
    if distance <= metres:
        return target, True
    f = metres / distance
    return (position[0] + (target[0] - position[0]) * f, position[1] + (target[1] - position[1]) * f), False


def _drive(now: dt.datetime) -> None:
    S = Incident.Status
    updates = []
    moving = Ambulance.objects.filter(active=True).filter(~Q(status=Ambulance.Status.OUT_OF_SERVICE)) \
        .select_related("station", "incident", "incident__destination", "incident__center")
    for ambulance in moving:
        position = queries.ambulance_position(ambulance)
        if position is None:
            continue
        seconds = (now - ambulance.position_at).total_seconds() if ambulance.position_at else 4.0
        incident = ambulance.incident
        target: tuple[Any, Any] | None  # coordinates, checked for None where they come from
        if incident is None:
            station = ambulance.station
            target = (station.latitude, station.longitude) if station.latitude is not None else None
        elif incident.status in (S.DISPATCHED, S.EN_ROUTE):
            target = (incident.latitude, incident.longitude)
        elif incident.status == S.TRANSPORTING and incident.destination is not None:
            target = (incident.destination.latitude, incident.destination.longitude)
        else:
            target = None
        if target is not None and target != position:
            new, arrived = _step(position, target, min(seconds, 30))  # type: ignore[arg-type]
            updates.append(services.PositionUpdate(ambulance.code, round(new[0], 6), round(new[1], 6), now,
                                                   DRIVE_KMH))
        else:
            arrived = target is not None
        if incident is not None:
            _progress(incident, arrived, now)
    services.record_positions(ACTOR, updates)
    # Handed over, the ambulance is free again; the crew closes the run.
    for incident in Incident.objects.filter(status=S.HANDED_OVER).select_related("center")[:10]:
        services.advance(ACTOR, incident, S.CLOSED)


def _progress(incident: Incident, arrived: bool, now: dt.datetime) -> None:
    S = Incident.Status
    if incident.status == S.DISPATCHED:
        services.advance(ACTOR, incident, S.EN_ROUTE)
    elif incident.status == S.EN_ROUTE and arrived:
        services.advance(ACTOR, incident, S.ON_SCENE)
    elif incident.status == S.ON_SCENE and incident.on_scene_at and now - incident.on_scene_at > ON_SCENE:
        if incident.destination is None or (incident.priority == 4 and _rng.random() < 0.5):
            services.advance(ACTOR, incident, S.CLOSED, note="treated on scene")
        else:
            services.advance(ACTOR, incident, S.TRANSPORTING)
    elif incident.status == S.TRANSPORTING and arrived:
        services.advance(ACTOR, incident, S.AT_HOSPITAL)
    elif incident.status == S.AT_HOSPITAL and incident.at_hospital_at and now - incident.at_hospital_at > OFFLOAD \
            * _rng.uniform(0.5, 3):
        services.advance(ACTOR, incident, S.HANDED_OVER)
