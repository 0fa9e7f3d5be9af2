"""Alerts raised by rules from reports, and the operators' workflow through the API."""

import pytest

from opscenter.alerts.models import Alert, AlertRule
from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.testing import report_payload


def submit(api_client, **values):
    response = api_client(Role.REPORTER).post("/api/reporting/reports", report_payload(**values),
                                              content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response


@pytest.fixture
def icu_alert(api_client, city) -> Alert:
    submit(api_client, icu_total=20, icu_occupied=20)
    return Alert.objects.get(kind="bed_occupancy")


def test_full_icu_raises_one_alert_and_a_repeat_updates_it(api_client, city):
    submit(api_client, icu_total=20, icu_occupied=20)
    alert = Alert.objects.get(kind="bed_occupancy")
    assert alert.unit == city.hospital_a and alert.status == "new"
    assert alert.payload["bed_type"] == "icu" and alert.payload["share"] == 1.0
    submit(api_client, icu_total=20, icu_occupied=20, er_visits=121)  # a correction, still full
    assert Alert.objects.filter(kind="bed_occupancy").count() == 1
    assert Alert.objects.get(kind="bed_occupancy").occurrences == 2


def test_normal_report_raises_nothing(api_client, city):
    submit(api_client, icu_total=20, icu_occupied=10)
    assert not Alert.objects.exists()


def test_thresholds_are_data(api_client, city):
    AlertRule.objects.filter(code="bed_occupancy_high").update(params={"threshold": 0.4, "bed_types": ["icu"]})
    submit(api_client, icu_total=20, icu_occupied=10)
    assert Alert.objects.get().payload["threshold"] == 0.4


def test_er_waiting_above_threshold(api_client, city):
    submit(api_client, er_waiting_for_bed=35)
    alert = Alert.objects.get(kind="er_waiting")
    assert alert.severity == "critical" and alert.payload["waiting"] == 35


def test_acknowledge_then_resolve_is_audited(api_client, icu_alert):
    operator = api_client(Role.OPERATOR)
    r = operator.post(f"/api/alerts/{icu_alert.pk}/acknowledge", {"text": "calling the hospital"},
                      content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "acknowledged" and r.json()["assignee"] == "operator"
    again = operator.post(f"/api/alerts/{icu_alert.pk}/acknowledge", {}, content_type="application/json")
    assert again.status_code == 409
    r = operator.post(f"/api/alerts/{icu_alert.pk}/resolve", {"resolution": "handled", "note": "beds freed"},
                      content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    detail = operator.get(f"/api/alerts/{icu_alert.pk}").json()
    assert [n["action"] for n in detail["notes"]] == ["raised", "acknowledged", "resolved"]
    actions = set(AuditLog.objects.filter(object_id=str(icu_alert.pk), object_type="alerts.alert")
                  .values_list("action", flat=True))
    assert {"alerts.alert.acknowledged", "alerts.alert.resolved"} <= actions


def test_resolution_must_be_known(api_client, icu_alert):
    r = api_client(Role.OPERATOR).post(f"/api/alerts/{icu_alert.pk}/resolve", {"resolution": "meh"},
                                       content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "resolution"


def test_after_resolution_a_new_occurrence_opens_a_new_alert(api_client, icu_alert):
    api_client(Role.OPERATOR).post(f"/api/alerts/{icu_alert.pk}/resolve", {}, content_type="application/json")
    submit(api_client, icu_total=20, icu_occupied=20, er_visits=130)
    assert Alert.objects.filter(kind="bed_occupancy").count() == 2


def test_assign_and_note(api_client, icu_alert):
    operator = api_client(Role.OPERATOR)
    r = operator.post(f"/api/alerts/{icu_alert.pk}/assign", {"username": "hospital_manager_a"},
                      content_type="application/json")
    assert r.status_code == 200 and r.json()["assignee"] == "hospital_manager_a"
    r = operator.post(f"/api/alerts/{icu_alert.pk}/assign", {"username": "hospital_manager_b"},
                      content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "assignee"
    r = operator.post(f"/api/alerts/{icu_alert.pk}/notes", {"text": "  "}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "text"


@pytest.mark.parametrize(("role", "hospital", "sees", "handles"), [
    (Role.OPERATOR, "A", True, True),
    (Role.LEADER, "A", True, True),
    (Role.ADMIN, "A", True, True),
    (Role.HOSPITAL_MANAGER, "A", True, True),
    (Role.HOSPITAL_MANAGER, "B", False, False),
    (Role.SECURITY, "A", True, True),
    (Role.SECURITY, "B", False, False),
    (Role.REPORTER, "A", False, False),
    (Role.DISPATCHER, "-", False, False),  # the 115 centre's scope does not hold hospital A
])
def test_alert_scope_for_every_role(api_client, icu_alert, role, hospital, sees, handles):
    client = api_client(role, hospital)
    listing = client.get("/api/alerts")
    if role == Role.REPORTER:
        assert listing.status_code == 403
    else:
        assert listing.status_code == 200
        assert (icu_alert.pk in [a["id"] for a in listing.json()["items"]]) is sees
    ack = client.post(f"/api/alerts/{icu_alert.pk}/acknowledge", {}, content_type="application/json")
    assert (ack.status_code == 200) is handles
    assert ack.status_code in (200, 403, 404)
