"""The demo: the fleet is seeded once, and the simulation produces calls that move through their journey."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from opscenter.demo import seed as demo_seed
from opscenter.emergency import demo
from opscenter.emergency.models import Ambulance, Incident, Position
from opscenter.testing import install_definitions


def test_seed_is_idempotent_and_ticks_make_the_screen_live(db, monkeypatch):
    install_definitions()  # idempotent: what the migrations ship, whatever ran before
    demo_seed.seed_network()
    assert demo.seed() == 14 * demo.PER_STATION
    assert demo.seed() == 0
    start = timezone.now()
    clock = {"now": start}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    monkeypatch.setattr(demo, "CALL_CHANCE", 1.0)
    monkeypatch.setattr(demo, "_rng", random.Random(115))
    for i in range(40):
        clock["now"] = start + dt.timedelta(seconds=4 * i)
        demo.tick()
    statuses = set(Incident.objects.values_list("status", flat=True))
    assert Incident.objects.count() == 40
    assert statuses & {"on_scene", "transporting", "at_hospital", "handed_over", "closed"}
    assert Position.objects.exists()
    assert Ambulance.objects.exclude(status="available").exists()
