"""Pixel-level analytics: the motion gate, new static objects (dual background), chaotic motion (optical flow)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from opscenter.extras import needs

from .config import Point
from .detectors import Box

with needs("vision"):
    import cv2

_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))


def polygon_mask(shape: tuple[int, int], polygons: Sequence[Sequence[Point]]) -> np.ndarray:
    """A 0/255 mask of `shape` (height, width) with the polygons (in frame fractions) filled."""
    height, width = shape
    mask = np.zeros(shape, np.uint8)
    for polygon in polygons:
        pts = np.array([[x * width, y * height] for x, y in polygon], np.int32)
        cv2.fillPoly(mask, [pts], 255)
    return mask


def _regions(foreground: np.ndarray, factor: float, min_area: float) -> list[Box]:
    contours, _ = cv2.findContours(foreground, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours:
        if cv2.contourArea(contour) >= min_area:
            x, y, w, h = cv2.boundingRect(contour)
            boxes.append((x * factor, y * factor, (x + w) * factor, (y + h) * factor))
    return boxes


class MotionGate:
    """Background subtraction on a half-size frame: where did something move? Masked areas never count."""

    GLOBAL_CHANGE = 0.4  # share of the picture changing at once

    def __init__(self, shape: tuple[int, int], masks: Sequence[Sequence[Point]] = (), min_area: float = 40) -> None:
        self.small = (shape[1] // 2, shape[0] // 2)
        self.subtractor = cv2.createBackgroundSubtractorMOG2(history=200, varThreshold=25, detectShadows=False)
        self.keep = cv2.bitwise_not(polygon_mask((self.small[1], self.small[0]), masks)) if masks else None
        self.min_area = min_area
        self.moving_fraction = 0.0

    def regions(self, frame: np.ndarray) -> list[Box]:
        small = cv2.resize(frame, self.small, interpolation=cv2.INTER_AREA)
        foreground = self.subtractor.apply(small)
        if self.keep is not None:
            foreground = cv2.bitwise_and(foreground, self.keep)
        foreground = cv2.morphologyEx(foreground, cv2.MORPH_OPEN, _KERNEL)
        self.moving_fraction = float(np.count_nonzero(foreground)) / foreground.size
        if self.moving_fraction > self.GLOBAL_CHANGE:
            return []  # the first frame, a light switched, the camera shaken: not something moving
        foreground = cv2.dilate(foreground, _KERNEL, iterations=3)
        return _regions(foreground, 2.0, self.min_area)


class StaticObjects:
    """New objects that stay: foreground for a slow background model, already background for a fast one.

    Returns boxes that have stayed put for the given time; the caller checks that no person is near.
    """

    def __init__(self, shape: tuple[int, int], fps: float, min_area_fraction: float = 0.0005) -> None:
        self.small = (shape[1] // 2, shape[0] // 2)
        self.fps = fps
        self.slow = cv2.createBackgroundSubtractorMOG2(history=int(fps * 600), varThreshold=25, detectShadows=False)
        self.fast = cv2.createBackgroundSubtractorMOG2(history=int(fps * 4), varThreshold=25, detectShadows=False)
        self.age = np.zeros((self.small[1], self.small[0]), np.float32)  # seconds each pixel has been static-new
        self.min_area = min_area_fraction * self.small[0] * self.small[1]

    def update(self, frame: np.ndarray, dt: float, min_seconds: float) -> list[tuple[Box, float]]:
        small = cv2.resize(frame, self.small, interpolation=cv2.INTER_AREA)
        slow_fg = self.slow.apply(small, learningRate=1 / (self.fps * 600))
        fast_fg = self.fast.apply(small)
        static_new = cv2.morphologyEx(cv2.bitwise_and(slow_fg, cv2.bitwise_not(fast_fg)), cv2.MORPH_OPEN, _KERNEL)
        self.age = np.where(static_new > 0, self.age + dt, 0).astype(np.float32)
        old_enough = (self.age >= min_seconds).astype(np.uint8) * 255
        found = []
        for box in _regions(old_enough, 2.0, self.min_area):
            x1, y1, x2, y2 = (int(v / 2) for v in box)
            found.append((box, float(self.age[y1:y2, x1:x2].max())))
        return found


def flow_chaos(previous: np.ndarray, current: np.ndarray, region: Box) -> float:
    """How violent and disordered the motion in `region` is, 0..1: fast motion in many directions at once.

    A heuristic (optical-flow statistics), not a trained model: mean speed (relative to the region's size)
    times the spread of motion directions.
    """
    x1, y1, x2, y2 = (int(v) for v in region)
    a, b = previous[y1:y2, x1:x2], current[y1:y2, x1:x2]
    if a.shape[0] < 16 or a.shape[1] < 16:
        return 0.0
    flow = cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 2, 9, 2, 5, 1.1, 0)  # type: ignore[call-overload]
    magnitude, angle = cv2.cartToPolar(flow[..., 0], flow[..., 1])
    moving = magnitude > 1.0
    if moving.sum() < 0.05 * moving.size:
        return 0.0
    speed = float(np.mean(magnitude[moving])) / max(8.0, (y2 - y1) / 10)
    # Directional spread: 1 - length of the mean unit vector (0 all one way, 1 every way).
    spread = 1.0 - float(np.hypot(np.mean(np.cos(angle[moving])), np.mean(np.sin(angle[moving]))))
    share = float(moving.mean())
    return float(min(1.0, speed * spread * (0.5 + share)))
