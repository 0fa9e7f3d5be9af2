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
# Conditions where the right hospital matters more than a few minutes: a heart attack needs a cath lab (primary
# PCI), a stroke a stroke unit (thrombolysis, thrombectomy), major trauma a trauma centre, an obstetric or a
# paediatric emergency the specialty. Burns are not here: a burn patient is stabilised first, then transferred.
TIME_CRITICAL = ("cardiac", "stroke", "trauma", "obstetrics", "paediatrics")


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
    # Time-critical calls (these needs at these priorities): a capable hospital comes before every other unless it
    # is on diversion, has no free emergency bed, or is more than `max_detour_s` further than the nearest open one.
    time_critical_needs: tuple[str, ...] = TIME_CRITICAL
    time_critical_priorities: tuple[int, ...] = (1, 2)
    max_detour_s: float = 30 * 60

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> DestinationWeights:
        """Defaults overridden by `values`; ValueError names an unknown or ill-typed key."""
        known = {f.name: f for f in fields(cls)}
        given: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                raise ValueError(f"unknown weight {key!r}; known: {', '.join(known)}")
            if key in ("critical_priorities", "time_critical_priorities"):
                if not (isinstance(value, list) and all(isinstance(p, int) and not isinstance(p, bool)
                                                        and 1 <= p <= 4 for p in value)):
                    raise ValueError(f"{key} must be a list of priorities 1-4")
                given[key] = tuple(value)
            elif key == "time_critical_needs":
                if not (isinstance(value, list) and all(v in CAPABILITIES for v in value)):
                    raise ValueError(f"{key} must be a list of: {', '.join(CAPABILITIES)}")
                given[key] = tuple(value)
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{key} must be a number of at least 0")
            else:
                given[key] = float(value)
        if given.get("crowd_per_patient") == 0:
            raise ValueError("crowd_per_patient must be more than 0")
        return cls(**given)

    def time_critical(self, need: str | None, priority: int) -> bool:
        """Does the capability come first for this call (see rank_hospitals)?"""
        return bool(need) and need in self.time_critical_needs and priority in self.time_critical_priorities


@dataclass(frozen=True)
class RankedHospital:
    code: str
    travel_seconds: float
    score_seconds: float
    on_diversion: bool
    # Why it lost time: no_ed_bed, no_icu_bed, capacity_unknown, crowded, diversion. On a time-critical call also
    # why it stands where it does: capable (it has what the patient needs and can take them: it comes first),
    # no_capability, too_far (capable, but more than the allowed detour further than the nearest open hospital);
    # a capable hospital on diversion or without a free emergency bed says so by those reasons.
    reasons: tuple[str, ...]
    preferred: bool = False  # a time-critical call's capable hospital, ranked before the others
    extra_seconds: float = 0.0  # on a time-critical call: travel beyond the nearest open hospital's


def waiting_patients(state: HospitalState, weights: DestinationWeights) -> int:
    """The report's count, or the camera's estimate when the waiting room has filled up since."""
    from_camera = math.floor((state.crowd or 0) / weights.crowd_per_patient)
    return max(state.er_waiting or 0, from_camera)


def rank_hospitals(model: TravelTimeModel, scene: Point, hospitals: Sequence[HospitalState], *,
                   need: str | None = None, when: datetime | None = None, priority: int = 2,
                   weights: DestinationWeights | None = None) -> list[RankedHospital]:
    """Hospitals for the patient, best first; those on diversion last; unreachable ones left out.

    - A time-critical call (`weights.time_critical`: e.g. a priority-1 heart attack): the hospitals with the
      capability (`need`) come first, by effective arrival (travel plus the prices of a full or crowded emergency
      room), unless one is on diversion, has no free emergency bed, or lies more than `max_detour_s` further than
      the nearest hospital not on diversion; then every other hospital, by effective arrival, so that the nearest
      emergency room is still offered when no capable one can take the patient.
    - Any other call: the hospitals able to treat the patient (all, without `need`), by effective arrival.
    """
    weights = weights or DestinationWeights()
    critical = weights.time_critical(need, priority)
    able = [h for h in hospitals if critical or need is None or need in h.capabilities]
    travel = model.times(scene, [h.position for h in able], when=when, priority=priority)
    reachable = [(state, seconds) for state, seconds in zip(able, travel, strict=True) if seconds is not None]
    open_times = [seconds for state, seconds in reachable if not state.on_diversion]
    nearest = min(open_times or [seconds for _state, seconds in reachable] or [0.0])
    ranked = []
    for state, seconds in reachable:
        penalty, reasons = 0.0, []
        preferred = False
        if critical:
            assert need is not None  # time_critical needs a need
            extra = seconds - nearest
            if need not in state.capabilities:
                reasons.append("no_capability")
            elif round(extra) > weights.max_detour_s:  # whole seconds: no float noise at the limit
                reasons.append("too_far")
            elif not state.on_diversion and (state.ed_free is None or state.ed_free > 0):
                preferred = True
                reasons.append("capable")
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
        ranked.append(RankedHospital(state.code, seconds, seconds + penalty, state.on_diversion, tuple(reasons),
                                     preferred=preferred, extra_seconds=seconds - nearest if critical else 0.0))
    return sorted(ranked, key=lambda r: (r.on_diversion, not r.preferred, r.score_seconds, r.code))


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
