"""The camera AI pages through the Django test client: scope, audit, the evidence with its boxes, the alert
workflow from the event page, the registry form with field errors, and the crowding figures."""

from __future__ import annotations

import base64
import re
import time

import cv2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opscenter.alerts.models import Alert
from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.vision import services
from opscenter.vision.models import Camera, CameraVersion, WatchListEntry

from .conftest import camera_json, event_message, jpeg


def ingest(message: dict):
    event, _stored = services.ingest(None, message)
    return event


def test_the_wall_shows_the_cameras_in_scope_with_health_and_counts(api_client, camera):
    services.record_health(None, {"camera": "CAM-A1", "status": "offline", "reason": "cannot open stream",
                                  "frame": base64.b64encode(jpeg()).decode(), "fps": 4.8,
                                  "last_frame_time": time.time()})
    services.record_counts(None, {"camera": "CAM-A1", "time": time.time(), "counts": {"waiting": 17}})
    security = api_client(Role.SECURITY, "A")
    page = security.get("/vision/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-camera="CAM-A1"' in html and "cannot open stream" in html and "4.8 fps" in html
    assert 'data-zone="waiting"' in html and "<b>17</b>" in html
    assert "/api/vision/cameras/CAM-A1/frame.jpg" in html
    assert AuditLog.objects.filter(action="vision.footage.viewed.wall", actor_label="security_a").exists()
    assert 'data-unavailable=' not in html  # no weapon or fall rule on this camera: nothing to warn about
    # The other hospital's officer sees no tile of it.
    assert 'data-camera="CAM-A1"' not in api_client(Role.SECURITY, "B").get("/vision/").content.decode()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.HOSPITAL_MANAGER, Role.DISPATCHER])
def test_roles_without_camera_access_cannot_open_the_camera_pages(api_client, camera, role):
    client = api_client(role, "A")
    for url in ("/vision/", "/vision/events/", "/vision/false-alarms/", "/vision/watchlist/", "/vision/cameras/"):
        assert client.get(url).status_code == 403, url


def test_the_wall_says_plainly_when_a_configured_analytic_is_not_available(security):
    zones = [{"name": "ward", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]], "rules": [{"type": "weapon"}]}]
    assert security.post("/api/vision/cameras", camera_json(zones=zones), content_type="application/json"
                         ).status_code == 201
    html = security.get("/vision/").content.decode()
    assert 'data-unavailable="weapon"' in html and "has no weapon classes" in html


def test_event_page_draws_the_boxes_and_marks_a_false_alarm(api_client, camera):
    event = ingest(event_message())
    security = api_client(Role.SECURITY, "A")
    html = security.get(f"/vision/events/{event.pk}/").content.decode()
    assert f"/api/vision/events/{event.pk}/snapshot.jpg" in html
    # The subject's box in red and two other people, in frame fractions over the snapshot.
    assert 'class="box box-main" x="0.250000" y="0.500000" width="0.125000" height="0.375000"' in html
    assert html.count('class="box"') == 2
    assert 'class="shape-zone" points="0,0 1,0 1,1 0,1"' in html  # the zone it happened in
    assert "vision_barrier" in html and 'id="btn-false-alarm"' in html
    assert security.get(f"/vision/events/{event.pk}/", headers={}).status_code == 200
    assert api_client(Role.SECURITY, "B").get(f"/vision/events/{event.pk}/").status_code == 404

    done = security.post(f"/alerts/{event.alert_id}/resolve/",
                         {"resolution": "false_alarm", "next": f"/vision/events/{event.pk}/"})
    assert done.status_code == 302 and done["Location"] == f"/vision/events/{event.pk}/"
    assert Alert.objects.get(pk=event.alert_id).resolution == "false_alarm"
    table = security.get("/vision/false-alarms/").content.decode()
    assert 'data-camera="CAM-A1" data-rule="vision_barrier"' in table
    assert '<td class="num" data-field="false-alarms">1</td>' in table


def test_event_list_filters_by_analytic_and_alert(api_client, camera):
    ingest(event_message(kind="barrier"))
    ingest(event_message(kind="loitering", dwell_seconds=400))
    security = api_client(Role.SECURITY, "A")
    assert security.get("/vision/events/").content.decode().count("data-event=") == 2
    only = security.get("/vision/events/?kind=loitering").content.decode()
    assert only.count("data-event=") == 1 and "Loitering" in only
    assert security.get("/vision/events/?alert=false_alarm").content.decode().count("data-event=") == 0


def test_registering_a_camera_in_the_form_shows_errors_next_to_the_field(api_client, city):
    security = api_client(Role.SECURITY, "A")
    form = {"code": "CAM-A9", "unit": "BV-A", "name": "Cổng chính", "location_kind": "entrance",
            "stream_url": "rtsp://10.0.0.9/1", "width": 640, "height": 360, "fps": 5,
            "analytics": '{"zones": [{"name": "gate", "polygon": [[0, 0], [1, 1], [1, 0], [0, 1]]}]}'}
    refused = security.post("/vision/cameras/new/", form)
    assert refused.status_code == 200 and not Camera.objects.exists()
    assert 'data-error-field="zones[0].polygon"' in refused.content.decode()
    assert "has no area" in refused.content.decode()
    bad_fps = security.post("/vision/cameras/new/", {**form, "fps": 0, "analytics": ""})
    assert '<span class="field-error" id="error-fps">' in bad_fps.content.decode()

    form["analytics"] = ('{"zones": [{"name": "gate", "polygon": [[0, 0], [1, 0], [1, 1]], '
                         '"rules": [{"type": "barrier"}]}]}')
    saved = security.post("/vision/cameras/new/", form)
    assert saved.status_code == 302 and saved["Location"] == "/vision/cameras/CAM-A9/edit/"
    camera = Camera.objects.get(code="CAM-A9")
    assert camera.analytics["zones"][0]["name"] == "gate" and camera.unit.code == "BV-A"

    edited = security.post("/vision/cameras/CAM-A9/edit/", {**form, "name": "Cổng chính (mới)", "comment": "tên"})
    assert edited.status_code == 302
    assert list(CameraVersion.objects.filter(camera=camera).values_list("version", flat=True)) == [1, 2]
    page = security.get("/vision/cameras/CAM-A9/edit/").content.decode()
    assert 'data-kind="weapon"' in page and "not available" in page  # HOG has no weapon classes
    assert api_client(Role.SECURITY, "B").get("/vision/cameras/CAM-A9/edit/").status_code == 404


@pytest.fixture(scope="module")
def astronaut_png() -> bytes:
    from skimage import data

    return cv2.imencode(".png", cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))[1].tobytes()


def test_watchlist_page_adds_from_a_photo_and_withdraws_with_a_reason(api_client, city, astronaut_png):
    security = api_client(Role.SECURITY, "A")
    no_face = security.post("/vision/watchlist/", {
        "unit": "BV-A", "name": "Trống", "category": "watch",
        "photo": SimpleUploadedFile("blank.png", cv2.imencode(".png", jpeg_image())[1].tobytes(), "image/png")})
    assert no_face.status_code == 200 and not WatchListEntry.objects.exists()
    assert "no face found" in no_face.content.decode()
    # The astronaut picture holds two faces (hers and one on the patch): the crop of hers is accepted.
    face = cv2.imdecode(__import__("numpy").frombuffer(astronaut_png, "uint8"), cv2.IMREAD_COLOR)[0:260, 100:300]
    added = security.post("/vision/watchlist/", {
        "unit": "BV-A", "name": "Đối tượng A", "category": "watch", "reason": "móc túi",
        "photo": SimpleUploadedFile("face.png", cv2.imencode(".png", face)[1].tobytes(), "image/png")})
    assert added.status_code == 302, added.content.decode()[:2000]
    entry = WatchListEntry.objects.get()
    page = security.get("/vision/watchlist/").content.decode()
    assert f'data-entry="{entry.pk}"' in page and f"/api/vision/watchlist/{entry.pk}/face.jpg" in page
    assert AuditLog.objects.filter(action="vision.watchlist.viewed").exists()
    assert AuditLog.objects.filter(action="vision.watchlist.added", object_id=str(entry.pk)).exists()

    security.post(f"/vision/watchlist/{entry.pk}/withdraw/", {"reason": " "})
    assert WatchListEntry.objects.get().active
    security.post(f"/vision/watchlist/{entry.pk}/withdraw/", {"reason": "nhầm người"})
    entry.refresh_from_db()
    assert not entry.active and entry.cancelled_reason == "nhầm người"
    assert f'data-entry="{entry.pk}"' not in security.get("/vision/watchlist/").content.decode()
    assert api_client(Role.SECURITY, "B").post(f"/vision/watchlist/{entry.pk}/withdraw/",
                                               {"reason": "x"}).status_code == 404


def jpeg_image():
    import numpy as np

    return np.full((200, 200, 3), 128, np.uint8)


def test_crowding_counts_per_hospital_and_place_for_the_dashboard(api_client, security):
    body = camera_json(zones=[{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]],
                               "rules": [{"type": "count", "max_people": 40}]},
                              {"name": "queue", "polygon": [[0, 0.5], [1, 0.5], [1, 1], [0, 1]]}])
    for code in ("CAM-A1", "CAM-A2"):
        assert security.post("/api/vision/cameras", {**body, "code": code},
                             content_type="application/json").status_code == 201
    now = time.time()
    services.record_counts(None, {"camera": "CAM-A1", "time": now - 30, "counts": {"all": 50, "queue": 9}})
    services.record_counts(None, {"camera": "CAM-A1", "time": now, "counts": {"all": 12, "queue": 7}})
    services.record_counts(None, {"camera": "CAM-A2", "time": now, "counts": {"all": 8}})
    services.record_counts(None, {"camera": "CAM-A2", "time": now - 7200, "counts": {"all": 99}})  # too old
    operator = api_client(Role.OPERATOR)
    rows = operator.get("/api/vision/crowding").json()
    assert [(r["unit"], r["location_kind"], r["count"], r["cameras"], r["max_people"]) for r in rows] == [
        ("BV-A", "emergency_waiting", 20, 2, 80)]
    assert rows[0]["load"] == 0.25
    assert api_client(Role.HOSPITAL_MANAGER, "B").get("/api/vision/crowding").json() == []
    assert api_client(Role.REPORTER, "A").get("/api/vision/crowding").status_code == 403
    wall = security.get("/vision/").content.decode()
    assert 'data-unit="BV-A" data-kind="emergency_waiting"' in wall
    # the hospital's page shows the same figures next to its reported ones
    page = operator.get("/dashboard/facility/BV-A/").content.decode()
    row = re.search(r'<tr data-place="emergency_waiting">(.*?)</tr>', page, re.S)
    assert row and re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[:2] == ["20", "80"]
    assert "25%" in row.group(1)
    assert 'id="cameras-now"' not in operator.get("/dashboard/facility/BV-B/").content.decode()
