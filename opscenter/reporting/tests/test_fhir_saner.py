"""HL7 SANER reports, the Measure/CodeSystem definitions and the R4 conformance of the FHIR door, through HTTP.

The reports here are written in the shape of the IG's (http://hl7.org/fhir/uv/saner). The IG's own 206
published example MeasureReports are run too when a copy is at hand (`SANER_EXAMPLES_DIR`, or
`../shared/data/fhir-saner/` beside the repository: see docs/fhir.md); they are not kept in this repository."""

import json
import os
from pathlib import Path

import pytest

from opscenter.org import services as org
from opscenter.org.models import Unit
from opscenter.org.roles import Role
from opscenter.org.services import issue_token
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.reporting.models import DailyBeds, DailyFigures, DataSet, Report
from opscenter.reporting.saner import MEASURES

pytestmark = pytest.mark.django_db

SANER = "http://hl7.org/fhir/uv/saner"
CDC = f"{SANER}/Measure/CDCPatientImpactAndHospitalCapacity"
FEMA = f"{SANER}/Measure/FEMADailyHospitalCOVID19Reporting"
EXAMPLES_DIR = Path(os.environ.get("SANER_EXAMPLES_DIR")
                    or Path(__file__).resolve().parents[3].parent / "shared" / "data" / "fhir-saner")
EXAMPLES = sorted(EXAMPLES_DIR.glob("MeasureReport-*.json"))


def population(code, count=None, role=None):
    coding = [{"system": f"{SANER}/CodeSystem/MeasuredValues", "code": code}]
    if role:
        coding.append({"system": "http://terminology.hl7.org/CodeSystem/measure-population", "code": role})
    absent = {"_count": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                                        "valueCode": "unsupported"}]}}
    return {"code": {"coding": coding}, **({"count": count} if count is not None else absent)}


def group(code, *populations):
    return {"code": {"coding": [{"system": f"{SANER}/CodeSystem/MeasureGroupSystem", "code": code}]},
            "population": list(populations)}


def saner_report(measure, groups, unit="BV-A", day="2026-01-10"):
    return {
        "resourceType": "MeasureReport",
        "meta": {"profile": [f"{SANER}/StructureDefinition/PublicHealthMeasureReport"]},
        "status": "complete", "type": "summary", "measure": measure,
        "subject": {"reference": f"Location/{unit}", "identifier": {"system": "urn:test:locations", "value": unit}},
        "reporter": {"reference": f"Organization/{unit}"},
        "date": f"{day}T00:00:00+07:00", "period": {"start": day, "end": day}, "group": groups,
    }


def cdc(unit="BV-A", day="2026-01-10", icu=(8, 6)):
    """A CDCPatientImpactAndHospitalCapacity report as hospital systems send it; numC19Pats not reported."""
    return saner_report(CDC, [
        group("Beds", population("numTotBeds", 60, "initial-population"), population("numbeds", 52),
              population("numBedsOcc", 40), population("numICUBeds", icu[0]), population("numICUBedsOcc", icu[1])),
        group("Ventilators", population("numVent", 10, "initial-population"), population("numVentUse", 4)),
        group("Encounters", population("numC19HospPats", 7), population("numC19MechVentPats", 2),
              population("numC19HOPats", 1), population("numC19OverflowPats", 3), population("numC19OFMechVentPats", 0),
              population("numC19Died", 1), population("numC19Pats")),
    ], unit, day)


def fema(unit="BV-A", day="2026-01-10"):
    """A FEMADailyHospitalCOVID19Reporting report: the day's tests and the cumulative ones."""
    return saner_report(FEMA, [
        group("positiveIncreasePercent", population("totalOrdersIncrease", None, "initial-population"),
              population("totalTestResultsIncrease", 700, "denominator"),
              population("positiveIncrease", 42, "numerator")),
        group("positivePercent", population("totalOrders", None, "initial-population"),
              population("totalTestResults", 9000, "denominator"), population("positive", 800, "numerator"),
              population("rejected", None, "denominator-exclusion"), population("allReports"),
              population("latestReports")),
    ], unit, day)


@pytest.fixture
def token(city):
    return issue_token("test", city.user(Role.OPERATOR), "HIS")[1]


def post(client, body, token, path="/fhir/MeasureReport"):
    return client.post(path, json.dumps(body), content_type="application/fhir+json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def get(client, path, token, **params):
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_saner_report_is_mapped_onto_the_data_set_and_reaches_the_dashboard(client, token, api_client):
    response = post(client, cdc(), token)
    assert response.status_code == 201, response.content
    report = Report.objects.get(is_current=True)
    assert report.measure == CDC
    assert report.values == {
        "beds_all_total": 60, "beds_inpatient_total": 52, "beds_inpatient_occupied": 40, "beds_icu_total": 8,
        "beds_icu_occupied": 6, "ventilators_total": 10, "ventilators_in_use": 4, "covid19_inpatients": 7,
        "covid19_ventilated": 2, "covid19_hospital_onset": 1, "covid19_overflow": 3,
        "covid19_overflow_ventilated": 0, "covid19_deaths": 1,
    }
    # A population with no element stays with the report, with its data-absent-reason.
    assert report.unmapped == {"Encounters/numC19Pats": "unsupported"}
    row = DailyFigures.objects.get(report=report)
    assert (row.covid19_inpatients, row.covid19_deaths, row.beds_inpatient_total) == (7, 1, 52)
    icu = DailyBeds.objects.get(report=report, bed_type="icu")
    assert (icu.total, icu.occupied, icu.available) == (8, 6, 2)
    operator = api_client(Role.OPERATOR)
    facilities = {f["code"]: f for f in operator.get("/api/dashboard/overview", {"date": "2026-01-10"})
                  .json()["facilities"]}
    assert facilities["BV-A"]["beds"]["icu"] == {"total": 8, "occupied": 6, "available": 2}
    history = operator.get("/api/dashboard/facilities/BV-A/history", {"days": 1100}).json()
    assert history[-1]["covid19_inpatients"] == 7

    read = get(client, f"/fhir/MeasureReport/{report.pk}", token).json()
    assert read["measure"] == CDC
    codes = {p["code"]["coding"][0]["code"] for g in read["group"] for p in g["population"]}
    assert {"numTotBeds", "numICUBeds", "numC19HospPats", "numC19Pats"} <= codes


def test_a_second_measure_of_the_day_adds_its_figures(client, token):
    assert post(client, cdc(), token).status_code == 201
    assert post(client, fema(), token).status_code == 201
    report = Report.objects.get(is_current=True)
    assert report.version == 2 and report.measure == FEMA
    assert report.values["lab_tests_positive"] == 42 and report.values["lab_tests_resulted"] == 700
    assert report.values["beds_icu_total"] == 8  # the CDC figures stay
    assert report.unmapped["positivePercent/totalTestResults"] == 9000
    assert report.unmapped["Encounters/numC19Pats"] == "unsupported"


@pytest.mark.skipif(not EXAMPLES, reason=f"no copy of the IG's published examples at {EXAMPLES_DIR}")
def test_every_published_example_of_the_ig_is_accepted(client, city, token, api_client):
    """The IG's 206 example MeasureReports (CDCPatientImpactAndHospitalCapacity, FEMADailyHospitalCOVID19Reporting),
    sent as published, each by its reporter (made a hospital of the city here)."""
    reports = [json.loads(p.read_text()) for p in EXAMPLES]
    codes = sorted({r["reporter"]["reference"].split("/")[1] for r in reports})
    units = [org.upsert_unit("test", code=code, name=code, kind=Unit.Kind.HOSPITAL, parent=city.department)
             for code in codes]
    DataSet.objects.get(code=HOSPITAL_DAILY).reporting_units.add(*units)
    answers = {p.name: post(client, r, token) for p, r in zip(EXAMPLES, reports, strict=True)}
    assert {name: a.json() for name, a in answers.items() if a.status_code not in (200, 201)} == {}
    supported = [r for r in reports if r["measure"] in {m.url for m in MEASURES.values()}]
    assert len(supported) == len(reports)
    # Each example's ICU beds are on the dashboard of its day.
    operator = api_client(Role.OPERATOR)
    for r in reports[:20]:
        counts = {p["code"]["coding"][0]["code"]: p.get("count") for g in r["group"] for p in g["population"]}
        if counts.get("numICUBeds") is None:
            continue
        day, unit = r["period"]["start"][:10], r["reporter"]["reference"].split("/")[1]
        facilities = {f["code"]: f for f in operator.get("/api/dashboard/overview", {"date": day})
                      .json()["facilities"]}
        assert facilities[unit]["beds"]["icu"]["total"] == counts["numICUBeds"], (unit, day)


def test_an_unknown_measure_is_refused_naming_the_known_ones(client, token):
    body = cdc()
    body["measure"] = f"{SANER}/Measure/CDCHealthcareSupplyReporting"
    response = post(client, body, token)
    assert response.status_code == 422
    issue = response.json()["issue"][0]
    assert issue["expression"] == ["MeasureReport.measure"]
    assert all(m.url in issue["diagnostics"] for m in MEASURES.values())
    assert "Measure/HOSP_DAILY" in issue["diagnostics"]


def test_errors_name_the_population_sent(client, token):
    body = cdc()
    beds = body["group"][0]["population"]
    beds[4]["count"] = beds[3]["count"] + 5  # more occupied ICU beds than ICU beds
    response = post(client, body, token)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["MeasureReport.group[0].population[4].count"]


@pytest.mark.parametrize("field,value,expression", [
    ("status", "bogus", "MeasureReport.status"),
    ("type", "individual", "MeasureReport.type"),
    ("period", {"start": "2020-05"}, "MeasureReport.period.start"),
    ("period", {"start": "2020"}, "MeasureReport.period.start"),
    ("period", {"start": "2020-05-11", "end": "2020-05"}, "MeasureReport.period.end"),
])
def test_bindings_and_partial_dates_are_refused_not_stored(client, token, field, value, expression):
    body = cdc()
    body[field] = value
    response = post(client, body, token)
    assert response.status_code == 422, response.content
    assert expression in {i["expression"][0] for i in response.json()["issue"]}
    assert not Report.objects.exists()


def test_a_code_of_another_system_is_not_read_as_ours(client, token):
    body = {
        "resourceType": "MeasureReport", "status": "complete", "type": "summary",
        "measure": "http://example.org/fhir/Measure/HOSP_DAILY", "reporter": {"reference": "Organization/BV-A"},
        "period": {"start": "2026-01-10", "end": "2026-01-10"},
        "group": [{"code": {"coding": [{"system": "urn:opscenter:bed-type", "code": "icu"}]},
                   "population": [{"code": {"coding": [{"system": "http://loinc.org", "code": "total"}]},
                                   "count": 9}]}],
    }
    response = post(client, body, token)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["MeasureReport.group[0].population[0].code"]


def test_measures_and_code_systems_resolve(client, token):
    ours = client.get("/fhir/Measure/HOSP_DAILY").json()
    assert ours["resourceType"] == "Measure" and ours["url"] == "http://testserver/fhir/Measure/HOSP_DAILY"
    assert {g["code"]["coding"][0]["code"] for g in ours["group"]} >= {"icu", "ventilators", "counts"}
    for measure in MEASURES.values():
        found = client.get("/fhir/Measure", {"url": measure.url}).json()
        assert found["total"] == 1 and found["entry"][0]["resource"]["url"] == measure.url
        assert client.get(f"/fhir/Measure/{measure.name}").json()["name"] == measure.name
    # The canonical of a report of ours resolves.
    stored = post(client, {
        "resourceType": "MeasureReport", "status": "complete", "type": "summary", "measure": "HOSP_DAILY",
        "reporter": {"reference": "Organization/BV-A"}, "period": {"start": "2026-01-10"},
        "group": [{"code": {"coding": [{"code": "counts"}]},
                   "population": [{"code": {"coding": [{"code": "er_visits"}]}, "count": 3}]}],
    }, token).json()
    assert client.get(stored["measure"].removeprefix("http://testserver")).json()["name"] == "HOSP_DAILY"
    bed_types = client.get("/fhir/CodeSystem/bed-type").json()
    assert bed_types["url"] == "urn:opscenter:bed-type" and "icu" in {c["code"] for c in bed_types["concept"]}
    assert client.get("/fhir/CodeSystem", {"url": "urn:opscenter:data-element"}).json()["total"] == 1


def test_search_as_saner_clients_do(client, token):
    for report in (cdc("BV-A", "2026-01-10"), fema("BV-B", "2026-01-11")):
        assert post(client, report, token).status_code == 201
    found = get(client, "/fhir/MeasureReport", token, subject="Location/BV-A", period="2026-01", measure=CDC).json()
    assert found["resourceType"] == "Bundle" and found["type"] == "searchset" and found["total"] == 1
    assert found["entry"][0]["resource"]["reporter"]["reference"] == "Organization/BV-A"
    assert get(client, "/fhir/MeasureReport", token, period="ge2026-01-11").json()["total"] == 1
    assert get(client, "/fhir/MeasureReport", token, period="2026").json()["total"] == 2
    assert get(client, "/fhir/MeasureReport", token, measure=FEMA, subject="BV-A").json()["total"] == 0
    bad = get(client, "/fhir/MeasureReport", token, period="2020-5-x")
    assert bad.status_code == 422 and bad.json()["resourceType"] == "OperationOutcome"


def test_not_found_and_auth_errors_are_operation_outcomes(client, token):
    for path in ("/fhir/MeasureReport/999999", "/fhir/Nothing/1", "/fhir/Measure/NOPE"):
        response = get(client, path, token)
        assert response.status_code == 404 and response.json()["resourceType"] == "OperationOutcome", path
    assert client.get("/fhir/MeasureReport").json()["issue"][0]["code"] == "login"


def test_a_transaction_bundle_of_measure_reports_is_all_or_nothing(client, token):
    entries = [{"resource": r, "request": {"method": "POST", "url": "MeasureReport"}}
               for r in (cdc("BV-A"), cdc("BV-B"))]
    response = post(client, {"resourceType": "Bundle", "type": "transaction", "entry": entries}, token, "/fhir/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "transaction-response"
    assert [e["response"]["status"] for e in body["entry"]] == ["201 Created", "201 Created"]
    entries[1]["resource"]["status"] = "bogus"
    entries[0]["resource"]["period"] = {"start": "2026-01-11"}
    refused = post(client, {"resourceType": "Bundle", "type": "transaction", "entry": entries}, token, "/fhir/")
    assert refused.status_code == 422
    assert refused.json()["issue"][0]["expression"] == ["Bundle.entry[1].resource.status"]
    assert Report.objects.count() == 2


def test_a_batch_bundle_answers_each_entry(client, token):
    good, bad = cdc(), cdc(unit="BV-B")
    bad["group"][0]["population"][0]["count"] = -1
    entries = [{"resource": r, "request": {"method": "POST", "url": "MeasureReport"}} for r in (good, bad)]
    response = post(client, {"resourceType": "Bundle", "type": "batch", "entry": entries}, token, "/fhir/")
    assert response.status_code == 200, response.content
    answers = [e["response"] for e in response.json()["entry"]]
    assert answers[0]["status"] == "201 Created" and answers[1]["status"] == "422"
    assert answers[1]["outcome"]["issue"][0]["expression"] == ["Bundle.entry[1].resource.group[0].population[0].count"]
    assert Report.objects.count() == 1


@pytest.mark.parametrize("make", [cdc, fema])
def test_what_is_read_back_is_accepted_again_as_the_same_report(client, token, make):
    stored = post(client, make(), token).json()
    again = post(client, get(client, f"/fhir/MeasureReport/{stored['id']}", token).json(), token)
    assert again.status_code == 200 and again.json()["meta"]["versionId"] == "1"


def test_a_day_reported_in_two_measures_reads_back_whole_and_is_accepted_again(client, token):
    for report in (cdc(), fema()):
        assert post(client, report, token).status_code == 201
    current = Report.objects.get(unit__code="BV-A", is_current=True)
    read = get(client, f"/fhir/MeasureReport/{current.pk}", token).json()
    again = post(client, read, token)
    assert again.status_code == 200, again.content
    assert Report.objects.get(unit__code="BV-A", is_current=True).version == 2


def test_the_computable_measure_groups_its_populations_otherwise(client, token):
    report = saner_report(f"{SANER}/Measure/ComputableCDCPatientImpactAndHospitalCapacity", [
        group("Encounters", population("numC19Pats", 12)),
        group("AcquiredCovid", population("numC19HospPats", 9), population("numC19HOPats", 1)),
        group("CovidDeaths", population("numC19Pats", 12), population("numC19Died", 2)),
        group("Ventilators", population("numVent", 10), population("numVentUse", 5), population("numVentAvail", 5)),
        group("Beds", population("numTotBeds", 80), population("numTotBedsOcc", 61)),
    ])
    assert post(client, report, token).status_code == 201
    stored = Report.objects.get()
    assert stored.values == {"covid19_inpatients": 9, "covid19_hospital_onset": 1, "covid19_deaths": 2,
                             "ventilators_total": 10, "ventilators_in_use": 5, "beds_all_total": 80,
                             "beds_all_occupied": 61}
    assert stored.unmapped == {"Encounters/numC19Pats": 12, "CovidDeaths/numC19Pats": 12,
                               "Ventilators/numVentAvail": 5}


def test_the_location_of_a_create_is_served_and_scope_is_kept(client, city, token):
    created = post(client, cdc(), token)
    location = created["Location"].removeprefix("http://testserver")
    assert get(client, location, token).json()["id"] == created.json()["id"]
    other = issue_token("test", city.user(Role.REPORTER, "B"), "HIS")[1]
    refused = get(client, location, other)
    assert refused.status_code == 403 and refused.json()["resourceType"] == "OperationOutcome"
    assert get(client, "/fhir/MeasureReport", other).json()["total"] == 0
    assert get(client, location.replace("_history/1", "_history/2"), token).status_code == 404
