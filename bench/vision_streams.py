"""How many 640×360 camera streams at 5 analysed frames per second one CPU core keeps up with, on real
footage (vtest.avi), against plain decoding of the same clip in the same run; and memory per camera.

    .venv/bin/python bench/vision_streams.py [--video PATH] [--seconds N]

Runs in one process pinned to one core (os.sched_setaffinity), OpenCV limited to one thread. Needs no
database. The machine may be shared: figures are for this run only; the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import cv2
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opscenter.vision.pipeline.analytics import CameraPipeline
from opscenter.vision.pipeline.config import parse_camera
from opscenter.vision.pipeline.run import build_detector, source_aspect
from opscenter.vision.pipeline.source import frames

VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
CONFIG = {"code": "BENCH", "width": 640, "height": 360, "fps": 5,
          "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]],
                     "rules": [{"type": "count", "max_people": 8}]},
                    {"name": "lawn", "polygon": [[0, 0.46], [0.39, 0.56], [0.56, 0.68], [0.78, 0.8], [1, 0.89],
                                                 [1, 1], [0, 1]],
                     "rules": [{"type": "barrier"}, {"type": "loitering", "seconds": 30}]}],
          "lines": [{"name": "lamp", "points": [[0.56, 0.3], [0.56, 1]]}]}


def decode_only(video: str) -> tuple[int, float, float]:
    """Decode every frame (as the worker must) and keep the analysed ones, resized: the floor cost."""
    began = time.perf_counter()
    n = 0
    for frame in frames(video, 5, start=0):
        cv2.resize(frame.image, (640, 360), interpolation=cv2.INTER_AREA)
        n += 1
    elapsed = time.perf_counter() - began
    return n, elapsed, frame.time


def analyse(video: str) -> tuple[int, float, float]:
    config = parse_camera(CONFIG)
    pipeline = CameraPipeline(config, build_detector(config, aspect=source_aspect(video)))
    began = time.perf_counter()
    n = 0
    for frame in frames(video, 5, start=0):
        pipeline.process(frame.image, frame.time, original=frame.image)
        n += 1
    return n, time.perf_counter() - began, frame.time


def memory_per_camera(video: str, cameras: int = 4) -> float:
    """RSS growth per camera pipeline that has analysed a few seconds of video (MiB)."""
    process = psutil.Process()
    config = parse_camera(CONFIG)
    pipelines = []
    warm = CameraPipeline(config, build_detector(config, aspect=source_aspect(video)))
    for frame in frames(video, 5, start=0):
        warm.process(frame.image, frame.time)
        if frame.index > 40:
            break
    before = process.memory_info().rss
    for _ in range(cameras):
        p = CameraPipeline(config, build_detector(config, aspect=source_aspect(video)))
        for frame in frames(video, 5, start=0):
            p.process(frame.image, frame.time)
            if frame.index > 40:
                break
        pipelines.append(p)
    return (process.memory_info().rss - before) / cameras / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--video", default=VTEST)
    args = parser.parse_args()
    if not Path(args.video).exists():
        sys.exit(f"{args.video} is missing: apt-get install opencv-doc")
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)
    print(f"One core ({os.sched_getaffinity(0)}), load average {os.getloadavg()[0]:.1f} on "
          f"{psutil.cpu_count()} cores (shared with other work while measuring)")
    n_dec, t_dec, video_seconds = decode_only(args.video)
    n_ana, t_ana, _ = analyse(args.video)
    per_frame = t_ana / n_ana
    streams = 1 / (per_frame * 5)
    print(f"clip: {video_seconds:.1f} s of video, {n_ana} frames analysed at 5 fps, 640×360")
    print(f"plain decoding : {n_dec / t_dec:7.1f} analysed-frame equivalents/s ({t_dec:.2f} s)")
    print(f"full pipeline  : {n_ana / t_ana:7.1f} frames/s ({t_ana:.2f} s, {per_frame * 1000:.1f} ms/frame)")
    print(f"ratio pipeline/decoding throughput: {(n_ana / t_ana) / (n_dec / t_dec):.3f}")
    print(f"real-time streams per core at 5 fps: {streams:.1f} (goal ≥ 3; Frigate's CPU detector: 2–3 fps)")
    print(f"48 cameras need {48 / streams:.1f} cores")
    print(f"memory per camera (RSS growth): {memory_per_camera(args.video):.1f} MiB")


if __name__ == "__main__":
    main()
