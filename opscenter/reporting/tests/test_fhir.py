"""The FHIR R4 endpoint: CapabilityStatement, MeasureReport in, OperationOutcome on error."""

import json

import pytest

from opscenter.org.roles import Role
from opscenter.org.services import issue_token
from opscenter.reporting.models import Report

pytestmark = pytest.mark.django_db


def measure_report(unit="BV-A", period="2026-01-10", icu=(20, 15, 5), **extra):
    return {
        "resourceType": "MeasureReport", "status": "complete", "type": "summary",
        "measure": "http://example.org/fhir/Measure/HOSP_DAILY",
        "reporter": {"reference": f"Organization/{unit}"},
        "period": {"start": period, "end": period},
        "group": [
            {"code": {"coding": [{"system": "urn:opscenter:bed-type", "code": "icu"}]},
             "population": [
                 {"code": {"coding": [{"code": "numBeds"}]}, "count": icu[0]},
                 {"code": {"coding": [{"code": "numBedsOcc"}]}, "count": icu[1]},
                 {"code": {"coding": [{"code": "numBedsAvail"}]}, "count": icu[2]},
             ]},
            {"code": {"coding": [{"code": "ventilators"}]},
             "population": [{"code": {"coding": [{"code": "numVent"}]}, "count": 8},
                            {"code": {"coding": [{"code": "numVentUse"}]}, "count": 3}]},
            {"code": {"coding": [{"code": "counts"}]},
             "population": [{"code": {"coding": [{"code": "er_waiting_for_bed"}]}, "count": 4}]},
        ],
        **extra,
    }


@pytest.fixture
def token(city):
    return issue_token("test", city.user(Role.REPORTER), "HIS")[1]


def post(client, body, token, **headers):
    return client.post("/fhir/MeasureReport", json.dumps(body), content_type="application/fhir+json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_capability_statement(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    body = response.json()
    assert body["resourceType"] == "CapabilityStatement" and body["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert {"MeasureReport", "Measure", "CodeSystem", "Condition", "Patient"} <= set(resources)
    assert {"create", "read", "search-type"} <= {i["code"] for i in resources["MeasureReport"]["interaction"]}
    assert {"subject", "period", "measure"} <= {p["name"] for p in resources["MeasureReport"]["searchParam"]}
    assert {"transaction", "batch"} == {i["code"] for i in body["rest"][0]["interaction"]}


def test_measure_report_is_stored_through_the_reporting_service(client, token):
    response = post(client, measure_report(), token)
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/fhir+json"
    report = Report.objects.get()
    assert report.source == "fhir" and str(report.period) == "2026-01-10"
    assert report.values == {"beds_icu_total": 20, "beds_icu_occupied": 15, "beds_icu_available": 5,
                             "ventilators_total": 8, "ventilators_in_use": 3, "er_waiting_for_bed": 4}
    body = response.json()
    assert body["resourceType"] == "MeasureReport" and body["id"] == str(report.pk)
    read = client.get(f"/fhir/MeasureReport/{report.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert read.status_code == 200 and read.json()["reporter"]["reference"] == "Organization/BV-A"


def test_invalid_figures_return_an_operation_outcome(client, token):
    response = post(client, measure_report(icu=(10, 15, 0)), token)
    assert response.status_code == 422
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["severity"] == "error"
    assert body["issue"][0]["expression"] == ["MeasureReport.group[0].population[1].count"]
    assert Report.objects.count() == 0


def test_structurally_invalid_resource_names_the_element(client, token):
    body = measure_report()
    body["group"][0]["population"][0]["count"] = "twenty"
    response = post(client, body, token)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["MeasureReport.group[0].population[0].count"]


def test_unknown_group_and_missing_reporter(client, token):
    body = measure_report()
    del body["reporter"]
    body["group"][0]["code"]["coding"][0]["code"] = "helipad"
    issues = post(client, body, token).json()["issue"]
    expressions = {i["expression"][0] for i in issues}
    assert {"MeasureReport.reporter", "MeasureReport.group[0].code"} <= expressions


def test_out_of_scope_and_unauthenticated(client, token):
    assert post(client, measure_report(unit="BV-B"), token).status_code == 403
    response = client.post("/fhir/MeasureReport", json.dumps(measure_report()), content_type="application/fhir+json")
    assert response.status_code == 401 and response.json()["resourceType"] == "OperationOutcome"


def test_resubmission_with_same_identifier_is_idempotent(client, token):
    body = measure_report(identifier=[{"system": "urn:his", "value": "rpt-2026-01-10"}])
    assert post(client, body, token).status_code == 201
    assert post(client, body, token).status_code == 200
    assert Report.objects.count() == 1
