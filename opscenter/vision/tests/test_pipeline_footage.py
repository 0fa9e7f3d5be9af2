"""The pipeline on real footage (vtest.avi from Debian's opencv-doc), against what a person sees.

Looking at the frames: frame 200 shows 7 people, frame 400 shows 3, frame 600 shows 6; nobody is on the lawn
(lower left) until frame ~520, when a woman and a man in a red jacket walk onto it (on it at 560 and 600).
HOG is a modest detector on people this small, so counts are checked within ±2.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from opscenter.vision.pipeline.config import parse_camera
from opscenter.vision.pipeline.run import analyze_video

from .conftest import VTEST

LAWN = [[0, 0.46], [0.39, 0.56], [0.56, 0.68], [0.78, 0.80], [1, 0.89], [1, 1], [0, 1]]
CONFIG = {"code": "VTEST", "width": 640, "height": 360, "fps": 5,
          "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]},
                    {"name": "lawn", "polygon": LAWN, "rules": [{"type": "barrier", "min_frames": 3}]}]}
SEEN = {200: 7, 400: 3, 600: 6}
pytestmark = pytest.mark.slow  # 640 frames of footage analysed (`run`)


@pytest.fixture(scope="module")
def run():
    if not VTEST.exists():
        pytest.skip("Debian's opencv-doc (vtest.avi) is not installed")
    frames, events = {}, []
    for index, result in analyze_video(parse_camera(CONFIG), str(VTEST)):
        frames[index] = result.counts
        events += [(index, e) for e in result.events]
        if index >= 640:
            break
    return frames, events


def test_people_counts_match_what_is_seen(run):
    frames, _events = run
    for index, people in SEEN.items():
        assert abs(frames[index]["all"] - people) <= 2, (index, frames[index])
    assert sum(abs(frames[i]["all"] - n) for i, n in SEEN.items()) / len(SEEN) <= 1.5


def test_frames_are_analysed_at_the_configured_rate(run):
    frames, _events = run
    assert sorted(frames)[:4] == [0, 2, 4, 6]  # 10 fps footage analysed at 5 fps


def test_lawn_barrier_fires_when_people_walk_onto_it_and_not_before(run):
    frames, events = run
    barrier = [(i, e) for i, e in events if e.kind == "barrier" and e.type == "new"]
    assert not [i for i, _e in barrier if i < 500], "nobody is on the lawn before frame 500"
    entered = [e for i, e in barrier if 500 <= i <= 620]
    assert entered, "people walk onto the lawn between frames 520 and 600"
    assert all(e.zone == "lawn" and e.snapshot and e.snapshot[:2] == b"\xff\xd8" for e in entered)
    assert frames[600]["lawn"] >= 1 and all(frames[i]["lawn"] == 0 for i in range(10, 500, 2))
    # The incident closes with an end message carrying the state before it.
    ends = [e for _i, e in events if e.type == "end" and e.id == entered[0].id]
    assert not ends or ends[0].before["id"] == entered[0].id


def test_vision_analyze_command_writes_events_and_frame_counts(tmp_path):
    if not VTEST.exists():
        pytest.skip("Debian's opencv-doc (vtest.avi) is not installed")
    clip = tmp_path / "clip.avi"
    import cv2

    reader = cv2.VideoCapture(str(VTEST))
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 10, (768, 576))
    for _ in range(60):  # six seconds are enough to check the command's output
        _ok, frame = reader.read()
        writer.write(frame)
    writer.release()
    config = tmp_path / "camera.json"
    config.write_text(json.dumps({**CONFIG, "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]],
                                                       "rules": [{"type": "count", "max_people": 1,
                                                                  "min_frames": 2}]}]}))
    out = tmp_path / "events.jsonl"
    done = subprocess.run([sys.executable, "-m", "opscenter.cli", "vision-analyze", str(clip), "--config",
                           str(config), "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "30 frames analysed" in done.stdout and "crowding 1" in done.stdout
    records = [json.loads(line) for line in out.read_text().splitlines()]
    frames = [r for r in records if r["record"] == "frame"]
    assert len(frames) == 30 and all("all" in r["counts"] for r in frames)
    new = [r for r in records if r["record"] == "event" and r["type"] == "new"]
    assert new[0]["after"]["kind"] == "crowding" and new[0]["before"] is None and new[0]["snapshot"]


def test_vision_analyze_refuses_a_bad_configuration(tmp_path):
    config = tmp_path / "camera.json"
    config.write_text(json.dumps({"code": "X", "zones": [{"name": "z", "polygon": [[0, 0], [2, 0], [1, 1]]}]}))
    done = subprocess.run([sys.executable, "-m", "opscenter.cli", "vision-analyze", str(VTEST), "--config",
                           str(config), "--out", str(tmp_path / "o.jsonl")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and "zones[0].polygon[1][0]" in done.stderr
