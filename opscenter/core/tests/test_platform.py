"""Platform surface: health check, OpenAPI docs, audit trail of organisation writes."""

import pytest

from opscenter.core.models import AuditLog


@pytest.mark.django_db
def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_openapi_schema_lists_the_api(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/reporting/reports" in paths and "/api/alerts/{alert_id}/acknowledge" in paths
    assert client.get("/api/docs").status_code == 200


def test_unit_and_user_creation_are_audited(city):
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"org.unit.created", "org.user.created"} <= actions
    entry = AuditLog.objects.filter(action="org.unit.created", unit_code="BV-A").get()
    assert entry.actor_label == "test" and entry.data["beds"] == {"icu": 20, "emergency": 30}


def test_unit_scope_is_a_tree(city):
    assert city.department.contains(city.hospital_a)
    assert not city.hospital_a.contains(city.hospital_b)
    assert set(city.department.descendants_and_self()) == {
        city.department, city.hospital_a, city.hospital_b, city.emergency_center,
    }
