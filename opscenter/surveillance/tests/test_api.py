"""Case reports through the JSON API: validation, merging, corrections with history, privacy, scope."""

import datetime as dt

import pytest

from opscenter.alerts.models import Alert
from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.surveillance.models import Case, CaseReport

pytestmark = pytest.mark.django_db


def case_payload(today, **overrides):
    payload = {
        "disease": "dengue", "onset_date": (today - dt.timedelta(days=3)).isoformat(),
        "report_date": today.isoformat(), "age_years": 34, "sex": "female", "ward": "W-CL", "facility": "BV-A",
        "classification": "probable", "hospitalised": False, "patient_id": "079190001234",
        "patient_name": "Nguyễn Thị Lan", "date_of_birth": "1991-02-03", "phone": "0901234567",
    }
    payload.update(overrides)
    return payload


def post(client, path, payload, **headers):
    return client.post(f"/api/surveillance{path}", payload, content_type="application/json", **headers)


def fields(response):
    return {e["field"]: e["message"] for e in response.json()["detail"]}


def test_reporter_reports_a_case_without_seeing_personal_data_back(api_client, today):
    response = post(api_client(Role.REPORTER), "/cases", case_payload(today))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True and body["merged"] is False
    assert body["case"]["age_group"] == "25-49" and "patient_name" not in body["case"]
    case = Case.objects.get()
    assert case.patient_name == "Nguyễn Thị Lan" and len(case.patient_key) == 64 and "0791" not in case.patient_key
    assert AuditLog.objects.filter(action="surveillance.case.reported", object_id=str(case.pk)).exists()


@pytest.mark.parametrize(("override", "field"), [
    ({"onset_date": "2100-01-01"}, "onset_date"),
    ({"report_date": "2100-01-01"}, "report_date"),
    ({"ward": "NO-SUCH-WARD"}, "ward"),
    ({"age_years": 150}, "age_years"),
    ({"age_years": -1}, "age_years"),
    ({"age_years": 60}, "age_years"),  # does not match the date of birth
    ({"disease": "plague"}, "disease"),
    ({"classification": "sure"}, "classification"),
    ({"facility": "NOWHERE"}, "facility"),
    ({"onset_date": "yesterday"}, "onset_date"),
])
def test_bad_input_names_the_field(api_client, today, override, field):
    response = post(api_client(Role.REPORTER), "/cases", case_payload(today, **override))
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert Case.objects.count() == 0


def test_onset_after_report_date_says_so(api_client, today):
    response = post(api_client(Role.REPORTER), "/cases",
                    case_payload(today, onset_date=today.isoformat(),
                                 report_date=(today - dt.timedelta(days=1)).isoformat()))
    assert response.status_code == 422
    assert "after the report date" in fields(response)["onset_date"]


def test_a_reporter_cannot_report_for_another_hospital(api_client, today):
    response = post(api_client(Role.REPORTER), "/cases", case_payload(today, facility="BV-B"))
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_the_same_patient_from_two_facilities_is_one_case_with_both_reports(api_client, today):
    first = post(api_client(Role.REPORTER, "A"), "/cases", case_payload(today))
    second = post(api_client(Role.REPORTER, "B"), "/cases",
                  case_payload(today, facility="BV-B", classification="confirmed", hospitalised=True,
                               patient_id="0791 9000 1234"))
    assert first.status_code == 201 and second.status_code == 200, second.content
    assert second.json()["merged"] is True
    case = Case.objects.get()
    assert case.classification == "confirmed" and case.hospitalised and case.version == 2
    kinds = list(case.reports.values_list("kind", "facility__code"))
    assert kinds == [("initial", "BV-A"), ("duplicate", "BV-B")]
    counts = api_client(Role.OPERATOR).get(
        f"/api/surveillance/counts?date_from={today}&date_to={today}&disease=dengue").json()
    assert [c["count"] for c in counts] == [1]


def test_the_same_report_twice_changes_nothing(api_client, today):
    client = api_client(Role.REPORTER)
    post(client, "/cases", case_payload(today))
    again = post(client, "/cases", case_payload(today))
    assert again.status_code == 200 and again.json()["created"] is False
    assert Case.objects.count() == 1 and CaseReport.objects.count() == 1
    keyed = [post(client, "/cases", case_payload(today, patient_id="other", idempotency_key="k1")) for _ in range(2)]
    assert [r.status_code for r in keyed] == [201, 200]
    assert Case.objects.count() == 2


def test_a_correction_keeps_history_and_a_reason_is_required(api_client, today):
    case_id = post(api_client(Role.REPORTER), "/cases", case_payload(today)).json()["case"]["id"]
    epi = api_client(Role.EPIDEMIOLOGIST)
    missing = post(epi, f"/cases/{case_id}/corrections", {"changes": {"classification": "confirmed"}, "reason": " "})
    assert missing.status_code == 422 and "reason" in fields(missing)
    bad = post(epi, f"/cases/{case_id}/corrections", {"changes": {"age_years": 300}, "reason": "typo"})
    assert bad.status_code == 422 and "age_years" in fields(bad)
    ok = post(epi, f"/cases/{case_id}/corrections", {"changes": {"classification": "confirmed"}, "reason": "lab"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    history = epi.get(f"/api/surveillance/cases/{case_id}/history").json()
    assert [h["kind"] for h in history] == ["initial", "correction"]
    assert history[1]["previous"] == {"classification": "probable"} and history[1]["reason"] == "lab"


def test_cancelled_cases_are_kept_but_not_counted(api_client, today):
    case_id = post(api_client(Role.REPORTER), "/cases", case_payload(today)).json()["case"]["id"]
    response = post(api_client(Role.REPORTER), f"/cases/{case_id}/cancel", {"reason": "wrong patient"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Case.objects.filter(pk=case_id).exists()
    counts = api_client(Role.OPERATOR).get(f"/api/surveillance/counts?date_from={today}&date_to={today}").json()
    assert counts == []


def test_personal_data_only_for_epidemiologists_and_every_view_is_logged(api_client, today, city):
    case_id = post(api_client(Role.REPORTER), "/cases", case_payload(today)).json()["case"]["id"]
    for role in (Role.OPERATOR, Role.LEADER, Role.REPORTER, Role.HOSPITAL_MANAGER):
        client = api_client(role)
        assert client.get("/api/surveillance/cases").status_code == 403, role
        assert client.get(f"/api/surveillance/cases/{case_id}").status_code == 403, role
    epi = api_client(Role.EPIDEMIOLOGIST)
    listed = epi.get("/api/surveillance/cases").json()
    assert listed["count"] == 1 and listed["items"][0]["patient_name"] == "Nguyễn Thị Lan"
    assert epi.get(f"/api/surveillance/cases/{case_id}").json()["phone"] == "0901234567"
    views = AuditLog.objects.filter(action="surveillance.case.viewed", object_id=str(case_id))
    assert views.count() == 2 and {v.actor for v in views} == {city.user(Role.EPIDEMIOLOGIST)}


def test_aggregates_need_the_surveillance_permission(api_client, today):
    url = f"/api/surveillance/counts?date_from={today}&date_to={today}"
    assert api_client(Role.REPORTER).get(url).status_code == 403
    assert api_client(Role.DISPATCHER).get(url).status_code == 403
    assert api_client(Role.LEADER).get(url).status_code == 200
    assert api_client(Role.LEADER).get(url + "&group=").status_code == 200  # an empty form field: no grouping
    bad = api_client(Role.LEADER).get(url + "&group=district")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "group"


def test_incidence_per_100k_uses_the_ward_population(api_client, today):
    for i in range(13):
        post(api_client(Role.REPORTER), "/cases", case_payload(today, patient_id=f"p{i}"))
    rows = api_client(Role.OPERATOR).get("/api/surveillance/incidence?disease=dengue").json()
    row = next(r for r in rows if r["ward"] == "W-CL")
    assert row["cases"] == 13 and row["per_100k"] == 10.0  # 13 in 130,000


def test_a_cluster_of_cases_raises_one_outbreak_alert_with_series_and_threshold(api_client, today):
    client = api_client(Role.REPORTER)
    response = post(client, "/cases/batch", {"cases": [
        case_payload(today, patient_id=f"cluster-{i}", patient_name="", date_of_birth=None, phone="")
        for i in range(8)
    ]})
    assert response.status_code == 200, response.content
    alerts = Alert.objects.filter(source="surveillance", kind="outbreak_signal")
    assert alerts.count() >= 1
    alert = alerts.get(dedup_key="outbreak_signal:dengue:W-CL")
    assert alert.payload["observed"] == 8 and alert.payload["threshold"] is not None
    assert alert.payload["series"][-1] == 8 and "8" in alert.message
    signals = api_client(Role.OPERATOR).get("/api/surveillance/signals?disease=dengue&area=W-CL&alarm=true").json()
    assert {s["method"] for s in signals} >= {"ears-c1", "ears-c2"}
    # The epidemic page says which alarms the rule alerts on: ears-c2 does, ears-c1 is not one of its methods.
    html = api_client(Role.OPERATOR).get("/surveillance/?disease=dengue").content.decode()
    assert 'data-area="W-CL" data-method="ears-c2" data-alerts="1"' in html
    assert 'data-area="W-CL" data-method="ears-c1" data-alerts="0"' in html
    assert html.index('data-alerts="1"') < html.index('data-alerts="0"')  # those on the alert feed first


def test_rt_has_a_credible_interval(api_client, today):
    for i in range(10):
        post(api_client(Role.REPORTER), "/cases", case_payload(today, patient_id=f"r{i}"))
    body = api_client(Role.OPERATOR).get("/api/surveillance/rt?disease=dengue&days=30").json()
    assert len(body["dates"]) == 30 and body["dates"][-1] == today.isoformat()
    assert all(lo <= m <= hi for lo, m, hi in zip(body["lower"], body["mean"], body["upper"], strict=True))
    bad = api_client(Role.OPERATOR).get("/api/surveillance/rt?disease=dengue&si_mean=0.5")
    assert bad.status_code == 422

