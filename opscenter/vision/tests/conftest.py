"""Camera AI test helpers: the alert rules the data migration ships, a registered camera, real footage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opscenter.org.roles import Role

VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


def camera_json(code: str = "CAM-A1", unit: str = "BV-A", **extra) -> dict:
    return {"code": code, "unit": unit, "name": "Phòng chờ cấp cứu", "location_kind": "emergency_waiting",
            "stream_url": str(VTEST), "width": 640, "height": 360, "fps": 5,
            "zones": [{"name": "waiting", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]],
                       "rules": [{"type": "count", "max_people": 30}]}], **extra}


@pytest.fixture(autouse=True)
def _vision_rules(request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if "city" in request.fixturenames:
        from django.apps import apps

        from opscenter.vision import definitions

        request.getfixturevalue("city")
        definitions.install(apps)


@pytest.fixture
def vtest() -> Path:
    if not VTEST.exists():
        pytest.skip("Debian's opencv-doc (vtest.avi) is not installed")
    return VTEST


@pytest.fixture
def security(api_client):
    return api_client(Role.SECURITY, "A")


@pytest.fixture
def camera(security):
    response = security.post("/api/vision/cameras", camera_json(), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["camera"]


@pytest.fixture
def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None


def jpeg(width: int = 640, height: int = 360, seed: int = 0) -> bytes:
    """A small real JPEG (noise), as a worker's snapshot would be."""
    import cv2
    import numpy as np

    image = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", image)[1].tobytes()


def event_message(camera: str = "CAM-A1", kind: str = "barrier", zone: str = "waiting", frame_time: float | None = None,
                  incident: str | None = None, type: str = "new", **data) -> dict:
    """One worker message (the MQTT payload) with a snapshot, a subject box and two other people."""
    import base64
    import time
    import uuid

    t = frame_time if frame_time is not None else time.time()
    return {"message_id": uuid.uuid4().hex, "type": type, "before": None,
            "after": {"id": incident or uuid.uuid4().hex, "camera": camera, "kind": kind, "label": "person",
                      "zone": zone, "score": 1.0, "box": [0.25, 0.5, 0.375, 0.875], "track_id": 3,
                      "start_time": t, "end_time": None, "frame_time": t, "data": data,
                      "boxes": [[0.25, 0.5, 0.375, 0.875], [0.6, 0.4, 0.7, 0.8], [0.05, 0.3, 0.12, 0.6]]},
            "snapshot": base64.b64encode(jpeg()).decode()}
