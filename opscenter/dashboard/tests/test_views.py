"""The operations-room pages through HTTP: overview, facility page, exports (the briefing PDF: test_briefing.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from opscenter.alerts.models import Alert
from opscenter.alerts.services import AlertCandidate, raise_alert
from opscenter.core.exports import table_response
from opscenter.org.roles import Role
from opscenter.reporting import services
from opscenter.reporting.definitions import BED_TYPES, HOSPITAL_DAILY
from opscenter.surveillance import tasks as surveillance_tasks
from opscenter.testing import full_report, load_daily_history

pytestmark = pytest.mark.django_db


def submit(unit: str, period: dt.date, **values) -> None:
    services.submit("test", services.Submission(
        data_set=HOSPITAL_DAILY, unit=unit, period=period, values=full_report(**values), source="simulator",
    ))


def all_beds_at(share: float) -> dict[str, int]:
    """Values with every bed type occupied at `share` of 100 beds."""
    values: dict[str, int] = {}
    for bed_type in BED_TYPES:
        occupied = round(100 * share)
        values |= {f"beds_{bed_type}_total": 100, f"beds_{bed_type}_occupied": occupied,
                   f"beds_{bed_type}_available": 100 - occupied}
    return values


def kpi(html: str, name: str) -> str:
    match = re.search(rf'data-kpi="{name}"[\s\S]*?data-value>([^<]*)<', html)
    assert match, f"no KPI tile {name}"
    return match.group(1).strip()


def alert(unit, title: str = "ICU full", severity: str = "critical") -> Alert:
    created, _ = raise_alert(AlertCandidate(
        source="reporting", kind="bed_occupancy", severity=severity, unit=unit, title=title,
        dedup_key=f"test:{unit.code}:{title}",
    ))
    return created


# --- overview ---------------------------------------------------------------------------------

def test_overview_needs_login_and_the_dashboard_permission(api_client):
    response = Client().get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert api_client(Role.REPORTER).get("/dashboard/").status_code == 403


def test_overview_shows_kpis_map_feed_and_table(api_client, city, today):
    submit("BV-A", today, icu_total=20, icu_occupied=12, er_waiting_for_bed=7)
    raised = alert(city.hospital_b, "BV B: ICU 98%")
    response = api_client(Role.OPERATOR).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert kpi(html, "beds_free_icu") == "8"
    assert kpi(html, "beds_free_all") == str(8 + 10 * (len(BED_TYPES) - 1))
    assert kpi(html, "er_waiting") == "7"
    assert kpi(html, "er_visits_today") == "120"
    assert kpi(html, "reports_today") == "1"
    assert kpi(html, "open_alerts") == "1"
    for bed_type in BED_TYPES:
        assert f'data-kpi="beds_free_{bed_type}"' in html
    assert '<div id="map"' in html and 'id="live-status"' in html
    assert "vendor/leaflet/leaflet.js" in html and "vendor/echarts/echarts.min.js" in html
    assert f'data-alert-id="{raised.pk}"' in html and "BV B: ICU 98%" in html
    assert f"/alerts/{raised.pk}/acknowledge/" in html
    table = html[html.index('id="facility-table"'):]
    assert "BV-A" in table and "BV-B" in table and "66%" in table  # 132 of 200 beds occupied
    assert 'id="dashboard-config"' in html and "/events/stream" in html


def test_overview_of_a_hospital_manager_is_limited_to_the_hospital(api_client, today):
    submit("BV-A", today)
    submit("BV-B", today)
    html = api_client(Role.HOSPITAL_MANAGER, "A").get("/dashboard/").content.decode()
    table = html[html.index('id="facility-table"'):]
    assert "BV-A" in table and "BV-B" not in table
    assert kpi(html, "reports_today") == "1"


def test_facility_table_exports_csv_and_xlsx(api_client, today):
    submit("BV-A", today, er_waiting_for_bed=9)
    client = api_client(Role.OPERATOR)
    response = client.get("/dashboard/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 3
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["BV-A"][1] == "BV A" and by_code["BV-A"][4] == "9"
    assert by_code["BV-B"][2] == ""  # no report: no occupancy

    response = client.get("/dashboard/?format=xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert len(values) == 3 and {values[1][0], values[2][0]} == {"BV-A", "BV-B"}


def test_table_response_keeps_vietnamese_and_dates():
    when = dt.datetime(2025, 7, 1, 3, 0, tzinfo=dt.UTC)
    response = table_response("x", ["Tên", "Lúc"], [["Bệnh viện Chợ Rẫy", when]], "csv")
    text = response.content.decode("utf-8-sig")
    assert "Bệnh viện Chợ Rẫy" in text and "2025-07-01 10:00:00" in text  # shown in Ho Chi Minh City time
    workbook = load_workbook(io.BytesIO(table_response("x", ["Lúc"], [[when]], "xlsx").content))
    assert workbook.active["A2"].value == dt.datetime(2025, 7, 1, 10, 0)
    assert table_response("x", ["a"], [], "pdf").status_code == 400


# --- facility page ----------------------------------------------------------------------------

def test_facility_page_shows_identity_latest_report_and_alerts(api_client, city, today):
    submit("BV-A", today, icu_total=20, icu_occupied=12)
    submit("BV-A", today, icu_total=20, icu_occupied=15)  # a correction: version 2
    raised = alert(city.hospital_a, "BV A: ICU 75%")
    response = api_client(Role.OPERATOR).get("/dashboard/facility/BV-A/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bệnh viện A" in html and "Phường Chợ Lớn" in html
    assert "version 2" in html
    assert f"/reporting/{HOSPITAL_DAILY}/BV-A/{today.isoformat()}/" in html
    assert f'data-alert-id="{raised.pk}"' in html
    assert "/api/dashboard/facilities/BV-A/history?days=365" in html
    assert "75%" in html  # ICU 15/20


def test_facility_page_draws_the_latest_forecasts_with_their_backtest(api_client, today):
    client = api_client(Role.HOSPITAL_MANAGER, "A")
    assert 'id="bed-demand"' not in client.get("/dashboard/facility/BV-A/").content.decode()  # none computed yet
    load_daily_history(today)
    surveillance_tasks.compute_forecasts.apply().get()
    html = client.get("/dashboard/facility/BV-A/").content.decode()
    assert 'id="bed-demand"' in html and 'id="chart-demand"' in html
    assert '"forecastUrl": "/api/surveillance/forecasts/hospital/BV-A"' in html
    options = re.findall(r'<option value="(\w+)">', html)
    assert options[0] == "icu" and len(options) > 1  # the ICU, the only bed type filling up, comes first
    row = re.search(r'<tr data-series="hospital:BV-A:beds_icu">(.*?)</tr>', html, re.S)
    assert row and re.search(r"beats naive|loses to naive", row.group(1))
    assert "MASE" in html


def test_facility_outside_the_scope_is_not_found(api_client):
    client = api_client(Role.HOSPITAL_MANAGER, "A")
    assert client.get("/dashboard/facility/BV-A/").status_code == 200
    assert client.get("/dashboard/facility/BV-B/").status_code == 404
    assert client.get("/dashboard/facility/NOPE/").status_code == 404


def test_completeness_link_goes_to_the_reporting_page(api_client, today):
    response = api_client(Role.OPERATOR).get(f"/dashboard/completeness/?date={today.isoformat()}")
    assert response.status_code == 302
    assert response["Location"] == f"/reporting/completeness/?date={today.isoformat()}"


def test_overview_without_facilities_in_scope_still_renders(api_client):
    html = api_client(Role.DISPATCHER).get("/dashboard/").content.decode()
    assert kpi(html, "beds_free_all") == "0"
    assert 'data-kpi="reports_today"' in html and '<div id="map"' in html
