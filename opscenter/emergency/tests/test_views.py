"""The 115 pages through HTTP: the dispatcher's form, the incident page with its recommendation, beds, KPIs."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from opscenter.alerts.models import Alert
from opscenter.core.models import AuditLog
from opscenter.emergency.models import Diversion, Incident
from opscenter.org.roles import Role
from opscenter.reporting import services as reporting
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.testing import full_report


def rank_reasons(page: str, hospital: str) -> str:
    """The words of the "why this rank" cell of a hospital in the recommendation."""
    row = page[page.index(f'<tr data-code="{hospital}">'):]
    cell = row[row.index('<td class="reasons">') + len('<td class="reasons">'):row.index("</td>", row.index(
        '<td class="reasons">'))]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


FORM = {"chief_complaint": "Tai nạn giao thông", "priority": "1", "need": "trauma", "patients": "2",
        "address": "Vòng xoay Dân Chủ", "latitude": "10.7756", "longitude": "106.6835", "caller_phone": "0909000111"}


def test_the_dispatcher_opens_an_incident_from_the_form_and_confirms(api_client, fleet):
    for unit in ("BV-A", "BV-B"):
        reporting.submit("test", reporting.Submission(data_set=HOSPITAL_DAILY, unit=unit,
                                                      period=timezone.localdate(), values=full_report()))
    dispatcher = api_client(Role.DISPATCHER)
    assert dispatcher.get("/emergency/").status_code == 200
    response = dispatcher.post("/emergency/", FORM)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/emergency/incidents/{incident.code}/"
    assert (incident.source, incident.patients, incident.need) == ("form", 2, "trauma")
    page = dispatcher.get(response["Location"]).content.decode()
    assert 'id="ranked-ambulances"' in page and 'value="AMB-1"' in page
    # P1 trauma is time-critical: A (trauma centre) first, said in words; B (none) still offered after it.
    assert [code for code in re.findall(r'<tr data-code="(BV-[AB])">', page)] == ["BV-A", "BV-B"]
    assert "Time-critical call (Trauma)" in page
    assert rank_reasons(page, "BV-A").startswith("Trauma centre — preferred for major trauma")
    assert rank_reasons(page, "BV-B").startswith("not a trauma centre")
    confirmed = dispatcher.post(f"/emergency/incidents/{incident.code}/assign/", {"ambulance": "AMB-1",
                                                                                  "hospital": "BV-A"})
    assert confirmed.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "dispatched" and incident.destination.code == "BV-A"
    assert Alert.objects.filter(kind="incoming_patient", unit__code="BV-A").exists()
    # The manager of the receiving hospital can open the incident; the page view is logged.
    assert api_client(Role.HOSPITAL_MANAGER, "A").get(f"/emergency/incidents/{incident.code}/").status_code == 200
    assert api_client(Role.HOSPITAL_MANAGER, "B").get(f"/emergency/incidents/{incident.code}/").status_code == 404
    assert AuditLog.objects.filter(action="emergency.incident.viewed", actor_label="hospital_manager_a").exists()


def test_a_bad_form_shows_the_field_error_and_stores_nothing(api_client, fleet):
    response = api_client(Role.DISPATCHER).post("/emergency/", {**FORM, "latitude": "123"})
    assert response.status_code == 200
    assert 'class="field has-error"' in response.content.decode()
    assert not Incident.objects.exists()


def test_an_ambulance_already_sent_is_refused_with_a_message(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    dispatcher.post("/emergency/", FORM)
    dispatcher.post("/emergency/", {**FORM, "chief_complaint": "Khó thở"})
    first, second = Incident.objects.order_by("pk")
    dispatcher.post(f"/emergency/incidents/{first.code}/assign/", {"ambulance": "AMB-1"})
    response = dispatcher.post(f"/emergency/incidents/{second.code}/assign/", {"ambulance": "AMB-1"}, follow=True)
    assert first.code in response.content.decode()
    second.refresh_from_db()
    assert second.status == "received"


@pytest.mark.parametrize(("role", "hospital", "expected"), [
    (Role.DISPATCHER, "-", 200), (Role.OPERATOR, "-", 200), (Role.HOSPITAL_MANAGER, "A", 200),
    (Role.REPORTER, "A", 403), (Role.SECURITY, "A", 403),
])
@pytest.mark.parametrize("url", ["/emergency/", "/emergency/beds/", "/emergency/kpis/"])
def test_pages_by_role(api_client, fleet, role, hospital, expected, url):
    assert api_client(role, hospital).get(url).status_code == expected


def test_diversion_from_the_beds_board(api_client, fleet):
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    assert 'action="/emergency/hospitals/BV-A/diversion/"' in manager.get("/emergency/beds/").content.decode()
    manager.post("/emergency/hospitals/BV-A/diversion/", {"active": "1", "reason": "Quá tải"})
    assert Diversion.objects.get().active is True
    page = api_client(Role.DISPATCHER).get("/emergency/beds/").content.decode()
    assert "Quá tải" in page
    assert manager.post("/emergency/hospitals/BV-B/diversion/", {"active": "1", "reason": "x"}).status_code == 403


def _form_of(page: str) -> dict[str, str]:
    """What the browser would send from the recommendation form as drawn: hidden fields and checked radios."""
    form = page[page.index('id="recommendation"'):page.index("</form>", page.index('id="recommendation"'))]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields |= dict(re.findall(r'<input type="radio" name="(\w+)" value="([^"]*)"[^>]*\bchecked\b', form))
    return fields


def test_once_an_ambulance_is_on_its_way_the_page_sends_no_second_one_unasked(api_client, fleet):
    dispatcher = api_client(Role.DISPATCHER)
    dispatcher.post("/emergency/", FORM)
    incident = Incident.objects.get()
    url = f"/emergency/incidents/{incident.code}/"
    first = _form_of(dispatcher.get(url).content.decode())
    assert first["ambulance"] == "AMB-1" and first["open_assignments"] == "0"
    assert dispatcher.post(url + "assign/", first).status_code == 302

    # The page drawn after the dispatch preselects no further ambulance: confirming again sends none.
    after = dispatcher.get(url).content.decode()
    # the timeline in words (this client's language), not the code "dispatched"
    assert re.search(r'class="trail-action">(Dispatched|Đã điều xe)</strong>', after)
    assert 'id="another-ambulance"' in after
    again = _form_of(after)
    assert again["ambulance"] == "" and again["open_assignments"] == "1"
    dispatcher.post(url + "assign/", again)
    assert incident.assignments.filter(released_at__isnull=True).count() == 1

    # A page drawn before the dispatch, sending another ambulance, is refused: the dispatcher sees it first.
    refused = dispatcher.post(url + "assign/", {**first, "ambulance": "AMB-2"}, follow=True).content.decode()
    assert "Another ambulance was sent" in refused or "Đã có xe khác" in refused
    assert incident.assignments.filter(released_at__isnull=True).count() == 1
    # Sending a second one on purpose, from the current page, works.
    dispatcher.post(url + "assign/", {**again, "ambulance": "AMB-2"})
    assert incident.assignments.filter(released_at__isnull=True).count() == 2


def test_the_pages_speak_in_words_not_codes(api_client, fleet):
    """Vietnamese, as a dispatcher reads them: statuses, capabilities, the fleet, the timeline's hospital."""
    for unit in ("BV-A", "BV-B"):
        reporting.submit("test", reporting.Submission(data_set=HOSPITAL_DAILY, unit=unit,
                                                      period=timezone.localdate(), values=full_report()))
    dispatcher = api_client(Role.DISPATCHER, language="vi")
    dispatcher.post("/emergency/", FORM)
    incident = Incident.objects.get()
    dispatcher.post(f"/emergency/incidents/{incident.code}/assign/", {"ambulance": "AMB-1", "hospital": "BV-B"})
    dispatcher.post(f"/emergency/incidents/{incident.code}/destination/", {"hospital": "BV-A",
                                                                         "current_destination": "BV-B"})

    queue = dispatcher.get("/emergency/").content.decode()
    row = queue[queue.index(f'<tr data-code="{incident.code}">'):]
    row = row[:row.index("</tr>")]
    assert "<td>Đã điều xe</td>" in row and ">dispatched<" not in row

    page = dispatcher.get(f"/emergency/incidents/{incident.code}/").content.decode()
    timeline = page[page.index('id="timeline"'):page.index("</ol>", page.index('id="timeline"'))]
    destinations = re.findall(r'class="trail-destination">.*?</li>', timeline, re.S)
    assert len(destinations) == 2
    assert "BV A" in destinations[1] and "BV B" in destinations[1]  # the hospitals by name ...
    assert "BV-A" not in timeline and "BV-B" not in timeline  # ... not by code
    assert re.search(r'class="trail-action">Đã nhận</strong>', timeline)
    assert "Hỗ trợ sự sống nâng cao" in page and ">ALS<" not in page  # the equipment in words

    beds = dispatcher.get("/emergency/beds/").content.decode()
    assert '<span class="tag">Chấn thương</span>' in beds and '<span class="tag">Nhi khoa</span>' in beds
    assert not re.search(r'<span class="tag">(general|trauma|stroke|paediatrics)</span>', beds)

    kpis = dispatcher.get("/emergency/kpis/").content.decode()
    fleet_list = kpis[kpis.index('id="fleet"'):kpis.index("</dl>", kpis.index('id="fleet"'))]
    assert "<dt>Sẵn sàng</dt>" in fleet_list and "<dt>Đang đến hiện trường</dt>" not in fleet_list
    assert not re.search(r"<dt>(available|dispatched|en_route)</dt>", fleet_list)
    assert "<dt>Đã điều xe</dt>" in fleet_list
