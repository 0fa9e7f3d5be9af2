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
