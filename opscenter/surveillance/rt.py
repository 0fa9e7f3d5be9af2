"""The time-varying reproduction number Rt by the method of Cori et al. (2013), as R's EpiEstim.

Plain numpy/scipy (no Django). With incidence I and serial interval distribution w, the infectiousness
is Λ_t = Σ_s I_{t−s} w_s; over a sliding window of τ days ending at t, with a Gamma(a, scale b) prior,
the posterior of R is Gamma(a + Σ I, scale 1/(1/b + Σ Λ)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

PRIOR_MEAN = 5.0  # EpiEstim's defaults: a vague prior of mean 5 and standard deviation 5
PRIOR_SD = 5.0


def discretised_gamma(mean: float, sd: float, max_days: int | None = None) -> np.ndarray:
    """EpiEstim's `discr_si`: a gamma serial interval shifted by one day, discretised; w[0] = 0, sum 1."""
    if mean <= 1:
        raise ValueError("the mean serial interval must be more than 1 day")
    if sd <= 0:
        raise ValueError("the standard deviation of the serial interval must be positive")
    n = max_days or int(np.ceil(mean + 10 * sd))
    k = np.arange(n + 1, dtype=float)
    a, b = ((mean - 1) / sd) ** 2, sd**2 / (mean - 1)

    def cdf(x, shape):
        return stats.gamma.cdf(x, shape, scale=b)

    w = k * cdf(k, a) + (k - 2) * cdf(k - 2, a) - 2 * (k - 1) * cdf(k - 1, a)
    w += a * b * (2 * cdf(k - 1, a + 1) - cdf(k - 2, a + 1) - cdf(k, a + 1))
    w = np.maximum(w, 0)
    w[0] = 0.0
    return w / w.sum()


@dataclass(frozen=True)
class RtEstimate:
    end: np.ndarray  # index of the last day of each window
    mean: np.ndarray
    lower: np.ndarray  # 2.5% posterior quantile
    upper: np.ndarray  # 97.5%
    cases_in_window: np.ndarray


def estimate_rt(incidence, serial_interval: np.ndarray, window: int = 7, prior_mean: float = PRIOR_MEAN,
                prior_sd: float = PRIOR_SD, level: float = 0.95) -> RtEstimate:
    """Rt for every window of `window` days ending on day `window` (0-based) onwards, as EpiEstim's
    `estimate_R(method = "non_parametric_si")` with weekly sliding windows (t_start = 2:(T−window+1)).

    `serial_interval[s]` is the probability of s days between successive cases (serial_interval[0] = 0).
    """
    incidence = np.asarray(incidence, dtype=float)
    w = np.asarray(serial_interval, dtype=float)
    if window < 1:
        raise ValueError("the window must be at least one day")
    if np.any(incidence < 0):
        raise ValueError("incidence cannot be negative")
    n = len(incidence)
    # Λ_t = Σ_{s=1..t} I_{t−s} w_s: a causal convolution with the first term dropped
    weights = np.zeros(n)
    m = min(len(w), n)
    weights[:m] = w[:m]
    weights[0] = 0.0
    infectiousness = np.convolve(incidence, weights)[:n]
    ends = np.arange(window, n)  # EpiEstim starts its windows on day 2 (index 1)
    if len(ends) == 0:
        empty = np.array([])
        return RtEstimate(empty, empty, empty, empty, empty)
    cases = np.convolve(incidence, np.ones(window))[ends]
    pressure = np.convolve(infectiousness, np.ones(window))[ends]
    shape_prior, scale_prior = (prior_mean / prior_sd) ** 2, prior_sd**2 / prior_mean
    shape = shape_prior + cases
    scale = 1.0 / (1.0 / scale_prior + pressure)
    tail = (1 - level) / 2
    return RtEstimate(
        end=ends,
        mean=shape * scale,
        lower=stats.gamma.ppf(tail, shape, scale=scale),
        upper=stats.gamma.ppf(1 - tail, shape, scale=scale),
        cases_in_window=cases,
    )
