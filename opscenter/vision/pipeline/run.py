"""Running a camera's pipeline over its video: shared by the worker, `opscenter vision-analyze` and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .analytics import CameraPipeline, FrameResult
from .config import CameraConfig
from .detectors import Detector, HogPersonDetector, OnnxDetector
from .faces import WatchEntry
from .source import frames, is_file, open_capture


def source_aspect(url: str) -> float | None:
    """Height/width of the video, to undo the squeeze of a different analysis aspect (files only)."""
    if not is_file(url):
        return None
    capture = open_capture(url)
    try:
        import cv2

        w, h = capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)
        return h / w if w and h else None
    finally:
        capture.release()


def build_detector(config: CameraConfig, model: str | None = None, aspect: float | None = None) -> Detector:
    """The operator's ONNX model if given, else OpenCV's HOG people detector, set as measured best on
    hand-labelled footage (bench/vision_accuracy.py): boxes fitted to the person, moving regions scaled so a
    person fills the 128-pixel window, a coarser pyramid (scale 1.1) paying for it, missed people held 0.4 s."""
    if model:
        return OnnxDetector(model, min_score=min(config.min_person_score, 0.25))
    stretch = (aspect / (config.height / config.width)) if aspect else 1.0
    return HogPersonDetector(aspect=stretch, tight=True, target_height=200, scale=1.1, hold_seconds=0.4)


def frame_record(config: CameraConfig, result: FrameResult, index: int) -> dict[str, Any]:
    """One JSON line per analysed frame: the people count per zone."""
    return {"record": "frame", "camera": config.code, "frame": index, "time": round(result.time, 3),
            "people": len(result.people), "counts": result.counts}


def analyze_video(config: CameraConfig, url: str, detector: Detector | None = None,
                  watchlist: list[WatchEntry] | None = None, start: float = 0.0,
                  clips: Sequence[tuple[int, int]] | None = None) -> Iterator[tuple[int, FrameResult]]:
    """Run the pipeline over a video (file or stream) at the configured rate and resolution.

    `clips` (a file only): analyse only these (first, last) stretches of frame indexes, each from a fresh start
    (motion gate, tracker, rules), as if it were a video of its own: a stretch gives the same results alone or
    among others, in one decoding pass."""
    detector = detector or build_detector(config, aspect=source_aspect(url))
    stretches = sorted(clips or ())
    pipeline: CameraPipeline | None = None
    current = -1
    for frame in frames(url, config.fps, start=start, clips=stretches or None):
        clip = next((i for i, (first, last) in enumerate(stretches) if first <= frame.index <= last), -1)
        if pipeline is None or clip != current:
            pipeline, current = CameraPipeline(config, detector, watchlist), clip
        yield frame.index, pipeline.process(frame.image, frame.time, original=frame.image)
