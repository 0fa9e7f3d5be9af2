"""Assignment under real parallel requests (PostgreSQL: SQLite serialises every writer anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from opscenter.emergency.models import Ambulance, Assignment
from opscenter.org.roles import Role

from .conftest import INCIDENT

pytestmark = [
    pytest.mark.usefixtures("live_city"),  # the requests' threads see only what is committed
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL (set DATABASE_URL): row locks under parallel requests"),
]


def in_parallel(user, calls: list[tuple[str, dict]]) -> list[int]:
    """POST every call at once, each from its own thread and database connection; the status codes."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(i: int, url: str, payload: dict) -> None:
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            statuses[i] = client.post(url, payload, content_type="application/json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, url, payload)) for i, (url, payload) in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return statuses


def open_incidents(client: Client, n: int) -> list[str]:
    return [client.post("/api/emergency/incidents", {**INCIDENT, "chief_complaint": f"Cuộc gọi {i}"},
                        content_type="application/json").json()["incident"]["code"] for i in range(n)]


def test_of_dispatchers_sending_one_ambulance_to_different_incidents_exactly_one_wins(api_client, fleet):
    dispatcher = fleet.city.user(Role.DISPATCHER)
    codes = open_incidents(api_client(Role.DISPATCHER), 6)
    statuses = in_parallel(dispatcher, [(f"/api/emergency/incidents/{c}/assign", {"ambulance": "AMB-1"})
                                        for c in codes])
    assert sorted(statuses) == [200, 409, 409, 409, 409, 409]
    winner = codes[statuses.index(200)]
    assert Ambulance.objects.get(code="AMB-1").incident.code == winner
    assert list(Assignment.objects.values_list("incident__code", flat=True)) == [winner]


def test_the_same_confirmation_sent_twice_at_once_assigns_once(api_client, fleet):
    dispatcher = fleet.city.user(Role.DISPATCHER)
    (code,) = open_incidents(api_client(Role.DISPATCHER), 1)
    statuses = in_parallel(dispatcher, [(f"/api/emergency/incidents/{code}/assign",
                                         {"ambulance": "AMB-2", "hospital": "BV-B"})] * 4)
    assert statuses == [200, 200, 200, 200]
    assert Assignment.objects.filter(ambulance__code="AMB-2").count() == 1


def test_parallel_position_batches_keep_the_newest_fix(api_client, fleet):
    import datetime as dt

    from django.utils import timezone

    dispatcher = fleet.city.user(Role.DISPATCHER)
    start = timezone.now() - dt.timedelta(minutes=1)
    batches = [
        ("/api/emergency/positions", {"positions": [
            {"ambulance": code, "latitude": 10.70 + k / 1000, "longitude": 106.70,
             "time": (start + dt.timedelta(seconds=k)).isoformat()} for code in ("AMB-1", "AMB-2", "AMB-3")
        ]}) for k in range(8)
    ]
    assert in_parallel(dispatcher, batches) == [200] * 8
    for ambulance in Ambulance.objects.all():
        assert ambulance.position_at == start + dt.timedelta(seconds=7)
        assert ambulance.latitude == pytest.approx(10.707)
