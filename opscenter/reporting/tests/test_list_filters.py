"""The report list's query filters, through HTTP: each narrows the scoped list; a bad value is a 422 naming it."""

from __future__ import annotations

import datetime as dt

from opscenter.org.roles import Role
from opscenter.testing import full_report, listed, refused

from .factories import ReportFactory

URL = "/api/reporting/reports"


def test_each_filter_narrows_the_list_and_scope_comes_first(city, api_client, today):
    first = ReportFactory(unit="BV-A", period=today - dt.timedelta(days=2), values=full_report(er_visits=100))
    jump = ReportFactory(unit="BV-A", period=today - dt.timedelta(days=1), values=full_report(er_visits=400))
    other = ReportFactory(unit="BV-B", period=today)
    assert jump.status == "flagged"
    operator = api_client(Role.OPERATOR)

    def ids(**params):
        return {r["id"] for r in listed(operator, URL, **params)}

    assert ids() == {first.pk, jump.pk, other.pk}
    assert ids(unit="BV-B") == {other.pk}
    assert ids(status="flagged") == {jump.pk}
    assert ids(period_from=(today - dt.timedelta(days=1)).isoformat()) == {jump.pk, other.pk}
    assert ids(period_to=(today - dt.timedelta(days=2)).isoformat()) == {first.pk}
    assert ids(period_from=(today - dt.timedelta(days=1)).isoformat(), period_to=today.isoformat(),
               unit="BV-A") == {jump.pk}
    assert ids(data_set="HOSP_DAILY") == ids() and ids(data_set="NO_SUCH_SET") == set()
    assert ids(unit="", status="") == ids()  # blank filters (from a form) filter nothing
    assert listed(api_client(Role.REPORTER, "B"), URL, unit="BV-A") == []


def test_bad_filter_values_are_refused_by_name(city, api_client):
    operator = api_client(Role.OPERATOR)
    assert "period_from" in refused(operator, URL, period_from="2026-13-01")
    assert "period_to" in refused(operator, URL, period_to="9999-12-31")
    assert refused(operator, URL, period_from="2026-11-25", period_to="2026-11-01") == {"period_to"}
    assert "status" in refused(operator, URL, status="a\x00b")
    assert "data_set" in refused(operator, URL, data_set="a\x1bb")


def test_the_list_page_filters_with_its_form(city, api_client, today):
    ReportFactory(unit="BV-A", period=today - dt.timedelta(days=2), values=full_report(er_visits=100))
    ReportFactory(unit="BV-A", period=today - dt.timedelta(days=1), values=full_report(er_visits=400))
    ReportFactory(unit="BV-B", period=today)
    operator = api_client(Role.OPERATOR)

    def shown(**params) -> int:
        return operator.get("/reporting/", params).content.decode().count("data-report-id=")

    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert shown() == 3
    assert shown(unit="BV-B") == 1 and shown(status="flagged") == 1
    assert shown(period_from=yesterday) == 2 and shown(period_to=yesterday) == 2
    assert shown(data_set="HOSP_DAILY", period_from=yesterday, period_to=yesterday) == 1
    assert shown(unit="", status="") == 3
    page = operator.get("/reporting/", {"period_to": "9999-12-31", "unit": "BV-B"}).content.decode()
    assert page.count("data-report-id=") == 3 and 'aria-describedby="id_period_to_error"' in page
    assert shown(data_set="NO_SUCH_SET") == 3  # not one of the choices: refused, so not filtered
