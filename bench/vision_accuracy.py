"""How well the camera pipeline counts and finds people, against hand-labelled frames of real footage, as a
different camera would see it (mirrored, another resolution); and what each candidate costs.

    .venv/bin/python bench/vision_accuracy.py [--video PATH] [--all | --candidates NAME ...] [--variants NAME ...]

Ground truth: opscenter/vision/tests/data/vtest_people.json (44 frames of vtest.avi labelled by eye; see the
README next to it). Each candidate runs the whole pipeline (motion gate, detector, tracker) over the whole clip at
the camera's 640×360 and 5 fps, as the worker does; the people it reports on a labelled frame are compared with the
labels: count MAE (people per frame), precision and recall of the boxes at IoU 0.5 (one-to-one matching), the
recall of hand-noted line crossings (vtest_crossings.json, same direction, within about a second) with the number
of crossing events that match none, and the time per analysed frame, turned into streams per core at 5 fps
(decoding included, one process pinned to one core, OpenCV on one thread). The first candidate is the baseline
the others are compared with, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opscenter.vision.pipeline.analytics import CameraPipeline
from opscenter.vision.pipeline.config import CameraConfig, parse_camera
from opscenter.vision.pipeline.detectors import Detector, HogPersonDetector, box_iou
from opscenter.vision.pipeline.run import build_detector

VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
DATA = Path(__file__).resolve().parent.parent / "opscenter/vision/tests/data"
LABELS = DATA / "vtest_people.json"
CROSSINGS = DATA / "vtest_crossings.json"
CONFIG = {"code": "ACCURACY", "width": 640, "height": 360, "fps": 5,
          "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}]}
MIRROR = {"left_to_right": "right_to_left", "right_to_left": "left_to_right"}

# How a different camera would see the scene: (name, output size or None for as filmed, mirrored).
VARIANTS: dict[str, tuple[tuple[int, int] | None, bool]] = {
    "768x576": (None, False),
    "768x576 mirrored": (None, True),
    "384x288": ((384, 288), False),
    "1024x768 mirrored": ((1024, 768), True),
}


def _hog(hold: float = 0.0, growth: tuple[float, float] | None = (1.0, 1.0),
         **kwargs: object) -> Callable[[float], Detector]:
    """A HOG detector with these options; `hold` and `growth` are the pipeline's `hold_seconds` and
    `track_growth` (None: the detector's own)."""
    factory = lambda stretch: HogPersonDetector(aspect=stretch, **kwargs)  # type: ignore[arg-type]  # noqa: E731
    factory.pipeline = {"hold_seconds": hold, "track_growth": growth}  # type: ignore[attr-defined]
    return factory


def _confirmed(seconds: float) -> Callable[[float], Detector]:
    def factory(stretch: float) -> Detector:
        return build_detector(parse_camera(CONFIG), aspect=stretch * CONFIG["height"] / CONFIG["width"])  # type: ignore[operator]

    factory.pipeline = {"confirm_seconds": seconds}  # type: ignore[attr-defined]
    return factory


# name -> factory(aspect stretch) -> detector; the first is the baseline.
CANDIDATES: dict[str, Callable[[float], Detector]] = {
    "HOG (default until now)": _hog(target_height=150, scale=1.05),
    "HOG, tight boxes": _hog(tight=True),
    "HOG, tight, hit threshold -1": _hog(tight=True, hit_threshold=-1.0),
    "HOG, tight, regions to 200 px": _hog(tight=True, target_height=200),
    "HOG, tight, hold 0.4 s": _hog(tight=True, hold=0.4),
    "HOG, tight, 200 px, hold 0.4 s": _hog(tight=True, target_height=200, hold=0.4),
    "HOG, tight, 200 px, hold 1 s": _hog(tight=True, target_height=200, hold=1.0),
    "HOG, tight, 200 px, thr -1, hold 1 s": _hog(tight=True, target_height=200, hit_threshold=-1.0, hold=1.0),
    "HOG, tight, 200 px, scale 1.1": _hog(tight=True, target_height=200, scale=1.1),
    "HOG, tight, 200 px, scale 1.1, hold 0.4 s": _hog(tight=True, target_height=200, scale=1.1, hold=0.4),
    "the default now (build_detector)": lambda stretch: build_detector(
        parse_camera(CONFIG), aspect=stretch * CONFIG["height"] / CONFIG["width"]),  # type: ignore[operator]
    "the default now, counting tracks confirmed over 0.4 s": _confirmed(0.4),
    "HOG, tight, 240 px, scale 1.1, hold 0.4 s": _hog(tight=True, target_height=240, scale=1.1, hold=0.4),
    "Daimler, tight": _hog(model="daimler", tight=True, target_height=110),
    "Daimler, tight, hit threshold 0": _hog(model="daimler", tight=True, target_height=110, hit_threshold=0.0),
    "Daimler, tight, thr 0, hold 1 s": _hog(model="daimler", tight=True, target_height=110, hit_threshold=0.0,
                                            hold=1.0),
}


def load_labels(path: Path = LABELS) -> dict[int, list[tuple[float, float, float, float]]]:
    data = json.loads(path.read_text())
    return {int(k): [(x, y, x + w, y + h) for x, y, w, h in v] for k, v in data["frames"].items()}


def load_crossings(path: Path = CROSSINGS) -> tuple[list[list[float]], list[tuple[int, str]]]:
    data = json.loads(path.read_text())
    return data["line"]["points"], [(int(f), str(d)) for f, d in data["crossings"]]


def crossing_recall(events: list[tuple[int, str]], truth: list[tuple[int, str]], early: int = 6,
                    late: int = 16) -> tuple[int, int]:
    """(crossings found, crossing events that match none): an event matches a hand-noted crossing in the same
    direction from `early` frames before to `late` frames after it (the rule confirms a crossing over frames)."""
    used: set[int] = set()
    false = 0
    for frame, direction in sorted(events):
        hit = next((i for i, (f, d) in enumerate(truth) if i not in used and d == direction
                    and f - early <= frame <= f + late), None)
        if hit is None:
            false += 1
        else:
            used.add(hit)
    return len(used), false


def match(found: list[tuple[float, float, float, float]], truth: list[tuple[float, float, float, float]],
          threshold: float = 0.5) -> int:
    """True positives: greedy one-to-one matching by IoU, best pairs first."""
    pairs = sorted(((box_iou(f, t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth)), reverse=True)
    used_f: set[int] = set()
    used_t: set[int] = set()
    for iou, i, j in pairs:
        if iou < threshold:
            break
        if i not in used_f and j not in used_t:
            used_f.add(i)
            used_t.add(j)
    return len(used_f)


def run(video: str, factory: Callable[[float], Detector], variant: tuple[tuple[int, int] | None, bool],
        labels: dict[int, list], line: list[list[float]], crossings: list[tuple[int, str]]) -> dict[str, float]:
    size, mirrored = variant
    points = [[1 - x, y] for x, y in line] if mirrored else line
    config: CameraConfig = parse_camera({**CONFIG, "lines": [{"name": "road", "points": points,
                                                              "rules": [{"type": "crossing"}]}]})
    capture = cv2.VideoCapture(video)
    width, height = capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)
    fps = capture.get(cv2.CAP_PROP_FPS) or 10.0
    stretch = (height / width) / (config.height / config.width)
    pipeline = CameraPipeline(config, factory(stretch), **getattr(factory, "pipeline", {}))
    step = max(1, round(fps / config.fps))
    fx, fy = width / config.width, height / config.height  # analysis pixels -> labelled frame pixels
    errors, tp, n_found, n_truth, analysed = [], 0, 0, 0, 0
    crossed: list[tuple[int, str]] = []
    began = time.perf_counter()
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index % step == 0:
            if size:
                frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA if size[0] < width else cv2.INTER_LINEAR)
            if mirrored:
                frame = cv2.flip(frame, 1)
            result = pipeline.process(frame, index / fps)
            analysed += 1
            for event in result.events:
                if event.kind == "line_crossing":
                    direction = event.data["direction"]
                    crossed.append((index, MIRROR[direction] if mirrored else direction))
            if index in labels:
                found = []
                for _id, (x1, y1, x2, y2) in result.people:
                    box = (x1 * fx, y1 * fy, x2 * fx, y2 * fy)
                    if mirrored:
                        box = (width - box[2], box[1], width - box[0], box[3])
                    found.append(box)
                truth = labels[index]
                errors.append(len(found) - len(truth))
                tp += match(found, truth)
                n_found += len(found)
                n_truth += len(truth)
        index += 1
    elapsed = time.perf_counter() - began
    capture.release()
    seconds_per_frame = elapsed / max(1, analysed)
    found_crossings, false_crossings = crossing_recall(crossed, crossings)
    return {"mae": float(np.mean(np.abs(errors))), "max_error": float(np.max(np.abs(errors))),
            "bias": float(np.mean(errors)), "frames": len(errors),
            "precision": tp / n_found if n_found else 0.0, "recall": tp / n_truth if n_truth else 0.0,
            "line_recall": found_crossings / len(crossings), "false_crossings": float(false_crossings),
            "ms": seconds_per_frame * 1000, "streams": 1 / (seconds_per_frame * config.fps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--video", default=VTEST)
    parser.add_argument("--candidates", nargs="*", default=[*list(CANDIDATES)[:1], "the default now (build_detector)"],
                        help="names from CANDIDATES (default: the old and the new default)")
    parser.add_argument("--all", action="store_true", help="every candidate (long: about 16 × 4 runs of the clip)")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    args = parser.parse_args()
    if args.all:
        args.candidates = list(CANDIDATES)
    if not Path(args.video).exists():
        sys.exit(f"{args.video} not found (Debian: apt install opencv-doc)")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    labels = load_labels()
    line, crossings = load_crossings()
    print(f"{len(labels)} labelled frames, {sum(map(len, labels.values()))} people, {len(crossings)} line crossings;"
          " pipeline at 640x360, 5 fps\n")
    print(f"{'candidate':56} {'variant':18} {'MAE':>5} {'bias':>5} {'max':>4} {'prec':>5} {'rec':>5} {'line':>5} "
          f"{'false':>5} {'ms/frame':>8} {'streams/core':>12}")
    baseline: dict[str, float] | None = None
    for name in args.candidates:
        totals: list[dict[str, float]] = []
        for variant in args.variants:
            r = run(args.video, CANDIDATES[name], VARIANTS[variant], labels, line, crossings)
            totals.append(r)
            print(f"{name:56} {variant:18} {r['mae']:5.2f} {r['bias']:+5.2f} {r['max_error']:4.0f} "
                  f"{r['precision']:5.2f} {r['recall']:5.2f} {r['line_recall']:5.2f} {r['false_crossings']:5.0f} "
                  f"{r['ms']:8.1f} {r['streams']:12.1f}", flush=True)
        worst = max(t["mae"] for t in totals)
        speed = min(t["streams"] for t in totals)
        if baseline is None:
            baseline = {"worst": worst, "speed": speed}
        print(f"{name:56} {'worst variant':18} {worst:5.2f}            "
              f"{'':23} {'':8} {speed:12.1f}   (vs baseline: MAE x{worst / baseline['worst']:.2f}, "
              f"speed x{speed / baseline['speed']:.2f})\n", flush=True)


if __name__ == "__main__":
    main()
