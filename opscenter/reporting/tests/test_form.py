"""The reporting pages through HTTP: the web form, the versions of a report, the list and completeness."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from opscenter.org.roles import Role
from opscenter.reporting import services
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.reporting.models import Report
from opscenter.testing import full_report

pytestmark = pytest.mark.django_db


def form_data(unit: str = "BV-A", period: dt.date | None = None, **values) -> dict[str, str]:
    from django.utils import timezone

    data = {"data_set": HOSPITAL_DAILY, "unit": unit, "period": (period or timezone.localdate()).isoformat(),
            "comment": ""}
    data |= {f"values.{code}": str(v) for code, v in full_report(**values).items()}
    return data


def field_errors(html: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'class="field-error" data-field="([^"]+)">([^<]*)<', html)}


def stored(unit: str = "BV-A") -> list[Report]:
    return list(Report.objects.filter(unit__code=unit).order_by("version"))


# --- the form ---------------------------------------------------------------------------------

def test_form_offers_the_users_units_and_groups_fields(api_client, today):
    response = api_client(Role.REPORTER, "A", language="vi").get("/reporting/submit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="BV-A"' in html and "BV-B" not in html
    assert f'value="{today.isoformat()}"' in html  # period defaults to today
    for name in ("values.beds_icu_total", "values.beds_icu_occupied", "values.beds_icu_available",
                 "values.er_visits", "values.cases_dengue"):
        assert f'name="{name}"' in html
    assert "Hồi sức tích cực (ICU)" in html  # bed type rows carry the data set's Vietnamese names
    assert "Lượt khám cấp cứu" in html  # DataElement.label
    assert 'class="table bed-grid"' in html
    # beds, equipment, emergency, patient flow, infectious cases, whole hospital, outbreak patients, laboratory
    assert html.count("<fieldset") == 8


def test_occupied_above_total_re_renders_with_the_error_at_the_field(api_client):
    data = form_data(icu_total=10, icu_occupied=12, er_visits=77)
    data["comment"] = "gõ dở"
    response = api_client(Role.REPORTER, "A").post("/reporting/submit/", data)
    assert response.status_code == 422
    html = response.content.decode()
    errors = field_errors(html)
    assert "values.beds_icu_occupied" in errors
    assert "12" in errors["values.beds_icu_occupied"] and "10" in errors["values.beds_icu_occupied"]
    # nothing typed is lost
    assert re.search(r'name="values.beds_icu_occupied" value="12"', html)
    assert re.search(r'name="values.er_visits" value="77"', html)
    assert "gõ dở" in html
    assert stored() == []


def test_a_broken_rule_reads_in_vietnamese_with_its_figures_beside_other_errors(api_client):
    """Every problem at once: a rule broken by two valid values is shown even when another field is wrong."""
    data = form_data(icu_total=220, icu_occupied=999)
    data["values.er_visits"] = "nhiều"
    response = api_client(Role.REPORTER, "A", language="vi").post("/reporting/submit/", data)
    assert response.status_code == 422
    errors = field_errors(response.content.decode())
    assert "values.er_visits" in errors
    rule = errors["values.beds_icu_occupied"]
    assert "Hồi sức tích cực (ICU)" in rule and "(999)" in rule and "(220)" in rule
    assert "không được vượt quá" in rule
    assert "<=" not in rule and "&lt;=" not in rule and "cannot" not in rule


def test_text_instead_of_a_number_is_an_error_at_its_field(api_client):
    data = form_data()
    data["values.er_visits"] = "nhiều"
    response = api_client(Role.REPORTER, "A").post("/reporting/submit/", data)
    assert response.status_code == 422
    assert "values.er_visits" in field_errors(response.content.decode())
    assert 'value="nhiều"' in response.content.decode()
    assert stored() == []


def test_future_period_is_an_error_at_the_period(api_client, today):
    response = api_client(Role.REPORTER, "A").post(
        "/reporting/submit/", form_data(period=today + dt.timedelta(days=1)))
    assert response.status_code == 422
    assert "period" in field_errors(response.content.decode())
    assert stored() == []


def test_valid_report_is_stored_from_the_form_and_redirects_to_its_versions(api_client, city, today):
    client = api_client(Role.REPORTER, "A")
    response = client.post("/reporting/submit/", form_data(icu_occupied=11))
    assert response.status_code == 302
    assert response["Location"] == f"/reporting/{HOSPITAL_DAILY}/BV-A/{today.isoformat()}/"
    [report] = stored()
    assert report.source == Report.Source.FORM
    assert report.submitted_by == city.user(Role.REPORTER, "A")
    assert report.values["beds_icu_occupied"] == 11 and report.version == 1
    page = client.get(response["Location"]).content.decode()
    assert "Report saved as version 1." in page


def test_stored_values_are_filled_in_and_a_correction_adds_a_version(api_client, today):
    client = api_client(Role.REPORTER, "A")
    client.post("/reporting/submit/", form_data(icu_occupied=11))
    html = client.get(f"/reporting/submit/?unit=BV-A&period={today.isoformat()}").content.decode()
    assert re.search(r'name="values.beds_icu_occupied" value="11"', html)
    assert "version 1" in html

    response = client.post("/reporting/submit/", form_data(icu_occupied=13), follow=True)
    assert response.status_code == 200
    assert [r.version for r in stored()] == [1, 2]
    assert [r.is_current for r in stored()] == [False, True]
    html = response.content.decode()
    row = re.search(r'<tr data-code="beds_icu_occupied"[\s\S]*?</tr>', html).group(0)
    assert "row-changed" in row and re.search(r'class="num changed"[^>]*>13<', row) and ">11<" in row


def test_sharp_changes_are_shown_as_warnings(api_client, today):
    services.submit("test", services.Submission(
        data_set=HOSPITAL_DAILY, unit="BV-A", period=today - dt.timedelta(days=1),
        values=full_report(er_visits=100), source="simulator",
    ))
    response = api_client(Role.REPORTER, "A").post("/reporting/submit/", form_data(er_visits=400), follow=True)
    html = response.content.decode()
    assert "Flagged for review" in html and "er_visits" in html
    assert stored()[-1].status == Report.Status.FLAGGED


def test_reporter_cannot_submit_or_see_another_hospitals_report(api_client, today):
    client = api_client(Role.REPORTER, "A")
    response = client.post("/reporting/submit/", form_data(unit="BV-B"))
    assert response.status_code == 422 and "unit" in field_errors(response.content.decode())
    assert stored("BV-B") == []

    api_client(Role.REPORTER, "B").post("/reporting/submit/", form_data(unit="BV-B"))
    assert len(stored("BV-B")) == 1
    assert client.get(f"/reporting/{HOSPITAL_DAILY}/BV-B/{today.isoformat()}/").status_code == 404
    assert "BV-B" not in client.get("/reporting/").content.decode()


def test_roles_without_the_permission_are_refused(api_client):
    assert api_client(Role.DISPATCHER).get("/reporting/submit/").status_code == 403
    assert api_client(Role.SECURITY, "A").get("/reporting/").status_code == 403


def test_submit_form_needs_csrf(city):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(city.user(Role.REPORTER, "A"))
    assert client.post("/reporting/submit/", form_data()).status_code == 403


# --- list and detail --------------------------------------------------------------------------

def submit(unit: str, period: dt.date, **values) -> Report:
    return services.submit("test", services.Submission(
        data_set=HOSPITAL_DAILY, unit=unit, period=period, values=full_report(**values), source="simulator",
    )).report


def test_list_filters_and_exports(api_client, today):
    yesterday = today - dt.timedelta(days=1)
    submit("BV-A", today)
    submit("BV-A", yesterday)
    submit("BV-B", today, deaths=500)  # more deaths than ER visits: flagged
    client = api_client(Role.OPERATOR)
    html = client.get("/reporting/").content.decode()
    assert html.count("data-report-id=") == 3
    html = client.get("/reporting/?status=flagged").content.decode()
    assert html.count("data-report-id=") == 1 and "BV B" in html
    html = client.get(f"/reporting/?unit=BV-A&period_from={today.isoformat()}").content.decode()
    assert html.count("data-report-id=") == 1

    response = client.get("/reporting/?unit=BV-A&format=csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Period"] for r in rows] == [today.isoformat(), yesterday.isoformat()]
    assert rows[0]["beds_icu_occupied"] == "12" and rows[0]["Unit code"] == "BV-A"

    sheet = load_workbook(io.BytesIO(client.get("/reporting/?format=xlsx").content)).active
    assert sheet.max_row == 4


def test_detail_lists_versions_with_who_when_and_source(api_client, city, today):
    submit("BV-A", today, icu_occupied=10)
    client = api_client(Role.REPORTER, "A")
    client.post("/reporting/submit/", form_data(icu_occupied=14, er_visits=130))
    html = client.get(f"/reporting/{HOSPITAL_DAILY}/BV-A/{today.isoformat()}/").content.decode()
    assert 'data-version="1"' in html and 'data-version="2"' in html
    assert "Simulator" in html and "Web form" in html
    assert city.user(Role.REPORTER, "A").username in html
    changed = re.findall(r'<tr data-code="([a-z0-9_]+)" class="row-changed"', html)
    assert sorted(changed) == ["beds_icu_available", "beds_icu_occupied", "er_visits"]
    assert client.get(f"/reporting/{HOSPITAL_DAILY}/BV-A/2000-01-01/").status_code == 404
    assert client.get(f"/reporting/{HOSPITAL_DAILY}/BV-A/not-a-date/").status_code == 404


# --- completeness -----------------------------------------------------------------------------

def test_completeness_for_a_past_day_and_its_exports(api_client, today):
    yesterday = today - dt.timedelta(days=1)
    submit("BV-A", yesterday)  # sent today: after yesterday's deadline
    client = api_client(Role.OPERATOR)
    html = client.get(f"/reporting/completeness/?date={yesterday.isoformat()}").content.decode()
    assert re.search(r'data-unit="BV-A" data-status="late"', html)
    assert re.search(r'data-unit="BV-B" data-status="missing"', html)
    assert html.count('class="cs-cell cs-') >= 2 * 14

    rows = list(csv.reader(io.StringIO(
        client.get(f"/reporting/completeness/?date={yesterday.isoformat()}&format=csv").content.decode("utf-8-sig")
    )))
    assert len(rows[0]) == 5 + 14 and rows[0][-1] == yesterday.isoformat()
    by_unit = {r[0]: r for r in rows[1:]}
    assert by_unit["BV-A"][2] == "Late" and by_unit["BV-B"][2] == "Missing"
    sheet = load_workbook(io.BytesIO(
        client.get(f"/reporting/completeness/?date={yesterday.isoformat()}&format=xlsx").content)).active
    assert sheet.max_row == 3


def test_completeness_is_limited_to_the_scope(api_client):
    html = api_client(Role.REPORTER, "A").get("/reporting/completeness/").content.decode()
    assert 'data-unit="BV-A"' in html and 'data-unit="BV-B"' not in html
