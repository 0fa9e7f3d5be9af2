"""The detection algorithms agree with the R `surveillance` package (reference CSVs made by make_reference.R).

The package's example series and two synthetic ones carry no dates (reference weeks are `freq` points back);
the negative binomial series (trend, yearly season, outbreaks; weekly and daily) are dated, as analysts'
CSVs are, and are compared both through the module's functions and through `opscenter outbreak-detect`.
"""

import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from opscenter.surveillance.detection import Detection, FarringtonControl, cusum, ears, farrington_flexible

REFERENCE = Path(__file__).parent / "r_reference"
UNDATED_FREQ = {"salmnewport": 52, "hepatitis_a": 52, "synthetic_weekly": 52, "synthetic_daily": 365}
R_DEFAULTS = {"weights_threshold": 2.58, "p_threshold_trend": 0.05, "no_periods": 1,
              "past_weeks_not_included": None, "threshold_method": "delta"}
# file suffix: the settings of make_reference.R (Noufaily et al. 2013, or R's defaults)
FARRINGTON: dict[str, dict[str, Any]] = {
    "farrington": {},
    "farrington_original": R_DEFAULTS,
    "farrington_b3": {**R_DEFAULTS, "b": 3},
    "farrington_b3_notrend": {**R_DEFAULTS, "b": 3, "trend": False},
    "farrington_b3_noufaily": {"b": 3},
}
CUSUM: dict[str, dict[str, Any]] = {
    "cusum": {}, "cusum_rossi": {"trans": "rossi"}, "cusum_anscombe": {"trans": "anscombe"},
    "cusum_anscombe2nd": {"trans": "anscombe2nd"}, "cusum_pearsonnegbin": {"trans": "pearsonNegBin"},
    "cusum_anscombenegbin": {"trans": "anscombeNegBin", "alpha": 0.2}, "cusum_none": {"trans": "none"},
    "cusum_glm": {"m": "glm"}, "cusum_glm_rossi": {"m": "glm", "trans": "rossi"},
    "cusum_glm_pearsonnegbin": {"m": "glm", "trans": "pearsonNegBin"},
}
METHODS = {"c1", "c2", "c3", *CUSUM, *FARRINGTON}
# what the CLI's options are for each reference file's settings
CLI_OPTIONS = {
    "farrington": [],
    "farrington_original": ["--p-threshold-trend", "0.05", "--no-periods", "1", "--past-weeks-not-included", "3",
                            "--threshold-method", "delta"],
    "farrington_b3_notrend": ["--b", "3", "--p-threshold-trend", "0.05", "--no-periods", "1",
                              "--past-weeks-not-included", "3", "--threshold-method", "delta", "--no-trend"],
    "farrington_b3_noufaily": ["--b", "3"],
    "cusum_anscombenegbin": ["--trans", "anscombeNegBin", "--alpha", "0.2"],
    "cusum_glm_rossi": ["--m", "glm", "--trans", "rossi"],
}


def read_series(folder: Path, name: str) -> tuple[np.ndarray, list[dt.date] | None, int]:
    """(counts, dates or None, points a year)"""
    with open(folder / f"series_{name}.csv") as f:
        rows = list(csv.DictReader(f))
    x = np.array([float(row["count"]) for row in rows])
    if "date" not in rows[0]:
        return x, None, UNDATED_FREQ[name]
    dates = [dt.date.fromisoformat(row["date"]) for row in rows]
    return x, dates, 52 if (dates[1] - dates[0]).days == 7 else 365


def read_reference(folder: Path, name: str, method: str) -> dict[str, np.ndarray]:
    with open(folder / f"{name}_{method}.csv") as f:
        rows = list(csv.DictReader(f))
    number = lambda v: np.nan if v == "NA" else float(v)  # noqa: E731
    return {key: np.array([number(r[key]) for r in rows]) for key in rows[0]}


def run(method: str, x: np.ndarray, dates, freq: int, positions: np.ndarray) -> Detection:
    if method in ("c1", "c2", "c3"):
        return ears(x, method.upper())
    if method in CUSUM:
        return cusum(x, start=int(positions[0]), freq=freq, **CUSUM[method])
    return farrington_flexible(x, freq, FarringtonControl(**FARRINGTON[method]), dates=dates)


def series_names(folder: Path) -> list[str]:
    return sorted(path.stem[len("series_"):] for path in folder.glob("series_*.csv"))


def cases(folder: Path) -> list[tuple[str, str]]:
    names = series_names(folder)
    return sorted(
        (name, path.stem[len(name) + 1:])
        for path in folder.glob("*.csv") if not path.name.startswith("series_")
        for name in names if path.stem.startswith(name + "_") and path.stem[len(name) + 1:] in METHODS
    )


def assert_matches(result: Detection, ref: dict[str, np.ndarray], label: str, positions: np.ndarray,
                   with_expected: bool) -> None:
    np.testing.assert_allclose(result.threshold[positions], ref["threshold"], rtol=1e-6, atol=1e-9,
                               err_msg=f"{label}: threshold")
    if with_expected:
        np.testing.assert_allclose(result.expected[positions], ref["expected"], rtol=1e-6, atol=1e-8,
                                   err_msg=f"{label}: expected")
    reference_alarms = np.nan_to_num(ref["alarm"]).astype(bool)  # R's NA (no threshold) is no alarm
    assert result.alarm[positions].tolist() == reference_alarms.tolist(), f"{label}: alarms"


def assert_agrees(folder: Path, name: str, method: str) -> None:
    x, dates, freq = read_series(folder, name)
    ref = read_reference(folder, name, method)
    positions = ref["position"].astype(int) - 1  # R counts from 1
    result = run(method, x, dates, freq, positions)
    assert_matches(result, ref, f"{name} {method}", positions, method not in ("c1", "c2", "c3"))


def test_reference_files_cover_every_method_on_dated_and_undated_series():
    found = cases(REFERENCE)
    assert {method for _name, method in found} == METHODS
    dated = [name for name in series_names(REFERENCE) if read_series(REFERENCE, name)[1] is not None]
    assert {read_series(REFERENCE, name)[2] for name in dated} == {52, 365}  # weekly and daily
    assert len(dated) >= 5
    for name in dated:  # each dated series is checked with R's defaults and with the Noufaily settings
        methods = {m for n, m in found if n == name}
        assert {"farrington_b3", "farrington_b3_notrend", "farrington_b3_noufaily"} <= methods


@pytest.mark.parametrize(("name", "method"), cases(REFERENCE))
def test_agrees_with_r(name, method):
    assert_agrees(REFERENCE, name, method)


def test_dated_reference_points_differ_from_index_ones_where_r_says_so():
    """On a dated weekly series R takes the reference weeks by calendar date; by index the thresholds move."""
    x, dates, freq = read_series(REFERENCE, "nb_weekly_1")
    ref = read_reference(REFERENCE, "nb_weekly_1", "farrington_original")
    positions = ref["position"].astype(int) - 1
    control = FarringtonControl(**R_DEFAULTS)
    by_index = farrington_flexible(x, freq, control, positions=positions)
    assert np.nanmax(np.abs(by_index.threshold[positions] - ref["threshold"])) > 1
    by_date = farrington_flexible(x, freq, control, positions=positions, dates=dates)
    np.testing.assert_allclose(by_date.threshold[positions], ref["threshold"], rtol=1e-6)


def test_some_reference_alarms_are_raised_and_found():
    ref = read_reference(REFERENCE, "synthetic_weekly", "farrington")
    assert np.nansum(ref["alarm"]) >= 1
    result = farrington_flexible(read_series(REFERENCE, "synthetic_weekly")[0], 52)
    assert result.alarm[-1]
    for name in ("nb_weekly_2", "nb_daily_1"):
        assert np.nansum(read_reference(REFERENCE, name, "farrington_b3")["alarm"]) >= 2


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opscenter.cli", "outbreak-detect", *args],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("name", "method"), [
    ("nb_weekly_3", "farrington"), ("nb_weekly_2", "farrington_original"), ("nb_daily_2", "farrington_b3_notrend"),
    ("nb_weekly_1", "farrington_b3_noufaily"), ("nb_weekly_2", "cusum_glm_rossi"),
    ("nb_daily_1", "cusum_anscombenegbin"), ("nb_weekly_3", "c3"),
])
def test_cli_agrees_with_r_on_a_dated_csv(name, method):
    ref = read_reference(REFERENCE, name, method)
    positions = ref["position"].astype(int) - 1
    _x, dates, _freq = read_series(REFERENCE, name)
    if method.startswith("farrington"):
        args = ["--method", "farrington", *CLI_OPTIONS[method]]
    elif method.startswith("cusum"):
        args = ["--method", "cusum", "--start", dates[positions[0]].isoformat(), *CLI_OPTIONS[method]]
    else:
        args = ["--method", f"ears-{method}"]
    done = cli(*args, "--input", str(REFERENCE / f"series_{name}.csv"), "--precision", "full")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(done.stdout.splitlines()))
    assert [row["date"] for row in rows] == [d.isoformat() for d in dates]
    number = lambda v: np.nan if v == "" else float(v)  # noqa: E731
    result = Detection(*(np.array([number(row[key]) for row in rows])
                         for key in ("observed", "expected", "threshold")),
                       np.array([row["alarm"] == "1" for row in rows]))
    assert_matches(result, ref, f"CLI {name} {method}", positions, method not in ("c1", "c2", "c3"))


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed (Debian: r-cran-surveillance)")
def test_agrees_with_r_run_now(tmp_path):
    """Re-run the R script (when R is present) so the stored references cannot drift from R itself."""
    done = subprocess.run(["Rscript", str(REFERENCE / "make_reference.R"), str(tmp_path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 and "there is no package called" in done.stderr:
        pytest.skip("the R package surveillance is not installed (Debian: r-cran-surveillance)")
    assert done.returncode == 0, done.stderr
    fresh = cases(tmp_path)
    assert fresh == cases(REFERENCE)
    for name in series_names(tmp_path):  # the same series, so that the stored references stand for R's
        now, before = read_series(tmp_path, name), read_series(REFERENCE, name)
        assert now[0].tolist() == before[0].tolist() and now[1] == before[1], name
    for name, method in fresh:  # the same numbers, which test_agrees_with_r holds the Python code to
        now, stored = read_reference(tmp_path, name, method), read_reference(REFERENCE, name, method)
        for key, values in stored.items():
            np.testing.assert_allclose(now[key], values, rtol=1e-9, atol=1e-12, err_msg=f"{name} {method} {key}")
