"""Case reports through the FHIR base: a transaction Bundle at POST /fhir/, partial dates, FHIRPath errors."""

import datetime as dt
import json

import pytest

from opscenter.org import services as org
from opscenter.org.roles import Role
from opscenter.surveillance.models import Case
from opscenter.surveillance.tests.test_views import fhir_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(city, client):
    key = org.issue_token("test", city.user(Role.REPORTER), "his")[1]

    def send(bundle, path="/fhir/"):
        return client.post(path, json.dumps(bundle), content_type="application/fhir+json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")

    return send


def transaction(today, **changes):
    bundle = {**fhir_bundle(today), "type": "transaction"}
    for entry in bundle["entry"]:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
        entry["resource"].update(changes.get(entry["resource"]["resourceType"], {}))
    return bundle


def test_a_transaction_bundle_at_the_base_reports_cases(post, today):
    response = post(transaction(today))
    assert response.status_code == 200, response.content
    assert response.json()["type"] == "transaction-response"
    assert response.json()["entry"][0]["response"]["status"] == "201 Created"
    assert Case.objects.count() == 1


def test_a_birth_year_is_understood_for_the_age(post, today):
    assert post(transaction(today, Patient={"birthDate": "2018"})).status_code == 200
    case = Case.objects.get()
    assert case.age_years == (today - dt.timedelta(days=2) - dt.date(2018, 1, 1)).days // 365.25


@pytest.mark.parametrize("field,value,expression", [
    ("onsetDateTime", "2026-11", "Bundle.entry[1].resource.onsetDateTime"),
    ("recordedDate", "2026", "Bundle.entry[1].resource.recordedDate"),
])
def test_a_partial_onset_or_report_date_is_refused(post, today, field, value, expression):
    response = post(transaction(today, Condition={field: value}))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == [expression]
    assert not Case.objects.exists()


def test_a_service_error_names_the_element_sent(post, today):
    future = (today + dt.timedelta(days=3)).isoformat()
    response = post(transaction(today, Condition={"recordedDate": future}))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Bundle.entry[1].resource.recordedDate"]


def test_a_bundle_of_other_types_or_mixed_entries_is_refused(post, today):
    assert post(fhir_bundle(today), "/fhir/").status_code == 422  # a collection is no transaction
    mixed = transaction(today)
    mixed["entry"].append({"resource": {"resourceType": "MeasureReport", "status": "complete", "type": "summary",
                                        "measure": "HOSP_DAILY", "period": {"start": "2026-01-01"}}})
    response = post(mixed)
    assert response.status_code == 422 and response.json()["issue"][0]["expression"] == ["Bundle.entry"]


@pytest.mark.parametrize("changes,expression", [
    ({"Condition": {"code": {"coding": [{"system": "http://snomed.info/sct", "code": "B05"}]}}},
     "Bundle.entry[1].resource.code"),
    ({"Condition": {"verificationStatus": {"coding": [{"code": "bogus"}]}}},
     "Bundle.entry[1].resource.verificationStatus"),
    ({"Condition": {"verificationStatus": {"coding": [{"code": "refuted"}]}}},
     "Bundle.entry[1].resource.verificationStatus"),
    ({"Condition": {"clinicalStatus": {"coding": [{"code": "gone"}]}}}, "Bundle.entry[1].resource.clinicalStatus"),
    ({"Patient": {"gender": "bogus"}}, "Bundle.entry[0].resource.gender"),
])
def test_codes_are_read_in_their_systems_and_required_bindings_checked(post, today, changes, expression):
    response = post(transaction(today, **changes))
    assert response.status_code == 422, response.content
    assert expression in {i["expression"][0] for i in response.json()["issue"]}
    assert not Case.objects.exists()


def test_the_former_address_checks_the_bundle_type(post, today):
    response = post({**fhir_bundle(today), "type": "bogus"}, "/surveillance/fhir/Bundle")
    assert response.status_code == 422 and response.json()["issue"][0]["expression"] == ["Bundle.type"]
