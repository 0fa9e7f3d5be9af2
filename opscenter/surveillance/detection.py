"""Outbreak detection on a count series: CDC EARS C1/C2/C3, CUSUM and the Farrington flexible algorithm.

Plain numpy (no Django), so that it can be tested against the R `surveillance` package and benchmarked alone.
Each function follows the R implementation of the same name (surveillance 1.20: `earsC`, `algo.cusum`,
`farringtonFlexible`), including its defaults; a time point outside the computed range has NaN for its
expected value and threshold and no alarm. Positions are 0-based here where R counts from 1. Given the dates
of a series, Farrington takes the reference points of past years by calendar date, as R does for an `sts` whose
epochs are dates; without them, `freq` positions back, as R does for one whose epochs are indices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import special, stats

METHODS = ("ears-c1", "ears-c2", "ears-c3", "cusum", "farrington")


@dataclass(frozen=True)
class Detection:
    """Per time point: what was seen, what was expected, the alarm threshold, and whether it was crossed."""

    observed: np.ndarray
    expected: np.ndarray
    threshold: np.ndarray
    alarm: np.ndarray

    def last(self) -> tuple[float, float, float, bool]:
        return (float(self.observed[-1]), float(self.expected[-1]), float(self.threshold[-1]),
                bool(self.alarm[-1]))


def _empty(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.full(len(x), np.nan), np.full(len(x), np.nan), np.zeros(len(x), dtype=bool)


# ---- EARS ---------------------------------------------------------------------------------------

def ears(counts, method: str = "C1", baseline: int = 7, alpha: float | None = None,
         min_sigma: float = 0.0) -> Detection:
    """CDC Early Aberration Reporting System, as R's `earsC`.

    C1 compares a count with the mean and standard deviation of the `baseline` counts just before it;
    C2 leaves a guard band of two time points between them; C3 adds the excesses of C2's two previous
    statistics over one. The threshold is mean + z(1-alpha)·sd (alpha 0.001 for C1 and C2, 0.025 for C3).
    For C3 the threshold is R's: observed + sd·(z − the two previous excesses), floored at 0.
    """
    x = np.asarray(counts, dtype=float)
    method = method.upper()
    if method not in ("C1", "C2", "C3"):
        raise ValueError(f"unknown EARS method {method!r}")
    if baseline < 3:
        raise ValueError("the baseline needs at least 3 time points")
    if alpha is None:
        alpha = 0.025 if method == "C3" else 0.001
    z = stats.norm.ppf(1 - alpha)
    expected, threshold, alarm = _empty(x)
    lag = 0 if method == "C1" else 2
    first = baseline + lag + (2 if method == "C3" else 0)  # first position with enough history
    if len(x) <= first:
        return Detection(x, expected, threshold, alarm)
    # windows[i] holds the baseline for position i + baseline + lag
    windows = sliding_window_view(x, baseline)[: len(x) - baseline - lag]
    means = windows.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sds = np.maximum(windows.std(axis=1, ddof=1), min_sigma)
        targets = slice(baseline + lag, len(x))
        if method in ("C1", "C2"):
            expected[targets] = means
            threshold[targets] = means + z * sds
        else:
            c2 = (x[targets] - means) / sds
            excess = np.maximum(c2 - 1, 0)
            parts = excess[:-2] + excess[1:-1]
            expected[first:] = means[2:]
            threshold[first:] = np.maximum(x[first:] + sds[2:] * (z - parts), 0)
    with np.errstate(invalid="ignore"):
        alarm = x > threshold  # NaN thresholds (no spread, no history) never alarm
    return Detection(x, expected, threshold, alarm)


# ---- CUSUM --------------------------------------------------------------------------------------

CUSUM_TRANSFORMS = ("standard", "rossi", "anscombe", "anscombe2nd", "pearsonNegBin", "anscombeNegBin", "none")


def cusum(counts, start: int, k: float = 1.04, h: float = 2.26, m: float | str | None = None,
          trans: str = "standard", alpha: float | None = None, freq: int = 52) -> Detection:
    """One-sided Poisson CUSUM, as R's `algo.cusum` with `range = start:n`.

    The in-control mean m is the mean of the counts before `start` unless given as a number, or, with
    `m="glm"`, the prediction at each monitored point of a Poisson GLM with one yearly harmonic
    (`x ~ 1 + cos(2πt/freq) + sin(2πt/freq)`) fitted to the counts before `start`. The standardised counts
    (x − m)/√m, or one of R's other transforms (Rossi's, Anscombe's and its second-order variant, and for
    negative binomial counts of dispersion `alpha` (default 0.1) the Pearson residual and Anscombe's
    transform), accumulate S_t = max(0, S_{t−1} + z_t − k) without reset; an alarm is raised while
    S_t ≥ h. The threshold is the count that would make S_t reach h, back-transformed as R does; like R,
    "none" and "anscombeNegBin" report h − S_t instead.
    """
    x = np.asarray(counts, dtype=float)
    if not 0 < start < len(x):
        raise ValueError("start must leave at least one count before it and one from it on")
    if trans not in CUSUM_TRANSFORMS:
        raise ValueError(f"unknown transformation {trans!r}")
    alpha = 0.1 if alpha is None else float(alpha)
    obs = x[start:]
    if m is None:
        mean: float | np.ndarray = float(np.mean(x[:start]))
    elif isinstance(m, str):
        if m != "glm":
            raise ValueError(f"m must be a number or 'glm', not {m!r}")
        if trans == "anscombeNegBin":
            # R's anscombeNB takes one mean; with a vector it builds a matrix and reads it out of step
            raise ValueError("anscombeNegBin needs a single in-control mean, not m='glm'")
        mean = _harmonic_mean(x[:start], np.arange(start, len(x)) + 1.0, freq)
    else:
        mean = float(m)
    sq = np.sqrt(mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        if trans == "standard":
            standardised = (obs - mean) / sq
        elif trans == "rossi":
            standardised = (obs - 3 * mean + 2 * np.sqrt(obs * mean)) / (2 * sq)
        elif trans == "anscombe":
            standardised = 1.5 * (obs ** (2 / 3) - mean ** (2 / 3)) / mean ** (1 / 6)
        elif trans == "anscombe2nd":
            standardised = (obs ** (2 / 3) - (mean ** (2 / 3) - mean ** (-1 / 3) / 9)) / (2 / 3 * mean ** (1 / 6))
        elif trans == "pearsonNegBin":
            standardised = (obs - mean) / np.sqrt(mean + alpha * mean**2)
        elif trans == "anscombeNegBin":
            standardised = _anscombe_negbin(obs, float(mean), alpha)
        else:
            standardised = obs
    standardised = np.broadcast_to(standardised, obs.shape)
    sums = np.zeros(len(obs) + 1)
    for t, z in enumerate(standardised):
        total = sums[t] + z - k
        sums[t + 1] = total if np.isnan(total) else max(0.0, total)  # as R's max, NaN stays NaN: no alarm
    previous = sums[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        if trans == "standard":
            bound = np.ceil(sq * (h + k - previous) + mean)
        elif trans == "rossi":
            bound = (2 * h * sq + 2 * k * sq - 2 * previous * sq + 5 * mean
                     - 2 * np.sqrt(4 * mean**2 + 2 * mean**1.5 * (h + k - previous)))
        elif trans == "anscombe":
            inner = (2 / 3) * mean ** (1 / 6) * (h + k - previous) + mean ** (2 / 3)
            bound = np.where(inner < 0, 0.0, np.abs(inner) ** 1.5)
        elif trans == "anscombe2nd":
            # R's bound subtracts m^(1/3)/9 where its transform subtracts m^(-1/3)/9; kept for agreement
            inner = (2 / 3) * mean ** (1 / 6) * (h + k - previous) + (mean ** (2 / 3) - mean ** (1 / 3) / 9)
            bound = np.where(inner < 0, 0.0, np.abs(inner) ** 1.5)
        elif trans == "pearsonNegBin":
            bound = np.sqrt(mean + alpha * mean**2) * (h + k - previous) + mean
        else:
            bound = h - sums[1:]
    bound = np.broadcast_to(bound, obs.shape)
    bound = np.where(np.isnan(bound) | (bound < 0), 0.0, bound)
    expected, threshold, alarm = _empty(x)
    expected[start:] = mean
    threshold[start:] = bound
    with np.errstate(invalid="ignore"):
        alarm[start:] = sums[1:] >= h
    return Detection(x, expected, threshold, alarm)


def _harmonic_mean(training: np.ndarray, t_new: np.ndarray, freq: int) -> np.ndarray:
    """R's `algo.cusum(m = "glm")`: a Poisson GLM with one yearly harmonic on the training counts (time
    1, 2, … as R's disProg counts it; the phase does not change the fit), predicted at `t_new`."""
    def basis(t: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(t)), np.cos(2 * np.pi / freq * t), np.sin(2 * np.pi / freq * t)])

    fit = _quasipoisson(basis(np.arange(1, len(training) + 1.0)), training, np.ones(len(training)),
                        keep_unconverged=True)
    assert fit is not None
    return np.exp(basis(t_new) @ fit.beta)


def _hyp2f1_table() -> tuple[np.ndarray, np.ndarray]:
    """The grid on which R's surveillance tabulates 2F1(1/3, 2/3; 5/3; z) for the negative binomial Anscombe
    transform: z = 0, −0.01, … −10, then −11, … −100."""
    z = np.concatenate([-np.arange(1001) / 100, -np.arange(11, 101, dtype=float)])
    return z, special.hyp2f1(1 / 3, 2 / 3, 5 / 3, z)


_HYP_Z, _HYP_VALUE = _hyp2f1_table()


def _hyp2f1_special(value: float) -> float:
    """R's `hypgeom2F1special`: the nearest tabulated value from −10 up, linear interpolation below."""
    i = int(np.argmin(np.abs(_HYP_Z - value)))
    if value >= -10:
        return float(_HYP_VALUE[i])
    low, up = (i + 1, i) if value - _HYP_Z[i] < 0 else (i, i - 1)
    return float(_HYP_VALUE[low] + (_HYP_VALUE[up] - _HYP_VALUE[low]) * (value - _HYP_Z[low]))


def _anscombe_negbin(obs: np.ndarray, mean: float, alpha: float) -> np.ndarray:
    """R's `anscombeNB`: Anscombe's transform for negative binomial counts, standardised."""
    at_mean = 1.5 * mean ** (2 / 3) * _hyp2f1_special(-alpha * mean)
    down = (mean + alpha * mean**2) ** (1 / 6)
    return np.array([(1.5 * y ** (2 / 3) * _hyp2f1_special(-alpha * y) - at_mean) / down for y in obs])


# ---- Farrington flexible ------------------------------------------------------------------------

@dataclass(frozen=True)
class FarringtonControl:
    """Defaults: the improved method of Noufaily et al. (2013); R's own defaults are noted where they differ."""

    b: int = 5  # years back
    w: int = 3  # half-window around the same time point of each past year
    reweight: bool = True
    weights_threshold: float = 2.58  # R: 2.58 as well (1 in the original 1996 method)
    alpha: float = 0.05
    trend: bool = True
    p_threshold_trend: float = 1.0  # R default 0.05
    limit54: tuple[int, int] = (5, 4)
    powertrans: str = "2/3"
    no_periods: int = 10  # R default 1
    past_weeks_not_included: int | None = 26  # R default None (= w)
    threshold_method: str = "nbPlugin"  # R default "delta"


def farrington_flexible(counts, freq: int = 52, control: FarringtonControl | None = None,
                        positions=None, dates=None) -> Detection:
    """R's `farringtonFlexible` on a regular series with `freq` points a year (52 weekly, 365 daily).

    For each time point: a quasi-Poisson GLM (intercept, linear trend, seasonal factor of `no_periods`
    levels) on the same time of the past `b` years, down-weighting past outbreaks by their Anscombe
    residuals, keeping the trend only when significant and not extrapolating; the threshold is the
    (1−alpha) quantile of the predicted count. `positions` (0-based) limits the time points computed.

    Without `dates` the reference points are `freq` positions back, as R takes them for a series whose
    epochs are plain indices. With `dates` (one `datetime.date` a point, consecutive weeks or days) they are
    taken by calendar date as R does with `epochAsDate = TRUE`: the same date 1, 2, … `b` years earlier,
    moved for a weekly series to the nearest date of the same weekday, so that after a few years a
    reference week is 53 weeks back rather than 52. A time point whose reference points R would not find
    in the series (R stops with "Some reference time points did not exist") gets no threshold.
    """
    c = control or FarringtonControl()
    x = np.asarray(counts, dtype=float)
    expected, threshold, alarm = _empty(x)
    day_index = None
    if dates is not None:
        dates = list(dates)
        if len(dates) != len(x):
            raise ValueError("one date is needed for each count")
        day_index = {d: i for i, d in enumerate(dates)}
    first = freq * c.b + c.w  # 0-based: R's default range starts at freq*b + w + 1
    todo = range(first, len(x)) if positions is None else [p for p in positions if p >= first]
    past = c.w if c.past_weeks_not_included is None else c.past_weeks_not_included
    for k in todo:
        recent = x[max(0, k - c.limit54[1] + 1): k + 1]
        if np.nansum(recent) < c.limit54[0]:
            continue  # too few recent cases: R gives no threshold and never alarms
        if dates is None:
            by_index = [k - i * freq for i in range(c.b + 1)]
            references = by_index if min(by_index) >= 0 else None
        else:
            references = _dated_references(dates, day_index, k, freq, c.b)
        if references is None:
            continue
        result = _farrington_point(x, k, references, c, past, dated=dates is not None)
        if result is None:
            continue
        fit, upper, score = result
        expected[k], threshold[k] = fit, upper
        alarm[k] = bool(score > 1 and x[k] != 0)
    return Detection(x, expected, threshold, alarm)


def _years_back(day: dt.date, years: int) -> dt.date:
    """R's `seq(day, by = "-1 year")`: the same month and day; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 3, 1)


def _dated_references(dates: list, day_index: dict | None, k: int, freq: int, b: int) -> list[int] | None:
    """R's `algo.farrington.referencetimepoints` with `epochAsDate`: positions of the reference points, newest
    first (k itself, then 1 … b years back), or None when one of them is not a date of the series."""
    assert day_index is not None
    day = dates[k]
    found = []
    for i in range(b + 1):
        ref = _years_back(day, i)
        if freq == 52:  # the date of the same weekday nearest to the same calendar date
            same = ref - dt.timedelta(days=ref.isoweekday() % 7 - day.isoweekday() % 7)
            other = same + dt.timedelta(days=-7 if same > ref else 7)
            ref = same if abs((same - ref).days) <= abs((other - ref).days) else other
        if ref not in day_index:
            return None
        found.append(day_index[ref])
    return sorted(found, reverse=True)


def _seasonal_blocks(n: int, k: int, references: list[int], w: int, p: int) -> np.ndarray | None:
    """R's `blocks`: the level of the seasonal factor of every position (NaN: not used).

    `references` are the positions of k and of its reference points in the past years, newest first. A
    window reaching one point before the series start is cut there, as R's index 0 is; further back R
    stops, and so there is no result (None).
    """
    levels = np.full(n, np.nan)
    levels[k - w: k + 1] = p
    for i in range(1, len(references)):
        ref = references[i]
        if ref - w < -1:
            return None
        levels[max(0, ref - w): ref + w + 1] = p
        if p != 1:
            period = references[i - 1] - 2 * w - 1 - ref
            if period < p - (2 * w + 1):
                raise ValueError("too many seasonal periods for this window")
            lengths = np.full(p - 1, period // (p - 1))
            lengths[: period % (p - 1)] += 1
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            for j in range(1, p):
                levels[ref + w + 1 + bounds[j - 1]: ref + w + 1 + bounds[j]] = j
    return levels


@dataclass
class _Fit:
    beta: np.ndarray
    mu: np.ndarray
    cov_unscaled: np.ndarray  # (X'WX)^-1
    dispersion: float  # Pearson estimate
    hat: np.ndarray
    df_residual: int
    # What R's summary() reports for the model farringtonFlexible returns, which the trend test and the
    # prediction's standard error use: after reweighting, R stores the weights omega in place of the working
    # weights, so this is sum(omega·((y−mu)/mu)²)/df instead of the Pearson estimate. Kept for agreement.
    summary_dispersion: float = np.nan


def _quasipoisson(X: np.ndarray, y: np.ndarray, prior: np.ndarray, keep_unconverged: bool = False) -> _Fit | None:
    """Iteratively reweighted least squares with R glm.fit's start, tolerance and iteration limit.

    As in glm.fit, the covariance, hat values and dispersion use the working weights of the last
    iteration's solve (not recomputed at the final mean), which keeps agreement with R to 1e-8.
    """
    mu = y + 0.1
    eta = np.log(mu)
    deviance_old = np.inf
    for _ in range(25):
        wts = prior * mu
        z = eta + (y - mu) / mu
        sw = np.sqrt(wts)
        beta, *_ = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)
        eta = X @ beta
        mu = np.exp(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            deviance = 2 * np.sum(prior * (np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)))
        if abs(deviance - deviance_old) / (abs(deviance) + 0.1) < 1e-8:
            break
        deviance_old = deviance
    else:
        if not keep_unconverged:
            return None
    cov = np.linalg.pinv(X.T @ (X * wts[:, None]))
    hat = np.einsum("ij,jk,ik->i", X, cov, X) * wts
    used = wts > 0
    df = int(used.sum()) - np.linalg.matrix_rank(X[used])
    residuals = (y - mu) / mu
    dispersion = float(np.sum((wts * residuals**2)[used]) / df) if df > 0 else np.nan
    return _Fit(beta, mu, cov, dispersion, hat, df, dispersion)


def _fit_with_reweighting(X, y, c: FarringtonControl) -> tuple[_Fit, float] | None:
    fit = _quasipoisson(X, y, np.ones(len(y)))
    if fit is None:
        return None
    phi = max(fit.dispersion, 1.0)
    if c.reweight:
        with np.errstate(divide="ignore", invalid="ignore"):
            s = 1.5 * (y ** (2 / 3) * fit.mu ** (-1 / 6) - fit.mu**0.5) / np.sqrt(phi * (1 - fit.hat))
            high = s > c.weights_threshold
            gamma = len(s) / np.sum(np.where(high, s**-2.0, 1.0))
            omega = np.where(high, gamma * s**-2.0, gamma)
        fit = _quasipoisson(X, y, omega, keep_unconverged=True)  # R checks convergence before reweighting only
        assert fit is not None
        phi = max(fit.dispersion, 1.0)
        used = omega > 0
        fit.summary_dispersion = float(np.sum((omega * ((y - fit.mu) / fit.mu) ** 2)[used]) / fit.df_residual)
    return fit, phi


def _farrington_point(x: np.ndarray, k: int, references: list[int], c: FarringtonControl,
                      past: int, dated: bool) -> tuple[float, float, float] | None:
    levels = _seasonal_blocks(len(x), k, references, c.w, c.no_periods)
    if levels is None:
        return None
    levels[max(0, k - past): k + 1] = np.nan
    blocks = np.flatnonzero(~np.isnan(levels))
    keep = ~np.isnan(levels) & ~np.isnan(x)
    y = x[keep]
    if dated:
        # R counts time in steps from the first block point, and predicts from the first one with a count
        wtime = np.flatnonzero(keep) - float(blocks[0])
        now = float(k - np.flatnonzero(keep)[0])
    else:
        wtime = np.flatnonzero(keep) + 1.0  # R's time index
        now = k + 1.0
    factors = c.no_periods != 1
    groups = np.unique(levels[keep]) if factors else np.array([])

    def design(with_trend: bool) -> tuple[np.ndarray, np.ndarray]:
        columns: list[np.ndarray] = [np.ones(len(y))]
        row = [1.0]
        if with_trend:
            columns.append(wtime)
            row.append(now)
        for g in groups[1:]:  # treatment contrasts: the lowest level is the reference
            columns.append((levels[keep] == g).astype(float))
            row.append(1.0 if g == c.no_periods else 0.0)
        return np.column_stack(columns), np.array(row)

    with_trend = c.trend
    fitted = _fit_with_reweighting(design(with_trend)[0], y, c)
    if fitted is None and with_trend:  # R retries without the trend when the fit does not converge
        with_trend = False
        fitted = _fit_with_reweighting(design(False)[0], y, c)
    if fitted is None:
        return None
    if with_trend:
        fit, _phi = fitted
        _X, row = design(True)
        prediction = float(np.exp(row @ fit.beta))
        se = np.sqrt(fit.summary_dispersion * fit.cov_unscaled[1, 1])
        p_value = 2 * stats.t.sf(abs(fit.beta[1] / se), fit.df_residual)
        keep_trend = c.b >= 3 and p_value < c.p_threshold_trend and prediction <= y.max()
        if not keep_trend:
            with_trend = False
            fitted = _fit_with_reweighting(design(False)[0], y, c)
            if fitted is None:
                return None
    fit, phi = fitted
    _X, row = design(with_trend)
    eta = float(row @ fit.beta)
    se_eta = float(np.sqrt(max(fit.summary_dispersion * (row @ fit.cov_unscaled @ row), 0.0)))
    y_now = x[k]
    if c.threshold_method == "delta":
        mu0 = float(np.exp(eta))
        upper = _delta_threshold(mu0, mu0 * se_eta, phi, c.powertrans, c.alpha)
        fit_value = mu0
    else:
        mu_q = np.exp(eta) if c.threshold_method == "nbPlugin" else np.exp(stats.norm.ppf(1 - c.alpha, eta, se_eta))
        if not np.isfinite(mu_q):
            return None
        if phi > 1:
            upper = float(stats.nbinom.ppf(1 - c.alpha, mu_q / (phi - 1), 1 / phi))
        else:
            upper = float(stats.poisson.ppf(1 - c.alpha, mu_q))
        fit_value = float(np.exp(eta))
        eta_or_fit = eta  # R scores nbPlugin/muan against the linear predictor
        score = (y_now - eta_or_fit) / (upper - eta_or_fit)
        return fit_value, upper, score
    score = (y_now - fit_value) / (upper - fit_value)
    return fit_value, upper, score


def _delta_threshold(mu0: float, se_fit: float, phi: float, powertrans: str, alpha: float) -> float:
    tau = phi + se_fit**2 / mu0
    if powertrans == "none":
        se, exponent = np.sqrt(mu0 * tau), 1.0
    elif powertrans == "1/2":
        se, exponent = np.sqrt(tau / 4), 0.5
    elif powertrans == "2/3":
        se, exponent = np.sqrt(4 / 9 * mu0 ** (1 / 3) * tau), 2 / 3
    else:
        raise ValueError(f"unknown power transformation {powertrans!r}")
    return float((mu0**exponent + stats.norm.ppf(1 - alpha) * se) ** (1 / exponent))


def weekly(daily) -> np.ndarray:
    """Sums of the complete weeks ending on the last day of a daily series (oldest first)."""
    daily = np.asarray(daily, dtype=float)
    n = len(daily) // 7 * 7
    return daily[len(daily) - n:].reshape(-1, 7).sum(axis=1)


def daily_detection(daily) -> dict[str, tuple[float, float, float, bool]]:
    """What the daily job runs on one series: each method's (observed, expected, threshold, alarm) for its
    last day. EARS reads the daily counts; CUSUM takes the mean of the 28 days before the last 7 as the
    in-control level and accumulates over the last 7 days; Farrington (Noufaily) reads the last 7 days as
    a week against the same weeks of up to five past years (fewer when the history is shorter; at least 3).
    """
    daily = np.asarray(daily, dtype=float)
    out = {f"ears-{m.lower()}": ears(daily[-20:], m).last() for m in ("C1", "C2", "C3")}
    out["cusum"] = cusum(daily[-35:], start=28).last()
    weeks = weekly(daily)
    defaults = FarringtonControl()
    years = min(defaults.b, (len(weeks) - defaults.w - 1) // 52)
    if years >= 3:
        control = FarringtonControl(b=years)
        out["farrington"] = farrington_flexible(weeks, 52, control, positions=[len(weeks) - 1]).last()
    return out


def detect(method: str, counts, freq: int = 52, **params) -> Detection:
    """One entry point by method name (as the command line and the daily job name them)."""
    if method.startswith("ears-"):
        return ears(counts, method[5:].upper(), **params)
    if method == "cusum":
        return cusum(counts, **params)
    if method == "farrington":
        return farrington_flexible(counts, freq, FarringtonControl(**params) if params else None)
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
