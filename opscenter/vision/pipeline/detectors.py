"""Detectors: something that finds labelled boxes in a frame.

- `HogPersonDetector`: OpenCV's built-in HOG people detector; needs no download. It looks only where the
  motion gate (or a live track) says something is, each region scaled up to the detector's 64×128 window,
  so small people are found and still scenes cost nothing.
- `OnnxDetector`: any Ultralytics-format ONNX detection model (YOLOv8 family: input `images` 1×3×H×W, output
  1×(4+classes)×N, class names in the model's `names` metadata), run with onnxruntime on the CPU.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from opscenter.extras import needs

with needs("vision"):
    import cv2

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in analysis pixels

PERSON_LABELS = {"person", "people", "pedestrian"}
WEAPON_LABELS = {"knife", "gun", "pistol", "rifle", "handgun", "weapon", "firearm", "machete", "scissors"}
FALL_LABELS = {"fall", "fallen", "falling", "fall_detected", "lying"}


@dataclass(frozen=True)
class Detection:
    box: Box
    score: float
    label: str = "person"

    @property
    def foot(self) -> tuple[float, float]:
        """Where the object touches the ground: what zones and lines are tested against."""
        return ((self.box[0] + self.box[2]) / 2, self.box[3])


class Detector(Protocol):
    labels: frozenset[str]

    def detect(self, frame: np.ndarray, regions: Sequence[Box] | None = None) -> list[Detection]: ...


def nms(detections: list[Detection], iou: float = 0.45) -> list[Detection]:
    """Non-maximum suppression per label."""
    kept: list[Detection] = []
    for label in {d.label for d in detections}:
        same = [d for d in detections if d.label == label]
        boxes = [[d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]] for d in same]
        for i in np.ravel(cv2.dnn.NMSBoxes(boxes, [d.score for d in same], 0.0, iou)):
            kept.append(same[int(i)])
    return sorted(kept, key=lambda d: -d.score)


class HogPersonDetector:
    labels = frozenset({"person"})
    WINDOW_HEIGHT = 128

    # Where the person stands inside a detector window (fractions of its width and height off each side).
    INSET = {"default": (0.22, 0.1), "daimler": (0.2, 0.08)}

    def __init__(self, hit_threshold: float = -0.5, scale: float = 1.05, aspect: float = 1.0,
                 target_height: int = 150, model: str = "default", tight: bool = False,
                 hold_seconds: float = 0.0) -> None:
        """`aspect` stretches regions vertically when the analysis resolution squeezed the picture
        (e.g. 4:3 footage analysed at 16:9); `target_height` is the height regions are scaled to. `model`:
        OpenCV's "default" people detector (64×128 window) or "daimler" (48×96, for smaller people). `tight`
        shrinks each window to the person inside it, so boxes (and the feet zones and lines test) fit; the
        tracker then matches them grown back to the window (`track_growth`), as slim boxes of people walking
        overlap little from one frame to the next at 5 fps. `hold_seconds`: what the pipeline's count holds a
        tracked person the detector missed (see `CameraPipeline`)."""
        if model == "daimler":
            self.hog = cv2.HOGDescriptor((48, 96), (16, 16), (8, 8), (8, 8), 9)
            self.hog.setSVMDetector(cv2.HOGDescriptor_getDaimlerPeopleDetector())  # type: ignore[attr-defined]
            self.WINDOW_HEIGHT = 96
        else:
            self.hog = cv2.HOGDescriptor()
            self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())  # type: ignore[attr-defined]
        self.window = self.hog.winSize
        self.inset = self.INSET[model] if tight else (0.0, 0.0)
        self.track_growth = (1 / (1 - 2 * self.inset[0]), 1 / (1 - 2 * self.inset[1]))
        self.hold_seconds = hold_seconds
        self.hit_threshold = hit_threshold
        self.scale = scale
        self.aspect = aspect
        self.target_height = target_height

    def detect(self, frame: np.ndarray, regions: Sequence[Box] | None = None) -> list[Detection]:
        height, width = frame.shape[:2]
        regions = [(0.0, 0.0, float(width), float(height))] if regions is None else regions
        found: list[Detection] = []
        for x1, y1, x2, y2 in regions:
            # Room around the moving part: a person's legs or head may be still while the rest moves.
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            h = max((y2 - y1) * 1.6, 48.0)
            w = max((x2 - x1) * 1.6, h * 0.6)
            left, right = int(max(0, cx - w / 2)), int(min(width, cx + w / 2))
            top, bottom = int(max(0, cy - h / 2)), int(min(height, cy + h / 2))
            if right - left < 8 or bottom - top < 8:
                continue
            crop = frame[top:bottom, left:right]
            k = max(1.0, min(4.0, self.target_height / crop.shape[0]))
            ky = k * self.aspect
            crop = cv2.resize(crop, None, fx=k, fy=ky, interpolation=cv2.INTER_LINEAR)
            pad_y, pad_x = max(0, self.window[1] + 8 - crop.shape[0]), max(0, self.window[0] + 8 - crop.shape[1])
            if pad_y or pad_x:
                crop = cv2.copyMakeBorder(crop, 0, pad_y, 0, pad_x, cv2.BORDER_REPLICATE)
            rects, weights = self.hog.detectMultiScale(crop, hitThreshold=self.hit_threshold, winStride=(8, 8),
                                                       padding=(8, 8), scale=self.scale)
            ix, iy = self.inset
            for (wx, wy, ww, wh), weight in zip(rects, np.ravel(weights), strict=False):
                rx, ry, rw, rh = wx + ww * ix, wy + wh * iy, ww * (1 - 2 * ix), wh * (1 - 2 * iy)
                box = (left + rx / k, top + ry / ky, left + (rx + rw) / k, top + (ry + rh) / ky)
                score = 1 / (1 + math.exp(-float(weight)))  # SVM margin to 0..1
                found.append(Detection(_clip(box, width, height), score))
        return nms(found, 0.4)


def _clip(box: Box, width: int, height: int) -> Box:
    return (max(0.0, box[0]), max(0.0, box[1]), min(float(width), box[2]), min(float(height), box[3]))


def letterbox(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, float, tuple[float, float]]:
    """Fit `image` into `size` (height, width) keeping its aspect, padding with grey as Ultralytics does.
    Returns the padded image, the scale and the (x, y) padding."""
    height, width = image.shape[:2]
    scale = min(size[0] / height, size[1] / width)
    new_w, new_h = round(width * scale), round(height * scale)
    pad_x, pad_y = (size[1] - new_w) / 2, (size[0] - new_h) / 2
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR) if scale != 1 else image
    top, left = round(pad_y - 0.1), round(pad_x - 0.1)
    out = cv2.copyMakeBorder(resized, top, size[0] - new_h - top, left, size[1] - new_w - left,
                             cv2.BORDER_CONSTANT, value=(114, 114, 114))
    return out, scale, (float(left), float(top))


def model_class_names(metadata: dict[str, str], classes: int) -> list[str]:
    raw = metadata.get("names")
    if raw:
        names = ast.literal_eval(raw)  # Ultralytics writes a dict literal {0: 'person', ...}
        if isinstance(names, dict):
            return [str(names.get(i, names.get(str(i), f"class{i}"))) for i in range(classes)]
        return [str(n) for n in names]
    return [f"class{i}" for i in range(classes)]


class OnnxDetector:
    def __init__(self, path: str, min_score: float = 0.25, iou: float = 0.45, threads: int = 1) -> None:
        with needs("vision"):
            import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        model_input = self.session.get_inputs()[0]
        self.input_name = model_input.name
        h, w = model_input.shape[2], model_input.shape[3]
        self.size = (h if isinstance(h, int) else 640, w if isinstance(w, int) else 640)
        out_shape = self.session.get_outputs()[0].shape
        classes = out_shape[1] - 4 if isinstance(out_shape[1], int) else 0
        meta = self.session.get_modelmeta().custom_metadata_map
        self.names = model_class_names(meta, classes) if classes else []
        self.labels = frozenset(self.names)
        self.min_score = min_score
        self.iou = iou

    @property
    def weapon_labels(self) -> frozenset[str]:
        return frozenset(n for n in self.names if n.lower() in WEAPON_LABELS)

    def detect(self, frame: np.ndarray, regions: Sequence[Box] | None = None) -> list[Detection]:
        padded, scale, (pad_x, pad_y) = letterbox(frame, self.size)
        blob = cv2.dnn.blobFromImage(padded, 1 / 255.0, swapRB=True)  # BGR HWC -> RGB NCHW float
        output = self.session.run(None, {self.input_name: blob})[0][0]  # (4 + classes, N)
        return self.decode(output, scale, (pad_x, pad_y), frame.shape[1], frame.shape[0])

    def decode(self, output: np.ndarray, scale: float, pad: tuple[float, float], width: int,
               height: int) -> list[Detection]:
        if not self.names and output.shape[0] > 4:
            self.names = [f"class{i}" for i in range(output.shape[0] - 4)]
        scores = output[4:]
        best = scores.argmax(axis=0)
        confidence = scores[best, np.arange(scores.shape[1])]
        keep = confidence >= self.min_score
        cx, cy, w, h = output[:4, keep]
        x1 = (cx - w / 2 - pad[0]) / scale
        y1 = (cy - h / 2 - pad[1]) / scale
        x2 = (cx + w / 2 - pad[0]) / scale
        y2 = (cy + h / 2 - pad[1]) / scale
        found = [
            Detection(_clip((float(a), float(b), float(c), float(d)), width, height), float(s), self.names[int(k)])
            for a, b, c, d, s, k in zip(x1, y1, x2, y2, confidence[keep], best[keep], strict=False)
        ]
        return nms(found, self.iou)


def box_iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0

