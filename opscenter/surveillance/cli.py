"""`opscenter outbreak-detect`: the detection algorithms on a CSV series, for analysts (no database needed)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import math
import sys
from typing import TextIO

from . import detection


class InputError(ValueError):
    pass


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "outbreak-detect", help="run an outbreak detection algorithm on a CSV series (date,count)",
        description="Reads a daily or weekly series (CSV columns date,count) and writes "
                    "date,observed,expected,threshold,alarm to standard output. Defaults are those of the R "
                    "package surveillance (earsC, algo.cusum); for farrington, those of the improved method "
                    "of Noufaily et al. (2013) with farringtonFlexible. Farrington takes the reference weeks "
                    "(or days) of past years by calendar date, as R does for a dated series.",
    )
    p.add_argument("--method", required=True, choices=detection.METHODS)
    p.add_argument("--input", required=True, help="CSV file with columns date,count ('-' for standard input)")
    ears = p.add_argument_group("EARS (ears-c1, ears-c2, ears-c3)")
    ears.add_argument("--baseline", type=int, default=7, help="reference time points (default 7)")
    ears.add_argument("--min-sigma", type=float, default=0.0, help="smallest standard deviation (default 0)")
    p.add_argument("--alpha", type=float, default=None,
                   help="EARS: 0.001 for C1/C2, 0.025 for C3; farrington: 0.05; cusum: the negative "
                        "binomial dispersion of pearsonNegBin and anscombeNegBin, 0.1")
    p.add_argument("--precision", default="6", metavar="DIGITS",
                   help="significant digits of the figures written (default 6), or 'full' for every digit "
                        "(the shortest text that reads back as the same number)")
    cu = p.add_argument_group("CUSUM (R algo.cusum)")
    cu.add_argument("--k", type=float, default=1.04, help="reference value (default 1.04)")
    cu.add_argument("--h", type=float, default=2.26, help="decision boundary (default 2.26)")
    cu.add_argument("--m", type=_in_control_mean, default=None,
                    help="in-control mean: a number, or 'glm' for a Poisson GLM with a yearly harmonic fitted "
                         "to the counts before --start (default: the mean of the counts before --start)")
    cu.add_argument("--trans", default="standard", choices=detection.CUSUM_TRANSFORMS,
                    help="transform of the counts, as R's algo.cusum (default standard; anscombeNegBin "
                         "needs a numeric --m)")
    cu.add_argument("--start", type=dt.date.fromisoformat, default=None,
                    help="first date monitored (default: the middle of the series; the counts before it "
                         "are the in-control period)")
    fa = p.add_argument_group("Farrington flexible (R farringtonFlexible)")
    defaults = detection.FarringtonControl()
    fa.add_argument("--b", type=int, default=defaults.b, help="years back (default 5)")
    fa.add_argument("--w", type=int, default=defaults.w, help="half-window in time points (default 3)")
    fa.add_argument("--no-periods", type=int, default=defaults.no_periods, help="seasonal factor levels (10)")
    fa.add_argument("--past-weeks-not-included", type=int, default=defaults.past_weeks_not_included,
                    help="recent time points left out of the fit (26)")
    fa.add_argument("--weights-threshold", type=float, default=defaults.weights_threshold, help="(2.58)")
    fa.add_argument("--p-threshold-trend", type=float, default=defaults.p_threshold_trend, help="(1)")
    fa.add_argument("--threshold-method", default=defaults.threshold_method, choices=("delta", "nbPlugin", "muan"))
    fa.add_argument("--powertrans", default=defaults.powertrans, choices=("2/3", "1/2", "none"))
    fa.add_argument("--limit54", default="5,4", help="no alarm with fewer than CASES in the last PERIOD (5,4)")
    fa.add_argument("--no-trend", action="store_true")
    fa.add_argument("--no-reweight", action="store_true")
    fa.add_argument("--ignore-dates", action="store_true",
                    help="take the reference points a fixed 52 weeks (365 days) a year back, as R does for a "
                         "series without dates, instead of by calendar date")
    p.set_defaults(func=run)


def _in_control_mean(value: str) -> float | str:
    if value == "glm":
        return value
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is neither a number nor 'glm'") from None


def _digits(value: str) -> int | None:
    """Significant digits from --precision; None for every digit."""
    if value == "full":
        return None
    if not value.isdigit() or not 1 <= int(value) <= 17:
        raise InputError("--precision must be a number of digits from 1 to 17, or 'full'")
    return int(value)


def read_series(stream: TextIO) -> tuple[list[dt.date], list[float], int]:
    """(dates, counts, points a year); the spacing must be regular: 1 day or 7 days."""
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or not {"date", "count"} <= {f.strip() for f in reader.fieldnames}:
        raise InputError("the CSV needs a header with the columns date,count")
    dates, counts = [], []
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        try:
            dates.append(dt.date.fromisoformat(row["date"]))
        except ValueError:
            raise InputError(f"line {line}: date {row['date']!r} is not YYYY-MM-DD") from None
        try:
            value = float(row["count"])
        except ValueError:
            raise InputError(f"line {line}: count {row['count']!r} is not a number") from None
        if value < 0 or not math.isfinite(value):
            raise InputError(f"line {line}: count must be zero or more")
        counts.append(value)
    if len(dates) < 2:
        raise InputError("the series needs at least two rows")
    steps = {(b - a).days for a, b in itertools.pairwise(dates)}
    if len(steps) != 1 or steps.pop() not in (1, 7):
        raise InputError("dates must be consecutive days or consecutive weeks, in order, without gaps")
    freq = 365 if (dates[1] - dates[0]).days == 1 else 52
    return dates, counts, freq


def _detect(args: argparse.Namespace, dates: list[dt.date], counts: list[float], freq: int):
    if args.method.startswith("ears-"):
        return detection.ears(counts, args.method[5:].upper(), baseline=args.baseline, alpha=args.alpha,
                              min_sigma=args.min_sigma)
    if args.method == "cusum":
        start = len(counts) // 2 if args.start is None else dates.index(args.start) if args.start in dates else -1
        if start <= 0:
            raise InputError("--start must be a date of the series after its first")
        return detection.cusum(counts, start=start, k=args.k, h=args.h, m=args.m, trans=args.trans,
                               alpha=args.alpha, freq=freq)
    cases, period = (int(v) for v in args.limit54.split(","))
    control = detection.FarringtonControl(
        b=args.b, w=args.w, alpha=0.05 if args.alpha is None else args.alpha, trend=not args.no_trend,
        reweight=not args.no_reweight, weights_threshold=args.weights_threshold,
        p_threshold_trend=args.p_threshold_trend, limit54=(cases, period), powertrans=args.powertrans,
        no_periods=args.no_periods, past_weeks_not_included=args.past_weeks_not_included,
        threshold_method=args.threshold_method,
    )
    if len(counts) <= freq * control.b + control.w:
        raise InputError(f"farrington needs more than {freq * control.b + control.w} time points "
                         f"({control.b} years and {control.w} more); lower --b")
    return detection.farrington_flexible(counts, freq, control, dates=None if args.ignore_dates else dates)


def _number(value: float, digits: int | None = 6) -> str:
    if math.isnan(value):
        return ""
    if digits is None:
        text = repr(float(value))  # the shortest text that reads back as the same number
        return text[:-2] if text.endswith(".0") else text
    return f"{value:.{digits}g}"


def run(args: argparse.Namespace) -> None:
    try:
        if args.input == "-":
            dates, counts, freq = read_series(sys.stdin)
        else:
            with open(args.input, newline="", encoding="utf-8") as f:
                dates, counts, freq = read_series(f)
        digits = _digits(args.precision)
        result = _detect(args, dates, counts, freq)
    except (InputError, OSError, ValueError) as exc:
        sys.exit(f"outbreak-detect: {exc}")
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["date", "observed", "expected", "threshold", "alarm"])
    for i, day in enumerate(dates):
        out.writerow([day.isoformat(), _number(result.observed[i], digits), _number(result.expected[i], digits),
                      _number(result.threshold[i], digits), int(result.alarm[i])])
