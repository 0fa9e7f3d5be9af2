"""Daily forecasts with prediction intervals, checked against the seasonal naive forecast, which is shown instead
of the model wherever the model does not beat it: on every day ahead where it does not.

Plain pandas/statsforecast (no Django). Every series is a daily count (cases, admissions, occupied beds);
the model is statsforecast's ETS with additive errors, no trend and an additive weekly season (ANA: the
level and the weekday profile adapt; a fixed form, because the full AutoETS search costs 30 times as much
for little gain on these series), fitted on the last `history_days`; the baseline is SeasonalNaive (same
weekday last week).

The backtest is a rolling origin over the last weeks of the history: both are fitted on the days before the
first origin, then at every day from there (`origins` of them, one a day) forecast the next `horizon` days from
the data up to that day, so every horizon (1 to 14 days ahead) is scored on `origins` forecasts. Errors are
scaled as MASE usually is: by the in-sample mean absolute error of the weekly naive forecast on the history before
the first origin (so the backtest sees no future). For each horizon, the model's forecast is shown only when its
MASE at that horizon is below the naive forecast's; on the other days ahead (all of them when the history is too
short to check the model) the seasonal naive forecast and its intervals are shown. A series thus shows the model
on every day, the naive forecast on every day, or each where it did better ("mixed").
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
SHOWN_MODEL, SHOWN_NAIVE, SHOWN_MIXED = "model", "naive", "mixed"
ORIGINS = 29  # one a day: with a 14-day horizon, the backtest covers the last 6 weeks


@dataclass(frozen=True)
class Backtest:
    mae: float
    mae_baseline: float
    mase: float
    mase_baseline: float
    origins: int
    mase_by_horizon: tuple[float, ...] = ()  # index 0: one day ahead
    mase_baseline_by_horizon: tuple[float, ...] = ()

    @property
    def beats_baseline(self) -> bool:
        """The model's MASE over the whole horizon is below the naive forecast's (ties go to naive)."""
        return self.mase < self.mase_baseline

    def beats_baseline_at(self) -> list[bool]:
        """Per horizon (one day ahead first): the model's MASE is below the naive forecast's."""
        return [m < b for m, b in zip(self.mase_by_horizon, self.mase_baseline_by_horizon, strict=True)]


@dataclass(frozen=True)
class SeriesForecast:
    """What a series shows (`mean`, `lower`, `upper`: day by day the model's, or the naive forecast's on the days
    ahead where the model does not beat it), the two candidates' means, and the backtest that chose."""

    dates: list[dt.date]
    mean: list[float]
    lower: dict[int, list[float]]  # level -> bound
    upper: dict[int, list[float]]
    baseline: list[float]
    backtest: Backtest | None
    naive_days: tuple[int, ...] = ()  # the days ahead (1 = tomorrow) that show the naive forecast
    model_mean: tuple[float, ...] = ()  # the model's forecast, shown or not

    @property
    def shown(self) -> str:
        if not self.naive_days:
            return SHOWN_MODEL
        return SHOWN_NAIVE if len(self.naive_days) == len(self.dates) else SHOWN_MIXED


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


def backtest(frame: pd.DataFrame, horizon: int, origins: int = ORIGINS) -> dict[str, Backtest]:
    """Rolling origin, one a day over the last `horizon + origins - 1` days of each series: parameters fitted once
    on the days before the first origin, the forecasts of each origin made from the data up to it."""
    cv = _engine().cross_validation(df=frame, h=horizon, n_windows=origins, step_size=1, refit=False)
    cv["step"] = (cv["ds"] - cv["cutoff"]).dt.days
    model = cv[MODEL].clip(lower=0)  # what is shown is clipped at zero: score that
    cv["err_model"] = (cv["y"] - model).abs()
    cv["err_naive"] = (cv["y"] - cv[BASELINE].clip(lower=0)).abs()
    results = {}
    for key, rows in cv.groupby("unique_id", sort=False):
        history = frame.loc[frame["unique_id"] == key, "y"].to_numpy()
        scale = _scale(history[: len(history) - (horizon + origins - 1)])
        by_step = rows.groupby("step")[["err_model", "err_naive"]].mean().reindex(range(1, horizon + 1))
        mae, mae_base = float(rows["err_model"].mean()), float(rows["err_naive"].mean())
        results[str(key)] = Backtest(
            mae, mae_base, mae / scale, mae_base / scale, origins,
            tuple(float(v) / scale for v in by_step["err_model"]),
            tuple(float(v) / scale for v in by_step["err_naive"]),
        )
    return results


def forecast(series: Mapping[str, np.ndarray], last_day: dt.date, horizon: int = 14, origins: int = ORIGINS,
             min_history: int = 8 * SEASON, history_days: int = 365) -> dict[str, SeriesForecast]:
    """Forecast the next `horizon` days after `last_day` for every series (the same last day for all).

    Series shorter than `min_history` days are skipped; those too short to keep `min_history` days before the
    first origin of the backtest are not checked, and show the seasonal naive forecast.
    """
    usable = {k: np.asarray(v, dtype=float)[-history_days:] for k, v in series.items() if len(v) >= min_history}
    if not usable:
        return {}
    frame = _frame(usable, last_day)
    predicted = _engine().forecast(df=frame, h=horizon, level=list(LEVELS))
    long_enough = [k for k, v in usable.items() if len(v) >= min_history + horizon + origins - 1]
    scores = backtest(frame[frame["unique_id"].isin(long_enough)], horizon, origins) if long_enough else {}
    out = {}
    for key, rows in predicted.groupby("unique_id", sort=False):
        def clip(column: str, rows=rows) -> list[float]:  # counts are never negative
            return [max(0.0, float(v)) for v in rows[column]]

        score = scores.get(str(key))
        naive_at = [True] * len(rows) if score is None else [not wins for wins in score.beats_baseline_at()]

        def pick(suffix: str, naive_at=naive_at, clip=clip) -> list[float]:
            model, naive = clip(MODEL + suffix), clip(BASELINE + suffix)
            return [n if use_naive else m for m, n, use_naive in zip(model, naive, naive_at, strict=True)]

        out[str(key)] = SeriesForecast(
            dates=[d.date() for d in rows["ds"]],
            mean=pick(""),
            lower={level: pick(f"-lo-{level}") for level in LEVELS},
            upper={level: pick(f"-hi-{level}") for level in LEVELS},
            baseline=clip(BASELINE),
            backtest=score,
            naive_days=tuple(day for day, use_naive in enumerate(naive_at, start=1) if use_naive),
            model_mean=tuple(clip(MODEL)),
        )
    return out


def shown_mase(backtest: Backtest) -> float:
    """The backtest MASE of what is shown: at each horizon, the better of the two."""
    return float(np.mean(np.minimum(backtest.mase_by_horizon, backtest.mase_baseline_by_horizon)))


def share_beating_naive(backtests: list[Backtest]) -> tuple[float, list[float]]:
    """Across series: the share whose model beats the naive forecast over the whole horizon, and per horizon."""
    if not backtests:
        return 0.0, []
    overall = sum(b.beats_baseline for b in backtests) / len(backtests)
    per_step = np.mean([b.beats_baseline_at() for b in backtests], axis=0)
    return overall, [float(v) for v in per_step]
