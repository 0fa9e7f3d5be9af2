"""Alert pages through HTTP: list and exports, detail, the live feed fragment, and the workflow buttons."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from opscenter.alerts.models import Alert, AlertNote
from opscenter.alerts.services import AlertCandidate, raise_alert
from opscenter.org.roles import Role

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def alert(unit, title: str, severity: str = "warning", source: str = "reporting") -> Alert:
    created, _ = raise_alert(AlertCandidate(
        source=source, kind="test", severity=severity, unit=unit, title=title, dedup_key=f"{unit.code}:{title}",
        message=f"{title} (message)", evidence_url=f"/dashboard/facility/{unit.code}/", payload={"share": 0.97},
    ))
    return created


@pytest.fixture
def alerts(city):
    return {
        "a": alert(city.hospital_a, "BV A: ICU 97%", "critical"),
        "b": alert(city.hospital_b, "BV B: ER waiting 25"),
        "camera": alert(city.hospital_a, "BV A: crowd at the gate", "info", source="vision"),
    }


def test_list_filters_and_exports(api_client, alerts):
    Alert.objects.filter(pk=alerts["b"].pk).update(status=Alert.Status.RESOLVED)
    client = api_client(Role.OPERATOR)
    html = client.get("/alerts/").content.decode()
    assert html.count("data-alert-id=") == 3
    html = client.get("/alerts/?status=open").content.decode()
    assert html.count("data-alert-id=") == 2 and "BV B: ER waiting 25" not in html
    html = client.get("/alerts/?severity=critical").content.decode()
    assert html.count("data-alert-id=") == 1 and "BV A: ICU 97%" in html
    html = client.get("/alerts/?source=vision&unit=BV-A").content.decode()
    assert html.count("data-alert-id=") == 1 and "crowd at the gate" in html

    response = client.get("/alerts/?status=open&format=csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["Title"] for r in rows} == {"BV A: ICU 97%", "BV A: crowd at the gate"}
    assert {r["Unit code"] for r in rows} == {"BV-A"}
    sheet = load_workbook(io.BytesIO(client.get("/alerts/?format=xlsx").content)).active
    assert sheet.max_row == 4


def test_hospital_staff_see_only_their_hospitals_alerts(api_client, alerts):
    client = api_client(Role.HOSPITAL_MANAGER, "A")
    html = client.get("/alerts/").content.decode()
    assert "BV A: ICU 97%" in html and "BV B" not in html
    assert client.get(f"/alerts/{alerts['b'].pk}/").status_code == 404
    assert client.post(f"/alerts/{alerts['b'].pk}/acknowledge/").status_code == 404
    assert Alert.objects.get(pk=alerts["b"].pk).status == Alert.Status.NEW
    feed = client.get("/alerts/feed/").content.decode()
    assert f'data-alert-id="{alerts["a"].pk}"' in feed and f'data-alert-id="{alerts["b"].pk}"' not in feed


def test_roles_without_alerts_are_refused(api_client, alerts):
    client = api_client(Role.REPORTER, "A")
    assert client.get("/alerts/").status_code == 403
    assert client.get("/alerts/feed/").status_code == 403
    assert client.post(f"/alerts/{alerts['a'].pk}/acknowledge/").status_code == 403
    assert Client().get("/alerts/").status_code == 302  # to the login page


def test_detail_shows_payload_evidence_and_trail(api_client, alerts):
    html = api_client(Role.OPERATOR, language="vi").get(f"/alerts/{alerts['a'].pk}/").content.decode()
    assert "BV A: ICU 97% (message)" in html
    assert 'href="/dashboard/facility/BV-A/"' in html
    assert "&quot;share&quot;: 0.97" in html  # what the source sent, as sent, folded under technical data
    assert 'class="trail-raised"' in html
    assert f'action="/alerts/{alerts["a"].pk}/acknowledge/"' in html
    assert f'action="/alerts/{alerts["a"].pk}/resolve/"' in html
    assert 'value="false_alarm"' in html and 'name="assignee"' in html


def test_feed_fragment_lists_open_alerts_newest_first(api_client, alerts):
    Alert.objects.filter(pk=alerts["camera"].pk).update(status=Alert.Status.RESOLVED)
    response = api_client(Role.OPERATOR).get("/alerts/feed/")
    html = response.content.decode()
    assert html.startswith('<ul id="alert-feed"') and "<html" not in html
    assert 'data-open-count="2"' in html
    ids = [int(x) for x in re.findall(r'data-alert-id="(\d+)"', html)]
    assert ids == [alerts["b"].pk, alerts["a"].pk]
    assert "sev-critical" in html and "hx-post" in html


def test_acknowledge_through_htmx_returns_the_updated_item(api_client, city, alerts):
    client = api_client(Role.OPERATOR)
    pk = alerts["a"].pk
    response = client.post(f"/alerts/{pk}/acknowledge/", **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<li class="feed-item sev-critical status-acknowledged" data-alert-id="{pk}"')
    assert f"/alerts/{pk}/acknowledge/" not in html and f"/alerts/{pk}/resolve/" in html
    assert "Alert acknowledged." in html
    stored = Alert.objects.get(pk=pk)
    assert stored.status == Alert.Status.ACKNOWLEDGED and stored.assignee == city.user(Role.OPERATOR)

    again = client.post(f"/alerts/{pk}/acknowledge/", **HX)  # a colleague was faster: a conflict
    assert again.status_code == 200 and "feedback-error" in again.content.decode()


def test_resolve_without_htmx_redirects_with_a_message(api_client, alerts):
    client = api_client(Role.OPERATOR)
    pk = alerts["b"].pk
    response = client.post(f"/alerts/{pk}/resolve/", {"resolution": "false_alarm", "note": "đã kiểm tra"})
    assert response.status_code == 302 and response["Location"] == f"/alerts/{pk}/"
    stored = Alert.objects.get(pk=pk)
    assert stored.status == Alert.Status.RESOLVED and stored.resolution == Alert.Resolution.FALSE_ALARM
    html = client.get(response["Location"]).content.decode()
    assert "Alert resolved." in html and "đã kiểm tra" in html and "False alarm" in html

    response = client.post(f"/alerts/{pk}/resolve/", {"next": "/dashboard/"}, follow=True)
    assert "already resolved" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/dashboard/"
    response = client.post(f"/alerts/{pk}/resolve/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/alerts/{pk}/"


def test_notes_and_assignment(api_client, city, alerts):
    client = api_client(Role.OPERATOR)
    pk = alerts["a"].pk
    response = client.post(f"/alerts/{pk}/note/", {"text": "  "}, follow=True)
    assert "a note cannot be empty" in response.content.decode()
    client.post(f"/alerts/{pk}/note/", {"text": "Đã gọi điện cho bệnh viện"})
    assert AlertNote.objects.filter(alert_id=pk, action="note", text="Đã gọi điện cho bệnh viện").exists()

    leader = city.user(Role.LEADER)
    client.post(f"/alerts/{pk}/assign/", {"assignee": leader.username})
    assert Alert.objects.get(pk=pk).assignee == leader
    response = client.post(f"/alerts/{pk}/assign/", {"assignee": city.user(Role.REPORTER, "A").username},
                           follow=True)
    assert "cannot handle alerts" in response.content.decode()
    assert Alert.objects.get(pk=pk).assignee == leader
    html = client.get(f"/alerts/{pk}/").content.decode()
    assert "Đã gọi điện cho bệnh viện" in html and "trail-assigned" in html


def test_workflow_endpoints_only_accept_post_with_csrf(city, alerts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.user(Role.OPERATOR))
    pk = alerts["a"].pk
    assert client.get(f"/alerts/{pk}/acknowledge/").status_code == 405
    assert client.post(f"/alerts/{pk}/acknowledge/", **HX).status_code == 403
    assert Alert.objects.get(pk=pk).status == Alert.Status.NEW


def test_the_evidence_link_shows_only_to_who_may_open_it(api_client, alerts):
    """A camera alert's evidence is the event page, for security roles; the operator sees the alert, not the link."""
    Alert.objects.filter(pk=alerts["camera"].pk).update(evidence_url="/vision/events/1/")
    operator = api_client(Role.OPERATOR).get(f"/alerts/{alerts['camera'].pk}/").content.decode()
    assert 'href="/vision/events/1/"' not in operator
    security = api_client(Role.SECURITY, "A").get(f"/alerts/{alerts['camera'].pk}/").content.decode()
    assert 'href="/vision/events/1/"' in security
    page = api_client(Role.OPERATOR).get(f"/alerts/{alerts['a'].pk}/").content.decode()
    assert 'href="/dashboard/facility/BV-A/"' in page
