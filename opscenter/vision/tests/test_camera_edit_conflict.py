"""No lost update on camera configurations: a save based on an older version than the stored one is refused
(409) with what changed since, on the web form and the API; saving again is deliberate."""

from __future__ import annotations

import pytest

from opscenter.reporting.tests.test_edit_conflict import form_values
from opscenter.vision.models import Camera

from .conftest import camera_json

pytestmark = pytest.mark.django_db

EDIT = "/vision/cameras/CAM-A1/edit/"


def put(client, body, **headers):
    return client.put("/api/vision/cameras/CAM-A1", body, content_type="application/json", **headers)


def test_a_stale_camera_form_is_refused_showing_what_changed_then_saved_deliberately(security, camera):
    page = security.get(EDIT)
    assert page.status_code == 200
    data = form_values(page.content.decode())
    assert data["base_version"] == "1"

    zones = [{"name": "waiting", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]],
              "rules": [{"type": "count", "max_people": 12}]}]
    assert put(security, {**camera_json(), "name": "Sảnh chờ", "zones": zones}).json()["camera"]["version"] == 2

    data["fps"] = "8"  # this person's change, on the page loaded at version 1
    refused = security.post(EDIT, data)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert 'id="edit-conflict"' in html
    name_row = html.split('data-field="name"', 1)[1].split("</tr>", 1)[0]
    assert "Phòng chờ cấp cứu" in name_row and "Sảnh chờ" in name_row  # then, and stored now
    assert 'data-field="zones"' in html and "12" in html.split('data-field="zones"', 1)[1].split("</tr>", 1)[0]
    camera = Camera.objects.get(code="CAM-A1")
    assert (camera.version, camera.name, camera.fps) == (2, "Sảnh chờ", 5)

    again = form_values(html)
    assert again["base_version"] == "2" and again["fps"] == "8"  # typed values kept, based on the stored version
    assert security.post(EDIT, again).status_code == 302  # the deliberate save
    camera.refresh_from_db()
    assert (camera.version, camera.fps) == (3, 8)


def test_api_camera_change_from_an_older_version_is_a_409(security, camera):
    assert put(security, {**camera_json(), "fps": 6}).status_code == 200  # version 2
    stale = put(security, {**camera_json(), "name": "Cổng chính"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2
    assert body["changes"] == [{"field": "fps", "base": 5, "stored": 6, "yours": 5}]
    posted = security.post("/api/vision/cameras", {**camera_json(), "name": "Cổng chính", "base_version": 1},
                           content_type="application/json")
    assert posted.status_code == 409
    assert Camera.objects.get(code="CAM-A1").name == "Phòng chờ cấp cứu"

    ok = put(security, {**camera_json(), "fps": 6, "name": "Cổng chính", "base_version": 2})
    assert ok.status_code == 200 and ok.json()["camera"]["version"] == 3
    bad = put(security, {**camera_json(), "base_version": "two"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "base_version"


def test_api_camera_change_without_a_base_version_is_as_before(security, camera):
    assert put(security, {**camera_json(), "fps": 6}).status_code == 200
    assert put(security, {**camera_json(), "fps": 7}).json()["camera"]["version"] == 3
