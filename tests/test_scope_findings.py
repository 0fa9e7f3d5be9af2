"""The scope and retention defects found in review, each through HTTP: clearance of documents, hospital scope of
surveillance reads, what a merged case report tells its sender, and what retention leaves behind."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from opscenter.org.roles import Role

pytestmark = pytest.mark.django_db

SECRET = "HOSO-MAT-3107"  # a word only the top-secret document holds


def post(client: Client, url: str, body: dict, **headers) -> object:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def incoming(level: int, summary: str = f"Kế hoạch {SECRET}", **extra) -> dict:
    return {"summary": summary, "number_symbol": "12/KH-UBND", "issuing_body": "UBND Thành phố",
            "issue_date": dt.date.today().isoformat(), "confidentiality": level, **extra}


# ---- 1. documents up to the reader's clearance --------------------------------------------------------------

@pytest.mark.parametrize(("role", "url", "level"), [
    (Role.CLERK, "/api/work/documents/incoming", 3),  # clerk: secret (2) at most
    (Role.OPERATOR, "/api/work/documents/outgoing", 3),  # operator: confidential (1) at most
    (Role.OPERATOR, "/api/work/documents/outgoing", 2),
])
def test_nobody_creates_a_document_above_their_clearance(api_client, role, url, level):
    r = post(api_client(role), url, incoming(level))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "confidentiality"
    assert SECRET not in api_client(Role.ADMIN).get("/api/work/documents").content.decode()  # nothing stored


def test_nobody_creates_above_clearance_with_the_form(api_client):
    clerk = api_client(Role.CLERK)
    form = {k: str(v) for k, v in incoming(3).items()}
    clerk.post("/work/documents/new/in/", form)
    assert SECRET not in api_client(Role.ADMIN).get("/api/work/documents").content.decode()


def test_a_document_above_clearance_is_invisible_whatever_part_one_had_in_it(api_client, city, tmp_path):
    """The administrator registers a top-secret document with a scan; even made its creator and handler, the clerk
    (and the operator) neither list, find, open nor download it; the leader does."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opscenter.work.models import Document

    clerk, leader, admin = api_client(Role.CLERK), api_client(Role.LEADER), api_client(Role.ADMIN)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    r = admin.post("/api/work/files", {"file": SimpleUploadedFile("scan.pdf", pdf, "application/pdf")})
    assert r.status_code in (200, 201), r.content
    file_id = r.json()["id"]
    r = post(admin, "/api/work/documents/incoming", incoming(3, files=[file_id]))
    assert r.status_code == 201, r.content
    doc = r.json()["id"]
    # The clerk becomes its handler (as an old assignment would have made them): still nothing.
    Document.objects.filter(pk=doc).update(handler=city.user(Role.CLERK), created_by=city.user(Role.CLERK))
    for role in (Role.CLERK, Role.OPERATOR):
        client = api_client(role)
        assert client.get(f"/api/work/documents/{doc}").status_code == 404
        for url in ("/api/work/documents", "/api/work/documents?q=ke+hoach", "/work/documents/",
                    "/work/documents/?q=ke+hoach", "/work/"):
            body = client.get(url).content.decode()
            assert SECRET not in body, (role, url)
        assert client.get(f"/work/documents/{doc}/").status_code == 404
        assert client.get(f"/work/files/{file_id}/").status_code == 404
    # The file's uploader is no exception either.
    r = clerk.post("/api/work/files", {"file": SimpleUploadedFile("mine.pdf", pdf + b"%x\n", "application/pdf")})
    mine = r.json()["id"]
    Document.objects.get(pk=doc).files.add(mine)
    assert clerk.get(f"/work/files/{mine}/").status_code == 404
    assert leader.get(f"/api/work/documents/{doc}").status_code == 200
    assert SECRET in leader.get("/api/work/documents?q=ke+hoach").content.decode()
    assert leader.get(f"/work/files/{file_id}/").status_code == 200


# ---- 2. surveillance reads in a hospital's scope ------------------------------------------------------------

@pytest.fixture
def two_hospitals(city, today):
    """Daily reports and cases at both hospitals, and a forecast run."""
    from opscenter.surveillance import services
    from opscenter.testing import load_daily_history

    load_daily_history(today, "BV-A", days=60)
    load_daily_history(today, "BV-B", days=60)
    for facility, n in (("BV-A", 2), ("BV-B", 3)):
        for i in range(n):
            services.report_case("test", services.CaseInput(
                disease="dengue", onset_date=today, report_date=today, age_years=30, ward="W-CL",
                facility=facility, classification="suspected", patient_id=f"{facility}-{i}"))
    services.run_forecasts(today)
    return city


def test_a_hospital_sees_only_its_own_series(api_client, two_hospitals, today):
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    since, until = (today - dt.timedelta(days=30)).isoformat(), today.isoformat()
    reads = {
        "forecasts": manager.get("/api/surveillance/forecasts").json(),
        "forecasts of B": manager.get("/api/surveillance/forecasts?unit=BV-B").json(),
        "report counts": manager.get(f"/api/surveillance/report-counts?disease=dengue&date_from={since}"
                                     f"&date_to={until}").json(),
        "counts": manager.get(f"/api/surveillance/counts?date_from={since}&date_to={until}&group=facility").json(),
        "signals": manager.get("/api/surveillance/signals").json(),
    }
    assert "BV-B" not in json.dumps(reads)
    assert reads["forecasts"] and {f["unit"] for f in reads["forecasts"]} == {"BV-A"}
    assert reads["forecasts of B"] == []
    assert {r["facility"] for r in reads["report counts"]} == {"BV-A"}
    assert sum(r["count"] for r in reads["counts"]) == 2  # BV-A's cases only
    ward = manager.get(f"/api/surveillance/incidence?disease=dengue&date_to={until}").json()
    assert sum(w["cases"] for w in ward) == 2
    assert manager.get("/api/surveillance/forecasts/hospital/BV-B").status_code == 404
    page = manager.get("/surveillance/forecasts/").content.decode()
    assert "BV-B" not in page and "cases:" not in page  # neither B's series nor the city's case series
    # The department sees every series.
    operator = api_client(Role.OPERATOR)
    units = {f["unit"] for f in operator.get("/api/surveillance/forecasts").json()}
    assert {"BV-A", "BV-B", None} <= units
    counts = operator.get(f"/api/surveillance/counts?date_from={since}&date_to={until}").json()
    assert sum(r["count"] for r in counts) == 5


# ---- 3. a merged case report tells nothing of the other facility's case -------------------------------------

def case(facility: str, today: dt.date, **extra) -> dict:
    return {"disease": "dengue", "onset_date": (today - dt.timedelta(days=2)).isoformat(),
            "report_date": today.isoformat(), "age_years": 7, "ward": "W-CL", "facility": facility,
            "classification": "suspected", "sex": "male", "patient_id": "079123456789", **extra}


def test_a_report_merged_into_another_hospitals_case_learns_nothing_of_it(api_client, city, today):
    first = post(api_client(Role.REPORTER, "A"), "/api/surveillance/cases",
                 case("BV-A", today, classification="confirmed", sex="female", age_years=68))
    assert first.status_code == 201
    known = first.json()["case"]
    reporter_b = api_client(Role.REPORTER, "B")
    mine = case("BV-B", today)
    for r in (post(reporter_b, "/api/surveillance/cases", mine),
              post(reporter_b, "/api/surveillance/cases/batch", {"cases": [mine, case("BV-B", today)]})):
        assert r.status_code == 200, r.content
        for result in (r.json() if isinstance(r.json(), list) else [r.json()]):
            assert result["merged"] and not result["created"]
            assert result["detail"] == "merged with an existing case"
            got = result["case"]
            assert got["id"] is None and got["version"] is None
            assert got["facility"] == "BV-B" and got["classification"] == "suspected" and got["sex"] == "male"
            assert got["age_group"] == "5-14"
            assert "BV-A" not in json.dumps(result) and "confirmed" not in json.dumps(result)
    # The same facility merging into its own case sees it.
    again = post(api_client(Role.REPORTER, "A"), "/api/surveillance/cases", case("BV-A", today, outcome="recovered"))
    assert again.json()["case"]["id"] == known["id"]
    # The case form says the same, without the case's number.
    form = case("BV-B", today)
    page = reporter_b.post("/surveillance/cases/new/", form, follow=True).content.decode()
    assert f"#{known['id']}" not in page


def test_a_fhir_bundle_merged_into_another_hospitals_case_gets_no_location(api_client, city, today):
    post(api_client(Role.REPORTER, "A"), "/api/surveillance/cases", case("BV-A", today))
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [
        {"fullUrl": "urn:uuid:p1", "resource": {
            "resourceType": "Patient", "gender": "male", "birthDate": "2018-01-01",
            "identifier": [{"value": "079123456789"}], "address": [{"district": "W-CL"}]}},
        {"resource": {"resourceType": "Condition", "subject": {"reference": "urn:uuid:p1"},
                      "code": {"coding": [{"system": "urn:opscenter:disease", "code": "dengue"}]},
                      "onsetDateTime": (today - dt.timedelta(days=1)).isoformat()}}]}
    from opscenter.org import services as org

    _token, key = org.issue_token("test", city.user(Role.REPORTER, "B"), "his")
    r = Client().post("/surveillance/fhir/Bundle", json.dumps(bundle), content_type="application/fhir+json",
                      HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200, r.content
    entry = r.json()["entry"][0]["response"]
    assert "location" not in entry and entry["status"] == "200 OK"
    assert entry["outcome"]["issue"][0]["diagnostics"] == "merged with an existing case"


# ---- 4. retention erases what was copied ---------------------------------------------------------------------

PHONE, NATIONAL_ID = "0909 555 777", "079188001122"


def test_115_retention_erases_the_callers_data_wherever_it_was_copied(api_client, city, settings):
    from opscenter.core.models import AuditLog
    from opscenter.emergency import tasks
    from opscenter.emergency.models import Incident

    settings.EMERGENCY_PERSONAL_DATA_DAYS = 0
    dispatcher = api_client(Role.DISPATCHER)
    r = post(dispatcher, "/api/emergency/incidents", {
        "chief_complaint": "Ngã cầu thang", "priority": 2, "latitude": 10.76, "longitude": 106.66,
        "caller_phone": PHONE, "notes": f"Người gọi CCCD {NATIONAL_ID}"})
    code = r.json()["incident"]["code"]
    assert post(dispatcher, f"/api/emergency/incidents/{code}/notes",
                {"text": f"Gọi lại {PHONE}"}).status_code == 201
    assert post(dispatcher, f"/api/emergency/incidents/{code}/cancel",
                {"reason": f"Người nhà ({PHONE}, CCCD {NATIONAL_ID}) tự đưa đi"}).status_code == 200
    incident = Incident.objects.get(code=code)
    Incident.objects.filter(pk=incident.pk).update(ended_at=incident.ended_at - dt.timedelta(days=1))

    def everything() -> str:
        detail = dispatcher.get(f"/api/emergency/incidents/{code}").content.decode()
        page = dispatcher.get(f"/emergency/incidents/{code}/").content.decode()
        log = json.dumps(list(AuditLog.objects.values("data")))
        return detail + page + log

    assert PHONE in everything() and NATIONAL_ID in everything()
    tasks.apply_retention.apply().get()
    kept = everything()
    assert PHONE not in kept and NATIONAL_ID not in kept
    timeline = dispatcher.get(f"/api/emergency/incidents/{code}").json()["timeline"]
    assert [e["action"] for e in timeline][-1] == "cancelled"  # what happened, and when, stays


def test_surveillance_retention_erases_the_reasons_written_about_a_patient(api_client, city, today, settings):
    from opscenter.core.models import AuditLog
    from opscenter.surveillance import tasks

    settings.SURVEILLANCE_PERSONAL_DATA_DAYS = 30
    old = today - dt.timedelta(days=40)
    reporter = api_client(Role.REPORTER)
    r = post(reporter, "/api/surveillance/cases", {**case("BV-A", old), "onset_date": old.isoformat(),
                                                   "patient_name": "Trần Thị B"})
    case_id = r.json()["case"]["id"]
    assert post(reporter, f"/api/surveillance/cases/{case_id}/corrections", {
        "changes": {"age_years": 8}, "reason": f"Sai tuổi, CCCD {NATIONAL_ID}"}).status_code == 200
    assert post(reporter, f"/api/surveillance/cases/{case_id}/cancel",
                {"reason": f"Trùng, gọi {PHONE}"}).status_code == 200
    epi = api_client(Role.EPIDEMIOLOGIST)

    def everything() -> str:
        history = epi.get(f"/api/surveillance/cases/{case_id}/history").content.decode()
        return history + json.dumps(list(AuditLog.objects.values("data")), ensure_ascii=False)

    assert NATIONAL_ID in everything() and PHONE in everything()
    assert tasks.erase_expired_personal_data.apply().get() == 1
    kept = everything()
    assert NATIONAL_ID not in kept and PHONE not in kept and "Trần Thị B" not in kept


def test_camera_retention_leaves_no_copy_of_a_face(city, settings, tmp_path):
    """An update message repeats the event's state before it, face crop included: that copy must not outlive the
    face crop's retention (it must not be kept at all)."""
    import base64

    import cv2
    import numpy as np

    from opscenter.vision import services
    from opscenter.vision.models import EventMessage
    from opscenter.vision.tests.conftest import camera_json

    settings.MEDIA_ROOT = tmp_path / "media"
    services.save_camera("test", camera_json("CAM-F"))
    jpeg = base64.b64encode(cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))[1].tobytes()).decode()
    start = dt.datetime.now(dt.UTC).timestamp() - 90 * 86400
    state = {"id": "ev-face", "camera": "CAM-F", "kind": "watchlist", "label": "face", "score": 0.9,
             "start_time": start, "frame_time": start,
             "data": {"entry_id": None, "name": "x", "distance": 0.3, "face_crop": jpeg}}
    services.ingest(None, {"message_id": "message-1", "type": "new", "before": None, "after": state})
    services.ingest(None, {"message_id": "message-2", "type": "update", "before": state,
                           "after": {**state, "frame_time": start + 1}})
    services.purge_expired()
    stored = json.dumps(list(EventMessage.objects.values("payload")))
    assert jpeg not in stored
