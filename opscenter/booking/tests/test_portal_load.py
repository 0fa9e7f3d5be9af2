"""The portal's load of a facility with what its cameras count in its public areas now."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from opscenter.booking.models import CrowdReading
from opscenter.org.roles import Role
from opscenter.reporting import services as reporting
from opscenter.reporting.definitions import HOSPITAL_DAILY
from opscenter.testing import full_report

from .test_portal import beds_at

JSON = "application/json"


def camera(code: str, kind: str, zones: list[dict]) -> dict:
    return {"code": code, "unit": "BV-A", "name": code, "location_kind": kind, "stream_url": "rtsp://camera/1",
            "width": 640, "height": 360, "fps": 5, "zones": zones}


def zone(name: str, limit: int | None = None) -> dict:
    rules = [{"type": "count", "max_people": limit}] if limit else [{"type": "count"}]
    return {"name": name, "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]], "rules": rules}


def count(security: Client, code: str, counts: dict[str, int]) -> None:
    answer = security.post("/api/vision/ingest/counts", {"camera": code, "time": timezone.now().timestamp(),
                                                         "counts": counts}, content_type=JSON)
    assert answer.status_code == 201, answer.content


def portal() -> str:
    return Client(headers={"Accept-Language": "en"}).get("/booking/", {"specialty": "cardiac"}).content.decode()


def test_the_cameras_count_in_the_load_and_a_crowd_makes_a_facility_busy(clinic, api_client, today):
    reporting.submit("test", reporting.Submission(data_set=HOSPITAL_DAILY, unit="BV-A", period=today,
                                                  values=full_report(icu_total=10, icu_occupied=5,
                                                                     **beds_at(0.5)), source="simulator"))
    assert "Not busy" in portal() and "Cameras at" not in portal()

    security = api_client(Role.SECURITY, "A")
    for body in (camera("CAM-GATE", "entrance", [zone("hall", 40), zone("queue", 20)]),
                 camera("CAM-WAIT", "emergency_waiting", [zone("chairs", 30)]),
                 camera("CAM-OR", "operating_corridor", [zone("corridor", 5)])):
        assert security.post("/api/vision/cameras", body, content_type=JSON).status_code == 201
    count(security, "CAM-GATE", {"hall": 12, "queue": 8})  # nested zones: the hall's 12 count
    count(security, "CAM-WAIT", {"chairs": 6})
    count(security, "CAM-OR", {"corridor": 9})  # not where outpatients wait
    page = portal()
    assert "Cameras at" in page and ": 18 people in the entrances and waiting areas" in page
    assert "Not busy" in page  # 18 of 70 places

    count(security, "CAM-GATE", {"hall": 45, "queue": 20})
    count(security, "CAM-WAIT", {"chairs": 30})
    page = portal()
    assert ": 75 people in the entrances and waiting areas" in page
    assert "badge-busy" in page  # at the zones' limits (75 of 70), whatever the beds say

    CrowdReading.objects.update(time=timezone.now() - dt.timedelta(minutes=31))  # the cameras went quiet
    page = portal()
    assert "Cameras at" not in page and "Not busy" in page


def test_a_camera_without_limits_is_shown_but_does_not_judge(clinic, api_client, today):
    security = api_client(Role.SECURITY, "A")
    assert security.post("/api/vision/cameras", camera("CAM-GATE", "entrance", [zone("hall")]),
                         content_type=JSON).status_code == 201
    count(security, "CAM-GATE", {"hall": 500})
    page = portal()
    assert ": 500 people in the entrances and waiting areas" in page
    assert "badge-usual" in page  # no report, no limit: as usual
