"""The web forms that post what the JSON API takes read it with the same input types: out-of-range years,
numbers that are not numbers or do not fit, and control characters are refused naming the field, never a server
error and never stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from opscenter.org.roles import Role
from opscenter.testing import full_report

DIRECTIVE = {"title": "Tăng cường trực", "content": "Báo cáo hằng ngày", "units": ["BV-A"]}
MEETING = {"title": "Giao ban", "online_url": "https://meet.example.org/a", "starts_at": "2026-12-01T09:00",
           "ends_at": "2026-12-01T10:00"}
DOCUMENT = {"summary": "V/v sốt xuất huyết", "number_symbol": "245/BYT-DP", "issuing_body": "Bộ Y tế",
            "issue_date": "2026-11-20"}
BAD_TIMES = ["0001-01-01T00:00", "9999-12-31T10:00", "tomorrow"]
BAD_IDS = ["abc", "9" * 30, "-1", "1e999"]
BAD_TEXT = ["a\x00b", "a\x1bb"]

CASES = [
    *[("/work/directives/new/", Role.OPERATOR, DIRECTIVE, "deadline", v) for v in BAD_TIMES],
    *[("/work/directives/new/", Role.OPERATOR, DIRECTIVE, f, v) for f in ("alert_id", "document_id") for v in BAD_IDS],
    *[("/work/directives/new/", Role.OPERATOR, DIRECTIVE, f, v) for f in ("title", "content") for v in BAD_TEXT],
    *[("/work/meetings/new/", Role.OPERATOR, MEETING, f, v) for f in ("starts_at", "ends_at") for v in BAD_TIMES],
    *[("/work/meetings/new/", Role.OPERATOR, MEETING, "room_id", v) for v in BAD_IDS],
    *[("/work/meetings/new/", Role.OPERATOR, MEETING, "title", v) for v in BAD_TEXT],
    *[("/work/documents/new/in/", Role.CLERK, DOCUMENT, "issue_date", v) for v in ("0001-01-01", "9999-12-31", "x")],
    *[("/work/documents/new/in/", Role.CLERK, DOCUMENT, "confidentiality", v) for v in BAD_IDS],
    *[("/work/documents/new/in/", Role.CLERK, DOCUMENT, "summary", v) for v in BAD_TEXT],
]


def _stored(url: str) -> int:
    from opscenter.work.models import Directive, Document, Meeting

    model = {"/work/directives/new/": Directive, "/work/meetings/new/": Meeting}.get(url, Document)
    return model.objects.count()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(("url", "role", "base", "field", "value"), CASES,
                         ids=[f"{u} {f}={v!r}" for u, _r, _b, f, v in CASES])
def test_work_forms_refuse_naming_the_field(city, api_client, url, role, base, field, value):
    client = api_client(role)
    client.raise_request_exception = False
    before = _stored(url)
    response = client.post(url, {**base, field: value})
    assert response.status_code == 302, response.status_code  # back to the form, with the reason
    assert _stored(url) == before
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(m.startswith(f"{field}: ") for m in shown), shown


def test_a_work_form_time_is_local_time(city, api_client):
    from opscenter.work.models import Directive

    day = timezone.localdate() + dt.timedelta(days=30)  # a deadline must be ahead
    response = api_client(Role.OPERATOR).post("/work/directives/new/", {**DIRECTIVE, "deadline": f"{day}T17:00"})
    assert response.status_code == 302
    assert Directive.objects.get().deadline == dt.datetime.combine(day, dt.time(10), dt.UTC)


@pytest.mark.parametrize(("field", "value"), [
    ("period", "0001-01-01"), ("period", "9999-12-31"), ("values.beds_icu_total", "1e999"),
    ("values.beds_icu_total", "9" * 30), ("values.beds_icu_total", "nan"), ("values.beds_icu_total", "inf"),
    ("comment", "a\x00b"),
])
def test_the_report_form_refuses_naming_the_field(city, api_client, today, field, value):
    from opscenter.reporting.models import Report

    client = api_client(Role.REPORTER, "A")
    client.raise_request_exception = False
    data = {"data_set": "HOSP_DAILY", "unit": "BV-A", "period": str(today),
            **{f"values.{k}": v for k, v in full_report().items()}, field: value}
    response = client.post("/reporting/submit/", data)
    assert response.status_code in (200, 422), response.status_code  # the form again, with its errors
    assert field in response.context["form"].errors
    assert not Report.objects.exists()


def test_report_list_filters_refuse_year_one(city, api_client):
    client = api_client(Role.OPERATOR)
    client.raise_request_exception = False
    assert client.get("/reporting/", {"period_from": "0001-01-01"}).status_code == 200
    assert client.get("/reporting/completeness/", {"date": "0001-01-01"}).status_code == 200
