"""The camera demo tells the truth about its pictures: a demo event's figures are what the pipeline finds on the
frame it shows (recomputed here with `opscenter vision-analyze` on that stretch of the footage), its snapshot is
that frame, what is simulated says so, and the pages say it all in words, not payload keys."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.utils import translation

from opscenter.alerts.models import Alert
from opscenter.org.roles import Role
from opscenter.vision import demo, labels
from opscenter.vision.models import Camera, VisionEvent

pytestmark = pytest.mark.slow  # the footage is analysed once per test process (a few seconds), then read back


@pytest.fixture(autouse=True)
def _fresh_demo():
    demo._open.clear()
    demo.footage.cache_clear()
    yield
    demo._open.clear()


def _frame(video, index: int) -> np.ndarray:
    """Frame `index` of the video at the analysis size, as the pipeline sees it."""
    capture = cv2.VideoCapture(str(video))
    try:
        for _ in range(index):
            capture.grab()
        ok, image = capture.read()
        assert ok
    finally:
        capture.release()
    return cv2.resize(image, (640, 360), interpolation=cv2.INTER_AREA)


def _analyse(tmp_path, video, config: dict, first: int, last: int) -> list[dict]:
    path = tmp_path / "camera.json"
    path.write_text(json.dumps(config))
    out = tmp_path / "frames.jsonl"
    done = subprocess.run([sys.executable, "-m", "opscenter.cli", "vision-analyze", str(video), "--config", str(path),
                           "--from-frame", str(first), "--to-frame", str(last), "--out", str(out), "--no-snapshots"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [r for r in map(json.loads, out.read_text().splitlines()) if r["record"] == "frame"]


def _crowding_event(city) -> VisionEvent:
    for camera in Camera.objects.filter(unit=city.hospital_a).order_by("code"):
        event = demo.incident(camera, kind="crowding")
        if event is not None:
            return event
    raise AssertionError("no demo camera has a moment of the footage over its capacity")


def test_a_demo_crowding_event_counts_what_the_pipeline_finds_on_the_frame_it_shows(city, vtest, api_client,
                                                                                   tmp_path):
    demo.seed()
    event = _crowding_event(city)
    security = api_client(Role.SECURITY, "A")
    shown = security.get(f"/api/vision/events/{event.pk}").json()
    data = shown["data"]
    assert data["count"] > data["max_people"] >= 2 and data["footage"] == "vtest.avi"
    assert shown["score"] == pytest.approx(data["count"] / data["max_people"], abs=1e-3)

    # The same stretch of the footage analysed again, with the camera's own configuration, by the command line.
    config = security.get(f"/api/vision/cameras/{event.camera.code}").json()["config"]
    records = _analyse(tmp_path, vtest, config, data["from_frame"], data["frame"])
    last = records[-1]
    assert last["frame"] == data["frame"] and records[0]["frame"] == data["from_frame"]
    assert last["counts"][event.zone] == data["count"]
    assert last["people"] == len(shown["boxes"])  # the boxes drawn are the people the pipeline saw

    # The snapshot is that frame of the footage (JPEG aside), not another one.
    jpeg = security.get(f"/api/vision/events/{event.pk}/snapshot.jpg").content
    snapshot = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).astype(float)
    same = np.abs(snapshot - _frame(vtest, data["frame"])).mean()
    other = np.abs(snapshot - _frame(vtest, max(0, data["frame"] - 60))).mean()
    assert same < 4 and other > 2 * same, (same, other)

    # The page says it in words: people over capacity, the load as a share of it, where the picture comes from.
    security.cookies["django_language"] = "en"
    page = security.get(f"/vision/events/{event.pk}/").content.decode()
    assert f"{data['count']} / capacity {data['max_people']}" in page
    assert f"{round(100 * data['count'] / data['max_people'])}% of capacity" in page
    assert f"frame {data['frame']} of vtest.avi" in page and 'id="simulated-badge"' not in page


def test_demo_counts_on_the_wall_are_those_of_the_frame_shown(city, vtest, api_client):
    demo.seed()
    shots = demo.footage()
    camera = Camera.objects.get(code=f"{city.hospital_a.code}-CAM02")
    sample = shots["samples"][3]
    demo._show(camera, sample, time.time())
    security = api_client(Role.SECURITY, "A")
    counts = security.get(f"/api/vision/cameras/{camera.code}/counts").json()
    newest = {row["zone"]: row["count"] for row in counts}  # oldest first: the last one stays
    assert newest["corridor"] == sample["counts"]["CAM02.corridor"] == len(sample["people"])
    frame = security.get(f"/api/vision/cameras/{camera.code}/frame.jpg").content
    assert frame == base64.b64decode(sample["snapshot"])


def test_what_the_demo_simulates_says_so(city, vtest, api_client):
    demo.seed()
    camera = Camera.objects.get(code=f"{city.hospital_a.code}-CAM05")  # parking: loitering and abandoned objects
    event = demo.incident(camera, kind="abandoned")
    assert event is not None and event.data["simulated"] is True
    security = api_client(Role.SECURITY, "A")
    security.cookies["django_language"] = "en"
    page = security.get(f"/vision/events/{event.pk}/").content.decode()
    assert 'id="simulated-badge"' in page and "Simulated data" in page
    assert "Simulated data" in security.get("/vision/events/").content.decode()
    with translation.override(settings.LANGUAGE_CODE):  # the language alerts are raised in
        assert translation.gettext("Simulated data") in Alert.objects.get(pk=event.alert_id).title
    # A restricted-zone entry is the pipeline's own event: not marked.
    door = demo.incident(Camera.objects.get(code=f"{city.hospital_a.code}-CAM02"), kind="barrier")
    assert door is not None and "simulated" not in door.data and door.box in door.boxes
    assert 'id="simulated-badge"' not in security.get(f"/vision/events/{door.pk}/").content.decode()


def _details(html: str) -> str:
    found = re.search(r'<dl class="props">(.*?)</dl>', html, re.S)
    assert found
    return found.group(1)


def test_the_vietnamese_event_page_names_fields_and_zones_in_words(city, vtest, api_client):
    demo.seed()
    event = _crowding_event(city)
    security = api_client(Role.SECURITY, "A")
    security.cookies["django_language"] = "vi"
    html = security.get(f"/vision/events/{event.pk}/").content.decode()
    details = _details(html)
    text = re.sub(r"<[^>]+>", " ", html)
    names = [re.sub(r"<[^>]+>", "", n).strip() for n in re.findall(r"<dt[^>]*>(.*?)</dt>", details, re.S)]
    values = [re.sub(r"<[^>]+>", "", v).strip() for v in re.findall(r"<dd[^>]*>(.*?)</dd>", details, re.S)]
    assert names and not [n for n in names if re.fullmatch(r"[a-z_]+", n)], names  # no payload key as a label
    assert not {"True", "False", "None"} & set(values), values
    for raw in ("max_people", "trend_per_minute", "from_frame", "frames_inside", "demo True", "vision_crowding"):
        assert raw not in text, raw
    assert "Vùng" in names and "Loại phân tích" in names  # the page is the Vietnamese one
    with translation.override("vi"):
        label = labels.zone_label(event.zone)
        people = labels.people_text(event.data)
    assert label != event.zone and label in text and f">{event.zone}<" not in html
    assert people in details and f"{event.data['count']} / " in people
    # the worker's messages in words, not new/update/end
    assert re.search(r'trail-action">(new|update|end)<', html) is None


def test_alert_titles_are_words_with_figures_and_no_iso_dates(city, vtest, api_client):
    demo.seed()
    event = _crowding_event(city)
    alert = Alert.objects.get(pk=event.alert_id)
    data = event.data
    assert f"{data['count']}" in alert.title and f"{data['max_people']}" in alert.title
    assert event.zone not in alert.title.split("—")[-1].split("·")[-1] or labels.zone_label(event.zone) == event.zone
    for text in (alert.title, alert.message):
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text
        assert "max_people" not in text and "count" not in text.split(":")[0]
    assert re.search(r"\d{2}:\d{2}:\d{2} \d{2}/\d{2}/\d{4}", alert.message)


def test_the_camera_wall_is_a_landing_page_for_the_hospital_officer(city, vtest, api_client):
    demo.seed()
    _crowding_event(city)
    security = api_client(Role.SECURITY, "A")
    security.cookies["django_language"] = "en"
    html = security.get("/vision/").content.decode()
    title = re.search(r'<h1 id="wall-title">(.*?)</h1>', html, re.S)
    assert title and city.hospital_a.name in title.group(1)
    summary = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r'id="wall-summary">(.*?)</p>', html, re.S)
                                         .group(1)))
    assert "6 cameras" in summary and "6 online" in summary and "1 open camera alert" in summary
    feed = re.search(r'<ul class="feed" id="vision-feed">(.*?)</ul>', html, re.S).group(1)
    assert feed.count('class="feed-item') == 1 and "people, capacity" in feed
    # zone counts in words on every tile that counts, with the raw name kept only as a data attribute
    assert re.search(r'data-zone="corridor">Corridor: <b>\d+</b>', html)
    assert ">triage-desk:" not in html and "Triage desk: <b>" in html
    # someone whose hospital has no camera is told why the wall is empty, and what to do
    other = api_client(Role.SECURITY, "B")
    other.cookies["django_language"] = "en"
    empty = other.get("/vision/").content.decode()
    assert 'id="no-cameras"' in empty and "No camera is registered for" in empty
    assert "No camera event yet" in empty and "0 cameras" in empty
