"""The detection algorithms agree with the R `surveillance` package (reference CSVs made by make_reference.R)."""

import csv
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from opscenter.surveillance.detection import FarringtonControl, cusum, ears, farrington_flexible

REFERENCE = Path(__file__).parent / "r_reference"
ORIGINAL_1996 = FarringtonControl(weights_threshold=2.58, p_threshold_trend=0.05, no_periods=1,
                                  past_weeks_not_included=None, threshold_method="delta")
FREQ = {"salmnewport": 52, "hepatitis_a": 52, "synthetic_weekly": 52, "synthetic_daily": 365}


def read_series(folder: Path, name: str) -> np.ndarray:
    with open(folder / f"series_{name}.csv") as f:
        return np.array([float(row["count"]) for row in csv.DictReader(f)])


def read_reference(folder: Path, name: str, method: str) -> dict[str, np.ndarray]:
    with open(folder / f"{name}_{method}.csv") as f:
        rows = list(csv.DictReader(f))
    number = lambda v: np.nan if v == "NA" else float(v)  # noqa: E731
    return {key: np.array([number(r[key]) for r in rows]) for key in rows[0]}


def run(method: str, x: np.ndarray, freq: int, positions: np.ndarray):
    if method in ("c1", "c2", "c3"):
        return ears(x, method.upper())
    if method == "cusum":
        return cusum(x, start=int(positions[0]))
    control = ORIGINAL_1996 if method == "farrington_original" else FarringtonControl()
    return farrington_flexible(x, freq, control)


def cases(folder: Path) -> list[tuple[str, str]]:
    return sorted(
        (name, path.stem[len(name) + 1:])
        for path in folder.glob("*.csv") if not path.name.startswith("series_")
        for name in FREQ if path.stem.startswith(name + "_") and path.stem[len(name) + 1:] in
        ("c1", "c2", "c3", "cusum", "farrington", "farrington_original")
    )


def assert_agrees(folder: Path, name: str, method: str) -> None:
    x = read_series(folder, name)
    ref = read_reference(folder, name, method)
    positions = ref["position"].astype(int) - 1  # R counts from 1
    result = run(method, x, FREQ[name], positions)
    np.testing.assert_allclose(result.threshold[positions], ref["threshold"], rtol=1e-6, atol=1e-9,
                               err_msg=f"{name} {method}: threshold")
    if method.startswith("farrington") or method == "cusum":
        np.testing.assert_allclose(result.expected[positions], ref["expected"], rtol=1e-5, atol=1e-8,
                                   err_msg=f"{name} {method}: expected")
    reference_alarms = np.nan_to_num(ref["alarm"]).astype(bool)  # R's NA (no threshold) is no alarm
    assert result.alarm[positions].tolist() == reference_alarms.tolist(), f"{name} {method}: alarms"


def test_reference_files_cover_every_method():
    methods = {method for _name, method in cases(REFERENCE)}
    assert methods == {"c1", "c2", "c3", "cusum", "farrington", "farrington_original"}
    assert len(cases(REFERENCE)) >= 20


@pytest.mark.parametrize(("name", "method"), cases(REFERENCE))
def test_agrees_with_r(name, method):
    assert_agrees(REFERENCE, name, method)


def test_some_reference_alarms_are_raised_and_found():
    ref = read_reference(REFERENCE, "synthetic_weekly", "farrington")
    assert np.nansum(ref["alarm"]) >= 1
    result = farrington_flexible(read_series(REFERENCE, "synthetic_weekly"), 52)
    assert result.alarm[-1]


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
    for name, method in fresh:
        assert_agrees(tmp_path, name, method)
