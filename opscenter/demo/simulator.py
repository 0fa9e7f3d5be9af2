"""Keeps the demo alive: hospitals send today's reports over the day, then update their figures.

It goes through the same reporting service as real hospitals (source "simulator"), so every
report is validated, versioned, audited and published on the event bus like any other.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import threading
import time

from django.db import close_old_connections
from django.utils import timezone

from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.org import demo_data
from opscenter.org.models import Unit
from opscenter.reporting import services
from opscenter.reporting.definitions import HOSPITAL_DAILY, bed_element, split_figures
from opscenter.reporting.models import Report

from .seed import first_report, report_time, silent_hospitals

log = logging.getLogger(__name__)
ACTOR = "simulator"


# How full the emergency room is over the day, against its daily mean: quiet at night, a late-morning peak
# and an evening one (index: local hour).
ER_RHYTHM = (0.5, 0.45, 0.4, 0.4, 0.4, 0.45, 0.6, 0.8, 1.0, 1.2, 1.35, 1.4,
             1.3, 1.2, 1.15, 1.1, 1.1, 1.15, 1.25, 1.3, 1.25, 1.0, 0.8, 0.6)
PULL = 0.3  # share of the gap to the day's level closed by each update: figures wander, then come back


class Simulator:
    """Each tick, one hospital acts: its first report of the day once its usual hour has come, else an update of
    its figures around the day's level (mean-reverting, with the emergency room's daily rhythm), so that a demo
    left running looks like a day, not a drift. The silent hospitals of the day send nothing (seed.silent_hospitals)."""

    def __init__(self, seed: int | None = None):
        self.rng = random.Random(seed)
        self.hospitals = [h for h in demo_data.HOSPITALS if Unit.objects.filter(code=h["code"]).exists()]

    def tick(self, now: dt.datetime | None = None) -> Report | None:
        now = now or timezone.now()
        today = timezone.localdate(now)
        current = {
            r.unit.code: r for r in Report.objects.filter(
                data_set__code=HOSPITAL_DAILY, period=today, is_current=True).select_related("unit")
        }
        silent = silent_hospitals((h["code"] for h in self.hospitals), today)
        waiting = silent | current.keys()  # those not to send a first report now
        due = [h for h in self.hospitals if h["code"] not in waiting and report_time(h["code"], today) <= now]
        reported = [h for h in self.hospitals if h["code"] in current]
        if not due and not reported:
            # Before the usual hours nobody has reported: the earliest of the day reports early (hospitals work
            # around the clock), so that the screens live at any hour.
            due = sorted((h for h in self.hospitals if h["code"] not in silent),
                         key=lambda h: report_time(h["code"], today))[:1]
        hospital = self.rng.choice(due or reported)
        report = current.get(hospital["code"])
        values = self._update(hospital, report.values, now) if report else first_report(hospital, today)
        try:
            outcome = services.submit(ACTOR, services.Submission(
                data_set=HOSPITAL_DAILY, unit=hospital["code"], period=today, values=values,
                source=Report.Source.SIMULATOR,
            ))
        except (ValidationFailed, Conflict) as exc:
            log.info("simulated report refused: %s", exc)
            return None
        return outcome.report

    def _toward(self, value: int, goal: float, noise: int) -> int:
        # Small counts move by small steps (about a Poisson count's spread), so a quiet ward stays quiet.
        noise = min(noise, max(1, round(math.sqrt(max(goal, 0)))))
        return max(0, value + round(PULL * (goal - value)) + self.rng.randint(-noise, noise))

    def _update(self, hospital: dict, values: dict, now: dt.datetime) -> dict:
        """The day goes on: beds fill and free up, the ER queue follows the hour, counts move a little, all
        pulled back towards the day's level (the first report's figures)."""
        level = first_report(hospital, timezone.localdate(now))
        values = dict(values)
        for bed_type, (total, occupied, _available) in split_figures(values)[1].items():
            goal = level.get(bed_element(bed_type, "occupied"), occupied)
            occupied = min(total, self._toward(occupied, goal, 2))
            values[bed_element(bed_type, "occupied")] = occupied
            values[bed_element(bed_type, "available")] = total - occupied
        for key in ("er_visits", "admissions", "discharges"):
            if key in values and key in level:
                values[key] = self._toward(values[key], level[key], 3)
        if "er_waiting_for_bed" in values and "er_waiting_for_bed" in level:
            waiting = level["er_waiting_for_bed"] * ER_RHYTHM[timezone.localtime(now).hour]
            values["er_waiting_for_bed"] = self._toward(values["er_waiting_for_bed"], waiting, 2)
        return values


def run_forever(stop: threading.Event, interval: float = 4.0) -> None:
    from . import domains

    simulator = Simulator()
    while not stop.wait(interval * random.uniform(0.5, 1.5)):
        try:
            simulator.tick()
        except Exception:
            log.exception("simulator tick failed")
        finally:
            close_old_connections()
        domains.tick_all()


def start(interval: float = 4.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop, interval), name="simulator", daemon=True).start()
    return stop


def run_blocking(interval: float, ticks: int | None) -> int:
    """For `opscenter simulate`: tick until stopped or `ticks` reached; returns reports sent."""
    simulator, sent = Simulator(), 0
    while ticks is None or sent < ticks:
        if simulator.tick() is not None:
            sent += 1
        close_old_connections()
        if ticks is None or sent < ticks:
            time.sleep(interval)
    return sent
