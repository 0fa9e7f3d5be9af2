"""Video sources: a file, RTSP or HTTP stream decoded by OpenCV (FFmpeg), sampled at the analysis rate."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from opscenter.extras import needs

with needs("vision"):
    import cv2


class StreamError(RuntimeError):
    """The stream cannot be opened or stopped delivering; the message says why (shown as the offline reason)."""


@dataclass
class Frame:
    image: np.ndarray
    time: float  # epoch seconds (for a file: its start time plus the position in the video)
    index: int


def is_file(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def open_capture(url: str) -> cv2.VideoCapture:
    path = url.removeprefix("file://")
    if is_file(url) and not os.path.exists(path):
        raise StreamError(f"file not found: {path}")
    capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    capture.set(cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 5000)
    capture.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, 5000)
    if not capture.isOpened():
        raise StreamError(f"cannot open stream {url}: not a video or unreachable")
    return capture


def frames(url: str, fps: float, start: float | None = None, realtime: bool = False,
           max_bad_reads: int = 3, clips: Sequence[tuple[int, int]] | None = None) -> Iterator[Frame]:
    """Decode `url` and yield frames at about `fps`.

    A file is sampled by its own timestamps (every frame it shows at the analysis rate), as fast as decoding
    allows, or at its real pace with `realtime`; a live stream by the wall clock. Raises StreamError when the
    stream stops (a file simply ends).

    `clips` (a file only): (first, last) frame indexes, in order and apart; only the frames of these stretches are
    decoded into pictures and yielded, each stretch sampled from its first frame as if the file began there, so
    a stretch gives the same frames whether it is asked for alone or among others.
    """
    stretches = sorted(clips or ())
    if any(a[1] >= b[0] for a, b in itertools.pairwise(stretches)) or \
            any(first < 0 or last < first for first, last in stretches):
        raise ValueError("clips must be (first, last) frame indexes, apart")
    capture = open_capture(url)
    try:
        native = capture.get(cv2.CAP_PROP_FPS) or 25.0
        native = native if 1 <= native <= 120 else 25.0
        live = not is_file(url)
        origin = time.time() if start is None else start
        step = 1.0 / fps
        next_due = 0.0
        index = bad = 0
        began = time.monotonic()
        while True:
            if not capture.grab():
                bad += 1
                if not live:
                    if index == 0:
                        raise StreamError(f"no frame could be decoded from {url}")
                    return
                if bad >= max_bad_reads:
                    raise StreamError(f"stream {url} stopped sending frames")
                continue
            position = time.monotonic() - began if live else index / native
            index += 1
            if stretches and not live:
                if index - 1 > stretches[0][1]:
                    stretches.pop(0)
                    if not stretches:
                        return
                if index - 1 < stretches[0][0]:
                    continue  # before the next stretch: decoded for the codec's sake only
                if index - 1 == stretches[0][0]:
                    next_due = position  # a stretch is sampled from its first frame
            if position + 1e-6 < next_due:
                continue  # decoded for the codec's sake, not analysed
            ok, image = capture.retrieve()
            if not ok or image is None:
                bad += 1
                if bad >= max_bad_reads:
                    raise StreamError(f"stream {url} sends frames that cannot be decoded")
                continue
            bad = 0
            next_due += step
            if next_due < position:  # fell behind: skip ahead rather than queue
                next_due = position + step
            if realtime and not live:
                time.sleep(max(0.0, began + position - time.monotonic()))
            yield Frame(image, origin + position, index - 1)
    finally:
        capture.release()


class Backoff:
    """Waits that double after each failure up to a ceiling, and start again after a success."""

    def __init__(self, first: float = 1.0, ceiling: float = 60.0) -> None:
        self.first, self.ceiling = first, ceiling
        self.current = first

    def next(self) -> float:
        wait = self.current
        self.current = min(self.ceiling, self.current * 2)
        return wait

    def reset(self) -> None:
        self.current = self.first
