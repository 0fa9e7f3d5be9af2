"""A forecast never shows a model that does worse than repeating last week (the seasonal naive forecast), on any
day ahead.

On series built so that the answer is known: a steady weekly pattern under noise, where the model (which averages
the noise out) clearly wins on every day ahead; a level that jumps at the start of the backtest weeks, where the
model (fitted on the quiet weeks before) is slow to follow and clearly loses on every day ahead; and a slow drift,
as bed occupancy moves, where 7 days ahead the naive forecast repeats the latest day and is hard to beat, so each
is shown on its days. Checked in the pure forecasting module (the backtest recomputed by hand), through the daily
forecast service, and through what the pages and the API say.
"""

import datetime as dt
import re

import numpy as np
import pytest

from opscenter.org.roles import Role
from opscenter.reporting import services as reporting
from opscenter.surveillance import forecasting, services
from opscenter.surveillance.models import Forecast
from opscenter.testing import HOSPITAL_DAILY, bed_element, full_report

from .test_pages import visible

DAYS = 160
HORIZON = 14
PROFILE = np.array([10, 14, 13, 12, 11, 7, 5], dtype=float)  # Monday first


def weekly_noise(last: dt.date, days: int = DAYS, seed: int = 7) -> np.ndarray:
    """The same weekly profile every week, under noise: the best forecast is the profile itself."""
    rng = np.random.default_rng(seed)
    start = last - dt.timedelta(days=days - 1)
    weekday = np.array([(start + dt.timedelta(days=i)).weekday() for i in range(days)])
    return np.maximum(0, np.round(PROFILE[weekday] + rng.normal(0, 2, days)))


def jump(last: dt.date, days: int = DAYS, seed: int = 11) -> np.ndarray:
    """Quiet, then the level more than triples from the first day the backtest forecasts (six weeks ago)."""
    rng = np.random.default_rng(seed)
    start = last - dt.timedelta(days=days - 1)
    weekday = np.array([(start + dt.timedelta(days=i)).weekday() for i in range(days)])
    level = np.where(np.arange(days) < days - 42, 8.0, 28.0)
    return np.maximum(0, np.round(level + PROFILE[weekday] / 5 + rng.normal(0, 1, days)))


def drift(last: dt.date, days: int = DAYS, seed: int = 5) -> np.ndarray:
    """Occupied beds of a 200-bed ward drifting slowly around 80% (as the demo's do), a little lower at weekends."""
    rng = np.random.default_rng(seed)
    start = last - dt.timedelta(days=days - 1)
    weekend = np.array([(start + dt.timedelta(days=i)).weekday() >= 5 for i in range(days)])
    level = np.zeros(days)
    for i in range(1, days):
        level[i] = 0.92 * level[i - 1] + rng.normal(0, 0.012)
    return np.round(200 * (0.8 + level - 0.03 * weekend))


# ---- the pure module --------------------------------------------------------------------------------------

LAST = dt.date(2026, 6, 28)  # a Sunday


def test_the_model_is_shown_where_it_beats_naive_and_naive_where_it_does_not():
    results = forecasting.forecast({"wins": weekly_noise(LAST), "loses": jump(LAST)}, LAST, horizon=HORIZON)
    wins, loses = results["wins"], results["loses"]

    assert wins.shown == forecasting.SHOWN_MODEL and wins.naive_days == ()
    assert all(wins.backtest.beats_baseline_at())  # on every day ahead
    assert wins.backtest.mase < 0.85 * wins.backtest.mase_baseline  # clearly: the noise is averaged out
    assert wins.mean == list(wins.model_mean) and wins.mean != wins.baseline

    assert loses.shown == forecasting.SHOWN_NAIVE and loses.naive_days == tuple(range(1, HORIZON + 1))
    assert not any(loses.backtest.beats_baseline_at())
    assert loses.backtest.mase > 2 * loses.backtest.mase_baseline  # clearly: the model lags the jump
    assert loses.mean == loses.baseline and loses.mean != list(loses.model_mean)
    # the naive forecast repeats last week, day for day, with its own intervals around it
    assert loses.mean == [float(v) for v in np.tile(jump(LAST)[-7:], 2)]
    assert all(lo <= m <= hi for lo, m, hi in zip(loses.lower[95], loses.mean, loses.upper[95], strict=True))


def test_on_a_slow_drift_each_is_shown_on_the_days_ahead_where_it_did_better():
    result = forecasting.forecast({"drift": drift(LAST)}, LAST, horizon=HORIZON)["drift"]
    bt = result.backtest
    assert result.shown == forecasting.SHOWN_MIXED
    assert 7 in result.naive_days  # a week ahead, naive repeats the latest day: the best guess for a slow drift
    assert 1 not in result.naive_days  # the next day, the model's level and weekday profile do better
    assert result.naive_days == tuple(d for d, wins in enumerate(bt.beats_baseline_at(), start=1) if not wins)
    for day in range(1, HORIZON + 1):
        source = result.baseline if day in result.naive_days else result.model_mean
        assert result.mean[day - 1] == source[day - 1]
        assert result.lower[80][day - 1] <= result.mean[day - 1] <= result.upper[80][day - 1]
    # what is shown scores, day by day, the better of the two: never above either
    assert forecasting.shown_mase(bt) <= min(bt.mase, bt.mase_baseline)


def test_the_backtest_scores_every_horizon_from_a_rolling_daily_origin_without_seeing_the_future():
    y = jump(LAST)
    bt = forecasting.forecast({"s": y}, LAST, horizon=HORIZON)["s"].backtest
    n, origins = len(y), forecasting.ORIGINS
    assert bt.origins == origins and len(bt.mase_by_horizon) == len(bt.mase_baseline_by_horizon) == HORIZON
    # the naive forecast's errors, by hand: from each cutoff c, h days ahead repeats the same weekday before c
    before = y[: n - (HORIZON + origins - 1)]  # the history before the first origin
    scale = np.mean(np.abs(before[7:] - before[:-7]))
    cutoffs = range(n - HORIZON - origins, n - HORIZON)
    by_hand = [np.mean([abs(y[c + h] - y[c + h - 7 * int(np.ceil(h / 7))]) for c in cutoffs]) / scale
               for h in range(1, HORIZON + 1)]
    assert bt.mase_baseline_by_horizon == pytest.approx(by_hand)
    assert bt.mase_baseline == pytest.approx(np.mean(by_hand))
    assert bt.mase == pytest.approx(np.mean(bt.mase_by_horizon))  # every horizon has as many forecasts


def test_a_series_too_short_to_check_shows_the_naive_forecast():
    short = weekly_noise(LAST, days=70)  # 10 weeks: enough to forecast, not to keep 8 weeks before the backtest
    result = forecasting.forecast({"short": short}, LAST, horizon=HORIZON)["short"]
    assert result.backtest is None and result.shown == forecasting.SHOWN_NAIVE
    assert result.mean == result.baseline and result.naive_days == tuple(range(1, HORIZON + 1))


def test_the_share_beating_naive_per_horizon():
    series = {"wins": weekly_noise(LAST), "loses": jump(LAST), "wins2": weekly_noise(LAST, seed=8)}
    results = forecasting.forecast(series, LAST, horizon=HORIZON)
    overall, per_step = forecasting.share_beating_naive([r.backtest for r in results.values()])
    assert overall == pytest.approx(2 / 3) and len(per_step) == HORIZON
    assert all(0 <= s <= 1 for s in per_step)
    assert per_step[0] == pytest.approx(np.mean([r.backtest.beats_baseline_at()[0] for r in results.values()]))


# ---- through the daily forecast service, the pages and the API ----------------------------------------------

@pytest.fixture
def reported(city, today):
    """160 days of daily reports: hospital A's ICU steady by weekday under noise and its surgery beds drifting
    slowly, hospital B's ICU jumping up."""
    steady, jumping, drifting = weekly_noise(today), jump(today), drift(today)
    surgery = {bed_element("surgery", "total"): 250, bed_element("surgery", "available"): 0}
    submissions = []
    for i in range(DAYS):
        day = today - dt.timedelta(days=DAYS - 1 - i)
        a = full_report(icu_total=40, icu_occupied=int(steady[i]),
                        **surgery | {bed_element("surgery", "occupied"): int(drifting[i])})
        a[bed_element("surgery", "available")] = 250 - int(drifting[i])
        submissions.append(reporting.Submission(data_set=HOSPITAL_DAILY, unit="BV-A", period=day, source="import",
                                                values=a))
        submissions.append(reporting.Submission(data_set=HOSPITAL_DAILY, unit="BV-B", period=day, source="import",
                                                values=full_report(icu_total=40, icu_occupied=int(jumping[i]))))
    reporting.submit_many("test", submissions)
    services.run_forecasts(today)
    return (Forecast.objects.get(series_key="hospital:BV-A:beds_icu"),
            Forecast.objects.get(series_key="hospital:BV-B:beds_icu"),
            Forecast.objects.get(series_key="hospital:BV-A:beds_surgery"))


@pytest.mark.django_db
def test_the_service_stores_the_model_where_it_wins_and_naive_where_it_loses(reported, today):
    wins, loses, mixed = reported
    assert wins.shown == Forecast.Shown.MODEL and wins.mase < wins.mase_baseline and wins.naive_days == []
    assert wins.mean == wins.model_mean and wins.shown_method == "AutoETS"
    assert loses.shown == Forecast.Shown.NAIVE and loses.mase > 2 * loses.mase_baseline
    assert loses.mean == loses.baseline != loses.model_mean and loses.shown_method == "SeasonalNaive"
    assert loses.mean[:7] == [float(v) for v in jump(today)[-7:]]  # last week, repeated
    assert len(loses.mase_by_horizon) == len(loses.mase_baseline_by_horizon) == HORIZON
    assert mixed.shown == Forecast.Shown.MIXED and 7 in mixed.naive_days and 1 not in mixed.naive_days
    assert mixed.naive_days == [d for d in range(1, HORIZON + 1)
                                if not mixed.mase_by_horizon[d - 1] < mixed.mase_baseline_by_horizon[d - 1]]
    assert all(mixed.mean[d - 1] == (mixed.baseline if d in mixed.naive_days else mixed.model_mean)[d - 1]
               for d in range(1, HORIZON + 1))
    # the constant series (every other bed type, admissions): naive is exact, the model cannot beat it
    constant = Forecast.objects.get(series_key="hospital:BV-B:beds_surgery")
    assert constant.shown == Forecast.Shown.NAIVE and constant.mean == [20.0] * HORIZON


@pytest.mark.django_db
def test_the_api_says_which_forecast_is_shown_and_why(api_client, reported):
    wins, loses, mixed = reported
    body = {f["series_key"]: f for f in api_client(Role.OPERATOR).get("/api/surveillance/forecasts").json()}
    b = body["hospital:BV-B:beds_icu"]
    assert (b["shown"], b["shown_method"], b["model"]) == ("naive", "SeasonalNaive", "AutoETS")
    assert b["naive_days"] == list(range(1, HORIZON + 1))
    assert b["mean"] == b["baseline"] == loses.baseline and b["model_mean"] == loses.model_mean
    assert b["beats_baseline"] is False and b["mase"] > b["mase_baseline"]
    assert b["shown_reason"] == (f"repeating last week is shown: the model did no better (scaled error "
                                 f"{loses.mase:.2f}, against {loses.mase_baseline:.2f} for repeating last week)")
    assert len(b["mase_by_horizon"]) == HORIZON
    a = body["hospital:BV-A:beds_icu"]
    assert (a["shown"], a["shown_method"], a["shown_reason"]) == ("model", "AutoETS", "")
    assert a["beats_baseline"] is True and a["mean"] == wins.mean and a["naive_days"] == []
    m = body["hospital:BV-A:beds_surgery"]
    assert (m["shown"], m["shown_method"], m["naive_days"]) == ("mixed", "AutoETS+SeasonalNaive", mixed.naive_days)
    model_there, naive_there = mixed.horizon_mase()
    assert naive_there <= model_there  # on its days, naive did at least as well
    days = ", ".join(map(str, mixed.naive_days))
    said = re.fullmatch(rf"repeating last week is shown for days {days} ahead \(the model did no better there: "
                        r"scaled error ([\d.]+), against ([\d.]+) for repeating last week\), the model's forecast "
                        r"for the other days", m["shown_reason"])
    assert said, m["shown_reason"]
    # both figures as stored, with as many decimals as it takes to tell a near tie apart
    assert float(said.group(1)) == pytest.approx(model_there, abs=0.005)
    assert float(said.group(2)) == pytest.approx(naive_there, abs=0.005)
    assert said.group(1) != said.group(2) or round(model_there, 4) == round(naive_there, 4)
    hospital = api_client(Role.HOSPITAL_MANAGER, "B").get("/api/surveillance/forecasts/hospital/BV-B").json()
    assert {f["series_key"]: f["shown"] for f in hospital}["hospital:BV-B:beds_icu"] == "naive"


@pytest.mark.django_db
def test_the_forecasts_page_says_naive_is_shown_with_both_figures(api_client, reported):
    _wins, loses, _mixed = reported
    html = api_client(Role.OPERATOR).get("/surveillance/forecasts/").content.decode()
    row = re.search(r'<tr data-series="hospital:BV-B:beds_icu".*?</tr>', html, re.S).group(0)
    assert (f"repeating last week is shown: the model did no better (scaled error {loses.mase:.2f}, against "
            f"{loses.mase_baseline:.2f} for repeating last week)") in visible(row)
    assert 'data-shown="naive"' in row
    good = re.search(r'<tr data-series="hospital:BV-A:beds_icu".*?</tr>', html, re.S).group(0)
    assert re.search(r"off by [\d.]+ beds on average, better than repeating last week", visible(good))
    assert 'data-shown="model"' in good
    part = re.search(r'<tr data-series="hospital:BV-A:beds_surgery".*?</tr>', html, re.S).group(0)
    assert 'data-shown="mixed"' in part and "the model's forecast for the other days" in visible(part)
    naive_rows = Forecast.objects.exclude(shown=Forecast.Shown.MODEL).count()
    assert f"{naive_rows} series show repeating last week instead of the model, on the days ahead" in visible(html)
    assert "do not rely on" not in visible(html)  # no worse model is shown, so none to warn about

    vi = visible(api_client(Role.OPERATOR, language="vi").get("/surveillance/forecasts/?unit=BV-B").content.decode())
    assert f"{loses.mase:.2f}".replace(".", ",") in vi and f"{loses.mase_baseline:.2f}".replace(".", ",") in vi


@pytest.mark.django_db
def test_the_facility_page_and_the_export_name_the_forecast_shown(api_client, reported):
    html = api_client(Role.OPERATOR).get("/dashboard/facility/BV-B/").content.decode()
    row = re.search(r'<tr data-series="hospital:BV-B:beds_icu">.*?</tr>', html, re.S).group(0)
    assert "loses to naive: naive shown" in row and 'data-shown="naive"' in row
    a = api_client(Role.OPERATOR).get("/dashboard/facility/BV-A/").content.decode()
    mixed = re.search(r'<tr data-series="hospital:BV-A:beds_surgery">.*?</tr>', a, re.S).group(0)
    assert re.search(r"naive shown for days [\d, ]*\b7\b[\d, ]* ahead", mixed) and 'data-shown="mixed"' in mixed
    export = api_client(Role.OPERATOR).get("/surveillance/forecasts/?format=csv&unit=BV-B")
    csv_text = export.content.decode("utf-8-sig")
    line = next(r for r in csv_text.splitlines() if "hospital:BV-B:beds_icu" in r)
    assert "SeasonalNaive" in line and "repeating last week is shown" in line
