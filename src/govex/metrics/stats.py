"""Confidence intervals and small-cell shrinkage on aggregated metric cells (numpy and the stdlib).

Every function takes arrays of per-cell sufficient statistics (counts, sums, sums of squares,
cross-products) computed by the engine, so no row-level data is needed here.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. JASA 22(158), 209-212.
.. [2] Garwood, F. (1936). Fiducial limits for the Poisson distribution. Biometrika 28, 437-442.
.. [3] Deng, A., Knoblich, U., Lu, J. (2018). Applying the delta method in metric analytics.
   KDD 2018, section 2 (ratio metrics).
.. [4] Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed., section 3.2
   (confidence interval for a quantile, normal approximation to the binomial ranks).
.. [5] Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
   JASA 78(381), 47-55 (normal-normal shrinkage, method-of-moments prior variance).
"""
from __future__ import annotations

from statistics import NormalDist

import numpy as np


def z_value(confidence: float) -> float:
    """Two-sided standard-normal quantile for a confidence level (1.96 for 0.95)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: np.ndarray, trials: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion [1]_; NaN where trials == 0."""
    n = np.asarray(trials, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.asarray(successes, dtype="float64") / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # the limits are exactly 0 and 1 at p = 0 and 1; rounding would print -1.4e-17
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def poisson_exact(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Garwood's exact interval for a Poisson count [2]_ (lower limit 0 at a count of 0).

    The limits chi2_q(2k) / 2 are the quantiles of a Gamma(k, 1), i.e. the inverse regularised
    incomplete gamma function; scipy.special is imported here, not scipy.stats (0.5 s at start-up).
    """
    from scipy.special import gammaincinv

    k = np.asarray(count, dtype="float64")
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, gammaincinv(np.maximum(k, 1.0), alpha / 2), 0.0)
    high = gammaincinv(k + 1, 1 - alpha / 2)
    return low, high


def ratio_se_paired(n_units, sum_x, sum_y, sum_xx, sum_yy, sum_xy) -> np.ndarray:
    """Delta-method standard error of sum(x)/sum(y) over n i.i.d. units [3]_.

    Var(R) ~= (1/n) (var_x / ybar^2 - 2 xbar cov_xy / ybar^3 + xbar^2 var_y / ybar^4).
    """
    n = np.asarray(n_units, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        xbar, ybar = sum_x / n, sum_y / n
        var_x = sum_xx / n - xbar**2
        var_y = sum_yy / n - ybar**2
        cov = sum_xy / n - xbar * ybar
        var = (var_x / ybar**2 - 2 * xbar * cov / ybar**3 + xbar**2 * var_y / ybar**4) / n
    return np.sqrt(np.clip(var, 0, None))


def ratio_se_independent(sum_x, sum_y, sum_xx, sum_yy) -> np.ndarray:
    """Delta-method standard error of X/Y for independent totals from different tables [3]_.

    Each total is treated as compound Poisson, Var(X) ~= sum(x^2) (a count's variance is the
    count itself), so Var(X/Y) ~= (X/Y)^2 (Var X / X^2 + Var Y / Y^2).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = sum_x / sum_y
        rel = np.where(sum_x != 0, sum_xx / sum_x**2, 0.0) + sum_yy / sum_y**2
        se = np.abs(ratio) * np.sqrt(rel)
        # a zero numerator still has the uncertainty of its count: use the x^2 term alone
        se = np.where(sum_x == 0, np.sqrt(sum_xx) / np.abs(sum_y), se)
    return se


def ratio_interval(value: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interval of a ratio from its delta-method standard error; also True where the log scale was used.

    A positive ratio gets the interval of log R, R exp(+-z se/R) (the delta method on the log [3]_),
    which stays above zero: a symmetric interval on a rare event's rate (a handful of disputes over
    thousands of orders) would reach below zero. A zero ratio keeps [0, z se]; a negative one (a
    signed measure) keeps the symmetric interval.
    """
    value, se = np.asarray(value, dtype="float64"), np.asarray(se, dtype="float64")
    positive = value > 0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        spread = np.exp(z * np.where(positive, se / value, 0.0))
    low = np.where(positive, value / spread, np.where(value == 0, 0.0, value - z * se))
    high = np.where(positive, value * spread, value + z * se)
    return low, high, positive


def mean_se(n, sum_x, sum_xx) -> np.ndarray:
    """Standard error of a mean, s / sqrt(n), with the unbiased sample variance (undefined, NaN, for n < 2).

    n < 2 is NaN explicitly, not by 0/0: with exact sums, sum_xx - sum_x**2 can be a rounding
    residue of either sign, which would make one engine's interval NaN and another's a point.
    """
    n = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, (sum_xx - sum_x**2 / n) / (n - 1), np.nan)
        return np.sqrt(np.clip(var, 0, None) / n)


def shrink_normal(values: np.ndarray, se: np.ndarray) -> np.ndarray:
    """Empirical-Bayes posterior means of cell values toward their precision-weighted mean [5]_.

    The prior variance tau^2 is the method-of-moments excess of the spread of the values over
    their mean squared standard error; cells with a large standard error move the most.
    """
    v, s = np.asarray(values, dtype="float64"), np.asarray(se, dtype="float64")
    ok = np.isfinite(v) & np.isfinite(s)
    out = v.copy()
    if ok.sum() < 3:
        return out
    s2 = np.maximum(s[ok] ** 2, 1e-12)
    weights = 1 / s2
    centre = np.sum(weights * v[ok]) / np.sum(weights)
    tau2 = max(float(np.var(v[ok], ddof=1) - np.mean(s2)), 0.0)
    shrink = s2 / (s2 + tau2) if tau2 > 0 else np.ones_like(s2)
    out[ok] = centre + (1 - shrink) * (v[ok] - centre)
    return out
