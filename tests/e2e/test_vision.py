"""The security officer's loop in a real browser: the camera wall with a camera's health, an event with its
snapshot and boxes, the alert marked as a false alarm and counted; a department operator is kept out."""

from __future__ import annotations

import base64
import time

import pytest

from opscenter.testing import PASSWORD
from opscenter.vision import definitions, services
from opscenter.vision.tests.conftest import camera_json, event_message, jpeg

pytestmark = pytest.mark.e2e


@pytest.fixture
def camera_with_event(city, settings, tmp_path):
    from django.apps import apps

    settings.MEDIA_ROOT = tmp_path / "media"
    definitions.install(apps)
    services.save_camera(city.user("security", "A"), camera_json())
    services.record_health(None, {"camera": "CAM-A1", "status": "online", "fps": 4.9, "last_frame_time": time.time(),
                                  "frame": base64.b64encode(jpeg()).decode()})
    services.record_counts(None, {"camera": "CAM-A1", "time": time.time(), "counts": {"waiting": 14}})
    event, _stored = services.ingest(None, event_message())
    return event


def log_in(browser, server: str, username: str):
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(15000)
    page.goto(f"{server}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/login/" not in url, wait_until="domcontentloaded")
    return page


def false_alarms(page, server: str) -> str:
    page.goto(f"{server}/vision/false-alarms/")
    cell = page.locator('#false-alarm-table tr[data-camera="CAM-A1"] [data-field="false-alarms"]')
    return cell.inner_text() if cell.count() else "0"


def test_officer_sees_the_wall_opens_the_event_and_marks_a_false_alarm(asgi_server, browser, camera_with_event):
    officer = log_in(browser, asgi_server, "security_a")
    officer.goto(f"{asgi_server}/vision/")
    tile = officer.locator('.camera-tile[data-camera="CAM-A1"]')
    assert "Online" in tile.locator('[data-field="status"]').inner_text()
    assert "4.9 fps" in tile.inner_text() and "Waiting area: 14" in tile.inner_text()  # the zone in words
    officer.wait_for_function("document.querySelector('.camera-tile img').naturalWidth === 640")
    officer.wait_for_selector("#live-status[data-state=live]")

    assert false_alarms(officer, asgi_server) == "0"
    officer.goto(f"{asgi_server}/vision/events/")
    officer.click(f'tr[data-event="{camera_with_event.pk}"] a')
    officer.wait_for_url(f"**/vision/events/{camera_with_event.pk}/")
    officer.wait_for_function("document.querySelector('#evidence img').naturalWidth === 640")
    assert officer.locator("#evidence svg rect.box-main").count() == 1
    assert officer.locator("#evidence svg rect.box").count() == 3
    # The subject's box sits where the worker saw them: a quarter of the way across, half way down.
    img = officer.locator("#evidence img").bounding_box()
    box = officer.locator("#evidence rect.box-main").bounding_box()
    assert abs((box["x"] - img["x"]) / img["width"] - 0.25) < 0.02
    assert abs((box["y"] - img["y"]) / img["height"] - 0.5) < 0.02

    officer.click("#btn-false-alarm")
    officer.wait_for_url(f"**/vision/events/{camera_with_event.pk}/")
    assert "False alarm" in officer.locator("#alert-card").inner_text()
    assert false_alarms(officer, asgi_server) == "1"


def test_a_department_operator_cannot_open_the_camera_wall(asgi_server, browser, camera_with_event):
    operator = log_in(browser, asgi_server, "operator")
    response = operator.goto(f"{asgi_server}/vision/")
    assert response is not None and response.status == 403
    assert "CAM-A1" not in operator.content()


def test_the_operator_sees_the_camera_counts_on_the_map_without_the_footage(asgi_server, browser, camera_with_event,
                                                                             settings):
    settings.MAP_TILE_URL = ""
    operator = log_in(browser, asgi_server, "operator")
    operator.goto(f"{asgi_server}/dashboard/")
    operator.wait_for_selector("#map[data-facilities]")
    operator.click('#facility-table tr[data-code="BV-A"] td:nth-child(2)')  # the row shows it on the map
    place = operator.wait_for_selector('.leaflet-popup .popup-cameras [data-place="emergency_waiting"]')
    assert "14" in place.inner_text() and "47%" in place.inner_text()  # 14 of the zone's 30
    operator.goto(f"{asgi_server}/dashboard/facility/BV-A/")
    assert "14" in operator.locator('#cameras-now tr[data-place="emergency_waiting"]').inner_text()
    assert operator.locator("#cameras-now a[href='/vision/']").count() == 0  # no camera wall for this role
