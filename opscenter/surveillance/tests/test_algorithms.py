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
