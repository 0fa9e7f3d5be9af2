"""Which ambulance, which hospital: the dispatcher's recommendations, and the KPI statistics. No Django here.

The system only ranks; the dispatcher chooses and confirms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from .routing import Point, TravelTimeModel

CAPABILITIES = ("trauma", "stroke", "cardiac", "paediatrics", "obstetrics", "burns")


@dataclass(frozen=True)
class Vehicle:
    code: str
    position: Point
    equipment: str = ""


@dataclass(frozen=True)
class RankedVehicle:
    code: str
    seconds: float
    equipment: str


def rank_ambulances(model: TravelTimeModel, scene: Point, vehicles: Sequence[Vehicle], *,
                    when: datetime | None = None, priority: int = 2, limit: int = 10) -> list[RankedVehicle]:
    """The available vehicles that reach the scene first (one search from the scene, whatever their number)."""
    seconds = model.times_to(scene, [v.position for v in vehicles], when=when, priority=priority)
    ranked = [RankedVehicle(v.code, s, v.equipment) for v, s in zip(vehicles, seconds, strict=True) if s is not None]
    return sorted(ranked, key=lambda r: (r.seconds, r.code))[:limit]


@dataclass(frozen=True)
class HospitalState:
    code: str
    position: Point
    capabilities: frozenset[str]
    ed_free: int | None = None  # free emergency beds in the latest report; None: no recent report
    icu_free: int | None = None
    er_waiting: int | None = None  # patients waiting for a bed in the emergency room (report)
    crowd: int | None = None  # people counted by cameras in the emergency waiting area, now
    on_diversion: bool = False


@dataclass(frozen=True)
class DestinationWeights:
    """Each condition is priced in seconds of extra travel, so the ranking reads as "worth a detour of ..."."""

    no_ed_bed_s: float = 20 * 60
    no_icu_bed_s: float = 15 * 60  # for the most urgent priorities only
    unknown_capacity_s: float = 5 * 60
    per_waiting_patient_s: float = 30
    max_crowding_s: float = 30 * 60
    crowd_per_patient: float = 2.5  # a waiting patient comes with relatives: people counted per patient
    critical_priorities: tuple[int, ...] = (1,)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> DestinationWeights:
        """Defaults overridden by `values`; ValueError names an unknown or ill-typed key."""
        known = {f.name: f for f in fields(cls)}
        given: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                raise ValueError(f"unknown weight {key!r}; known: {', '.join(known)}")
            if key == "critical_priorities":
                if not (isinstance(value, list) and all(isinstance(p, int) and 1 <= p <= 4 for p in value)):
                    raise ValueError("critical_priorities must be a list of priorities 1-4")
                given[key] = tuple(value)
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{key} must be a number of at least 0")
            else:
                given[key] = float(value)
        if given.get("crowd_per_patient") == 0:
            raise ValueError("crowd_per_patient must be more than 0")
        return cls(**given)


@dataclass(frozen=True)
class RankedHospital:
    code: str
    travel_seconds: float
    score_seconds: float
    on_diversion: bool
    reasons: tuple[str, ...]  # why it lost time: no_ed_bed, no_icu_bed, capacity_unknown, crowded, diversion


def waiting_patients(state: HospitalState, weights: DestinationWeights) -> int:
    """The report's count, or the camera's estimate when the waiting room has filled up since."""
    from_camera = math.floor((state.crowd or 0) / weights.crowd_per_patient)
    return max(state.er_waiting or 0, from_camera)


def rank_hospitals(model: TravelTimeModel, scene: Point, hospitals: Sequence[HospitalState], *,
                   need: str | None = None, when: datetime | None = None, priority: int = 2,
                   weights: DestinationWeights | None = None) -> list[RankedHospital]:
    """Hospitals able to treat the patient (`need`: a capability), fastest effective arrival first; those on
    diversion last. Unreachable hospitals are left out."""
    weights = weights or DestinationWeights()
    able = [h for h in hospitals if need is None or need in h.capabilities]
    travel = model.times(scene, [h.position for h in able], when=when, priority=priority)
    ranked = []
    for state, seconds in zip(able, travel, strict=True):
        if seconds is None:
            continue
        penalty, reasons = 0.0, []
        if state.ed_free is None:
            penalty += weights.unknown_capacity_s
            reasons.append("capacity_unknown")
        elif state.ed_free <= 0:
            penalty += weights.no_ed_bed_s
            reasons.append("no_ed_bed")
        if priority in weights.critical_priorities and state.icu_free is not None and state.icu_free <= 0:
            penalty += weights.no_icu_bed_s
            reasons.append("no_icu_bed")
        if waiting := waiting_patients(state, weights):
            penalty += min(waiting * weights.per_waiting_patient_s, weights.max_crowding_s)
            reasons.append("crowded")
        if state.on_diversion:
            reasons.append("diversion")
        ranked.append(RankedHospital(state.code, seconds, seconds + penalty, state.on_diversion, tuple(reasons)))
    return sorted(ranked, key=lambda r: (r.on_diversion, r.score_seconds, r.code))


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None
    p90: float | None


def summarise(values: Iterable[float]) -> Summary:
    """Count, mean and 90th percentile (nearest rank: a value that really occurred)."""
    data = sorted(values)
    if not data:
        return Summary(0, None, None)
    return Summary(len(data), sum(data) / len(data), data[math.ceil(0.9 * len(data)) - 1])
