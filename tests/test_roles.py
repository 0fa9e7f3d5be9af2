"""Every role against the foundation's surfaces: what it may see and do, and only in its scope."""

import pytest

from opscenter.org.roles import Role
from opscenter.testing import report_payload

# role, where the user sits ("A"/"B" hospital, "-" department or 115), and what it may do on hospital A:
# (see dashboard, submit A's report, list alerts, open the reports page)
MATRIX = [
    (Role.OPERATOR, "-", True, True, True, True),
    (Role.LEADER, "-", True, False, True, True),
    (Role.ADMIN, "-", True, True, True, True),
    (Role.EPIDEMIOLOGIST, "-", True, False, True, True),
    (Role.CLERK, "-", False, False, False, False),
    (Role.DISPATCHER, "-", True, False, True, True),
    (Role.REPORTER, "A", False, True, False, True),
    (Role.REPORTER, "B", False, False, False, True),
    (Role.HOSPITAL_MANAGER, "A", True, True, True, True),
    (Role.HOSPITAL_MANAGER, "B", True, False, True, True),
    (Role.SECURITY, "A", True, False, True, False),
]


@pytest.mark.parametrize(("role", "where", "dashboard", "submit", "alerts", "reports"), MATRIX)
def test_role_matrix(api_client, role, where, dashboard, submit, alerts, reports):
    client = api_client(role, where if where != "-" else "A")
    assert (client.get("/api/dashboard/overview").status_code == 200) is dashboard
    assert (client.get("/dashboard/").status_code == 200) is dashboard
    response = client.post("/api/reporting/reports", report_payload(unit="BV-A"), content_type="application/json")
    assert response.status_code == (201 if submit else 403)
    assert (client.get("/api/alerts").status_code == 200) is alerts
    assert (client.get("/reporting/").status_code == 200) is reports


@pytest.mark.parametrize(("role", "where", "sees"), [
    (Role.OPERATOR, "-", {"BV-A", "BV-B"}),
    (Role.HOSPITAL_MANAGER, "A", {"BV-A"}),
    (Role.HOSPITAL_MANAGER, "B", {"BV-B"}),
    (Role.DISPATCHER, "-", set()),  # the 115 centre's scope holds no hospital
])
def test_dashboard_shows_only_the_scope(api_client, role, where, sees):
    operator = api_client(Role.OPERATOR)
    for unit in ("BV-A", "BV-B"):
        operator.post("/api/reporting/reports", report_payload(unit=unit), content_type="application/json")
    facilities = api_client(role, where if where != "-" else "A").get("/api/dashboard/overview").json()["facilities"]
    assert {f["code"] for f in facilities} == sees


@pytest.mark.parametrize(("role", "where", "lands_on"), [
    (Role.OPERATOR, "-", "/dashboard/"),
    (Role.LEADER, "-", "/dashboard/"),
    (Role.HOSPITAL_MANAGER, "A", "/dashboard/"),
    (Role.REPORTER, "A", "/reporting/submit/"),
    (Role.CLERK, "-", "/work/documents/"),
    (Role.SECURITY, "A", "/vision/"),
    (Role.DISPATCHER, "-", "/emergency/"),
    (Role.EPIDEMIOLOGIST, "-", "/surveillance/"),
])
def test_everyone_starts_where_their_work_is(api_client, role, where, lands_on):
    client = api_client(role, where if where != "-" else "A")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == lands_on
    assert client.get(lands_on).status_code == 200
