"""Forecast quality across every demo series (the share where the model beats seasonal naive, per horizon), and the
time of the daily forecasts for 60 hospitals × 8 series.

1. Quality. The series the demo's daily forecast task reads, built the way the demo builds them: each demo
   hospital's admissions and occupied beds per bed type (`reporting.demo_series`, from the demo's series start,
   the last 365 days) and the city's cases per disease (the surveillance demo's 180 days of case reports, on the
   same 365-day window, zeros before). Each is forecast as the task does (`forecasting.forecast`: ETS, 14 days,
   backtest from a rolling daily origin over the last 6 weeks); printed: the share of series whose model beats
   seasonal naive (MASE below the naive's) at each horizon 1 to 14 days ahead (where it does not, the naive
   forecast is shown that day) and over the whole horizon, overall and per kind of series; how many series show
   the model, naive, or each on its days; the median MASE of the model, of naive, and of what is shown.
2. Time. `forecasting.forecast` (forecast, 80/95% intervals, backtest) on two years of synthetic daily history
   for 60 hospitals × 8 series, pinned to one core, against a same-run baseline: the seasonal naive forecast alone
   through the same engine. Target: under 60 s.

    .venv/bin/python bench/surveillance_forecast.py [--day 2026-12-01] [--hospitals 60] [--days 730] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
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
HISTORY_DAYS = 365  # what the daily task reads (services.HISTORY_DAYS)


# ---- the demo's series --------------------------------------------------------------------------------------

def _django() -> None:
    """Settings only (no database is opened): the demo modules import models."""
    from common import bench_env

    os.environ.update(bench_env(f"sqlite:///{tempfile.gettempdir()}/opscenter-bench-forecast-unused.db"))
    import django

    django.setup()


def demo_series(day: dt.date) -> dict[str, np.ndarray]:
    """Every series the demo's forecast task reads on `day`, keyed as the task keys them."""
    _django()
    from opscenter.demo.seed import SERIES_START
    from opscenter.org import demo_data
    from opscenter.reporting import demo_series as hospital_days
    from opscenter.surveillance import demo as case_demo

    start = day - dt.timedelta(days=HISTORY_DAYS - 1)
    out: dict[str, np.ndarray] = {}
    for hospital in demo_data.HOSPITALS:
        rows = [values for d, values in hospital_days.history(hospital, min(start, SERIES_START), day) if d >= start]
        out[f"hospital:{hospital['code']}:admissions"] = np.array([r["admissions"] for r in rows], dtype=float)
        for bed_type in demo_data.BED_TYPES:
            if hospital["beds"].get(bed_type, 0) > 0:
                key = f"beds_{bed_type}_occupied"
                out[f"hospital:{hospital['code']}:beds_{bed_type}"] = np.array([r[key] for r in rows], dtype=float)
    # City cases per disease: the surveillance demo's Poisson days (its ward series stay under a case a week,
    # the task's threshold, so only the city's are forecast).
    rng = random.Random(2019)
    for disease in case_demo.BASE_RATE:
        counts = np.zeros(HISTORY_DAYS)
        for i in range(case_demo.HISTORY_DAYS):
            d = day - dt.timedelta(days=case_demo.HISTORY_DAYS - 1 - i)
            counts[HISTORY_DAYS - case_demo.HISTORY_DAYS + i] = case_demo._poisson(rng, case_demo._expected(disease, d))
        out[f"cases:{disease}:CITY"] = counts
    return out


def kind(key: str) -> str:
    if key.startswith("cases:"):
        return "cases"
    return "admissions" if key.endswith(":admissions") else "beds"


def quality(day: dt.date) -> list[tuple[str, float, str, bool | None]]:
    series = demo_series(day)
    start = time.perf_counter()
    results = forecasting.forecast(series, day, horizon=14)
    took = time.perf_counter() - start
    checked = {k: r.backtest for k, r in results.items() if r.backtest is not None}
    kinds = ["admissions", "beds", "cases"]
    groups = {"all": list(checked.values())} | {k: [b for key, b in checked.items() if kind(key) == k] for k in kinds}
    print(f"Demo series on {day.isoformat()}: {len(series)} ({', '.join(f'{k} {len(groups[k])}' for k in kinds)}), "
          f"{HISTORY_DAYS} days each; forecast with backtest in {took:.1f} s")
    print(f"backtest: rolling daily origin, {forecasting.ORIGINS} origins × 14 days (the last 6 weeks); "
          "MASE scaled by the in-sample weekly naive error before the first origin")
    print()
    print("share of series where the model beats seasonal naive (MASE below the naive's)")
    print(f"{'':<26}" + "".join(f"{k:>12}" for k in groups))
    overall = {k: forecasting.share_beating_naive(b) for k, b in groups.items()}
    print(f"{'whole horizon':<26}" + "".join(f"{overall[k][0]:>11.0%} " for k in groups))
    for h in range(14):
        print(f"{f'{h + 1} day(s) ahead':<26}" + "".join(f"{overall[k][1][h]:>11.0%} " for k in groups))
    print()
    shown = {w: sum(r.shown == w for r in results.values()) for w in
             (forecasting.SHOWN_MODEL, forecasting.SHOWN_MIXED, forecasting.SHOWN_NAIVE)}
    days = sum(len(r.naive_days) for r in results.values())
    print(f"shown (each day ahead, the better in the backtest): the model on every day for "
          f"{shown[forecasting.SHOWN_MODEL]} series, naive on some days for {shown[forecasting.SHOWN_MIXED]}, "
          f"naive on every day for {shown[forecasting.SHOWN_NAIVE]} "
          f"({len(results) - len(checked)} of them without a backtest); naive on {days / (14 * len(results)):.0%} "
          "of all series-days")
    for k in groups:
        b = groups[k]
        if b:
            print(f"median MASE {k:<11} model {np.median([x.mase for x in b]):.2f}   "
                  f"naive {np.median([x.mase_baseline for x in b]):.2f}   "
                  f"shown {np.median([forecasting.shown_mase(x) for x in b]):.2f}")
    share, per_step = overall["all"]
    return [("demo series: model beats naive, 14 days (%)", round(100 * share, 1), "reported", None),
            ("demo series: model beats naive, 1 day ahead (%)", round(100 * per_step[0], 1), "reported", None),
            ("demo series: model beats naive, 7 days ahead (%)", round(100 * per_step[6], 1), "reported", None),
            ("demo series: model beats naive, 14 days ahead (%)", round(100 * per_step[13], 1), "reported", None),
            ("demo series-days showing naive (%)", round(100 * days / (14 * len(results)), 1), "reported", None)]


# ---- the time of the daily forecasts -----------------------------------------------------------------------

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


def timing(hospitals: int, days: int) -> list[tuple[str, float, str, bool | None]]:
    series = synthetic(hospitals, days)
    last = dt.date(2025, 12, 31)
    forecasting.forecast(dict(list(series.items())[:2]), last)  # warm-up: imports and first calls

    frame = forecasting._frame(series, last)
    start = time.perf_counter()
    StatsForecast(models=[SeasonalNaive(season_length=7)], freq="D", n_jobs=1).forecast(df=frame, h=14)
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    results = forecasting.forecast(series, last, horizon=14)
    full = time.perf_counter() - start
    backtests = [r.backtest for r in results.values() if r.backtest]
    share, _per_step = forecasting.share_beating_naive(backtests)
    print(f"series: {len(series)} ({hospitals} hospitals × {SERIES_PER_HOSPITAL}), {days} days of history; one core")
    print(f"baseline  seasonal naive forecast only   {baseline:8.2f} s")
    print(f"forecast + intervals + backtest          {full:8.2f} s   ratio to baseline {full / baseline:7.1f}×")
    print(f"per series                               {1000 * full / len(series):8.1f} ms")
    print(f"backtests: {len(backtests)}; model beats naive on {share:.0%}, "
          f"median MASE {np.median([b.mase for b in backtests]):.2f} "
          f"vs naive {np.median([b.mase_baseline for b in backtests]):.2f}")
    print(f"target < 60 s: {'met' if full < 60 else 'NOT met'} (machine shared with other work: 2 cores)")
    return [(f"forecasts with backtest, {len(series)} series (s)", round(full, 2), "< 60 s", full < 60)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="the demo day forecast from (default today)")
    parser.add_argument("--hospitals", type=int, default=60)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--quick", action="store_true", help="the quality report only")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    rows = quality(args.day)
    if not args.quick:
        print()
        rows += timing(args.hospitals, args.days)
    from common import emit_summary

    emit_summary("surveillance_forecast", rows)


if __name__ == "__main__":
    main()
