"""Plausible daily figures for the demo hospitals: week, seasons, Tết, an epidemic wave, and noise.

Pure Python and deterministic for a seed, so every demo install shows the same history. The shapes
follow Ho Chi Minh City: dengue and hand-foot-mouth disease in the rainy season (June to November),
respiratory infections in the dry, cooler months (December to March), hospitals emptying for Tết.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from typing import Any

from opscenter.org.demo_data import BED_TYPES  # org.models.BedType, in its order

DISEASES = ("dengue", "hfmd", "ari", "influenza", "covid19", "measles")  # hfmd: hand-foot-mouth disease

# First day of the Lunar New Year.
TET = {
    2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6), 2028: dt.date(2028, 1, 26),
}
RESPIRATORY_WAVE_PEAK = dt.date(2026, 2, 20)  # the demo's epidemic: ARI and influenza, ~10 weeks
MEASLES_PEAK = dt.date(2024, 10, 15)  # measles came back to the city in 2024
COVID_PEAK = dt.date(2025, 6, 1)  # a small summer rise
DENGUE_YEAR = {2023: 0.8, 2024: 0.9, 2025: 1.2, 2026: 1.0, 2027: 1.1}  # some years are worse than others

# Monday first: people come after the weekend; elective care stops on Sunday.
VISITS_BY_WEEKDAY = (1.18, 1.07, 1.02, 1.0, 0.97, 0.82, 0.72)
DISCHARGES_BY_WEEKDAY = (0.95, 1.05, 1.05, 1.05, 1.2, 1.0, 0.6)
OCCUPANCY_BY_LEVEL = {"central": 0.9, "city": 0.84, "regional": 0.78, "private": 0.68}
TRANSFERS_BY_LEVEL = {"central": 0.01, "city": 0.025, "regional": 0.05, "private": 0.03}

DRIFT_KEEP, DRIFT_STEP = 0.92, 0.012  # day-to-day occupancy drift; stationary spread ~0.03


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation: Knuth's loop gets slow and exp(-lam) underflows
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _season(day: dt.date, peak_day_of_year: int) -> float:
    """1 on the peak day of the year, 0 six months away."""
    return 0.5 + 0.5 * math.cos(2 * math.pi * (day.timetuple().tm_yday - peak_day_of_year) / 365.25)


def _bump(day: dt.date, peak: dt.date, rise_days: float, fall_days: float) -> float:
    """An epidemic curve: 1 at the peak, faster up than down."""
    days = (day - peak).days
    return math.exp(-0.5 * (days / (rise_days if days < 0 else fall_days)) ** 2)


def _tet(day: dt.date) -> tuple[float, bool]:
    """(dip, discharge rush): the dip is 1 around Tết; the rush is the week before, when wards empty."""
    tet = TET.get(day.year)
    if tet is None:
        return 0.0, False
    days = (day - tet).days
    dip = math.exp(-0.5 * ((days - 1) / 3) ** 2) if -10 <= days <= 12 else 0.0
    return dip, -7 <= days <= -1


def _affinities(hospital: dict[str, Any], beds: dict[str, int], licensed: int) -> dict[str, float]:
    """Peak-ish daily cases of each disease for this hospital, before seasons and waves."""
    specialties = set(hospital.get("specialties", ()))
    size = licensed / 1000
    kids = beds["paediatrics"] / licensed
    infectious = 2.0 if "infectious" in specialties else 1.0
    respiratory = 2.0 if specialties & {"infectious", "respiratory"} else 1.0
    # Specialised hospitals (cancer, trauma, maternity, heart) see few notifiable cases.
    focus = 1.0 if specialties & {"general", "infectious", "paediatrics", "respiratory"} else 0.15
    return {
        "dengue": focus * size * (10 + 40 * kids) * infectious,
        "hfmd": focus * size * 60 * kids * (2.0 if infectious > 1 else 1.0),
        "ari": focus * size * (15 + 50 * kids) * respiratory,
        "influenza": focus * size * (4 + 8 * kids) * respiratory,
        "covid19": focus * size * respiratory,
        "measles": focus * size * (0.3 + 6 * kids) * infectious,
    }


def daily_figures(hospital: dict[str, Any], day: dt.date, rng: random.Random,
                  state: dict[str, float] | None = None) -> dict[str, int]:
    """One day's report for `hospital` (a dict of demo_data.HOSPITALS).

    `state` carries each ward's occupancy drift from one day to the next (see `history`); without it
    the drift is drawn afresh, which is fine for a single day."""
    beds = {t: int(hospital["beds"].get(t, 0)) for t in BED_TYPES}
    licensed = sum(beds.values()) or 1
    level = hospital.get("level", "city")
    central = level == "central"
    weekday = day.weekday()
    visits = VISITS_BY_WEEKDAY[weekday]
    weekend = 1.0 if weekday >= 5 else 0.0
    tet, discharge_rush = _tet(day)

    wave = _bump(day, RESPIRATORY_WAVE_PEAK, 11, 16)
    respiratory = _season(day, 20) ** 2  # late January
    dengue = _season(day, 265) ** 2 * DENGUE_YEAR.get(day.year, 1.0)  # late September
    hfmd = _season(day, 285) ** 2  # mid October
    measles = _bump(day, MEASLES_PEAK, 40, 60)

    affinity = _affinities(hospital, beds, licensed)
    rates = {
        "dengue": affinity["dengue"] * (0.1 + dengue),
        "hfmd": affinity["hfmd"] * (0.15 + hfmd),
        "ari": affinity["ari"] * (0.6 + 0.6 * respiratory + 2.5 * wave),
        "influenza": affinity["influenza"] * (0.15 + 0.8 * respiratory + 5 * wave),
        "covid19": affinity["covid19"] * (0.3 + _bump(day, COVID_PEAK, 15, 25) + 0.5 * wave),
        "measles": affinity["measles"] * (0.02 + measles),
    }
    # Notifications follow the outpatient week, and fewer come in during Tết.
    seen = (0.6 + 0.4 * visits) * (1 - 0.3 * tet)
    cases = {d: _poisson(rng, rates[d] * seen) for d in DISEASES}
    disease_load = sum(rates.values())

    # Occupancy target per ward, before drift; central hospitals swing harder (referrals from everywhere).
    # An epidemic does not stop for Tết, so intensive care and isolation empty less then.
    base = OCCUPANCY_BY_LEVEL.get(level, 0.8) + min(0.06, 0.035 * licensed / 1000)
    swing = 1.3 if central else 1.0
    child_season = max(dengue, hfmd)
    targets = {
        "emergency": base + 0.03 + swing * 0.08 * wave + 0.04 * (visits - 1) - 0.15 * tet,
        "icu": base - 0.03 + swing * (0.18 * wave + 0.04 * respiratory) - 0.1 * tet * (1 - wave),
        "internal_medicine": base + swing * (0.08 * wave + 0.04 * respiratory + 0.03 * dengue)
        - 0.35 * tet - 0.02 * weekend,
        "surgery": base - 0.03 - 0.4 * tet - 0.03 * weekend,
        "paediatrics": base - 0.06 + swing * (0.12 * child_season + 0.08 * wave + 0.03 * respiratory)
        - 0.35 * tet,
        "infectious": base - 0.15 + swing * (0.2 * dengue + 0.32 * wave + 0.05 * respiratory + 0.05 * measles)
        - 0.2 * tet * (1 - wave),
        "obstetrics": base - 0.02 - 0.1 * tet,
    }

    figures: dict[str, int] = {}
    overflow = 0
    icu_occupied = 0
    for bed_type in BED_TYPES:
        licensed_here = beds[bed_type]
        if licensed_here <= 0:
            continue
        if state is None or bed_type not in state:
            drift = rng.gauss(0, 0.03)
        else:  # slow drift, so occupancy moves smoothly from day to day
            drift = DRIFT_KEEP * state[bed_type] + rng.gauss(0, DRIFT_STEP)
        if state is not None:
            state[bed_type] = drift
        demand = round(min(1.25, max(0.15, targets[bed_type] + drift)) * licensed_here)
        # In a surge a few extra beds are put up; whoever still has no bed waits in the emergency room.
        total = licensed_here + min(max(0, demand - licensed_here), licensed_here // 12)
        occupied = min(demand, total)
        overflow += demand - occupied
        if bed_type == "icu":
            icu_occupied = occupied
        figures[f"beds_{bed_type}_total"] = total
        figures[f"beds_{bed_type}_occupied"] = occupied
        figures[f"beds_{bed_type}_available"] = total - occupied

    ventilators = max(2, round(0.8 * beds["icu"])) if beds["icu"] else 0
    figures["ventilators_total"] = ventilators
    figures["ventilators_in_use"] = min(ventilators, _poisson(rng, icu_occupied * (0.5 + 0.2 * wave)))

    er_base = 3.0 * beds["emergency"] + 20 if beds["emergency"] else 0.05 * licensed
    er_rate = er_base * visits * (1 - 0.35 * tet) + 0.5 * disease_load
    admission_rate = 0.12 * licensed * visits * (1 - 0.5 * tet) + 0.15 * disease_load
    discharge_rate = 0.12 * licensed * DISCHARGES_BY_WEEKDAY[weekday] * (
        1.6 if discharge_rush else 1 - 0.4 * tet)
    er_visits = _poisson(rng, er_rate)
    figures["er_visits"] = er_visits
    figures["admissions"] = _poisson(rng, admission_rate)
    figures["discharges"] = _poisson(rng, discharge_rate)
    figures["transfers_out"] = _poisson(rng, admission_rate * TRANSFERS_BY_LEVEL.get(level, 0.03))
    death_rate = (0.02 * beds["icu"] + 0.0008 * licensed) * (1 + 0.5 * wave)
    figures["deaths"] = min(er_visits, _poisson(rng, death_rate))
    figures["er_waiting_for_bed"] = overflow + _poisson(rng, 0.01 * er_rate)
    for disease in DISEASES:
        figures[f"cases_{disease}"] = cases[disease]
    return figures


def history(hospital: dict[str, Any], start: dt.date, end: dt.date,
            seed: int = 0) -> Iterator[tuple[dt.date, dict[str, int]]]:
    """Every day from `start` to `end` inclusive; the same seed gives the same figures on every run."""
    rng = random.Random(f"{seed}-{hospital['code']}")
    state: dict[str, float] = {}
    day = start
    while day <= end:
        yield day, daily_figures(hospital, day, rng, state)
        day += dt.timedelta(days=1)
