"""Detection, Rt and forecasting on hand-checked small series and synthetic ones with known answers."""

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest

from opscenter.surveillance import detection, forecasting, rt


def test_ears_c1_by_hand():
    result = detection.ears([1, 2, 3, 4, 5, 6, 7, 20], "C1")
    # mean 4, sd of 1..7 = 2.1602, z(0.999) = 3.0902
    assert result.expected[-1] == pytest.approx(4.0)
    assert result.threshold[-1] == pytest.approx(4 + 3.090232 * 2.160247, rel=1e-6)
    assert result.alarm.tolist() == [False] * 7 + [True]
    assert np.isnan(result.threshold[:7]).all()


def test_ears_c2_leaves_a_guard_band():
    x = [1, 2, 3, 4, 5, 6, 7, 100, 100, 8]
    result = detection.ears(x, "C2")
    assert result.expected[-1] == pytest.approx(np.mean(x[:7]))  # the two 100s before it are not in the baseline
    assert result.alarm[-1] == (result.threshold[-1] < 8)


def test_cusum_by_hand():
    result = detection.cusum([2, 2, 2, 2, 2, 6, 2], start=4)
    # m = 2; standardised (x-2)/√2 = 0, 2.83, 0; sums 0, 1.79, 0.75 < h = 2.26
    assert result.threshold[4:].tolist() == [7, 7, 5]
    assert not result.alarm.any()
    assert detection.cusum([2, 2, 2, 2, 9, 9], start=4).alarm[4:].tolist() == [True, True]


def test_farrington_flags_a_spike_in_a_seasonal_series():
    rng = np.random.default_rng(7)
    weeks = np.arange(6 * 52)
    x = rng.poisson(20 * np.exp(0.5 * np.sin(2 * np.pi * weeks / 52))).astype(float)
    quiet = detection.farrington_flexible(x, 52, positions=[len(x) - 1])
    x[-1] = quiet.threshold[-1] + 15
    loud = detection.farrington_flexible(x, 52, positions=[len(x) - 1])
    assert loud.alarm[-1] and not quiet.alarm[-1]
    assert 5 < loud.expected[-1] < 60


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        detection.detect("ears-c9", [1, 2, 3])


def test_discretised_serial_interval_is_a_distribution():
    w = rt.discretised_gamma(5.0, 2.0)
    assert w[0] == 0 and w.sum() == pytest.approx(1.0)
    assert np.sum(np.arange(len(w)) * w) == pytest.approx(5.0, abs=0.05)


def test_rt_by_hand_with_a_one_day_serial_interval():
    si = np.array([0.0, 1.0])
    estimate = rt.estimate_rt(np.full(20, 10.0), si, window=7)
    # Λ_t = I_{t−1} = 10; posterior Gamma(1 + 70, scale 1/(1/5 + 70)): mean 71/70.2
    assert estimate.mean[-1] == pytest.approx(71 / 70.2)
    assert estimate.lower[-1] < estimate.mean[-1] < estimate.upper[-1]
    assert estimate.end[0] == 7


def test_rt_of_constant_growth_is_the_inverse_moment_generating_function():
    growth = 0.08
    incidence = 50 * np.exp(growth * np.arange(150))
    si = rt.discretised_gamma(6.0, 3.0)
    expected = 1 / np.sum(si * np.exp(-growth * np.arange(len(si))))
    estimate = rt.estimate_rt(incidence, si)
    assert estimate.mean[-1] == pytest.approx(expected, rel=0.01)
    assert expected > 1.4  # the series grows: Rt well above 1
    shrinking = rt.estimate_rt(50 * np.exp(-growth * np.arange(150)) + 0, si)
    assert shrinking.mean[60] < 1


def test_forecast_follows_a_known_weekly_season_and_beats_nothing_blindly():
    rng = np.random.default_rng(3)
    days = 364
    profile = np.array([60, 80, 75, 70, 65, 40, 30], dtype=float)
    last = dt.date(2025, 6, 29)  # a Sunday
    start = last - dt.timedelta(days=days - 1)
    weekday = np.array([(start + dt.timedelta(days=i)).weekday() for i in range(days)])
    series = {"seasonal": profile[weekday] + rng.normal(0, 3, days)}
    result = forecasting.forecast(series, last, horizon=14)["seasonal"]
    truth = profile[[d.weekday() for d in result.dates]]
    assert result.dates[0] == last + dt.timedelta(days=1) and len(result.mean) == 14
    assert np.mean(np.abs(np.array(result.mean) - truth)) < 4
    inside = [lo <= t <= hi for lo, t, hi in zip(result.lower[95], truth, result.upper[95], strict=True)]
    assert all(inside)
    assert all(lo <= m <= hi for lo, m, hi in zip(result.lower[80], result.mean, result.upper[80], strict=True))
    bt = result.backtest
    assert bt is not None and bt.origins == forecasting.ORIGINS and len(bt.mase_by_horizon) == 14
    assert bt.mase < 1 and bt.mae < 6  # the weekly profile is learnt
    assert result.shown == forecasting.SHOWN_MODEL and bt.mase < bt.mase_baseline


def test_cli_writes_the_detection_as_csv(tmp_path):
    rows = ["date,count"] + [f"{dt.date(2025, 1, 1) + dt.timedelta(days=i)},{c}"
                             for i, c in enumerate([3, 4, 3, 5, 4, 3, 4, 4, 30])]
    path = tmp_path / "series.csv"
    path.write_text("\n".join(rows) + "\n")
    done = subprocess.run([sys.executable, "-m", "opscenter.cli", "outbreak-detect", "--method", "ears-c1",
                           "--input", str(path)], capture_output=True, text=True, check=True)
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "date,observed,expected,threshold,alarm"
    assert lines[1] == "2025-01-01,3,,,0"
    last = lines[-1].split(",")
    assert last[0] == "2025-01-09" and last[1] == "30" and last[4] == "1"
    assert float(last[2]) == pytest.approx(27 / 7, rel=1e-5)  # days 2 to 8


def test_cli_options_and_errors(tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text("date,count\n2025-01-01,1\n2025-01-03,2\n")
    done = subprocess.run([sys.executable, "-m", "opscenter.cli", "outbreak-detect", "--method", "cusum",
                           "--input", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "without gaps" in done.stderr
    path.write_text("date,count\n" + "".join(f"2025-01-{d:02d},{2 if d < 10 else 9}\n" for d in range(1, 15)))
    done = subprocess.run([sys.executable, "-m", "opscenter.cli", "outbreak-detect", "--method", "cusum",
                           "--input", str(path), "--start", "2025-01-10", "--h", "5"],
                          capture_output=True, text=True, check=True)
    alarms = [line.split(",")[4] for line in done.stdout.strip().splitlines()[1:]]
    assert alarms[:9] == ["0"] * 9 and alarms[-1] == "1"


# One reference point a year (w = 0), no trend, no reweighting: Farrington's expected count is the plain mean
# of the counts at the reference points, which shows which points were taken.
ONE_POINT_A_YEAR = detection.FarringtonControl(b=3, w=0, reweight=False, trend=False, no_periods=1,
                                               past_weeks_not_included=None, threshold_method="delta")


def test_farrington_takes_dated_weekly_references_by_calendar_date():
    dates = [dt.date(2019, 1, 7) + dt.timedelta(weeks=i) for i in range(170)]  # Mondays
    x = np.full(170, 10.0)
    k = 166  # Monday 14 March 2022; 14 March 2019 is a Thursday, the nearest Monday 11 March 2019 (position 9)
    x[9] = 40
    by_date = detection.farrington_flexible(x, 52, ONE_POINT_A_YEAR, positions=[k], dates=dates)
    assert by_date.expected[k] == pytest.approx((40 + 10 + 10) / 3)
    by_index = detection.farrington_flexible(x, 52, ONE_POINT_A_YEAR, positions=[k])  # 156 weeks back: 10
    assert by_index.expected[k] == pytest.approx(10)


def test_farrington_daily_references_by_calendar_date_across_a_leap_day():
    dates = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(1600)]
    x = np.full(1600, 5.0)
    x[dates.index(dt.date(2023, 3, 1))] = 35
    for day in (dt.date(2024, 2, 29), dt.date(2024, 3, 1)):  # 29 February a year back is 1 March, as in R
        k = dates.index(day)
        result = detection.farrington_flexible(x, 365, ONE_POINT_A_YEAR, positions=[k], dates=dates)
        assert result.expected[k] == pytest.approx(15), day
    k = dates.index(dt.date(2024, 3, 1))  # 365 points back is 2 March 2023
    assert detection.farrington_flexible(x, 365, ONE_POINT_A_YEAR, positions=[k]).expected[k] == pytest.approx(5)


def test_cusum_glm_mean_follows_the_season():
    t = np.arange(1, 157)
    x = np.round(10 * np.exp(0.6 * np.sin(2 * np.pi * t / 52))).astype(float)
    result = detection.cusum(x, start=104, m="glm", freq=52)
    # the GLM recovers the seasonal mean; the flat mean would be the average of the first two years
    assert np.max(np.abs(result.expected[104:] - x[104:])) < 1
    assert not result.alarm.any()
    with pytest.raises(ValueError, match="single in-control mean"):
        detection.cusum(x, start=104, m="glm", trans="anscombeNegBin")
    for trans in detection.CUSUM_TRANSFORMS:
        assert np.isfinite(detection.cusum(x, start=104, trans=trans).threshold[104:]).all(), trans


def write_weekly(path, counts, first=dt.date(2019, 1, 7)):
    path.write_text("date,count\n" + "".join(f"{first + dt.timedelta(weeks=i)},{c:g}\n"
                                             for i, c in enumerate(counts)))


def outbreak_detect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opscenter.cli", "outbreak-detect", *args],
                          capture_output=True, text=True, check=False)


def test_cli_precision_glm_mean_and_dates(tmp_path):
    rng = np.random.default_rng(5)
    t = np.arange(1, 4 * 52 + 1)
    counts = rng.poisson(12 * np.exp(0.4 * np.sin(2 * np.pi * t / 52) + 0.003 * t)).astype(float)
    path = tmp_path / "weekly.csv"
    write_weekly(path, counts)
    start = (dt.date(2019, 1, 7) + dt.timedelta(weeks=150)).isoformat()
    full = outbreak_detect("--method", "cusum", "--input", str(path), "--start", start, "--m", "glm",
                           "--trans", "pearsonNegBin", "--alpha", "0.05", "--precision", "full")
    assert full.returncode == 0, full.stderr
    thresholds = [row.split(",")[3] for row in full.stdout.splitlines()[151:]]
    expected = detection.cusum(counts, start=150, m="glm", trans="pearsonNegBin", alpha=0.05, freq=52)
    assert [float(v) for v in thresholds] == expected.threshold[150:].tolist()  # every digit
    short = outbreak_detect("--method", "cusum", "--input", str(path), "--start", start, "--m", "glm",
                            "--trans", "pearsonNegBin", "--alpha", "0.05", "--precision", "4")
    assert [row.split(",")[3] for row in short.stdout.splitlines()[151:]] == [f"{float(v):.4g}" for v in thresholds]
    for bad, message in ((["--m", "seasonal"], "neither a number nor 'glm'"), (["--precision", "40"], "--precision")):
        done = outbreak_detect("--method", "cusum", "--input", str(path), *bad)
        assert done.returncode != 0 and message in done.stderr
    control = detection.FarringtonControl(b=3)
    dates = [dt.date(2019, 1, 7) + dt.timedelta(weeks=i) for i in range(len(counts))]
    for option, by in (([], dates), (["--ignore-dates"], None)):
        done = outbreak_detect("--method", "farrington", "--b", "3", "--input", str(path), "--precision", "full",
                               *option)
        assert done.returncode == 0, done.stderr
        rows = [row.split(",") for row in done.stdout.splitlines()[1:]]
        reference = detection.farrington_flexible(counts, 52, control, dates=by)
        got = np.array([float(r[3]) if r[3] else np.nan for r in rows])
        np.testing.assert_array_equal(got, reference.threshold)


def test_cli_help_names_every_cusum_transform():
    done = subprocess.run([sys.executable, "-m", "opscenter.cli", "outbreak-detect", "--help"],
                          capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    for word in (*detection.CUSUM_TRANSFORMS, "glm", "--precision", "--ignore-dates", "calendar date"):
        assert word in text, word


def test_cusum_with_a_zero_in_control_mean_never_alarms_as_in_r():
    # R: 0/0 makes the sum NaN from the first monitored point on; bounds 0, alarms NA
    for trans in ("standard", "rossi", "anscombe"):
        result = detection.cusum([0, 0, 0, 0, 0, 1, 0, 2], start=4, trans=trans)
        assert result.threshold[4:].tolist() == [0, 0, 0, 0] and not result.alarm.any(), trans
    assert detection.cusum([0, 0, 0, 0, 0, 1, 0, 2], start=4, trans="none").threshold[4:] == pytest.approx(
        [2.26, 2.26, 2.26, 1.3])
