"""The 115 demo: a fleet at every station, the last day of calls as history, then a live stream of calls that a
simulated dispatcher answers and ambulances that drive to the scene and on to hospital, all in real time.
Everything goes through the services.

The times are the real ones, so the KPIs read like Ho Chi Minh City's 115: calls at about a dozen an hour, a
minute or few of call taking, a minute or two for the crew to get away, the drive at the travel model's city speed
(slower in rush hours) from the nearest free station, then 8–20 minutes on scene, the drive to hospital and the
handover. That gives a median response (call to scene) near a quarter of an hour in the centre, much longer in
the outlying communes, and a 90th percentile around half an hour."""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import zlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.org.models import Unit, Ward

from . import queries, services
from .models import Ambulance, Incident
from .routing import StraightLineModel, haversine_m

log = logging.getLogger(__name__)
ACTOR = "simulator"
PER_STATION = 4
HISTORY_HOURS = 24  # the KPIs' default window is full from the start
QUIET = dt.timedelta(hours=1)  # a newer incident than this: the simulation was running, no history to add
CALLS_PER_HOUR = 12.0  # city-wide, on average over the day
# Calls by hour of day against the average: quiet small hours, busy late morning and evening.
HOURLY = (0.5, 0.4, 0.35, 0.35, 0.4, 0.6, 0.9, 1.1, 1.2, 1.3, 1.35, 1.3,
          1.2, 1.15, 1.15, 1.2, 1.25, 1.3, 1.35, 1.3, 1.2, 1.0, 0.8, 0.65)
COVERAGE_KM = 15.0  # calls come from wards within this distance of a station (straight line)
MIN_ANSWER = dt.timedelta(seconds=40)  # the shortest call taking (priority 1: address, what happened, send)
MAX_STEP = 60.0  # seconds of simulation one tick may cover at most (a stalled demo does not jump)
DRIVING = StraightLineModel()  # the default travel model: ambulances drive at its speeds along the straight line
TREATED_ON_SCENE = "Xử trí tại chỗ, không chuyển viện"  # the crew's note (free text, as a crew would write it)
# complaint, priority, capability needed, share of calls
CALLS = [
    ("Đau ngực, vã mồ hôi", 1, "cardiac", 8), ("Yếu nửa người, nói đớ", 1, "stroke", 6),
    ("Ngừng tim", 1, "cardiac", 2), ("Tai nạn giao thông, chấn thương đầu", 1, "trauma", 6),
    ("Tai nạn xe máy, gãy chân", 2, "trauma", 12), ("Khó thở", 2, "", 12), ("Trẻ sốt cao co giật", 2, "paediatrics", 6),
    ("Chuyển dạ", 3, "obstetrics", 5), ("Bỏng nước sôi", 2, "burns", 2), ("Ngã, đau lưng", 3, "", 10),
    ("Đau bụng", 3, "", 12), ("Chóng mặt, tăng huyết áp", 4, "", 10), ("Ngất", 2, "", 6),
]
Point = tuple[float, float]
_rng = random.Random()
_last_tick: dt.datetime | None = None


@dataclass(frozen=True)
class Plan:
    """How one call unfolds, drawn once from its code (so the live simulation and the history agree)."""

    answer_s: float  # call taking and triage until the dispatcher sends an ambulance
    turnout_s: float  # the crew into the vehicle and away
    traffic: float  # this run's traffic against the model's estimate (1: as estimated)
    scene_s: float  # on scene: assessment and treatment
    offload_s: float  # at hospital until the emergency department takes the patient over
    transport: bool  # False: treated on scene

    @classmethod
    def of(cls, incident: Incident) -> Plan:
        rng = random.Random(zlib.crc32(incident.code.encode()))
        return cls(
            answer_s=rng.uniform(MIN_ANSWER.total_seconds(), 100) if incident.priority == 1 else rng.uniform(60, 200),
            turnout_s=rng.uniform(60, 150),
            traffic=min(max(rng.lognormvariate(0, 0.25), 0.7), 2.0),
            scene_s=rng.uniform(8, 20) * 60,
            offload_s=min(rng.lognormvariate(math.log(14 * 60), 0.45), 75 * 60),
            transport=not (incident.priority >= 3 and rng.random() < 0.25),
        )


def _stations() -> list[Unit]:
    return list(Unit.objects.filter(kind=Unit.Kind.AMBULANCE_STATION, active=True).order_by("code"))


def seed(now: dt.datetime | None = None, history_hours: float = HISTORY_HOURS) -> int:
    """Register the fleet (adds only what is missing), then the calls of the last day that are not there yet.
    Returns how many ambulances were added."""
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
    seed_history(now, history_hours)
    return added


def _calls_per_hour(when: dt.datetime) -> float:
    return CALLS_PER_HOUR * HOURLY[timezone.localtime(when).hour]


def _wards() -> list[Ward]:
    """Where the demo's calls come from: the wards its stations cover. The demo network has one station for each
    outlying area (the real one has many satellite stations there); a call 30 km from the only station would be a
    fault of the demo, not a response time."""
    stations = [(s.latitude, s.longitude) for s in _stations() if s.latitude is not None and s.longitude is not None]
    covered = []
    for ward in Ward.objects.filter(latitude__isnull=False, longitude__isnull=False, population__isnull=False):
        place = (ward.latitude or 0.0, ward.longitude or 0.0)
        if any(haversine_m(place, station) <= COVERAGE_KM * 1000 for station in stations):
            covered.append(ward)
    return covered


def _new_call(now: dt.datetime, rng: random.Random, wards: list[Ward]) -> Incident | None:
    if not wards:
        return None
    ward = rng.choices(wards, weights=[w.population or 1 for w in wards])[0]
    assert ward.latitude is not None and ward.longitude is not None  # filtered above
    complaint, priority, need, _share = rng.choices(CALLS, weights=[c[3] for c in CALLS])[0]
    incident, _created = services.create_incident(ACTOR, services.IncidentInput(
        chief_complaint=complaint, priority=priority, need=need, ward=ward.code,
        latitude=round(ward.latitude + rng.gauss(0, 0.006), 6),
        longitude=round(ward.longitude + rng.gauss(0, 0.006), 6),
        patients=1 if rng.random() < 0.9 else 2, caller_phone=f"09{rng.randrange(10**8):08d}",
        source=Incident.Source.SIMULATOR, received_at=now,
    ))
    return incident


# ---- the history: the last day of calls, each played through with its real times ------------------------------


def _seconds(origin: Point, target: Point, when: dt.datetime, priority: int) -> float:
    return DRIVING.times(origin, [target], when=timezone.localtime(when), priority=priority)[0] or 0.0


def _between(a: Point, b: Point, share: float) -> Point:
    share = min(max(share, 0.0), 1.0)
    return round(a[0] + (b[0] - a[0]) * share, 6), round(a[1] + (b[1] - a[1]) * share, 6)


def seed_history(now: dt.datetime | None = None, hours: float = HISTORY_HOURS) -> int:
    """Calls from `hours` ago (or from the newest incident, if later) until now, each dispatched, driven and handed
    over at the times its plan gives; those still running now are left where they are, for the live simulation to
    carry on. Nothing when the newest incident is less than an hour old (the live simulation was running).
    Returns how many incidents were added."""
    now = now or timezone.now()
    newest = Incident.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    if newest is not None and newest > now - QUIET:
        return 0
    start = max(now - dt.timedelta(hours=hours), newest or now - dt.timedelta(hours=hours))
    wards = _wards()
    ambulances = [a for a in Ambulance.objects.filter(active=True, status=Ambulance.Status.AVAILABLE)
                  .select_related("station") if a.station.latitude is not None and a.station.longitude is not None]
    if not wards or not ambulances or start >= now:
        return 0
    rng = random.Random(zlib.crc32(start.isoformat().encode()))
    busy_until: dict[str, dt.datetime] = {}
    added = 0
    moment = start
    while True:
        moment += dt.timedelta(seconds=rng.expovariate(_calls_per_hour(moment) / 3600))
        if moment >= now:
            break
        incident = _new_call(moment, rng, wards)
        if incident is not None:
            added += 1
            _play(incident, now, ambulances, busy_until)
    return added


def _play(incident: Incident, now: dt.datetime, ambulances: list[Ambulance],
          busy_until: dict[str, dt.datetime]) -> None:
    plan = Plan.of(incident)
    scene = (incident.latitude, incident.longitude)
    sent = incident.received_at + dt.timedelta(seconds=plan.answer_s)
    free = [a for a in ambulances if busy_until.get(a.code, sent) <= sent]
    if not free:  # every ambulance is out: the call waits for the first one back
        sent = min(busy_until.values())
        free = [a for a in ambulances if busy_until[a.code] <= sent]
    if sent > now:
        return  # still with the call taker: the live simulation answers it
    ambulance = min(free, key=lambda a: (_seconds(_base(a), scene, sent, incident.priority), a.code))
    hospitals = queries.rank_destinations(incident, sent, limit=1)
    hospital = hospitals[0]["code"] if hospitals and plan.transport else ""
    services.assign(ACTOR, incident, ambulance.code, hospital, at=sent)
    away = sent + dt.timedelta(seconds=plan.turnout_s)
    drive = _seconds(_base(ambulance), scene, away, incident.priority) * plan.traffic
    arrived = away + dt.timedelta(seconds=drive)
    left_scene = arrived + dt.timedelta(seconds=plan.scene_s)
    S = Incident.Status
    steps: list[tuple[str, dt.datetime]] = [(S.EN_ROUTE, away), (S.ON_SCENE, arrived)]
    target = scene
    if hospital:
        unit = Unit.objects.get(code=hospital)
        target = (unit.latitude or 0.0, unit.longitude or 0.0)
        at_hospital = left_scene + dt.timedelta(
            seconds=_seconds(scene, target, left_scene, incident.priority) * plan.traffic)
        handed_over = at_hospital + dt.timedelta(seconds=plan.offload_s)
        steps += [(S.TRANSPORTING, left_scene), (S.AT_HOSPITAL, at_hospital), (S.HANDED_OVER, handed_over),
                  (S.CLOSED, handed_over + dt.timedelta(minutes=2))]
        done = handed_over
    else:
        steps.append((S.CLOSED, left_scene))
        done = left_scene
    busy_until[ambulance.code] = done + dt.timedelta(seconds=_seconds(target, _base(ambulance), done, 3))
    reached: str = S.DISPATCHED
    for status, time in steps:
        if time > now:
            break
        services.advance(ACTOR, incident, status, at=time,
                         note=TREATED_ON_SCENE if status == S.CLOSED and not hospital else "")
        reached = status
    # Still running: the vehicle where it would be now.
    resting: dict[str, Point] = {S.DISPATCHED: _base(ambulance), S.ON_SCENE: scene, S.AT_HOSPITAL: target}
    where = resting.get(reached)
    if reached == S.EN_ROUTE:
        where = _between(_base(ambulance), scene, (now - away).total_seconds() / max(drive, 1))
    elif reached == S.TRANSPORTING:
        where = _between(scene, target, (now - left_scene).total_seconds()
                         / max((at_hospital - left_scene).total_seconds(), 1))
    if where is not None and reached not in (S.CLOSED, S.HANDED_OVER):
        services.record_positions(ACTOR, [services.PositionUpdate(ambulance.code, where[0], where[1], now)])


def _base(ambulance: Ambulance) -> Point:
    return ambulance.station.latitude or 0.0, ambulance.station.longitude or 0.0


# ---- the live simulation --------------------------------------------------------------------------------------


def tick(now: dt.datetime | None = None) -> None:
    """One step of the live simulation; quick (a handful of queries)."""
    global _last_tick
    now = now or timezone.now()
    elapsed = min(max((now - _last_tick).total_seconds(), 0.0), MAX_STEP) if _last_tick else 4.0
    _last_tick = now
    try:
        if _rng.random() < _calls_per_hour(now) * elapsed / 3600:
            _new_call(now, _rng, _wards())
        _answer_calls(now)
        _drive(now, elapsed)
    except (ValidationFailed, Conflict) as exc:  # a race with a person using the screens: next tick
        log.info("115 simulation step skipped: %s", exc)


def _answer_calls(now: dt.datetime) -> None:
    waiting = Incident.objects.filter(status=Incident.Status.RECEIVED, received_at__lte=now - MIN_ANSWER) \
        .select_related("center").order_by("priority", "received_at")[:10]
    for incident in waiting:
        plan = Plan.of(incident)
        if (now - incident.received_at).total_seconds() < plan.answer_s:
            continue  # the call taker is still on the line
        choice = queries.recommend(incident, now, limit=1)
        if not choice["ambulances"]:
            return  # every ambulance is out: the call waits, and the alert rule will speak
        hospital = choice["hospitals"][0]["code"] if choice["hospitals"] and plan.transport else ""
        services.assign(ACTOR, incident, choice["ambulances"][0]["code"], hospital)


def _step(position: Point, target: Point, seconds: float, kmh: float) -> tuple[Point, bool]:
    """Move towards the target along the straight line at `kmh` over the ground; (new position, arrived)."""
    metres = kmh / 3.6 * seconds
    distance = haversine_m(position, target)
    if distance <= metres:
        return target, True
    f = metres / distance
    return (position[0] + (target[0] - position[0]) * f, position[1] + (target[1] - position[1]) * f), False


def _kmh(now: dt.datetime, priority: int, traffic: float) -> float:
    """Speed along the straight line that arrives when the travel model says (its road speed over its detour)."""
    return DRIVING.profile.kmh(timezone.localtime(now), priority) / DRIVING.detour_factor / traffic


def _drive(now: dt.datetime, elapsed: float) -> None:
    S = Incident.Status
    updates = []
    moving = Ambulance.objects.filter(active=True).filter(~Q(status=Ambulance.Status.OUT_OF_SERVICE)) \
        .select_related("station", "incident", "incident__destination", "incident__center")
    for ambulance in moving:
        position = queries.ambulance_position(ambulance)
        if position is None:
            continue
        incident = ambulance.incident
        plan = Plan.of(incident) if incident is not None else None
        target: tuple[Any, Any] | None  # coordinates, checked for None where they come from
        kmh = _kmh(now, 3, 1.0)  # back to the station, no siren
        if incident is None or plan is None:
            station = ambulance.station
            target = (station.latitude, station.longitude) if station.latitude is not None else None
        elif incident.status == S.EN_ROUTE:
            target, kmh = (incident.latitude, incident.longitude), _kmh(now, incident.priority, plan.traffic)
        elif incident.status == S.TRANSPORTING and incident.destination is not None:
            target = (incident.destination.latitude, incident.destination.longitude)
            kmh = _kmh(now, incident.priority, plan.traffic)
        else:
            target = None
        if target is not None and target != position:
            new, arrived = _step(position, target, elapsed, kmh)  # type: ignore[arg-type]
            updates.append(services.PositionUpdate(ambulance.code, round(new[0], 6), round(new[1], 6), now,
                                                   round(kmh, 1)))
        else:
            arrived = target is not None
        if incident is not None and plan is not None:
            _progress(incident, plan, arrived, now)
    services.record_positions(ACTOR, updates)
    # Handed over, the ambulance is free again; the crew closes the run.
    for incident in Incident.objects.filter(status=S.HANDED_OVER, handed_over_at__lte=now - dt.timedelta(minutes=2)) \
            .select_related("center")[:10]:
        services.advance(ACTOR, incident, S.CLOSED)


def _since(moment: dt.datetime | None, now: dt.datetime) -> float:
    return (now - moment).total_seconds() if moment else 0.0


def _progress(incident: Incident, plan: Plan, arrived: bool, now: dt.datetime) -> None:
    S = Incident.Status
    if incident.status == S.DISPATCHED and _since(incident.dispatched_at, now) >= plan.turnout_s:
        services.advance(ACTOR, incident, S.EN_ROUTE)
    elif incident.status == S.EN_ROUTE and arrived:
        services.advance(ACTOR, incident, S.ON_SCENE)
    elif incident.status == S.ON_SCENE and _since(incident.on_scene_at, now) >= plan.scene_s:
        if incident.destination is None:
            services.advance(ACTOR, incident, S.CLOSED, note=TREATED_ON_SCENE)
        else:
            services.advance(ACTOR, incident, S.TRANSPORTING)
    elif incident.status == S.TRANSPORTING and arrived:
        services.advance(ACTOR, incident, S.AT_HOSPITAL)
    elif incident.status == S.AT_HOSPITAL and _since(incident.at_hospital_at, now) >= plan.offload_s:
        services.advance(ACTOR, incident, S.HANDED_OVER)

