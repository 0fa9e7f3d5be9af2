"""The pipeline on real footage (vtest.avi from Debian's opencv-doc), against what a person sees.

People per frame: 44 frames labelled by eye, person by person (data/vtest_people.json, how in data/README.md);
the 35 of them in the first 640 frames are checked here: the counts within 0.8 person on average (the default
pipeline's accuracy, measured by bench/vision_accuracy.py) and the boxes found at IoU 0.5; and the people crossing
a line on the road, noted by hand (data/vtest_crossings.json). Nobody is on the lawn (lower left) until frame
~520, when a woman and a man in a red jacket walk onto it (on it at 560 and 600).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opscenter.vision.pipeline.config import parse_camera
from opscenter.vision.pipeline.run import analyze_video

from .conftest import VTEST

LAWN = [[0, 0.46], [0.39, 0.56], [0.56, 0.68], [0.78, 0.80], [1, 0.89], [1, 1], [0, 1]]
CONFIG = {"code": "VTEST", "width": 640, "height": 360, "fps": 5,
          "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]},
                    {"name": "lawn", "polygon": LAWN, "rules": [{"type": "barrier", "min_frames": 3}]}]}
CROSSINGS = json.loads((Path(__file__).parent / "data/vtest_crossings.json").read_text())
FOOTAGE = {**CONFIG, "lines": [{"name": "road", "points": CROSSINGS["line"]["points"],
                                "rules": [{"type": "crossing"}]}]}
LABELS = {int(k): [(x, y, x + w, y + h) for x, y, w, h in v]
          for k, v in json.loads((Path(__file__).parent / "data/vtest_people.json").read_text())["frames"].items()}
pytestmark = pytest.mark.slow  # 640 frames of footage analysed (`run`)


@pytest.fixture(scope="module")
def run():
    if not VTEST.exists():
        pytest.skip("Debian's opencv-doc (vtest.avi) is not installed")
    frames, events, boxes = {}, [], {}
    fx, fy = 768 / 640, 576 / 360  # analysis pixels -> pixels of the labelled frames
    for index, result in analyze_video(parse_camera(FOOTAGE), str(VTEST)):
        frames[index] = result.counts
        if index in LABELS:
            boxes[index] = [(x1 * fx, y1 * fy, x2 * fx, y2 * fy) for _id, (x1, y1, x2, y2) in result.people]
        events += [(index, e) for e in result.events]
        if index >= 640:
            break
    return frames, events, boxes


def test_people_counts_match_the_hand_labels(run):
    frames, _events, _boxes = run
    labelled = [i for i in LABELS if i <= 640]
    errors = [frames[i]["all"] - len(LABELS[i]) for i in labelled]
    assert len(labelled) == 35
    assert sum(abs(e) for e in errors) / len(errors) <= 0.8, errors  # measured 0.63 (was 1.25 before the tuning)
    assert max(abs(e) for e in errors) <= 2, errors


def test_people_boxes_match_the_hand_labels(run):
    from opscenter.vision.pipeline.detectors import box_iou

    found = truth = hits = 0
    for index, boxes in run[2].items():
        labels = list(LABELS[index])
        for box in sorted(boxes, key=lambda b: -max((box_iou(b, t) for t in labels), default=0)):
            best = max(labels, key=lambda t: box_iou(box, t), default=None)
            if best is not None and box_iou(box, best) >= 0.5:
                labels.remove(best)
                hits += 1
        found, truth = found + len(boxes), truth + len(LABELS[index])
    assert hits / found >= 0.8 and hits / truth >= 0.7, (hits, found, truth)  # measured 0.89 and 0.79


def test_line_crossings_match_the_hand_noted_ones(run):
    _frames, events, _boxes = run
    crossed = [(i, e.data["direction"]) for i, e in events if e.kind == "line_crossing"]
    truth = [(f, d) for f, d in CROSSINGS["crossings"] if f <= 620]
    found = []
    for frame, direction in crossed:  # the rule confirms a crossing over two frames: up to 1.6 s after it
        hit = next((t for t in truth if t not in found and t[1] == direction and t[0] - 6 <= frame <= t[0] + 16),
                   None)
        if hit:
            found.append(hit)
    assert len(truth) == 24
    assert len(found) >= 22 and len(crossed) - len(found) <= 2, (crossed, truth)  # measured: 24 of 24, 1 extra


def test_frames_are_analysed_at_the_configured_rate(run):
    frames, _events, _boxes = run
    assert sorted(frames)[:4] == [0, 2, 4, 6]  # 10 fps footage analysed at 5 fps


def test_lawn_barrier_fires_when_people_walk_onto_it_and_not_before(run):
    frames, events, _boxes = run
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
