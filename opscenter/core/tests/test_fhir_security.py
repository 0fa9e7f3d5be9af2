"""Every FHIR write endpoint: bearer tokens only (a browser session cannot be made to post), bounded bodies,
and whatever arrives, an answer that is the resource or an OperationOutcome, never a server error."""

import datetime as dt
import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opscenter.core.fhir import MAX_DEPTH
from opscenter.org.roles import Role
from opscenter.org.services import issue_token
from opscenter.reporting.models import Report
from opscenter.reporting.tests.test_fhir import measure_report
from opscenter.surveillance.models import Case
from opscenter.surveillance.tests.test_views import fhir_bundle

WRITES = {"/fhir/MeasureReport": "MeasureReport", "/surveillance/fhir/Bundle": "Bundle"}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


def _valid(path):
    today = dt.date.today()
    return measure_report(period=today.isoformat()) if path == "/fhir/MeasureReport" else fhir_bundle(today)


@pytest.fixture
def key(city):
    return issue_token("test", city.user(Role.REPORTER), "HIS")[1]


def _post(client, path, body, **extra):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(path, data, content_type="application/fhir+json", **extra)


@pytest.mark.parametrize("path", WRITES)
def test_a_browser_session_cannot_post_but_a_bearer_token_can(city, path, key):
    reporter = city.user(Role.REPORTER)
    for client in (Client(enforce_csrf_checks=True), Client()):  # with or without CSRF checks: no key
        client.force_login(reporter)
        response = _post(client, path, _valid(path), HTTP_ORIGIN="https://evil.example")
        assert response.status_code == 401, response.content
        assert response.json()["resourceType"] == "OperationOutcome"
    assert not Report.objects.exists() and not Case.objects.exists()
    response = _post(Client(), path, _valid(path), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code in (200, 201), response.content
    assert Report.objects.exists() or Case.objects.exists()


def test_a_session_may_still_read(city, key, api_client):
    created = _post(Client(), "/fhir/MeasureReport", _valid("/fhir/MeasureReport"), HTTP_AUTHORIZATION=f"Bearer {key}")
    report_id = created.json()["id"]
    read = api_client(Role.OPERATOR).get(f"/fhir/MeasureReport/{report_id}")
    assert read.status_code == 200 and read.json()["resourceType"] == "MeasureReport"


def _nested(depth):
    return b'{"resourceType": "MeasureReport", "x": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize("depth", [MAX_DEPTH, 5_000, 50_000])
def test_a_body_nested_too_deep_is_a_400_outcome(city, key, path, depth):
    response = _post(Client(), path, _nested(depth), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "too-costly"


@pytest.mark.parametrize("path", WRITES)
def test_nesting_within_the_limit_is_read(city, key, path):
    resource = _valid(path)
    resource["extension"] = [{"url": "urn:x", "extension": []}]
    inner = resource["extension"][0]["extension"]
    for _ in range(MAX_DEPTH // 2 - 4):  # each level adds an object and an array
        inner.append({"url": "urn:x", "extension": []})
        inner = inner[0]["extension"]
    response = _post(Client(), path, resource, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code != 400, response.content


@pytest.mark.parametrize("path", WRITES)
def test_a_body_past_the_size_limit_is_a_413_outcome(city, key, path, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    resource = _valid(path)
    resource["text"] = {"status": "generated", "div": "<div>" + "x" * 20_000 + "</div>"}
    response = _post(Client(), path, resource, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 413
    assert response.json()["resourceType"] == "OperationOutcome"


# --- Whatever arrives, the answer is the resource or an OperationOutcome, and never a 5xx. -----------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25,
)


def _check(response, resource_type):
    assert response.status_code < 500, response.content
    body = response.json()
    expected = {"OperationOutcome", resource_type}
    assert body.get("resourceType") in expected, body
    if response.status_code >= 400:
        assert body["resourceType"] == "OperationOutcome" and body["issue"]


@pytest.mark.parametrize("path", WRITES)
def test_any_json_or_bytes_gets_an_outcome(city, key, path):
    client = Client()

    @FUZZ
    @given(body=json_values, typed=st.booleans(), raw=st.none() | st.binary(max_size=200))
    def check(body, typed, raw):
        if raw is not None:
            data = raw
        else:
            data = json.dumps({**body, "resourceType": WRITES[path]} if typed and isinstance(body, dict) else body)
        response = client.post(path, data, content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {key}")
        _check(response, WRITES[path])

    check()


# Well-formed documents with some parts changed at random, so that many reach the services and their checks.
codes = st.sampled_from(["icu", "emergency", "ventilators", "counts", "numBeds", "numBedsOcc", "numBedsAvail",
                         "numVent", "numVentUse", "er_waiting_for_bed", "beds_icu_total", "nope", ""])
recent = dt.date.today()
dates = st.dates(recent - dt.timedelta(days=800), recent + dt.timedelta(days=3)).map(dt.date.isoformat)
days = st.one_of(dates, dates, st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1),
                                            timezones=st.just(dt.UTC)).map(dt.datetime.isoformat),
                 st.sampled_from(["2026", "2026-01", "1900-01-01", "2026-02-30", ""]))
concept = st.fixed_dictionaries({"coding": st.lists(st.fixed_dictionaries(
    {"code": codes}, optional={"system": st.sampled_from(["urn:opscenter:bed-type", "urn:x"])}), max_size=2)},
    optional={"text": codes})
small = st.integers(0, 60)
counts = st.one_of(small, small, small, small, st.integers(-10, 10**12), st.floats(allow_nan=False),
                   st.text(max_size=3))
units = st.sampled_from(["BV-A", "BV-A", "BV-A", "BV-B", "SYT", "NOPE", ""])
beds = st.one_of(st.builds(lambda total, occupied: (total, min(occupied, total), total - min(occupied, total)),
                           st.integers(0, 40), st.integers(0, 40)),
                 st.tuples(counts, counts, counts))
groups = st.fixed_dictionaries({}, optional={
    "code": concept,
    "population": st.lists(st.fixed_dictionaries({}, optional={"code": concept, "count": counts}), max_size=4),
})
report_fields = {
    "status": st.sampled_from(["complete", "pending", "error", "bogus"]),
    "type": st.sampled_from(["summary", "individual", "x"]),
    "measure": st.sampled_from(["Measure/HOSP_DAILY", "Measure/NOPE", "|", "x"]),
    "reporter": st.one_of(units.map(lambda u: {"identifier": {"value": u}}), st.just({"display": "A"})),
    "period": st.fixed_dictionaries({}, optional={"start": days, "end": days}),
    "identifier": st.lists(st.fixed_dictionaries({}, optional={"value": st.text(max_size=8)}), max_size=2),
    "meta": json_values,
}


def _report(day, unit, icu, ventilators, extra_groups, changes):
    doc = measure_report(unit=unit, period=day, icu=icu)
    doc["group"][1]["population"][0]["count"] = ventilators
    doc["group"] += extra_groups
    return {**doc, **changes}


measure_reports = st.builds(
    _report, day=days, unit=units, icu=beds, ventilators=counts, extra_groups=st.lists(groups, max_size=2),
    changes=st.lists(st.sampled_from(sorted(report_fields)), max_size=2, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({k: report_fields[k] for k in keys})),
)


def test_any_measure_report_ish_document_gets_the_resource_or_an_outcome(city, key):
    client = Client()

    @FUZZ
    @given(report=measure_reports, idempotency=st.none() | st.text(min_size=1, max_size=8))
    def check(report, idempotency):
        headers = {"HTTP_IDEMPOTENCY_KEY": idempotency} if idempotency and idempotency.isprintable() else {}
        response = _post(client, "/fhir/MeasureReport", report, HTTP_AUTHORIZATION=f"Bearer {key}", **headers)
        _check(response, "MeasureReport")

    check()


references = st.sampled_from(["urn:uuid:p1", "Patient/1", "", "urn:uuid:nope"])
coded = st.fixed_dictionaries({"coding": st.lists(st.fixed_dictionaries({}, optional={
    "system": st.sampled_from(["http://hl7.org/fhir/sid/icd-10", "urn:opscenter:disease"]),
    "code": st.sampled_from(["B08.4", "A90", "measles", "dengue", "confirmed", "active", "x", ""])}), max_size=2)})
patient_fields = {
    "gender": st.sampled_from(["male", "female", "other", "unknown"]), "birthDate": days,
    "identifier": st.lists(st.fixed_dictionaries({}, optional={"value": st.text(max_size=12)}), max_size=2),
    "name": st.lists(st.fixed_dictionaries({}, optional={"family": st.text(max_size=6),
                                                          "given": st.lists(st.text(max_size=6), max_size=2)}),
                     max_size=2),
    "address": st.lists(st.fixed_dictionaries({}, optional={"district": st.sampled_from(["W-CL", "NOPE", ""])}),
                        max_size=2),
    "deceasedBoolean": st.booleans(),
    "telecom": st.lists(st.fixed_dictionaries({}, optional={"system": st.sampled_from(["phone", "email"]),
                                                            "value": st.text(max_size=10)}), max_size=2),
}
condition_fields = {
    "subject": st.fixed_dictionaries({}, optional={"reference": references}),
    "code": coded, "verificationStatus": coded, "clinicalStatus": coded, "onsetDateTime": days, "recordedDate": days,
    "extension": st.lists(st.fixed_dictionaries({"url": st.sampled_from(
        ["urn:opscenter:reporting-facility", "urn:opscenter:hospitalised", "urn:x"])}, optional={
        "valueString": units, "valueBoolean": st.booleans()}), max_size=3),
}


def _changes(fields):
    return st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({k: fields[k] for k in keys}))


def _bundle(kind, patient, condition, extra):
    doc = fhir_bundle(recent)
    doc["type"] = kind
    doc["entry"][0]["resource"].update(patient)
    doc["entry"][1]["resource"].update(condition)
    doc["entry"] += extra
    return doc


bundles = st.builds(
    _bundle, kind=st.sampled_from(["collection", "transaction", "batch", "x"]),
    patient=_changes(patient_fields), condition=_changes(condition_fields),
    extra=st.lists(st.fixed_dictionaries({}, optional={"resource": json_values}), max_size=1),
)


def test_any_case_bundle_ish_document_gets_a_bundle_or_an_outcome(city, key):
    client = Client()

    @FUZZ
    @given(bundle=bundles)
    def check(bundle):
        _check(_post(client, "/surveillance/fhir/Bundle", bundle, HTTP_AUTHORIZATION=f"Bearer {key}"), "Bundle")

    check()
