"""Daily outbreak detection for 170 wards × 6 diseases (plus city-wide) on 5 years of daily counts, one core.

Times the whole daily pass of the detection job (`detection.daily_detection` on every series: EARS C1–C3 and
CUSUM on daily counts, Farrington flexible on weekly counts) on synthetic seasonal series with outbreaks,
against a same-run baseline: EARS C1 alone on the same series. Pure computation (no database): the job's
one aggregate query is measured by the tests, not here. Target: under 5 s.

    .venv/bin/python bench/surveillance_detection.py [--wards 170] [--years 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # one core: no threaded linear algebra
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from opscenter.surveillance import detection  # noqa: E402

DISEASES = 6


def synthetic(wards: int, days: int, seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    series = []
    for d in range(DISEASES):
        season = np.exp(0.7 * np.sin(2 * np.pi * (t / 365 + d / DISEASES)))
        per_ward = []
        for _w in range(wards):
            mean = rng.uniform(0.05, 3) * season
            mean[-rng.integers(1, 60):] *= rng.choice([1, 1, 1, 3])  # some wards have an outbreak going on
            per_ward.append(rng.poisson(mean).astype(float))
        series.extend(per_ward)
        series.append(np.sum(per_ward, axis=0))  # city-wide
    return series


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=170)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    days = args.years * 365 + 7
    series = synthetic(args.wards, days)
    detection.daily_detection(series[0])  # warm-up (imports, first calls)

    baseline = best_of(args.repeat, lambda: [detection.ears(s[-20:], "C1") for s in series])
    alarms: list[int] = []

    def daily_pass() -> None:
        alarms.clear()
        alarms.extend(int(any(r[3] for r in detection.daily_detection(s).values())) for s in series)

    full = best_of(args.repeat, daily_pass)
    weeks = [detection.weekly(s) for s in series]
    control = detection.FarringtonControl(b=min(5, (len(weeks[0]) - 4) // 52))
    farrington_only = best_of(1, lambda: [detection.farrington_flexible(w, 52, control, positions=[len(w) - 1])
                                          for w in weeks])
    print(f"series: {len(series)} ({args.wards} wards + city) × {DISEASES} diseases, {days} days each; one core")
    print(f"baseline  EARS C1 only          {baseline:8.3f} s")
    print(f"daily pass (all 5 methods)      {full:8.3f} s   ratio to baseline {full / baseline:7.1f}×")
    ratio = farrington_only / baseline
    print(f"  of which Farrington (weekly)  {farrington_only:8.3f} s   ratio to baseline {ratio:7.1f}×")
    print(f"series with an alarm: {sum(alarms)}")
    print(f"target < 5 s: {'met' if full < 5 else 'NOT met'} (machine shared with other work: 2 cores)")


if __name__ == "__main__":
    main()
