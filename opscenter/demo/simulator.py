"""Keeps the demo alive: hospitals send today's reports over the day, then update their figures.

It goes through the same reporting service as real hospitals (source "simulator"), so every
report is validated, versioned, audited and published on the event bus like any other.
"""

from __future__ import annotations

import logging
import random
import threading
import time

from django.db import close_old_connections
from django.utils import timezone

from opscenter.core.errors import Conflict, ValidationFailed
from opscenter.org import demo_data
from opscenter.org.models import Unit
from opscenter.reporting import demo_series, services
from opscenter.reporting.definitions import HOSPITAL_DAILY, bed_element, split_figures
from opscenter.reporting.models import Report

log = logging.getLogger(__name__)
ACTOR = "simulator"


class Simulator:
    """Each tick, one hospital acts: the first report of the day if it has none, else an update.

    A few hospitals stay silent all day so that the overdue check has something to find."""

    def __init__(self, seed: int | None = None, silent: int = 2):
        self.rng = random.Random(seed)
        self.hospitals = [h for h in demo_data.HOSPITALS if Unit.objects.filter(code=h["code"]).exists()]
        self.silent = {h["code"] for h in self.rng.sample(self.hospitals, min(silent, len(self.hospitals)))}

    def tick(self) -> Report | None:
        today = timezone.localdate()
        current = {
            r.unit.code: r for r in Report.objects.filter(
                data_set__code=HOSPITAL_DAILY, period=today, is_current=True).select_related("unit")
        }
        active = [h for h in self.hospitals if h["code"] not in self.silent]
        missing = [h for h in active if h["code"] not in current]
        hospital = self.rng.choice(missing or active)
        report = current.get(hospital["code"])
        values = (self._update(report.values) if report
                  else demo_series.daily_figures(hospital, today, random.Random(f"{hospital['code']}{today}")))
        try:
            outcome = services.submit(ACTOR, services.Submission(
                data_set=HOSPITAL_DAILY, unit=hospital["code"], period=today, values=values,
                source=Report.Source.SIMULATOR,
            ))
        except (ValidationFailed, Conflict) as exc:
            log.info("simulated report refused: %s", exc)
            return None
        return outcome.report

    def _update(self, values: dict) -> dict:
        """The day goes on: patients arrive, beds fill and free up, the ER queue moves."""
        values = dict(values)
        for bed_type, (total, occupied, _available) in split_figures(values)[1].items():
            occupied = min(total, max(0, occupied + self.rng.randint(-2, 3)))
            values[bed_element(bed_type, "occupied")] = occupied
            values[bed_element(bed_type, "available")] = total - occupied
        for key in ("er_visits", "admissions", "discharges"):
            if key in values:
                values[key] += self.rng.randint(0, 6)
        if "er_waiting_for_bed" in values:
            values["er_waiting_for_bed"] = max(0, values["er_waiting_for_bed"] + self.rng.randint(-3, 4))
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
