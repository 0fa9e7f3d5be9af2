"""Faces: detection and 128-d encodings with dlib's offline models, and matching against a watch-list.

The models ship in the `face-recognition-models` package; nothing is downloaded. A distance below about 0.6
means the same person for dlib's ResNet encoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from opscenter.extras import needs

from .detectors import Box

with needs("vision"):
    import cv2


@dataclass(frozen=True)
class Face:
    box: Box
    encoding: np.ndarray  # 128 floats


@dataclass(frozen=True)
class WatchEntry:
    id: int
    name: str
    category: str  # "watch" (thieves, touts...) or "allowed" (staff allowed past a barrier)
    encodings: tuple[np.ndarray, ...]
    list_name: str = ""


@dataclass(frozen=True)
class Match:
    entry: WatchEntry
    distance: float
    threshold: float


@cache
def _models():  # loaded once per process: about 100 MB of weights
    with needs("vision"):
        import dlib
        import face_recognition_models as frm

    return (dlib.get_frontal_face_detector(), dlib.shape_predictor(frm.pose_predictor_model_location()),
            dlib.face_recognition_model_v1(frm.face_recognition_model_location()))


def find_faces(image_bgr: np.ndarray, upsample: int = 1) -> list[Face]:
    """Every frontal face in the image with its encoding."""
    detector, predictor, encoder = _models()
    rgb = np.ascontiguousarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
    faces = []
    for rect in detector(rgb, upsample):
        shape = predictor(rgb, rect)
        encoding = np.array(encoder.compute_face_descriptor(rgb, shape, 1), dtype=np.float64)
        faces.append(Face((float(rect.left()), float(rect.top()), float(rect.right()), float(rect.bottom())),
                          encoding))
    return faces


def encode_single_face(image_bgr: np.ndarray) -> Face:
    """The one face of a watch-list photo; ValueError if there is none or several."""
    faces = find_faces(image_bgr, upsample=1)
    if not faces:
        raise ValueError("no face found in the image")
    if len(faces) > 1:
        raise ValueError(f"{len(faces)} faces found: the photo must show one person")
    return faces[0]


def best_match(encoding: np.ndarray, entries: list[WatchEntry], threshold: float) -> Match | None:
    """The closest entry within `threshold`, with its distance, or None."""
    best: Match | None = None
    for entry in entries:
        if not entry.encodings:
            continue
        distance = float(np.min(np.linalg.norm(np.stack(entry.encodings) - encoding, axis=1)))
        if distance <= threshold and (best is None or distance < best.distance):
            best = Match(entry, distance, threshold)
    return best


def face_crop(image_bgr: np.ndarray, box: Box, margin: float = 0.3) -> np.ndarray:
    x1, y1, x2, y2 = box
    mx, my = (x2 - x1) * margin, (y2 - y1) * margin
    h, w = image_bgr.shape[:2]
    return image_bgr[int(max(0, y1 - my)):int(min(h, y2 + my)), int(max(0, x1 - mx)):int(min(w, x2 + mx))].copy()
