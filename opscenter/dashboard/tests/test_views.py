"""The operations-room pages through HTTP: overview, facility page, exports, the morning briefing PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zlib

import pytest
from django.test import Client
from openpyxl import load_workbook

from opscenter.alerts.models import Alert
from opscenter.alerts.services import AlertCandidate, raise_alert
from opscenter.core.exports import table_response
from opscenter.org.roles import Role
from opscenter.reporting import services
from opscenter.reporting.definitions import BED_TYPES, HOSPITAL_DAILY
from opscenter.reporting.models import DataSet
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


# --- a tiny PDF text extractor (fpdf2 writes Identity-H fonts with ToUnicode maps) -------------

def _stream(body: bytes) -> bytes:
    match = re.search(rb"/Length (\d+)[\s\S]*?stream\r?\n", body)
    if not match:
        return b""
    raw = body[match.end():match.end() + int(match.group(1))]
    return zlib.decompress(raw) if b"/FlateDecode" in body[:match.end()] else raw


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + i)
    return mapping


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:
            out.append(c)
            i += 1
            continue
        n = raw[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif 0x30 <= n <= 0x37:
            digits = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4]).group(0)  # type: ignore[union-attr]
            out.append(int(digits, 8) & 0xFF)
            i += 1 + len(digits)
        else:
            out.append(n)
            i += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    objects = {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}
    cmaps = {
        num: _cmap(_stream(objects[int(m.group(1))]))
        for num, body in objects.items() if (m := re.search(rb"/ToUnicode (\d+) 0 R", body))
    }
    fonts = {name.decode(): cmaps.get(int(num), {}) for name, num in re.findall(rb"/(F\d+) (\d+) 0 R", data)}
    lines = []
    for body in objects.values():
        for content in re.findall(rb"/Contents (\d+) 0 R", body):
            stream = _stream(objects[int(content)])
            font: dict[int, str] = {}
            for m in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
                if m.group(1):
                    font = fonts.get(m.group(1).decode(), {})
                    continue
                raw = _unescape(m.group(2))
                lines.append("".join(font.get(int.from_bytes(raw[i:i + 2], "big"), "?")
                                     for i in range(0, len(raw) - 1, 2)))
    return "\n".join(lines)


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


# --- briefing PDF -----------------------------------------------------------------------------

def test_briefing_pdf_has_city_figures_full_facilities_and_open_alerts(api_client, city, today):
    yesterday = today - dt.timedelta(days=1)
    submit("BV-A", yesterday, **all_beds_at(0.80), er_waiting_for_bed=4)
    submit("BV-A", today, **all_beds_at(0.95), er_waiting_for_bed=12)
    alert(city.hospital_a, "BV A: ICU 95%")
    closed = alert(city.hospital_b, "BV B: old news")
    Alert.objects.filter(pk=closed.pk).update(status=Alert.Status.RESOLVED)

    response = api_client(Role.LEADER, language="vi").get(f"/dashboard/briefing.pdf?date={today.isoformat()}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "BÁO CÁO GIAO BAN BUỔI SÁNG" in text
    assert f"Ngày {today:%d/%m/%Y}" in text
    assert "Hồi sức tích cực (ICU)" in text  # bed types by their Vietnamese names
    assert "95.0 %" in text and "-15" in text  # occupancy now, free ICU beds 20 → 5 since yesterday
    assert "Cơ sở có công suất trên 90%" in text and "BV-A" in text
    assert "BV A: ICU 95%" in text and "BV B: old news" not in text
    assert "+8" in text  # ER waiting 4 → 12


def test_briefing_lists_units_whose_report_is_missing(api_client, today):
    yesterday = today - dt.timedelta(days=1)  # its 10:00 deadline has passed whatever the hour now
    submit("BV-A", yesterday)
    response = api_client(Role.OPERATOR, language="vi").get(f"/dashboard/briefing.pdf?date={yesterday.isoformat()}")
    text = pdf_text(response.content)
    assert "Báo cáo quá hạn / chưa nhận" in text
    assert "BV-B" in text and "Chưa nhận (quá hạn)" in text


def test_briefing_follows_the_language_and_refuses_the_future(api_client, today):
    client = api_client(Role.OPERATOR, language="vi")
    text = pdf_text(client.get("/dashboard/briefing.pdf", HTTP_ACCEPT_LANGUAGE="en").content)
    assert "MORNING BRIEFING" in text
    future = (today + dt.timedelta(days=1)).isoformat()
    assert client.get(f"/dashboard/briefing.pdf?date={future}").status_code == 404
    assert api_client(Role.REPORTER).get("/dashboard/briefing.pdf").status_code == 403


def test_briefing_without_the_daily_data_set_still_renders(api_client):
    DataSet.objects.filter(code=HOSPITAL_DAILY).update(active=False)
    DataSet.objects.filter(code=HOSPITAL_DAILY).update(code="OLD")
    response = api_client(Role.OPERATOR).get("/dashboard/briefing.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_overview_without_facilities_in_scope_still_renders(api_client):
    html = api_client(Role.DISPATCHER).get("/dashboard/").content.decode()
    assert kpi(html, "beds_free_all") == "0"
    assert 'data-kpi="reports_today"' in html and '<div id="map"' in html
