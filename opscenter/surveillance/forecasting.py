"""Daily forecasts with prediction intervals, and a rolling-origin backtest against a seasonal naive baseline.

Plain pandas/statsforecast (no Django). Every series is a daily count (cases, admissions, occupied beds);
the model is statsforecast's ETS with additive errors, no trend and an additive weekly season (ANA: the
level and the weekday profile adapt; a fixed form, because the full AutoETS search costs 30 times as much
for little gain on these series), fitted on the last `history_days`; the baseline is SeasonalNaive (same
weekday last week). The backtest refits both at `windows` origins, each forecasting `horizon` days, and reports the mean
absolute error (MAE) and the mean absolute scaled error (MASE: MAE over the in-sample MAE of the weekly
naive forecast), so a model that loses to naive is seen to lose.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

os.environ.setdefault("NIXTLA_ID_AS_COL", "1")

from statsforecast import StatsForecast
from statsforecast.models import AutoETS, SeasonalNaive

SEASON = 7
LEVELS = (80, 95)
MODEL, BASELINE = "AutoETS", "SeasonalNaive"


@dataclass(frozen=True)
class Backtest:
    mae: float
    mae_baseline: float
    mase: float
    mase_baseline: float
    windows: int

    @property
    def beats_baseline(self) -> bool:
        return self.mae < self.mae_baseline


@dataclass(frozen=True)
class SeriesForecast:
    dates: list[dt.date]
    mean: list[float]
    lower: dict[int, list[float]]  # level -> bound
    upper: dict[int, list[float]]
    baseline: list[float]
    backtest: Backtest | None


def _frame(series: Mapping[str, np.ndarray], last_day: dt.date) -> pd.DataFrame:
    parts = []
    for key, values in series.items():
        values = np.asarray(values, dtype=float)
        dates = pd.date_range(end=pd.Timestamp(last_day), periods=len(values), freq="D")
        parts.append(pd.DataFrame({"unique_id": key, "ds": dates, "y": values}))
    return pd.concat(parts, ignore_index=True)


def _engine() -> StatsForecast:
    return StatsForecast(models=[AutoETS(season_length=SEASON, model="ANA"), SeasonalNaive(season_length=SEASON)],
                         freq="D", n_jobs=1)


def _scale(values: np.ndarray) -> float:
    """In-sample MAE of the weekly naive forecast: the MASE denominator (1 when the series never moves)."""
    diffs = np.abs(values[SEASON:] - values[:-SEASON])
    scale = float(np.mean(diffs)) if len(diffs) else 0.0
    return scale if scale > 0 else 1.0


def backtest(frame: pd.DataFrame, horizon: int, windows: int) -> dict[str, Backtest]:
    cv = _engine().cross_validation(df=frame, h=horizon, n_windows=windows, step_size=horizon)
    results = {}
    for key, rows in cv.groupby("unique_id", sort=False):
        history = frame.loc[frame["unique_id"] == key, "y"].to_numpy()
        # scale on the history before the first origin, so the backtest sees no future
        scale = _scale(history[: len(history) - horizon * windows])
        mae = float(np.mean(np.abs(rows["y"] - rows[MODEL].clip(lower=0))))
        mae_base = float(np.mean(np.abs(rows["y"] - rows[BASELINE])))
        results[str(key)] = Backtest(mae, mae_base, mae / scale, mae_base / scale, windows)
    return results


def forecast(series: Mapping[str, np.ndarray], last_day: dt.date, horizon: int = 14, windows: int = 3,
             min_history: int = 8 * SEASON, history_days: int = 365) -> dict[str, SeriesForecast]:
    """Forecast the next `horizon` days after `last_day` for every series (the same last day for all).

    Series shorter than `min_history` days are skipped; the backtest is left out for those too short to
    keep `min_history` days before its first origin.
    """
    usable = {k: np.asarray(v, dtype=float)[-history_days:] for k, v in series.items() if len(v) >= min_history}
    if not usable:
        return {}
    frame = _frame(usable, last_day)
    predicted = _engine().forecast(df=frame, h=horizon, level=list(LEVELS))
    long_enough = [k for k, v in usable.items() if len(v) >= min_history + horizon * windows]
    scores = backtest(frame[frame["unique_id"].isin(long_enough)], horizon, windows) if long_enough else {}
    out = {}
    for key, rows in predicted.groupby("unique_id", sort=False):
        def clip(column: str, rows=rows) -> list[float]:  # counts are never negative
            return [max(0.0, float(v)) for v in rows[column]]

        out[str(key)] = SeriesForecast(
            dates=[d.date() for d in rows["ds"]],
            mean=clip(MODEL),
            lower={level: clip(f"{MODEL}-lo-{level}") for level in LEVELS},
            upper={level: clip(f"{MODEL}-hi-{level}") for level in LEVELS},
            baseline=clip(BASELINE),
            backtest=scores.get(str(key)),
        )
    return out
