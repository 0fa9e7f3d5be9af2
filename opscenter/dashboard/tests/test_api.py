"""The dashboard's data API: overview (map + KPIs), trends and facility history, by scope."""

import datetime as dt

import pytest

from opscenter.org.roles import Role
from opscenter.testing import report_payload


@pytest.fixture
def reported(api_client, today):
    operator = api_client(Role.OPERATOR)
    for unit, occupied in (("BV-A", 20), ("BV-B", 5)):
        for days_ago in (1, 0):
            payload = report_payload(unit=unit, period=today - dt.timedelta(days=days_ago),
                                     icu_total=20, icu_occupied=occupied - days_ago, er_waiting_for_bed=4)
            assert operator.post("/api/reporting/reports", payload, content_type="application/json").status_code == 201


def test_overview_shows_facilities_load_and_kpis(api_client, reported):
    body = api_client(Role.OPERATOR).get("/api/dashboard/overview").json()
    facilities = {f["code"]: f for f in body["facilities"]}
    assert set(facilities) == {"BV-A", "BV-B"}
    a = facilities["BV-A"]
    assert a["reported_today"] is True and a["beds"]["icu"] == {"total": 20, "occupied": 20, "available": 0}
    assert a["latitude"] == pytest.approx(10.757)
    kpis = body["kpis"]
    assert kpis["beds_free"]["icu"] == 0 + 15
    assert kpis["er_waiting"] == 8
    assert (kpis["reports_today"], kpis["reports_expected"]) == (2, 2)
    assert kpis["open_alerts"] >= 1  # hospital A's full ICU raised one


def test_overview_is_limited_to_scope(api_client, reported):
    body = api_client(Role.HOSPITAL_MANAGER, "B").get("/api/dashboard/overview").json()
    assert [f["code"] for f in body["facilities"]] == ["BV-B"]
    assert body["kpis"]["open_alerts"] == 0


@pytest.mark.parametrize(("role", "status"), [
    (Role.OPERATOR, 200), (Role.LEADER, 200), (Role.ADMIN, 200), (Role.HOSPITAL_MANAGER, 200),
    (Role.SECURITY, 200), (Role.DISPATCHER, 200), (Role.REPORTER, 403),
])
def test_overview_permission_for_every_role(api_client, role, status):
    assert api_client(role).get("/api/dashboard/overview").status_code == status


def test_trends_sum_per_day(api_client, reported, today):
    body = api_client(Role.OPERATOR).get("/api/dashboard/trends?days=3").json()
    assert body["dates"][-1] == today.isoformat()
    assert body["series"]["icu_occupied"] == [None, 19 + 4, 20 + 5]
    assert body["series"]["er_waiting"][-1] == 8


def test_facility_history_in_and_out_of_scope(api_client, reported):
    rows = api_client(Role.HOSPITAL_MANAGER, "A").get("/api/dashboard/facilities/BV-A/history").json()
    assert [r["beds"]["icu"]["occupied"] for r in rows] == [19, 20]
    assert [r["beds_occupied"] for r in rows] == [sum(b["occupied"] for b in r["beds"].values()) for r in rows]
    assert all(r["er_visits"] is not None and r["version"] == 1 for r in rows)
    assert api_client(Role.HOSPITAL_MANAGER, "A").get("/api/dashboard/facilities/BV-B/history").status_code == 404


def test_unauthenticated_api_is_refused(client, db):
    assert client.get("/api/dashboard/overview").status_code == 401


def test_interface_is_vietnamese_by_default_and_english_on_request(api_client, reported):
    vi = api_client(Role.OPERATOR, language="vi").get("/dashboard/").content.decode()
    en = api_client(Role.OPERATOR, language="en").get("/dashboard/").content.decode()
    assert 'lang="vi"' in vi and "Cảnh báo" in vi and "Giường trống" in vi
    assert 'lang="en"' in en and "Alerts" in en
    warning = api_client(Role.OPERATOR, language="vi").post(
        "/api/reporting/reports", report_payload(unit="BV-A", er_visits=900), content_type="application/json"
    ).json()["warnings"]
    assert any("Lượt khám cấp cứu" in w for w in warning)


def test_trends_of_past_days_follow_late_reports_and_corrections(api_client, reported, today):
    operator = api_client(Role.OPERATOR)
    before = operator.get("/api/dashboard/trends?days=3").json()["series"]["icu_occupied"]
    assert before == [None, 19 + 4, 20 + 5]  # now cached for the past days
    two_days_ago = today - dt.timedelta(days=2)
    late = report_payload(unit="BV-B", period=two_days_ago, icu_total=20, icu_occupied=7)
    assert operator.post("/api/reporting/reports", late, content_type="application/json").status_code == 201
    fix = report_payload(unit="BV-A", period=today - dt.timedelta(days=1), icu_total=20, icu_occupied=11,
                         er_waiting_for_bed=4)
    assert operator.post("/api/reporting/reports", fix, content_type="application/json").status_code == 201
    after = operator.get("/api/dashboard/trends?days=3").json()["series"]["icu_occupied"]
    assert after == [7, 11 + 4, 20 + 5]
