"""The watch-list over HTTP (add from a photo, a match shown with its distance and threshold, withdraw with a
reason), every look at a face recorded, and face crops and snapshots deleted after their retention period."""

from __future__ import annotations

import base64
import time

import cv2
import pytest
from django.core.files.storage import default_storage

from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.vision import services, tasks
from opscenter.vision.models import FaceMatch, VisionEvent

from .conftest import event_message, jpeg

DAY = 86400


@pytest.fixture(scope="module")
def her_face() -> str:
    """The astronaut's face (scikit-image's picture of Eileen Collins), as a watch-list photo."""
    from skimage import data

    picture = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)[0:260, 100:300]
    return base64.b64encode(cv2.imencode(".jpg", picture)[1].tobytes()).decode()


def add(client, image: str, **extra):
    body = {"unit": "BV-A", "name": "Đối tượng móc túi", "image": image, "reason": "camera 3, 12/5", **extra}
    return client.post("/api/vision/watchlist", body, content_type="application/json")


def match_message(entry_id: int, frame_time: float | None = None) -> dict:
    crop = base64.b64encode(jpeg(96, 96, seed=5)).decode()
    return event_message(kind="watchlist", zone="", frame_time=frame_time, entry_id=entry_id,
                         name="Đối tượng móc túi", distance=0.3125, threshold=0.6, face_crop=crop)


def test_officer_adds_a_face_sees_a_match_with_distance_and_withdraws_it(api_client, security, camera, her_face):
    created = add(security, her_face)
    assert created.status_code == 201, created.content
    entry = created.json()
    assert entry["active"] and entry["created_by"] == "security_a"
    assert AuditLog.objects.filter(action="vision.watchlist.added", object_id=str(entry["id"])).exists()
    face = security.get(entry["face_url"])
    assert face.status_code == 200 and face["Content-Type"] == "image/jpeg"
    assert AuditLog.objects.filter(action="vision.face.viewed.watchlist", object_id=str(entry["id"])).count() == 1

    # The workers get the encoding for the hospital's cameras.
    worker = security.get("/api/vision/worker/cameras?group=default").json()
    assert [e["id"] for e in worker["watchlist"]["CAM-A1"]] == [entry["id"]]
    assert len(worker["watchlist"]["CAM-A1"][0]["encoding"]) == 128

    event, _stored = services.ingest(None, match_message(entry["id"]))
    detail = security.get(f"/api/vision/events/{event.pk}").json()
    assert detail["match"]["entry_name"] == "Đối tượng móc túi"
    assert detail["match"]["distance"] == 0.3125 and detail["match"]["threshold"] == 0.6
    assert AuditLog.objects.filter(action="vision.face.viewed.match").count() == 1
    assert security.get(detail["match"]["face_url"]).status_code == 200
    assert AuditLog.objects.filter(action="vision.face.viewed.crop").count() == 1
    page = security.get(f"/vision/events/{event.pk}/").content.decode()
    assert "0.312" in page and "0.60" in page  # distance and threshold shown
    assert event.alert is not None and event.alert.severity == "critical"

    no_reason = security.post(f"/api/vision/watchlist/{entry['id']}/withdraw", {"reason": ""},
                              content_type="application/json")
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["field"] == "reason"
    withdrawn = security.post(f"/api/vision/watchlist/{entry['id']}/withdraw", {"reason": "đã xác minh nhầm"},
                              content_type="application/json")
    assert withdrawn.status_code == 200 and withdrawn.json()["active"] is False
    assert security.post(f"/api/vision/watchlist/{entry['id']}/withdraw", {"reason": "again"},
                         content_type="application/json").status_code == 409
    assert security.get("/api/vision/watchlist").json() == []
    assert [e["cancelled_reason"] for e in security.get("/api/vision/watchlist?active=false").json()] == [
        "đã xác minh nhầm"]
    assert security.get("/api/vision/worker/cameras?group=default").json()["watchlist"]["CAM-A1"] == []


def test_a_photo_without_exactly_one_face_is_refused_naming_the_field(security):
    from skimage import data

    astronaut = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)  # her face and one on the mission patch
    two = base64.b64encode(cv2.imencode(".jpg", astronaut)[1].tobytes()).decode()
    for image, message in ((two, "2 faces"), (base64.b64encode(jpeg()).decode(), "no face"), ("%%%", "base64")):
        response = add(security, image)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "image" and message in response.json()["detail"][0]["message"]
    assert add(security, two, category="allowed").json()["detail"][0]["field"] == "list_name"


def test_faces_are_for_security_roles_of_the_hospital_and_the_department(api_client, security, camera, her_face):
    entry = add(security, her_face).json()
    assert api_client(Role.SECURITY, "B").get(entry["face_url"]).status_code == 404
    assert api_client(Role.OPERATOR).get(entry["face_url"]).status_code == 403
    assert api_client(Role.HOSPITAL_MANAGER, "A").get("/api/vision/watchlist").status_code == 403
    assert api_client(Role.ADMIN).get(entry["face_url"]).status_code == 200  # the department
    assert add(api_client(Role.SECURITY, "B"), her_face).status_code == 403  # hospital A's list


def test_purge_deletes_face_crops_and_snapshots_past_their_retention(security, camera, her_face):
    entry = add(security, her_face).json()
    now = time.time()
    old_match, _ = services.ingest(None, match_message(entry["id"], frame_time=now - 40 * DAY))
    recent_match, _ = services.ingest(None, match_message(entry["id"], frame_time=now - 2 * DAY))
    ancient, _ = services.ingest(None, event_message(frame_time=now - 100 * DAY))
    old_crop = FaceMatch.objects.get(event=old_match).face_crop
    ancient_snapshot = ancient.snapshot
    assert default_storage.exists(old_crop) and default_storage.exists(ancient_snapshot)

    assert tasks.purge_expired_evidence() == {"face_crops": 1, "snapshots": 1}
    assert not default_storage.exists(old_crop) and not default_storage.exists(ancient_snapshot)
    purged = FaceMatch.objects.get(event=old_match)
    assert purged.face_crop == "" and purged.crop_deleted_at is not None and purged.distance == 0.3125
    assert VisionEvent.objects.get(pk=ancient.pk).snapshot == ""  # the record stays, without the picture
    assert security.get(f"/api/vision/events/{old_match.pk}/face.jpg").status_code == 404
    assert security.get(f"/api/vision/events/{recent_match.pk}/face.jpg").status_code == 200
    assert security.get(f"/api/vision/events/{old_match.pk}/snapshot.jpg").status_code == 200  # 40 < 90 days
    assert AuditLog.objects.filter(action="vision.retention.purged").count() == 1
    assert tasks.purge_expired_evidence() == {"face_crops": 0, "snapshots": 0}
