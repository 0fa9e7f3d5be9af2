"""Property-based tests over the whole JSON API (Schemathesis): every operation of /api/openapi.json gets generated
requests, valid and invalid, from several roles, against a small city with one object of each kind, in process
(WSGI). No answer may be a server error, and every documented answer must match its schema.

OPSCENTER_FUZZ_EXAMPLES sets the examples per operation (default sized for CI); generation is derandomized, so a
run is reproducible. Runs on SQLite, and on PostgreSQL when DATABASE_URL is set, like the rest of the suite.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import traceback
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.signals import got_request_exception
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from opscenter.org.roles import Role
from opscenter.testing import full_report

EXAMPLES = int(os.environ.get("OPSCENTER_FUZZ_EXAMPLES", "6"))
ROLES = [Role.OPERATOR, Role.LEADER, Role.REPORTER, Role.HOSPITAL_MANAGER, Role.SECURITY, Role.DISPATCHER,
         Role.EPIDEMIOLOGIST, Role.CLERK, Role.ADMIN]
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass
class Known:
    """Path values that name something that exists, so that generated requests also reach past the 404."""

    by_name: dict[str, list[Any]] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=dict)  # path prefix -> codes

    def values(self, path: str, name: str) -> list[Any]:
        if name == "code":
            return next((v for prefix, v in self.codes.items() if path.startswith(prefix)), [])
        return self.by_name.get(name, [])


def _post(client: Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), (url, response.status_code, response.content[:500])
    return response.json()


def seed(city, api_client, today: dt.date) -> Known:
    """One of each: report (and the alert it raises), directive, document, meeting with an agenda item, incident,
    ambulance, case, camera."""
    from django.apps import apps

    from opscenter.emergency import definitions as emergency_definitions
    from opscenter.emergency import services as emergency
    from opscenter.org import services as org
    from opscenter.org.models import Unit
    from opscenter.surveillance import definitions as surveillance_definitions
    from opscenter.vision import definitions as vision_definitions
    from opscenter.work import definitions as work_definitions

    for definitions in (emergency_definitions, surveillance_definitions, vision_definitions, work_definitions):
        definitions.install(apps)
    operator, reporter = api_client(Role.OPERATOR), api_client(Role.REPORTER, "A")
    dispatcher, clerk = api_client(Role.DISPATCHER), api_client(Role.CLERK)

    _post(reporter, "/api/reporting/reports", {"data_set": "HOSP_DAILY", "unit": "BV-A", "period": str(today),
                                               "values": full_report(icu_total=20, icu_occupied=20)})
    directive = _post(operator, "/api/work/directives", {"title": "Tăng cường trực", "content": "Báo cáo hằng ngày",
                                                         "units": ["BV-A"]})
    document = _post(clerk, "/api/work/documents/incoming", {
        "summary": "V/v phòng chống sốt xuất huyết", "number_symbol": "245/BYT-DP", "issuing_body": "Bộ Y tế",
        "issue_date": str(today)})
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    meeting = _post(operator, "/api/work/meetings", {"title": "Giao ban", "starts_at": start.isoformat(),
                                                     "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
                                                     "online_url": "https://meet.example.org/giao-ban"})
    meeting_id = meeting["meeting"]["id"]
    detail = _post(operator, f"/api/work/meetings/{meeting_id}/agenda", {"title": "Tình hình", "minutes": 15})
    station = org.upsert_unit("test", code="CC115-S1", name="Trạm 1", kind=Unit.Kind.AMBULANCE_STATION,
                              parent=city.emergency_center, latitude=10.758, longitude=106.660)
    emergency.register_ambulance("test", code="AMB-1", station=station.code, equipment="als")
    incident = _post(dispatcher, "/api/emergency/incidents", {
        "chief_complaint": "Đau ngực", "priority": 1, "latitude": 10.7575, "longitude": 106.66, "patients": 1})
    case = _post(reporter, "/api/surveillance/cases", {
        "disease": "dengue", "onset_date": str(today - dt.timedelta(days=2)), "report_date": str(today),
        "age_years": 30, "ward": city.hospital_a.ward.code, "facility": "BV-A", "classification": "confirmed"})
    _post(api_client(Role.SECURITY, "A"), "/api/vision/cameras", {
        "code": "CAM-A1", "unit": "BV-A", "name": "Phòng chờ cấp cứu", "location_kind": "emergency_waiting",
        "stream_url": "rtsp://camera.invalid/1", "width": 640, "height": 360, "fps": 5,
        "zones": [{"name": "waiting", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]],
                   "rules": [{"type": "count", "max_people": 30}]}]})
    alerts = operator.get("/api/alerts").json()["items"]
    return Known(
        by_name={
            "alert_id": [a["id"] for a in alerts], "directive_id": [directive["id"]],
            "task_id": [t["id"] for t in directive["tasks"]], "document_id": [document["id"]],
            "meeting_id": [meeting_id], "item_id": [i["id"] for i in detail["agenda"]],
            "case_id": [c for c in [case["case"]["id"]] if c is not None], "data_set": ["HOSP_DAILY"],
            "unit": ["BV-A"], "period": [str(today)], "fmt": ["pdf", "docx"],
        },
        codes={
            "/api/emergency/incidents/": [incident["incident"]["code"]], "/api/emergency/ambulances/": ["AMB-1"],
            "/api/vision/cameras/": ["CAM-A1"], "/api/reporting/data-sets/": ["HOSP_DAILY"],
            "/api/": ["BV-A", "BV-B"],  # hospitals, facilities, forecasts
        },
    )


@dataclass
class Tally:
    cases: int = 0
    operations: int = 0
    failures: dict[str, list[str]] = field(default_factory=dict)  # operation -> what went wrong (first few)

    def fail(self, label: str, text: str) -> None:
        found = self.failures.setdefault(label, [])
        if len(found) < 3:
            found.append(text)


@pytest.mark.slow
def test_no_server_errors_and_answers_match_the_schema(live_city, api_client, today, settings, tmp_path):
    """Committed data, as in production: thousands of requests must not share one test transaction (on
    PostgreSQL a request that ends its connection would leave the rest of the run inside a dead block)."""
    from opscenter.org.services import issue_token

    city = live_city

    settings.MEDIA_ROOT = tmp_path / "media"
    known = seed(city, api_client, today)
    tokens = {role: issue_token("test", city.user(role, "A"), "fuzz")[1] for role in ROLES}
    app = get_wsgi_application()
    auth = {"Authorization": f"Bearer {tokens[Role.OPERATOR]}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    tally = Tally(operations=len(operations))

    crashes: list[str] = []

    def on_crash(sender: Any, request: Any = None, **kwargs: Any) -> None:
        crashes.append(traceback.format_exc(limit=-6))

    got_request_exception.connect(on_crash)
    try:
        for operation in operations:
            _fuzz(operation, known, tokens, tally, crashes)
    finally:
        got_request_exception.disconnect(on_crash)

    print(f"\nfuzzed {tally.operations} operations, {tally.cases} cases, {EXAMPLES} examples each per mode; "
          f"failing operations: {len(tally.failures)}")
    report = "\n\n".join(f"{label}:\n" + "\n---\n".join(texts) for label, texts in tally.failures.items())
    assert not tally.failures, report


def _fuzz(operation: Any, known: Known, tokens: dict[str, str], tally: Tally, crashes: list[str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @hypothesis_settings(max_examples=EXAMPLES * 2, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy, role=st.sampled_from(ROLES), data=st.data())
    def run(case: Any, role: str, data: st.DataObject) -> None:
        for name in list(case.path_parameters or {}):
            values = known.values(operation.path, name)
            if values and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(values))
        tally.cases += 1
        crashes.clear()
        response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # every failure is collected; the test fails once, listing all
            where = f"as {role}: {case.method} {case.formatted_path} query={case.query} body={case.body!r}"[:1500]
            tally.fail(label, f"{where}\n{exc}\n{''.join(crashes)}"[:6000])

    run()
