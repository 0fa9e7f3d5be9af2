"""The 115 lists' query filters, through HTTP: each narrows the scoped list; a bad value is a 422 naming it."""

from __future__ import annotations

from opscenter.emergency import services
from opscenter.org.roles import Role
from opscenter.testing import listed, refused

from .factories import IncidentFactory


def test_incident_filters(fleet, api_client):
    dispatcher = fleet.city.user(Role.DISPATCHER)
    urgent = IncidentFactory(actor=dispatcher, priority=1)
    later = IncidentFactory(actor=dispatcher, priority=3)
    ended = services.cancel(dispatcher, IncidentFactory(actor=dispatcher, priority=1), "Gọi nhầm")
    client = api_client(Role.DISPATCHER)

    def codes(**params):
        return {i["code"] for i in listed(client, "/api/emergency/incidents", **params)}

    assert codes() == codes(open="true") == {urgent.code, later.code}  # open ones by default
    assert codes(open="false") == {urgent.code, later.code, ended.code}
    assert codes(priority=3) == {later.code}
    assert codes(open="false", priority=1) == {urgent.code, ended.code}
    assert codes(priority=0) == codes()  # no priority given
    assert listed(api_client(Role.HOSPITAL_MANAGER, "A"), "/api/emergency/incidents", open="false") == []
    assert "priority" in refused(client, "/api/emergency/incidents", priority="high")
    assert "priority" in refused(client, "/api/emergency/incidents", priority=str(10**29))
    assert "open" in refused(client, "/api/emergency/incidents", open="maybe")


def test_ambulance_filter(fleet, api_client):
    services.set_ambulance_status(fleet.city.user(Role.DISPATCHER), fleet.ambulances["AMB-2"], "out_of_service")
    client = api_client(Role.DISPATCHER)

    def codes(**params):
        return {a["code"] for a in listed(client, "/api/emergency/ambulances", **params)}

    assert codes() == {"AMB-1", "AMB-2", "AMB-3"}
    assert codes(status="out_of_service") == {"AMB-2"}
    assert codes(status="available") == {"AMB-1", "AMB-3"}
    assert codes(status="") == codes()
    assert "status" in refused(client, "/api/emergency/ambulances", status="a\x00b")
