"""No lost update: an edit (web form or API) started from an older version than the stored one is refused
with what changed since, instead of silently reverting the newer values; saving again is deliberate."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest

from opscenter.org.roles import Role
from opscenter.reporting.models import Report
from opscenter.testing import full_report, report_payload

pytestmark = pytest.mark.django_db

# What another channel (a hospital system over the API) changes while the form is open: 11 values.
THEIRS = {"er_visits": 150, "er_waiting_for_bed": 7, "admissions": 52, "discharges": 41, "transfers_out": 5,
          "deaths": 2, "cases_dengue": 6, "cases_hfmd": 3, "cases_ari": 9, "cases_influenza": 4,
          "ventilators_in_use": 6}


class _Inputs(HTMLParser):
    """The values a browser would post back: every named input and textarea of the report form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit",):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "option" and "selected" in a and self._select:
            self.values[self._select] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.strip()

    _select: str | None = None


def form_values(html: str) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(html)
    values = parser.values
    values.pop("csrfmiddlewaretoken", None)
    values.pop("data_set_choice", None)
    return values


def api_post(client, payload, **headers):
    return client.post("/api/reporting/reports", payload, content_type="application/json", **headers)


def versions(unit: str = "BV-A") -> list[Report]:
    return list(Report.objects.filter(unit__code=unit).order_by("version"))


def open_form(client, period: dt.date, unit: str = "BV-A") -> dict[str, str]:
    response = client.get(f"/reporting/submit/?unit={unit}&period={period.isoformat()}")
    assert response.status_code == 200
    return form_values(response.content.decode())


# --- the web form -------------------------------------------------------------------------------

def test_a_stale_form_save_is_refused_showing_what_changed_and_saving_again_keeps_both(api_client, today):
    reporter, system = api_client(Role.REPORTER), api_client(Role.REPORTER)
    assert api_post(system, report_payload()).status_code == 201  # version 1
    data = open_form(reporter, today)
    assert data["base"] == f"BV-A|{today.isoformat()}|1"
    assert data["values.er_visits"] == "120"

    assert api_post(system, report_payload(**THEIRS)).status_code == 201  # version 2 while the form is open
    data |= {"values.beds_icu_occupied": "15", "values.beds_icu_available": "5"}  # what this person edits
    refused = reporter.post("/reporting/submit/", data)

    assert refused.status_code == 409
    assert [r.version for r in versions()] == [1, 2] and versions()[-1].values["er_visits"] == 150
    html = refused.content.decode()
    assert 'id="edit-conflict"' in html
    for code, value in THEIRS.items():  # each change: the field, its value then, stored now
        row = html.split(f'data-field="values.{code}"', 1)[1].split("</tr>", 1)[0]
        assert f">{full_report()[code]}<" in row and f">{value}<" in row
    again = form_values(html)
    assert again["base"] == f"BV-A|{today.isoformat()}|2"
    assert {code: again[f"values.{code}"] for code in THEIRS} == {c: str(v) for c, v in THEIRS.items()}
    assert again["values.beds_icu_occupied"] == "15"  # the edit is kept
    assert 'class="field-error"' not in html  # nobody else touched the beds: nothing to reconcile

    saved = reporter.post("/reporting/submit/", again)  # deliberate: based on the stored version now
    assert saved.status_code == 302
    current = versions()[-1]
    assert current.version == 3
    assert current.values == full_report(**THEIRS, beds_icu_occupied=15, beds_icu_available=5)


def test_a_field_both_changed_keeps_the_edit_and_marks_it(api_client, today):
    reporter, system = api_client(Role.REPORTER), api_client(Role.REPORTER)
    api_post(system, report_payload())
    data = open_form(reporter, today)
    api_post(system, report_payload(er_visits=150))
    data["values.er_visits"] = "133"
    refused = reporter.post("/reporting/submit/", data)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert form_values(html)["values.er_visits"] == "133"
    assert 'class="field-error" data-field="values.er_visits"' in html and "150" in html
    assert versions()[-1].values["er_visits"] == 150


def test_a_form_opened_before_anything_was_stored_does_not_overwrite_what_came_since(api_client, today):
    reporter, system = api_client(Role.REPORTER), api_client(Role.REPORTER)
    data = open_form(reporter, today)
    assert data["base"] == f"BV-A|{today.isoformat()}|0"
    data |= {f"values.{c}": str(v) for c, v in full_report().items()}
    api_post(system, report_payload(**THEIRS))
    refused = reporter.post("/reporting/submit/", data)
    assert refused.status_code == 409
    assert [r.version for r in versions()] == [1]


def test_values_loaded_for_another_day_do_not_overwrite_that_days_report(api_client, today):
    reporter = api_client(Role.REPORTER)
    yesterday = today - dt.timedelta(days=1)
    api_post(reporter, report_payload(period=yesterday, **THEIRS))
    data = open_form(reporter, today)  # loaded for today (nothing stored), then the period is switched
    data |= {f"values.{c}": str(v) for c, v in full_report().items()}
    data["period"] = yesterday.isoformat()
    assert reporter.post("/reporting/submit/", data).status_code == 409
    assert [r.values["er_visits"] for r in versions()] == [150]


def test_a_form_based_on_the_current_version_saves(api_client, today):
    reporter = api_client(Role.REPORTER)
    api_post(reporter, report_payload())
    data = open_form(reporter, today)
    data["values.er_visits"] = "99"
    assert reporter.post("/reporting/submit/", data).status_code == 302
    assert [r.values["er_visits"] for r in versions()] == [120, 99]
    # the same form posted again (back button, double click) is stale now: refused, not a third version
    data["values.er_visits"] = "98"
    assert reporter.post("/reporting/submit/", data).status_code == 409
    assert len(versions()) == 2


# --- the JSON API -------------------------------------------------------------------------------

def test_api_edit_from_an_older_version_is_a_409_listing_the_changes(api_client):
    client = api_client(Role.REPORTER)
    api_post(client, report_payload())
    api_post(client, report_payload(er_visits=150))
    response = api_post(client, {**report_payload(icu_occupied=15, beds_icu_available=5), "base_version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["base_version"] == 1 and body["current_version"] == 2
    assert body["changes"] == [{"field": "values.er_visits", "base": 120, "stored": 150, "yours": 120}]
    assert len(versions()) == 2

    ok = api_post(client, {**report_payload(icu_occupied=15, beds_icu_available=5, er_visits=150),
                           "base_version": 2})
    assert ok.status_code == 201 and ok.json()["report"]["version"] == 3


def test_api_if_match_header_names_the_base_version(api_client):
    client = api_client(Role.REPORTER)
    api_post(client, report_payload())
    api_post(client, report_payload(er_visits=150))
    assert api_post(client, report_payload(er_visits=1), HTTP_IF_MATCH='"1"').status_code == 409
    assert api_post(client, report_payload(er_visits=1), HTTP_IF_MATCH='W/"2"').status_code == 201
    bad = api_post(client, report_payload(er_visits=2), HTTP_IF_MATCH="yesterday")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "If-Match"


def test_api_base_version_zero_means_nothing_stored_yet(api_client):
    client = api_client(Role.REPORTER)
    assert api_post(client, {**report_payload(), "base_version": 0}).status_code == 201
    clash = api_post(client, {**report_payload(er_visits=1), "base_version": 0})
    assert clash.status_code == 409
    assert {c["field"] for c in clash.json()["changes"]} == {f"values.{c}" for c in full_report()}


def test_api_stale_base_with_the_stored_values_is_no_conflict(api_client):
    """A retry of an edit that was stored (the answer lost on the way) changes nothing and succeeds."""
    client = api_client(Role.REPORTER)
    api_post(client, report_payload())
    api_post(client, {**report_payload(er_visits=150), "base_version": 1})
    retry = api_post(client, {**report_payload(er_visits=150), "base_version": 1})
    assert retry.status_code == 200 and retry.json()["created"] is False


def test_api_batch_names_the_stale_item_and_stores_nothing(api_client, today):
    client = api_client(Role.REPORTER)
    yesterday = today - dt.timedelta(days=1)
    api_post(client, report_payload(period=yesterday))
    api_post(client, report_payload(period=yesterday, er_visits=150))
    batch = {"reports": [{**report_payload(), "base_version": 0},
                         {**report_payload(period=yesterday, er_visits=3), "base_version": 1}]}
    response = client.post("/api/reporting/reports/batch", batch, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["changes"][0]["field"] == "[1].values.er_visits"
    assert Report.objects.filter(period=today).count() == 0
