"""The pages: who may open them, the form's field errors, the line list's access log, FHIR bundles."""

import datetime as dt

import pytest

from opscenter.core.models import AuditLog
from opscenter.org import services as org
from opscenter.org.roles import Role
from opscenter.surveillance.models import Case

pytestmark = pytest.mark.django_db


def form_data(today, **overrides):
    data = {"facility": "BV-A", "disease": "hfmd", "classification": "suspected",
            "onset_date": (today - dt.timedelta(days=2)).isoformat(), "report_date": today.isoformat(),
            "age_years": "4", "sex": "male", "ward": "W-CL", "outcome": "unknown", "patient_id": "abc"}
    data.update(overrides)
    return data


def test_epidemic_page_for_surveillance_roles_only(api_client):
    assert api_client(Role.OPERATOR).get("/surveillance/").status_code == 200
    assert api_client(Role.EPIDEMIOLOGIST).get("/surveillance/?disease=ari").status_code == 200
    assert api_client(Role.REPORTER).get("/surveillance/").status_code == 403
    assert api_client(Role.SECURITY).get("/surveillance/forecasts/").status_code == 403


def test_case_form_records_and_shows_field_errors(api_client, today):
    client = api_client(Role.REPORTER)
    assert client.get("/surveillance/cases/new/").status_code == 200
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    bad = client.post("/surveillance/cases/new/", form_data(today, onset_date=tomorrow))
    assert bad.status_code == 422 and 'data-field="onset_date"' in bad.content.decode()
    ok = client.post("/surveillance/cases/new/", form_data(today))
    assert ok.status_code == 302 and Case.objects.count() == 1


def test_line_list_is_for_epidemiologists_and_logged(api_client, today):
    api_client(Role.REPORTER).post("/surveillance/cases/new/", form_data(today, patient_name="Trần Văn B"))
    assert api_client(Role.OPERATOR).get("/surveillance/cases/").status_code == 403
    page = api_client(Role.EPIDEMIOLOGIST).get("/surveillance/cases/")
    assert page.status_code == 200 and "Trần Văn B" in page.content.decode()
    case = Case.objects.get()
    detail = api_client(Role.EPIDEMIOLOGIST).get(f"/surveillance/cases/{case.pk}/")
    assert detail.status_code == 200
    assert AuditLog.objects.filter(action="surveillance.case.viewed", object_id=str(case.pk)).count() == 2


def fhir_bundle(today, ward="W-CL"):
    return {
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:p1", "resource": {
                "resourceType": "Patient", "identifier": [{"value": "079300009999"}], "gender": "male",
                "birthDate": "2018-05-01", "name": [{"family": "Lê", "given": ["Minh"]}],
                "address": [{"district": ward}]}},
            {"resource": {
                "resourceType": "Condition", "subject": {"reference": "urn:uuid:p1"},
                "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "B08.4"}]},
                "verificationStatus": {"coding": [{"code": "confirmed"}]},
                "onsetDateTime": (today - dt.timedelta(days=2)).isoformat(), "recordedDate": today.isoformat()}},
        ],
    }


def test_fhir_bundle_reports_a_case_and_errors_are_an_operation_outcome(city, today):
    user = city.user(Role.REPORTER)
    _token, key = org.issue_token("test", user, "his")
    from django.test import Client

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    ok = client.post("/surveillance/fhir/Bundle", fhir_bundle(today), content_type="application/fhir+json", **auth)
    assert ok.status_code == 200, ok.content
    response = ok.json()["entry"][0]["response"]
    case = Case.objects.get()
    assert response["status"] == "201 Created" and response["etag"] == f'W/"{case.version}"'
    assert "location" not in response  # Condition is not read over FHIR: no address that would not resolve
    assert response["outcome"]["issue"][0]["diagnostics"] == f"case {case.pk}"
    assert (case.disease, case.classification, case.age_years, case.facility.code) == ("hfmd", "confirmed", 8, "BV-A")
    again = client.post("/surveillance/fhir/Bundle", fhir_bundle(today), content_type="application/fhir+json", **auth)
    assert again.json()["entry"][0]["response"]["status"] == "200 OK" and Case.objects.count() == 1
    bad = client.post("/surveillance/fhir/Bundle", fhir_bundle(today, ward="NOPE"),
                      content_type="application/fhir+json", **auth)
    assert bad.status_code == 422 and bad.json()["resourceType"] == "OperationOutcome"
    assert bad.json()["issue"][0]["expression"] == ["Bundle.entry[0].resource.address[0].district"]
    anonymous = client.post("/surveillance/fhir/Bundle", fhir_bundle(today), content_type="application/json")
    assert anonymous.status_code == 401
