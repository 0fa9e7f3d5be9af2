"""Report submission through the JSON API: validation, idempotency, versions, scope."""

import datetime as dt

import pytest

from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.reporting.models import Report
from opscenter.testing import report_payload

pytestmark = pytest.mark.django_db


def post(client, payload, **headers):
    return client.post("/api/reporting/reports", payload, content_type="application/json", **headers)


def test_reporter_submits_a_report_and_it_is_audited(api_client, city):
    response = post(api_client(Role.REPORTER), report_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert body["report"]["version"] == 1
    assert body["report"]["values"]["beds_icu_occupied"] == 12
    report = Report.objects.get(pk=body["report"]["id"])
    assert report.submitted_by == city.user(Role.REPORTER) and report.source == "api"
    assert AuditLog.objects.filter(action="reporting.report.submitted", object_id=str(report.pk)).exists()


def test_occupied_above_total_is_refused_naming_the_field(api_client):
    response = post(api_client(Role.REPORTER), report_payload(icu_total=10, icu_occupied=12))
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert "values.beds_icu_occupied" in fields
    assert "12" in fields["values.beds_icu_occupied"] and "10" in fields["values.beds_icu_occupied"]
    assert Report.objects.count() == 0


@pytest.mark.parametrize(("values", "field"), [
    ({"beds_icu_total": -1}, "values.beds_icu_total"),
    ({"beds_icu_total": 2.5}, "values.beds_icu_total"),
    ({"beds_icu_total": "many"}, "values.beds_icu_total"),
    ({"no_such_thing": 3}, "values.no_such_thing"),
    ({"er_visits": True}, "values.er_visits"),
])
def test_bad_values_name_the_field(api_client, values, field):
    payload = report_payload()
    payload["values"] = values
    response = post(api_client(Role.REPORTER), payload)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["detail"]]


def test_schema_errors_name_the_field(api_client):
    payload = report_payload()
    payload["period"] = "yesterday"
    response = post(api_client(Role.REPORTER), payload)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["period"]


def test_future_period_unknown_unit_and_data_set_are_refused(api_client, today):
    client = api_client(Role.OPERATOR)
    r = post(client, report_payload(period=today + dt.timedelta(days=1)))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "period"
    r = post(client, {**report_payload(), "unit": "NOPE"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "unit"
    r = post(client, {**report_payload(), "data_set": "NOPE"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "data_set"


def test_unit_that_does_not_report_the_data_set_is_refused(api_client):
    r = post(api_client(Role.OPERATOR), report_payload(unit="CC115"))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "unit"


def test_reporter_cannot_submit_for_another_hospital(api_client):
    response = post(api_client(Role.REPORTER, "A"), report_payload(unit="BV-B"))
    assert response.status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.parametrize("role", [Role.LEADER, Role.SECURITY, Role.DISPATCHER])
def test_roles_without_submit_permission_are_refused(api_client, role):
    assert post(api_client(role), report_payload()).status_code == 403


def test_same_submission_twice_is_one_report(api_client):
    client = api_client(Role.REPORTER)
    first = post(client, report_payload())
    second = post(client, report_payload())
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["created"] is False
    assert second.json()["report"]["id"] == first.json()["report"]["id"]
    assert Report.objects.count() == 1


def test_idempotency_key_replays_and_refuses_reuse_for_other_content(api_client):
    client = api_client(Role.REPORTER)
    first = post(client, report_payload(), HTTP_IDEMPOTENCY_KEY="his-42")
    again = post(client, report_payload(), HTTP_IDEMPOTENCY_KEY="his-42")
    assert again.status_code == 200 and again.json()["report"]["id"] == first.json()["report"]["id"]
    clash = post(client, report_payload(icu_occupied=15), HTTP_IDEMPOTENCY_KEY="his-42")
    assert clash.status_code == 409
    assert Report.objects.count() == 1


def test_correction_keeps_the_earlier_version(api_client, today):
    reporter = api_client(Role.REPORTER)
    post(reporter, report_payload(icu_occupied=12))
    corrected = post(reporter, {**report_payload(icu_occupied=14), "comment": "late admissions"})
    assert corrected.status_code == 201
    assert corrected.json()["report"]["version"] == 2
    versions = reporter.get(f"/api/reporting/reports/HOSP_DAILY/BV-A/{today.isoformat()}/versions").json()
    assert [(v["version"], v["is_current"], v["values"]["beds_icu_occupied"]) for v in versions] == [
        (1, False, 12), (2, True, 14),
    ]
    assert Report.objects.filter(is_current=True).count() == 1


def test_sudden_jump_is_flagged_not_rejected(api_client, today):
    client = api_client(Role.REPORTER)
    post(client, report_payload(period=today - dt.timedelta(days=1), er_visits=100))
    response = post(client, report_payload(er_visits=400))
    assert response.status_code == 201
    body = response.json()
    assert body["report"]["status"] == "flagged"
    assert any("Emergency visits" in w and "100 → 400" in w for w in body["warnings"])


def test_batch_is_all_or_nothing_and_names_the_item(api_client, today):
    client = api_client(Role.OPERATOR)
    good = report_payload(unit="BV-A")
    bad = report_payload(unit="BV-B", icu_total=5, icu_occupied=9)
    response = client.post("/api/reporting/reports/batch", {"reports": [good, bad]},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "[1].values.beds_icu_occupied"
    assert Report.objects.count() == 0
    ok = client.post("/api/reporting/reports/batch", {"reports": [good, report_payload(unit="BV-B")]},
                     content_type="application/json")
    assert ok.status_code == 200 and [o["created"] for o in ok.json()] == [True, True]
    entry = AuditLog.objects.get(action="reporting.reports.submitted")  # one entry for the whole batch
    assert entry.actor_label == "operator" and entry.data["count"] == 2
    assert sorted(r[1] for r in entry.data["reports"]) == ["BV-A", "BV-B"]


def test_a_batch_costs_the_same_queries_whatever_its_size(api_client, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client(Role.OPERATOR)

    def queries_for(days: list[dt.date]) -> int:
        reports = [report_payload(unit=unit, period=day) for day in days for unit in ("BV-A", "BV-B")]
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/reporting/reports/batch", {"reports": reports},
                                   content_type="application/json")
        assert response.status_code == 200 and {r["report"]["unit"] for r in response.json()} == {"BV-A", "BV-B"}
        return len(ctx.captured_queries)

    small = queries_for([today - dt.timedelta(days=30)])
    large = queries_for([today - dt.timedelta(days=d) for d in range(10, 20)])
    assert large == small  # no query per report, e.g. for its unit or data set in the answer


def test_token_authentication_for_machine_clients(client, city):
    from opscenter.org.services import issue_token

    _token, key = issue_token("test", city.user(Role.REPORTER), "HIS")
    assert post(client, report_payload()).status_code == 401
    assert post(client, report_payload(), HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert post(client, report_payload(), HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 201


def test_listing_is_limited_to_scope(api_client, city):
    post(api_client(Role.OPERATOR), report_payload(unit="BV-A"))
    post(api_client(Role.OPERATOR), report_payload(unit="BV-B"))
    assert api_client(Role.OPERATOR).get("/api/reporting/reports").json()["count"] == 2
    own = api_client(Role.REPORTER, "B").get("/api/reporting/reports").json()
    assert [r["unit"] for r in own["items"]] == ["BV-B"]
    other = api_client(Role.REPORTER, "B").get(
        f"/api/reporting/reports/HOSP_DAILY/BV-A/{own['items'][0]['period']}/versions")
    assert other.status_code == 403


def test_completeness_and_overdue_reminder(api_client, city, today, mailoutbox):
    from django.utils import timezone

    from opscenter.alerts.models import Alert
    from opscenter.reporting.models import DataSet
    from opscenter.reporting.services import check_overdue

    post(api_client(Role.REPORTER, "A"), report_payload(unit="BV-A"))
    rows = api_client(Role.OPERATOR).get(f"/api/reporting/completeness?date={today.isoformat()}").json()
    status = {r["unit"]: r["status"] for r in rows}
    assert status["BV-A"] in {"on_time", "late"}
    assert status["BV-B"] in {"missing", "pending"}

    after_due = DataSet.objects.get(code="HOSP_DAILY").due_at(today) + dt.timedelta(hours=2)
    notices = check_overdue(now=max(after_due, timezone.now()))
    assert {n.unit.code for n in notices if n.period == today} == {"BV-B"}
    assert check_overdue(now=max(after_due, timezone.now())) == []  # reminded once
    assert Alert.objects.filter(kind="report_overdue", unit=city.hospital_b).exists()
    assert any("reporter_b@example.org" in m.to for m in mailoutbox)
