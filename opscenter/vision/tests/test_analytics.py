"""The analytics that footage cannot easily show, on synthetic frames and scripted detections whose truth is
known: loitering, line crossing by direction (with inertia), abandoned objects, the fight heuristic."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import cv2
import numpy as np
import pytest

from opscenter.vision.pipeline.analytics import CameraPipeline, VisionEvent
from opscenter.vision.pipeline.config import parse_camera
from opscenter.vision.pipeline.detectors import Box, Detection
from opscenter.vision.pipeline.motion import flow_chaos

FPS = 5
T0 = 1_750_000_000.0
LEFT_HALF = [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]
WHOLE = [[0, 0], [1, 0], [1, 1], [0, 1]]


class Scripted:
    """A detector that sees what the test says, frame by frame."""

    labels = frozenset({"person"})

    def __init__(self, script: Callable[[int], list[Box]]) -> None:
        self.script, self.frame = script, 0

    def detect(self, frame, regions=None) -> list[Detection]:
        return [Detection(box, 0.9) for box in self.script(self.frame)]


def background(seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).integers(60, 200, (360, 640, 3), dtype=np.uint8)
    return cv2.GaussianBlur(noise, (5, 5), 0)


def run(config: dict, people: Callable[[int], list[Box]], frames: int,
        draw: Callable[[int], np.ndarray] | None = None) -> list[tuple[int, VisionEvent]]:
    """Feed `frames` frames at 5 fps; people are drawn as light boxes (so the motion gate sees them move)."""
    detector = Scripted(people)
    pipeline = CameraPipeline(parse_camera({"code": "SYN", **config}), detector)
    scene = background()
    events = []
    for i in range(frames):
        detector.frame = i
        frame = draw(i) if draw else scene.copy()
        if draw is None:
            for x1, y1, x2, y2 in people(i):
                cv2.rectangle(frame, (int(x1), int(y1)), (int(x2), int(y2)), (230, 230, 230), -1)
        events += [(i, e) for e in pipeline.process(frame, T0 + i / FPS).events]
    return events


def person_at(x: float, y: float = 300) -> Box:
    """A person 40×120 px whose feet stand at (x, y)."""
    return (x - 20, y - 120, x + 20, y)


# ---- loitering --------------------------------------------------------------------------------------------

LOITER = {"zones": [{"name": "lobby", "polygon": LEFT_HALF, "rules": [{"type": "loitering", "seconds": 10}]}]}


def test_a_person_dwelling_past_the_limit_is_loitering_and_it_ends_when_they_leave():
    def people(i: int) -> list[Box]:
        # Walks in from the right (the lobby is the left half; the feet reach its edge at frame 8), shuffles about at
        # x ≈ 150 until frame 100 (20 s), then walks out to the right.
        if i < 25:
            return [person_at(400 - 10 * i)]
        return [person_at(150 + 3 * (i % 3) if i < 100 else 150 + 10 * (i - 99))]

    events = run(LOITER, people, 140)
    new = [(i, e) for i, e in events if e.type == "new"]
    assert len(new) == 1 and new[0][1].kind == "loitering" and new[0][1].zone == "lobby"
    first, event = new[0]
    # Ten seconds after the feet entered, not before (the tracker may take a moment to settle when they stop).
    assert 8 + 10 * FPS <= first <= 8 + 10 * FPS + 10
    assert event.data["dwell_seconds"] >= 10 and event.data["limit_seconds"] == 10
    assert event.snapshot and event.box is not None
    ends = [i for i, e in events if e.type == "end" and e.id == event.id]
    assert ends and 116 <= ends[0] <= 120  # once the feet leave the zone (x > 320 from frame 117)


def test_passing_through_is_not_loitering():
    events = run(LOITER, lambda i: [person_at(40 + 15 * i)], 40)  # crosses the lobby in about 4 s
    assert not [e for _i, e in events if e.kind == "loitering"]


# ---- line crossing --------------------------------------------------------------------------------------------

def door(direction: str, min_frames: int = 2) -> dict:
    # A vertical line drawn from the top (first point) to the bottom (second point). Walking along it from the
    # first point to the second, one's left is the right-hand side of the picture: someone going from the left
    # of the picture to its right crosses from the line's right to its left ("right_to_left").
    return {"lines": [{"name": "door", "points": [[0.5, 0], [0.5, 1]], "direction": direction,
                       "rules": [{"type": "crossing", "min_frames": min_frames}]}]}


def walk_right(i: int) -> list[Box]:
    return [person_at(200 + 12 * i)]


def walk_left(i: int) -> list[Box]:
    return [person_at(440 - 12 * i)]


@pytest.mark.parametrize(("direction", "walk", "expected"), [
    ("right_to_left", walk_right, ["right_to_left"]),
    ("left_to_right", walk_right, []),
    ("left_to_right", walk_left, ["left_to_right"]),
    ("both", walk_left, ["left_to_right"]),
    ("both", walk_right, ["right_to_left"]),
])
def test_crossing_is_raised_in_the_configured_direction_only(direction, walk, expected):
    events = run(door(direction), walk, 40)
    crossings = [e for _i, e in events if e.kind == "line_crossing"]
    assert [e.data["direction"] for e in crossings] == expected
    assert all(e.type == "new" and e.data["instantaneous"] and e.zone == "door" for e in crossings)


def test_a_step_over_the_line_and_straight_back_is_not_a_crossing():
    # Inertia: the feet must stay on the new side for min_frames frames.
    def people(i: int) -> list[Box]:
        return [person_at(300 + 2 * (i % 2) if i < 10 else 330 if i == 10 else 300)]

    assert not run(door("both", min_frames=2), people, 25)


# ---- abandoned objects -----------------------------------------------------------------------------------------

ABANDON = {"zones": [{"name": "hall", "polygon": WHOLE, "rules": [{"type": "abandoned", "seconds": 5}]}]}
BAG = (300, 250, 340, 290)


def with_bag(i: int, person: Box | None = None) -> np.ndarray:
    frame = background()
    frame = cv2.add(frame, np.random.default_rng(i).integers(0, 3, frame.shape, dtype=np.uint8))  # sensor noise
    if i >= 50:  # a bag is put down after 10 s
        cv2.rectangle(frame, BAG[:2], BAG[2:], (20, 30, 200), -1)
    if person is not None:
        x1, y1, x2, y2 = (int(v) for v in person)
        cv2.rectangle(frame, (x1 + i % 3, y1), (x2 + i % 3, y2), (230, 230, 230), -1)
    return frame


def test_an_object_left_with_nobody_near_is_abandoned():
    events = run(ABANDON, lambda i: [], 150, draw=with_bag)
    new = [(i, e) for i, e in events if e.kind == "abandoned" and e.type == "new"]
    assert len(new) == 1
    first, event = new[0]
    assert first >= 50 + 5 * FPS  # not before it has stayed for the configured 5 s
    x1, y1, x2, y2 = event.box
    assert x1 <= BAG[0] / 640 + 0.02 and x2 >= BAG[2] / 640 - 0.02  # the box is the bag's
    assert y1 <= BAG[1] / 360 + 0.02 and y2 >= BAG[3] / 360 - 0.02
    assert event.label == "object" and event.data["static_seconds"] >= 5


def test_an_object_with_its_owner_standing_by_is_not_abandoned():
    owner = (345.0, 170.0, 385.0, 290.0)
    events = run(ABANDON, lambda i: [owner] if i >= 10 else [], 150, draw=lambda i: with_bag(i, owner if i >= 10
                                                                                                   else None))
    assert not [e for _i, e in events if e.kind == "abandoned"]


# ---- the fight heuristic --------------------------------------------------------------------------------------

LIMBS = [(260, 140), (300, 150), (340, 140), (380, 150)]  # arms and bodies of two people standing close
TEXTURE = cv2.GaussianBlur(np.random.default_rng(1).integers(0, 255, (80, 40), dtype=np.uint8), (3, 3), 0)


def limbs(offsets: list[tuple[int, int]]) -> np.ndarray:
    frame = np.full((360, 640), 90, np.uint8)
    for (x, y), (dx, dy) in zip(LIMBS, offsets, strict=True):
        frame[y + dy:y + dy + 80, x + dx:x + dx + 40] = TEXTURE
    return frame


def scuffle(rng: np.random.Generator) -> np.ndarray:
    return limbs([(int(rng.integers(-14, 15)), int(rng.integers(-14, 15))) for _ in LIMBS])


def test_chaotic_motion_scores_well_above_walking_or_jogging_together():
    region = (230.0, 110.0, 450.0, 260.0)
    rng = np.random.default_rng(7)
    frames = [scuffle(rng) for _ in range(31)]
    fighting = [flow_chaos(a, b, region) for a, b in pairwise(frames)]
    walking = [flow_chaos(limbs([(3 * i, 0)] * 4), limbs([(3 * i + 3, 0)] * 4), region) for i in range(6)]
    jogging = [flow_chaos(limbs([(12 * i, 0)] * 4), limbs([(12 * i + 12, 0)] * 4), region) for i in range(6)]
    still = flow_chaos(limbs([(0, 0)] * 4), limbs([(0, 0)] * 4), region)
    threshold = parse_camera({"code": "X", "zones": [{"name": "z", "polygon": WHOLE, "rules": [{"type": "fight"}]}]}
                             ).zones[0].rules[0].get("threshold")
    assert np.mean(fighting) > threshold > max(jogging) > max(walking) == still == 0.0


def test_two_close_people_scuffling_raise_a_fight_labelled_heuristic_and_walking_does_not():
    config = {"zones": [{"name": "corridor", "polygon": WHOLE, "rules": [{"type": "fight", "min_frames": 3}]}]}
    pair = [(250.0, 120.0, 330.0, 250.0), (330.0, 120.0, 430.0, 250.0)]
    rng = np.random.default_rng(3)
    fight = run(config, lambda i: pair, 20, draw=lambda i: cv2.cvtColor(scuffle(rng), cv2.COLOR_GRAY2BGR))
    new = [e for _i, e in fight if e.kind == "fight" and e.type == "new"]
    assert len(new) == 1
    assert new[0].data["method"].startswith("heuristic") and new[0].score >= new[0].data["threshold"]

    walking = run(config, lambda i: [(b[0] + 3 * i, b[1], b[2] + 3 * i, b[3]) for b in pair], 20,
                  draw=lambda i: cv2.cvtColor(limbs([(3 * i, 0)] * 4), cv2.COLOR_GRAY2BGR))
    assert not [e for _i, e in walking if e.kind == "fight"]
