"""No lost update on an incident's destination: a hospital chosen on a page (or by a client) that showed another
destination than the one set since does not replace it (the set hospital has already been told the patient is
coming). Status changes only go forward and a second cancel is refused, so they cannot undo each other."""

from __future__ import annotations

import re

import pytest

from opscenter.emergency.models import Incident
from opscenter.org.roles import Role

from .test_api import create, post

pytestmark = pytest.mark.django_db


def shown_destination(html: str) -> str:
    found = re.search(r'name="current_destination" value="([^"]*)"', html)
    assert found, "the dispatch form says which destination the page showed"
    return found.group(1)


def test_a_destination_chosen_on_a_stale_page_does_not_replace_the_one_set_since(api_client, fleet):
    one, two = api_client(Role.DISPATCHER, language="en"), api_client(Role.DISPATCHER, language="en")
    code = create(one)["code"]
    page = f"/emergency/incidents/{code}/"
    seen_by_two = shown_destination(two.get(page).content.decode())
    assert seen_by_two == ""
    assert post(one, f"/incidents/{code}/assign", {"ambulance": "AMB-1", "hospital": "BV-A"}).status_code == 200

    # The second dispatcher's page still showed no destination: the ambulance goes, the destination stays.
    answer = two.post(f"{page}assign/", {"ambulance": "AMB-3", "hospital": "BV-B", "current_destination": seen_by_two},
                      follow=True)
    html = answer.content.decode()
    assert "Destination not changed" in html and "Ambulance AMB-3 dispatched" in html
    incident = Incident.objects.get(code=code)
    assert incident.destination.code == "BV-A" and incident.assignments.count() == 2

    # The explicit destination change from a stale page is refused, naming the destination now set.
    refused = two.post(f"{page}destination/", {"hospital": "BV-B", "current_destination": ""}, follow=True)
    assert "Meanwhile the destination was changed to" in refused.content.decode()
    assert Incident.objects.get(code=code).destination.code == "BV-A"
    two.post(f"{page}destination/", {"hospital": "BV-B", "current_destination": "BV-A"})  # seen as it is now
    assert Incident.objects.get(code=code).destination.code == "BV-B"


def test_api_destination_with_a_stale_expected_destination_is_a_409(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher)["code"]
    post(dispatcher, f"/incidents/{code}/assign", {"ambulance": "AMB-1", "hospital": "BV-A"})
    stale = post(dispatcher, f"/incidents/{code}/destination", {"hospital": "BV-B", "expected_destination": ""})
    assert stale.status_code == 409 and "BV A" in stale.json()["detail"]
    ok = post(dispatcher, f"/incidents/{code}/destination", {"hospital": "BV-B", "expected_destination": "BV-A"})
    assert ok.status_code == 200 and ok.json()["destination"] == "BV-B"
    unsaid = post(dispatcher, f"/incidents/{code}/destination", {"hospital": "BV-A"})  # not checked: as before
    assert unsaid.status_code == 200 and unsaid.json()["destination"] == "BV-A"


def test_status_changes_cannot_undo_each_other(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    code = create(dispatcher)["code"]
    post(dispatcher, f"/incidents/{code}/assign", {"ambulance": "AMB-1", "hospital": "BV-A"})
    assert post(dispatcher, f"/incidents/{code}/status", {"status": "on_scene"}).status_code == 200
    back = post(dispatcher, f"/incidents/{code}/status", {"status": "en_route"})  # a stale page's button
    assert back.status_code == 409 and Incident.objects.get(code=code).status == "on_scene"
