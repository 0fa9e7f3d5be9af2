"""The alert list's query filters, through HTTP: each narrows the scoped list; a bad value is a 422 naming it."""

from __future__ import annotations

from opscenter.alerts import services
from opscenter.org.roles import Role
from opscenter.testing import listed, refused

from .factories import AlertFactory

URL = "/api/alerts"


def test_each_filter_narrows_the_list_and_scope_comes_first(city, api_client):
    a = AlertFactory(unit=city.hospital_a, source="vision")
    b = AlertFactory(unit=city.hospital_b, source="test")
    done = AlertFactory(unit=city.hospital_b, source="test")
    services.resolve(city.user(Role.OPERATOR), done)
    operator = api_client(Role.OPERATOR)

    def ids(**params):
        return {x["id"] for x in listed(operator, URL, **params)}

    assert ids() == {a.pk, b.pk, done.pk}
    assert ids(status="resolved") == {done.pk}
    assert ids(open="true") == {a.pk, b.pk}
    assert ids(open="false") == {done.pk}
    assert ids(unit="BV-B") == {b.pk, done.pk}
    assert ids(source="vision") == {a.pk}
    assert ids(unit="BV-B", open="true") == {b.pk}
    assert ids(status="") == ids()  # a blank filter (from a form) filters nothing
    # a hospital's manager filtering on another hospital sees nothing of it
    assert listed(api_client(Role.HOSPITAL_MANAGER, "A"), URL, unit="BV-B") == []


def test_bad_filter_values_are_refused_by_name(city, api_client):
    operator = api_client(Role.OPERATOR)
    assert "status" in refused(operator, URL, status="a\x00b")
    assert "unit" in refused(operator, URL, unit="x" * 201)
    assert "open" in refused(operator, URL, open="maybe")


def test_the_list_page_filters_with_its_form(city, api_client):
    AlertFactory(unit=city.hospital_a, source="vision", severity="critical", title="Cổng đông người")
    b = AlertFactory(unit=city.hospital_b, source="test", title="Phòng chờ quá tải")
    services.resolve(city.user(Role.OPERATOR), b)
    operator = api_client(Role.OPERATOR)

    def shown(query: str = "") -> int:
        return operator.get(f"/alerts/{query}").content.decode().count("data-alert-id=")

    assert shown() == 2
    assert shown("?status=open") == 1 and shown("?status=resolved") == 1
    assert shown("?severity=critical") == 1 and shown("?source=test") == 1 and shown("?unit=BV-B") == 1
    assert shown("?unit=BV-A&status=resolved") == 0
    assert shown("?status=&severity=") == 2
    refused_page = operator.get("/alerts/?status=bogus&unit=BV-A").content.decode()
    assert refused_page.count("data-alert-id=") == 2  # a refused value filters nothing, and says why
    assert 'aria-describedby="id_status_error"' in refused_page and 'class="field-error"' in refused_page
    # the unit choices are the units of the alerts in scope
    assert "BV-B" not in api_client(Role.HOSPITAL_MANAGER, "A").get("/alerts/").content.decode()
