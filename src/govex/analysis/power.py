"""Experiment design: sample size per arm for a minimum detectable effect (MDE), or the MDE for a size.

Two arms of equal size, two-sided test at level ``alpha``.

* Proportions: effect size is Cohen's h, ``2 asin(sqrt p2) - 2 asin(sqrt p1)`` (the arcsine
  transform makes the variance ``1/n`` whatever the rate), normal test [1].
* Means: effect size ``d = mde / sd``, two-sample t test with ``2n - 2`` degrees of freedom, power
  from the noncentral t distribution [1].
* Ratio metrics (e.g. contacts per order, with the unit randomised being the customer): the
  per-unit variance of ``R = sum Y / sum X`` by the delta method,
  ``(var Y - 2 R cov(X, Y) + R^2 var X) / mean(X)^2`` [2], then a normal test on means.

References
----------
.. [1] Cohen, J. (1988), *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 2 and 6.
.. [2] Deng, Knoblich & Lu (2018), "Applying the delta method in metric analytics", KDD.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

from govex.errors import ConfigError

KINDS = ("proportion", "mean", "ratio")


@dataclass(frozen=True)
class PowerResult:
    """A design: per-arm sample size, the MDE in the metric's units and the effect size behind it."""

    kind: str
    n_per_arm: float
    mde: float
    effect_size: float
    alpha: float
    power: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _normal_power(effect_size: float, n: float, alpha: float) -> float:
    shift = abs(effect_size) * np.sqrt(n / 2)
    z = stats.norm.isf(alpha / 2)
    return float(stats.norm.sf(z - shift) + stats.norm.cdf(-z - shift))


def _t_power(effect_size: float, n: float, alpha: float) -> float:
    df = 2 * n - 2
    crit = stats.t.isf(alpha / 2, df)
    nc = abs(effect_size) * np.sqrt(n / 2)
    upper, lower = stats.nct.sf(crit, df, nc), stats.nct.cdf(-crit, df, nc)
    # far from the null scipy's noncentral t returns NaN: there the far tail is 0 and the near one ~ normal
    upper = upper if np.isfinite(upper) else stats.norm.sf(crit - nc)
    return float(upper + (lower if np.isfinite(lower) else 0.0))


def ratio_sd(*, numerator_mean: float, denominator_mean: float, numerator_sd: float, denominator_sd: float,
             correlation: float) -> float:
    """Per-unit standard deviation of a ratio metric by the delta method [2]."""
    if denominator_mean <= 0:
        raise ConfigError(f"--den-mean must be > 0 for a ratio metric; got {denominator_mean}")
    if not -1 <= correlation <= 1:
        raise ConfigError(f"--corr must be within [-1, 1]; got {correlation}")
    ratio = numerator_mean / denominator_mean
    cov = correlation * numerator_sd * denominator_sd
    var = (numerator_sd ** 2 - 2 * ratio * cov + ratio ** 2 * denominator_sd ** 2) / denominator_mean ** 2
    return float(np.sqrt(max(var, 0.0)))


def design(kind: str, *, baseline: float, sd: float | None = None, mde: float | None = None,
           n_per_arm: float | None = None, alpha: float = 0.05, power: float = 0.8) -> PowerResult:
    """Solve for ``n_per_arm`` (give ``mde``) or for ``mde`` (give ``n_per_arm``).

    ``baseline`` is the control rate (proportions) or mean; ``sd`` the per-unit standard deviation
    (means; for ratios pass :func:`ratio_sd`). ``mde`` is an absolute difference.
    """
    if kind not in KINDS:
        raise ConfigError(f"--kind {kind!r}: expected one of {', '.join(KINDS)}")
    if (mde is None) == (n_per_arm is None):
        raise ConfigError("give exactly one of --mde (to get the sample size) or --n (to get the MDE)")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ConfigError(f"--alpha and --power must be within (0, 1); got {alpha} and {power}")
    if kind == "proportion" and not 0 < baseline < 1:
        raise ConfigError(f"--baseline must be a rate within (0, 1) for a proportion; got {baseline}")
    if kind != "proportion" and (sd is None or sd <= 0):
        raise ConfigError(f"--sd must be > 0 for a {kind} metric; got {sd}")
    power_of = _t_power if kind == "mean" else _normal_power
    z_sum = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)

    def size_of(diff: float) -> float:
        if kind == "proportion":
            target = baseline + diff
            if not 0 < target < 1:
                raise ConfigError(f"--baseline {baseline} + --mde {diff} leaves the (0, 1) range of a rate")
            return 2 * np.arcsin(np.sqrt(target)) - 2 * np.arcsin(np.sqrt(baseline))
        return diff / sd

    if mde is not None:
        if mde == 0:
            raise ConfigError("--mde must not be 0")
        h = size_of(mde)
        upper = 4 * (z_sum / h) ** 2 + 10  # twice the normal-approximation size brackets the t answer
        n = optimize.brentq(lambda m: power_of(h, m, alpha) - power, 2.0, upper, xtol=1e-9, rtol=1e-12)
        return PowerResult(kind, float(n), float(mde), float(h), alpha, power)
    if n_per_arm < 2:
        raise ConfigError(f"--n must be at least 2 per arm; got {n_per_arm}")
    upper = 4 * z_sum / np.sqrt(n_per_arm / 2) + 10
    h = optimize.brentq(lambda e: power_of(e, n_per_arm, alpha) - power, 1e-9, upper, xtol=1e-12)
    if kind == "proportion":
        top = np.arcsin(np.sqrt(baseline)) + h / 2
        if top >= np.pi / 2:
            raise ConfigError(f"no rate above {baseline} is detectable with power {power} at n={n_per_arm}")
        diff = float(np.sin(top) ** 2 - baseline)
    else:
        diff = float(h * sd)
    return PowerResult(kind, float(n_per_arm), diff, float(h), alpha, power)
