"""The demo: the fleet and a day of calls are seeded once, with response times like Ho Chi Minh City's 115, and
the live simulation carries on in real time: calls come in, ambulances drive to the scene and on to hospital."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest
from django.test import Client
from django.utils import timezone

from opscenter.demo import seed as demo_seed
from opscenter.demo.seed import DEMO_PASSWORD
from opscenter.emergency import demo
from opscenter.emergency.models import Ambulance, Incident, IncidentEvent, Position
from opscenter.testing import install_definitions


@pytest.fixture
def network(db, monkeypatch):
    install_definitions()  # idempotent: what the migrations ship, whatever ran before
    demo_seed.seed_network()
    monkeypatch.setattr(demo, "_last_tick", None)


CENTRE = ("Quận 1", "Quận 3")
OUTSKIRTS = ("Bình Dương", "Bà Rịa")


def minutes(start: dt.datetime | None, end: dt.datetime | None) -> float:
    assert start is not None and end is not None
    return (end - start).total_seconds() / 60


def test_the_seeded_day_has_response_times_like_hcmc_115(network):
    now = timezone.now()
    assert demo.seed(now) == 14 * demo.PER_STATION
    calls = Incident.objects.count()
    assert 24 * demo.CALLS_PER_HOUR * 0.6 <= calls <= 24 * demo.CALLS_PER_HOUR * 1.4
    assert demo.seed(now) == 0 and Incident.objects.count() == calls  # run again: nothing twice

    # The KPIs as the dispatcher reads them (call received to the first crew on scene).
    client = Client()
    assert client.login(username="dispatcher", password=DEMO_PASSWORD)
    kpis = client.get("/api/emergency/kpis?hours=25").json()  # the whole seeded day, whatever the seconds since
    p1 = kpis["by_priority"][0]
    assert p1["response"]["count"] >= 20
    assert 20 * 60 <= p1["response"]["p90"] <= 40 * 60  # a P1 90th percentile of 20-40 minutes, not 1
    assert 1 * 60 <= p1["call_to_dispatch"]["mean"] <= 3 * 60
    reached = list(Incident.objects.filter(on_scene_at__isnull=False).select_related("ward"))
    assert len(reached) == sum(p["response"]["count"] for p in kpis["by_priority"])
    response = [minutes(i.received_at, i.on_scene_at) for i in reached]
    assert 10 <= statistics.median(response) <= 20
    assert min(response) >= 1.5  # nobody is on scene a minute after the call
    # Longer in the outlying provinces' wards than in the old centre.
    centre = [r for i, r in zip(reached, response, strict=True) if i.ward and i.ward.former_district in CENTRE]
    outskirts = [r for i, r in zip(reached, response, strict=True)
                 if i.ward and any(p in i.ward.former_district for p in OUTSKIRTS)]
    assert statistics.median(outskirts) > statistics.median(centre) + 5
    # Offload at the hospitals: a quarter of an hour or so, rarely more than half an hour.
    offload = [minutes(i.at_hospital_at, i.handed_over_at)
               for i in Incident.objects.filter(handed_over_at__isnull=False)]
    assert offload and 8 <= statistics.median(offload) <= 25

    # Each run in order on its timeline, and those still running now have their ambulance out.
    for incident in Incident.objects.exclude(status__in=["closed", "received", "handed_over", "cancelled"])[:20]:
        times = list(IncidentEvent.objects.filter(incident=incident).values_list("time", flat=True))
        assert times == sorted(times) and times[-1] <= now
        assert Ambulance.objects.filter(incident=incident).exists()
    assert not Incident.objects.filter(status="closed", ended_at__gt=now).exists()


def test_the_live_simulation_runs_in_real_time(network, monkeypatch):
    demo.seed(history_hours=0)  # the fleet only
    before = set(Incident.objects.values_list("pk", flat=True))
    start = timezone.now()
    clock = {"now": start}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    monkeypatch.setattr(demo, "CALLS_PER_HOUR", 60.0)  # busier than life, to see a few calls through
    monkeypatch.setattr(demo, "_rng", random.Random(115))
    for i in range(1, 100):  # 75 minutes, a tick every 45 seconds
        clock["now"] = start + dt.timedelta(seconds=45 * i)
        demo.tick()
    live = Incident.objects.exclude(pk__in=before)
    assert live.count() >= 20
    statuses = set(live.values_list("status", flat=True))
    assert statuses & {"en_route", "on_scene", "transporting", "at_hospital", "handed_over", "closed"}
    assert Position.objects.filter(time__gt=start).exists()
    for incident in live.filter(on_scene_at__isnull=False):
        assert minutes(incident.received_at, incident.dispatched_at) >= 0.6  # the call taker takes a moment
        assert minutes(incident.received_at, incident.on_scene_at) >= 3  # and the road takes its time
