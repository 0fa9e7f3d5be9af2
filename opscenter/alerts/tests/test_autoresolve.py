"""Alerts that resolve themselves when the condition that raised them is over ("condition cleared")."""

import datetime as dt

import pytest
from django.utils import timezone

from opscenter.alerts.models import Alert, AlertRule
from opscenter.core import events
from opscenter.core.models import AuditLog
from opscenter.emergency import tasks as emergency_tasks
from opscenter.emergency.models import Incident
from opscenter.emergency.tests.conftest import INCIDENT, fleet  # noqa: F401  (the 115 fleet fixture)
from opscenter.org.roles import Role
from opscenter.testing import report_payload

JSON = "application/json"


def submit(api_client, unit="BV-A", **values):
    reporter = api_client(Role.REPORTER, unit[-1])
    response = reporter.post("/api/reporting/reports", report_payload(unit=unit, **values), content_type=JSON)
    assert response.status_code in (200, 201), response.content
    return response


def alert_json(api_client, alert_id: int) -> dict:
    response = api_client(Role.OPERATOR).get(f"/api/alerts/{alert_id}")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def icu_alert(api_client, city) -> Alert:
    submit(api_client, icu_total=20, icu_occupied=20)
    return Alert.objects.get(kind="bed_occupancy")


def test_a_report_back_under_the_threshold_resolves_the_alert(api_client, icu_alert):
    resolved: list[events.Event] = []
    handler = events.subscribe(lambda e: resolved.append(e) if e.kind == "alert.resolved" else None)
    try:
        submit(api_client, icu_total=20, icu_occupied=15)  # a correction of today's report: 75 %
    finally:
        events._handlers.remove(handler)
    body = alert_json(api_client, icu_alert.pk)
    assert body["status"] == "resolved" and body["resolution"] == "cleared"
    note = body["notes"][-1]
    assert note["action"] == "auto_resolved" and note["author"] is None
    assert "15" in note["text"] and "20" in note["text"]
    entry = AuditLog.objects.get(action="alerts.alert.auto_resolved", object_id=str(icu_alert.pk))
    assert entry.actor is None and entry.actor_label == "system" and entry.data["resolution"] == "cleared"
    assert [e.payload["alert_id"] for e in resolved] == [icu_alert.pk]  # the live feed hears of it
    # Open alerts (the feed) no longer list it; the detail page names the resolution.
    assert api_client(Role.OPERATOR).get("/api/alerts?open=true").json()["items"] == []
    page = api_client(Role.OPERATOR).get(f"/alerts/{icu_alert.pk}/").content.decode()
    assert "Condition cleared" in page and "resolved automatically" in page


def test_an_acknowledged_alert_is_cleared_too_and_a_second_all_clear_changes_nothing(api_client, icu_alert):
    api_client(Role.OPERATOR).post(f"/api/alerts/{icu_alert.pk}/acknowledge", {}, content_type=JSON)
    submit(api_client, icu_total=20, icu_occupied=15)
    submit(api_client, icu_total=20, icu_occupied=14)
    alert = Alert.objects.get(pk=icu_alert.pk)
    assert alert.status == "resolved" and alert.resolution == "cleared"
    assert alert.notes.filter(action="auto_resolved").count() == 1
    assert AuditLog.objects.filter(action="alerts.alert.auto_resolved").count() == 1


def test_other_bed_types_and_units_are_left_alone(api_client, city, icu_alert):
    submit(api_client, unit="BV-B", icu_total=20, icu_occupied=20)
    submit(api_client, icu_total=20, icu_occupied=20, beds_surgery_occupied=30, beds_surgery_available=0)  # full
    submit(api_client, icu_total=20, icu_occupied=20, beds_surgery_occupied=10)  # only surgery is better
    assert set(Alert.objects.filter(status="resolved").values_list("payload__bed_type", flat=True)) == {"surgery"}
    assert Alert.objects.get(pk=icu_alert.pk).status == "new"
    assert Alert.objects.filter(unit=city.hospital_b, status="new").count() == 1


def test_yesterdays_correction_does_not_clear_todays_alert(api_client, icu_alert, today):
    yesterday = today - dt.timedelta(days=1)
    submit(api_client, period=yesterday, icu_total=20, icu_occupied=10)
    assert Alert.objects.get(pk=icu_alert.pk).status == "new"


def test_a_rule_may_keep_its_alerts_for_the_operators(api_client, city):
    AlertRule.objects.filter(code="bed_occupancy_high").update(params={"threshold": 0.95, "auto_resolve": False})
    submit(api_client, icu_total=20, icu_occupied=20)
    submit(api_client, icu_total=20, icu_occupied=10)
    alert = Alert.objects.get(kind="bed_occupancy")
    assert alert.status == "new" and not alert.notes.filter(action="auto_resolved").exists()
    # Operators resolve by hand as before; "condition cleared" is the system's to say.
    operator = api_client(Role.OPERATOR)
    r = operator.post(f"/api/alerts/{alert.pk}/resolve", {"resolution": "cleared"}, content_type=JSON)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "resolution"
    r = operator.post(f"/api/alerts/{alert.pk}/resolve", {"resolution": "handled"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["resolution"] == "handled"


def test_er_waiting_back_under_the_threshold(api_client, city):
    submit(api_client, er_waiting_for_bed=35)
    alert = Alert.objects.get(kind="er_waiting")
    submit(api_client, er_waiting_for_bed=20)  # at the threshold is not above it
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolution == "cleared"


def test_a_condition_that_returns_opens_a_new_alert(api_client, icu_alert):
    submit(api_client, icu_total=20, icu_occupied=10)
    submit(api_client, icu_total=20, icu_occupied=20, er_visits=140)
    alerts = list(Alert.objects.filter(kind="bed_occupancy").order_by("id"))
    assert [(a.status, a.resolution) for a in alerts] == [("resolved", "cleared"), ("new", "")]
    assert alerts[1].pk != icu_alert.pk and alerts[1].occurrences == 1


def test_an_overdue_report_that_arrives_clears_its_alert(api_client, city, today):
    from opscenter.reporting.models import DataSet
    from opscenter.reporting.services import check_overdue

    after_due = DataSet.objects.get(code="HOSP_DAILY").due_at(today) + dt.timedelta(hours=2)
    check_overdue(now=max(after_due, timezone.now()))
    overdue = Alert.objects.filter(kind="report_overdue", unit=city.hospital_b)
    alert = overdue.get(payload__period=today.isoformat())
    submit(api_client, unit="BV-B")
    body = alert_json(api_client, alert.pk)
    assert body["status"] == "resolved" and body["resolution"] == "cleared"
    assert body["notes"][-1]["action"] == "auto_resolved" and today.isoformat() in body["notes"][-1]["text"]
    # Reports still missing (another day, another hospital) keep their alerts.
    assert overdue.exclude(pk=alert.pk).exclude(status="resolved").count() == overdue.count() - 1
    assert not Alert.objects.filter(kind="report_overdue", unit=city.hospital_a, status="resolved").exists()


def test_a_115_call_waiting_too_long_clears_once_an_ambulance_is_assigned(api_client, fleet):  # noqa: F811
    dispatcher = api_client(Role.DISPATCHER)
    codes = [dispatcher.post("/api/emergency/incidents", INCIDENT, content_type=JSON).json()["incident"]["code"]
             for _ in range(2)]
    Incident.objects.filter(code__in=codes).update(received_at=timezone.now() - dt.timedelta(minutes=5))
    emergency_tasks.check_waiting_incidents()
    assigned, cancelled = (Alert.objects.get(kind="incident_unassigned", payload__code=code) for code in codes)
    r = dispatcher.post(f"/api/emergency/incidents/{codes[0]}/assign", {"ambulance": "AMB-1"}, content_type=JSON)
    assert r.status_code == 200, r.content
    assigned.refresh_from_db()
    assert assigned.status == "resolved" and assigned.resolution == "cleared"
    assert "AMB-1" in assigned.notes.get(action="auto_resolved").text
    assert Alert.objects.get(pk=cancelled.pk).status == "new"
    dispatcher.post(f"/api/emergency/incidents/{codes[1]}/cancel", {"reason": "trùng cuộc gọi"}, content_type=JSON)
    assert Alert.objects.get(pk=cancelled.pk).resolution == "cleared"
    emergency_tasks.check_waiting_incidents()  # nothing waits any more: nothing opens again
    assert not Alert.objects.filter(kind="incident_unassigned").exclude(status="resolved").exists()


def _forecast(unit: str, run_date: dt.date, peak: float) -> None:
    """What surveillance.run_forecasts publishes for a hospital's bed series."""
    dates = [(run_date + dt.timedelta(days=i + 1)).isoformat() for i in range(14)]
    mean = [10.0] * 3 + [peak] + [10.0] * 10
    events.publish(events.Event(source="surveillance", kind="surveillance.forecast", unit=unit, payload={
        "series_key": f"hospital:{unit}:beds_icu", "run_date": run_date.isoformat(), "target": "beds",
        "bed_type": "icu", "capacity": 20, "dates": dates, "mean": mean,
        "upper80": [v + 2 for v in mean], "upper95": [v + 4 for v in mean],
    }))


def test_a_newer_forecast_within_capacity_clears_the_forecast_alert(api_client, city, today):
    from django.apps import apps

    from opscenter.surveillance import definitions

    definitions.install(apps)  # the transactional flush removed the rules the migration shipped
    _forecast("BV-A", today, peak=25)
    alert = Alert.objects.get(kind="forecast_capacity")
    _forecast("BV-A", today - dt.timedelta(days=1), peak=12)  # an older run, loaded late: no verdict
    assert Alert.objects.get(pk=alert.pk).status == "new"
    _forecast("BV-A", today + dt.timedelta(days=1), peak=12)
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolution == "cleared"


def test_a_directive_task_reported_done_clears_its_overdue_alert(api_client, city):
    from django.apps import apps

    from opscenter.work import definitions
    from opscenter.work.services import directives

    definitions.install(apps)  # as above
    operator = api_client(Role.OPERATOR)
    directive = operator.post("/api/work/directives", {
        "title": "Rà soát giường hồi sức", "content": "Báo cáo trước 17 giờ.", "units": ["BV-A", "BV-B"],
        "deadline": (timezone.now() + dt.timedelta(days=1)).isoformat(),
    }, content_type=JSON).json()
    directives.flag_overdue(now=timezone.now() + dt.timedelta(days=2))
    tasks = {t["unit"]: t["id"] for t in directive["tasks"]}
    r = api_client(Role.HOSPITAL_MANAGER, "A").post(f"/api/work/tasks/{tasks['BV-A']}/done", {"text": "xong"},
                                                    content_type=JSON)
    assert r.status_code == 200, r.content
    status = dict(Alert.objects.filter(kind="directive_overdue").values_list("unit__code", "resolution"))
    assert status == {"BV-A": "cleared", "BV-B": ""}
    operator.post(f"/api/work/directives/{directive['id']}/cancel", {"reason": "Đã có chỉ đạo thay thế"},
                  content_type=JSON)
    assert set(Alert.objects.filter(kind="directive_overdue").values_list("resolution", flat=True)) == {"cleared"}
