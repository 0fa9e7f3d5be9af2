"""Daily forecasts for 60 hospitals × 8 series (admissions and occupied beds of 7 types), with the backtest.

Times `forecasting.forecast` (ETS with a weekly season, 14-day horizon, 80/95% intervals, plus the rolling
origin backtest: 3 origins × 14 days, model and seasonal naive) on two years of synthetic daily history per
series, pinned to one core, against a same-run baseline: the seasonal naive forecast alone through the same
engine. Target: under 60 s.

    .venv/bin/python bench/surveillance_forecast.py [--hospitals 60] [--days 730]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import SeasonalNaive  # noqa: E402

from opscenter.surveillance import forecasting  # noqa: E402

SERIES_PER_HOSPITAL = 8


def synthetic(hospitals: int, days: int, seed: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    weekday = np.array([1.1, 1.15, 1.1, 1.05, 1.0, 0.8, 0.8])[t % 7]
    out = {}
    for h in range(hospitals):
        for s in range(SERIES_PER_HOSPITAL):
            level = rng.uniform(5, 200)
            yearly = 1 + 0.15 * np.sin(2 * np.pi * (t / 365 + rng.random()))
            out[f"H{h}:{s}"] = rng.poisson(level * weekday * yearly).astype(float)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=60)
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    series = synthetic(args.hospitals, args.days)
    last = dt.date(2025, 12, 31)
    forecasting.forecast(dict(list(series.items())[:2]), last)  # warm-up: imports and first calls

    frame = forecasting._frame(series, last)
    start = time.perf_counter()
    StatsForecast(models=[SeasonalNaive(season_length=7)], freq="D", n_jobs=1).forecast(df=frame, h=14)
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    results = forecasting.forecast(series, last, horizon=14, windows=3)
    full = time.perf_counter() - start
    backtests = [r.backtest for r in results.values() if r.backtest]
    wins = sum(b.beats_baseline for b in backtests)
    print(f"series: {len(series)} ({args.hospitals} hospitals × {SERIES_PER_HOSPITAL}), "
          f"{args.days} days of history; one core")
    print(f"baseline  seasonal naive forecast only   {baseline:8.2f} s")
    print(f"forecast + intervals + backtest          {full:8.2f} s   ratio to baseline {full / baseline:7.1f}×")
    print(f"per series                               {1000 * full / len(series):8.1f} ms")
    print(f"backtests: {len(backtests)}; model beats naive on {wins}, "
          f"median MASE {np.median([b.mase for b in backtests]):.2f} "
          f"vs naive {np.median([b.mase_baseline for b in backtests]):.2f}")
    print(f"target < 60 s: {'met' if full < 60 else 'NOT met'} (machine shared with other work: 2 cores)")


if __name__ == "__main__":
    main()
