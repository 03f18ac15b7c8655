"""Impact of a change that was not randomised: did the KPI move because of it?

Most changes in a marketplace (a policy in one market, a vendor switch, a new help flow) reach
some units from a date on, with no random control group. Three estimators, each with the checks
that say when not to trust it:

* Difference-in-differences: two-way fixed effects ``y_it = a_i + g_t + beta D_it`` with
  ``D_it = treated_i * (t >= start)``; standard errors clustered by unit (Liang & Zeger 1986,
  with the usual ``G/(G-1) (N-1)/(N-K)`` small-sample factor [1]); interval from Student t with
  ``G - 1`` degrees of freedom. Check: treated and control pre-period trends do not differ.
* Synthetic control: the treated units' mean path is matched, before the start, by a weighted
  mean of never-treated donors (weights >= 0 summing to 1) [2]; the effect is the mean post-period
  gap. Inference is placebo-in-space: each donor in turn plays the treated unit; the interval is
  the effect minus the placebos' 5th-95th percentile gaps, and the p-value ranks the treated
  post/pre RMSPE ratio among the placebos' [2]. Check: the pre-period fit is no worse than twice
  the placebos' median (Abadie et al. drop placebos fitted worse than that).
* Interrupted time series: segmented regression on the treated units' mean path,
  ``y_t = b0 + b1 t + b2 post_t + b3 (t - t0) post_t`` with Newey-West (HAC, Bartlett kernel)
  errors [3]; the effect is the mean post-period shift ``b2 + b3 mean(t - t0)``. No control
  group: anything else that changed at the start is attributed to the change.

References
----------
.. [1] Cameron & Miller (2015), "A practitioner's guide to cluster-robust inference", J. Human
   Resources 50(2).
.. [2] Abadie, Diamond & Hainmueller (2010), "Synthetic control methods for comparative case
   studies", JASA 105(490).
.. [3] Newey & West (1987), "A simple, positive semi-definite, heteroskedasticity and
   autocorrelation consistent covariance matrix", Econometrica 55(3); lag rule
   ``floor(4 (T/100)^(2/9))``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from govex.analysis._cube import check_columns, numeric_column
from govex.errors import ConfigError

METHODS = ("did", "synthetic_control", "its")
LEVEL = 0.90
FEW_CLUSTERS = 6


@dataclass(frozen=True)
class ImpactResult:
    """An effect estimate with its interval and the checks that qualify it."""

    method: str
    effect: float
    ci_low: float
    ci_high: float
    std_error: float
    p_value: float
    checks: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "effect": self.effect, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "std_error": self.std_error, "p_value": self.p_value, "level": LEVEL, "checks": self.checks}


@dataclass(frozen=True)
class Panel:
    """A validated unit x period panel: outcome matrix (NaN where a cell is missing)."""

    units: np.ndarray
    periods: np.ndarray
    y: np.ndarray  # shape (units, periods)
    treated: np.ndarray  # bool per unit
    post: np.ndarray  # bool per period


def prepare_panel(frame: pd.DataFrame, *, unit: str, period: str, outcome: str, treated: str,
                  start: Any, what: str = "data") -> Panel:
    """Validate the long table and pivot it; a unit is treated if its treated flag is ever 1."""
    check_columns(frame, dims=[unit, period], measures=[outcome, treated], what=what)
    y = numeric_column(frame, outcome, what=what, nonnegative=False)
    flag = numeric_column(frame, treated, what=what, nonnegative=True)
    bad = np.flatnonzero(~np.isin(flag, (0.0, 1.0)))
    if bad.size:
        raise ConfigError(f"{what}, column {treated!r}: expected 0/1 (1 = the unit got the change); "
                          f"row {int(bad[0])} has {frame[treated].iloc[bad[0]]!r}")
    when = pd.to_datetime(frame[period], errors="coerce", format="ISO8601")
    if when.isna().any():
        row = int(np.flatnonzero(when.isna().to_numpy())[0])
        raise ConfigError(f"{what}, column {period!r}: expected a date (YYYY-MM-DD); row {row} has "
                          f"{frame[period].iloc[row]!r}")
    start_ts = pd.Timestamp(start)
    long = pd.DataFrame({"u": frame[unit].astype(str).to_numpy(), "t": when.to_numpy(), "y": y, "d": flag})
    dupes = long.duplicated(["u", "t"])
    if dupes.any():
        row = int(np.flatnonzero(dupes.to_numpy())[0])
        raise ConfigError(f"{what}: unit {long.u.iloc[row]!r} has more than one row for period "
                          f"{long.t.iloc[row].date()} (row {row}); give one row per unit and period")
    periods = np.sort(long.t.unique())
    n_pre = int((periods < start_ts).sum())
    if n_pre < 2 or n_pre == len(periods):
        raise ConfigError(f"--start {start_ts.date()}: must leave at least 2 periods before it and 1 from it on; "
                          f"the data's periods run from {pd.Timestamp(periods[0]).date()} to "
                          f"{pd.Timestamp(periods[-1]).date()}")
    wide = long.pivot(index="u", columns="t", values="y").reindex(columns=periods)
    is_treated = long.groupby("u")["d"].max().reindex(wide.index).to_numpy() > 0
    if not is_treated.any():
        raise ConfigError(f"{what}, column {treated!r}: no unit is treated (no row has 1); "
                          "mark the units that got the change with 1")
    return Panel(units=wide.index.to_numpy(), periods=periods, y=wide.to_numpy(dtype=np.float64),
                 treated=is_treated, post=periods >= start_ts.to_datetime64())


def _need_controls(panel: Panel, method: str) -> None:
    if panel.treated.all():
        raise ConfigError(f"{method} needs control units that never got the change; every unit is treated. "
                          "Use --method its (no control group) or add untreated units")


def _demean_two_way(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Residual of `values` on unit and period dummies over the observed cells (alternating projections)."""
    out = np.where(mask, values, 0.0)
    tolerance = 1e-13 * max(float(np.abs(out).max()), 1.0) * out.shape[1]
    for _ in range(1000):
        counts_u = mask.sum(axis=1, keepdims=True)
        out = np.where(mask, out - out.sum(axis=1, keepdims=True) / np.maximum(counts_u, 1), 0.0)
        counts_t = mask.sum(axis=0, keepdims=True)
        col = out.sum(axis=0, keepdims=True) / np.maximum(counts_t, 1)
        out = np.where(mask, out - col, 0.0)
        if np.abs(out.sum(axis=1)).max() < tolerance:  # column sums are 0 here; rows too: converged
            break
    return out


def _twfe(y: np.ndarray, x: np.ndarray, mask: np.ndarray) -> tuple[float, float, int]:
    """Coefficient of x in y ~ unit + period + x with its unit-clustered SE (Frisch-Waugh) and G."""
    xt, yt = _demean_two_way(x, mask), _demean_two_way(y, mask)
    sxx = float((xt * xt).sum())
    if sxx <= 1e-12:
        raise ConfigError("the treatment indicator is collinear with the unit and period effects; "
                          "check that treated and control units both have periods before and after --start")
    beta = float((xt * yt).sum()) / sxx
    resid = np.where(mask, yt - beta * xt, 0.0)
    scores = (xt * resid).sum(axis=1)
    n_clusters = int((mask.sum(axis=1) > 0).sum())
    n_obs = int(mask.sum())
    n_params = n_clusters + int((mask.sum(axis=0) > 0).sum())  # units + periods - 1 + beta
    factor = n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)
    se = float(np.sqrt(factor * (scores ** 2).sum()) / sxx)
    return beta, se, n_clusters


def difference_in_differences(panel: Panel) -> ImpactResult:
    """Two-way fixed-effects DiD with unit-clustered errors and a pre-trend check."""
    _need_controls(panel, "did")
    mask = np.isfinite(panel.y)
    y = np.where(mask, panel.y, 0.0)
    d = np.outer(panel.treated, panel.post).astype(np.float64)
    beta, se, groups = _twfe(y, d, mask)
    df = groups - 1
    half = stats.t.ppf(0.5 + LEVEL / 2, df) * se
    p = float(2 * stats.t.sf(abs(beta / se), df)) if se > 0 else float("nan")
    pre = ~panel.post
    trend = np.outer(panel.treated, np.arange(pre.sum(), dtype=np.float64))
    slope, slope_se, _ = _twfe(y[:, pre], trend, mask[:, pre]) if pre.sum() >= 3 else (np.nan, np.nan, 0)
    trend_p = float(2 * stats.t.sf(abs(slope / slope_se), df)) if slope_se and slope_se > 0 else float("nan")
    checks = {
        "treated_units": int(panel.treated.sum()), "control_units": int((~panel.treated).sum()),
        "pre_periods": int(pre.sum()), "post_periods": int(panel.post.sum()),
        "pre_trend_difference_per_period": slope, "pre_trend_p_value": trend_p,
        "parallel_pre_trends": bool(trend_p >= 0.05) if np.isfinite(trend_p) else None,
    }
    if min(checks["treated_units"], checks["control_units"]) < FEW_CLUSTERS:
        checks["warning"] = (f"fewer than {FEW_CLUSTERS} treated or control units: clustered errors are "
                             "too small with few clusters [1], so the interval is too narrow")
    return ImpactResult("did", beta, beta - half, beta + half, se, p, checks)


def _donor_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Weights >= 0 summing to 1 that make donors' weighted path closest to target (least squares).

    Non-negative least squares with the sum-to-one constraint appended as a heavily weighted row
    (a penalty that makes the sum 1 to ~1e-9), then renormalised.
    """
    if donors.shape[1] == 1:
        return np.ones(1)
    penalty = 1e4 * max(float(np.abs(donors).max()), 1.0)
    matrix = np.vstack([donors, np.full((1, donors.shape[1]), penalty)])
    weights, _ = optimize.nnls(matrix, np.append(target, penalty), maxiter=50 * donors.shape[1])
    return weights / weights.sum()


def _synthetic_gap(target: np.ndarray, donors: np.ndarray, post: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    weights = _donor_weights(target[~post], donors[~post])
    return target - donors @ weights, weights


def synthetic_control(panel: Panel) -> ImpactResult:
    """Synthetic control on the treated units' mean path with placebo-in-space inference."""
    _need_controls(panel, "synthetic_control")
    donors = panel.y[~panel.treated].T  # periods x donors
    if not np.isfinite(donors).all():
        raise ConfigError("synthetic_control needs every control unit observed in every period; "
                          "some control unit has a missing period")
    if donors.shape[1] < 2:
        raise ConfigError("synthetic_control needs at least 2 control units to weight and to use as placebos")
    target = np.nanmean(panel.y[panel.treated], axis=0)
    post = panel.post

    def rmspe(gap: np.ndarray, part: np.ndarray) -> float:
        return float(np.sqrt(np.mean(gap[part] ** 2)))

    gap, weights = _synthetic_gap(target, donors, post)
    effect = float(gap[post].mean())
    placebo_effects, placebo_ratios, placebo_pre = [], [], []
    for j in range(donors.shape[1]):
        others = np.delete(donors, j, axis=1)
        pgap, _ = _synthetic_gap(donors[:, j], others, post)
        placebo_effects.append(pgap[post].mean())
        placebo_pre.append(rmspe(pgap, ~post))
        placebo_ratios.append(rmspe(pgap, post) / max(rmspe(pgap, ~post), 1e-12))
    placebo_effects = np.asarray(placebo_effects)
    ratio = rmspe(gap, post) / max(rmspe(gap, ~post), 1e-12)
    p = float((1 + np.sum(np.asarray(placebo_ratios) >= ratio)) / (1 + len(placebo_ratios)))
    lo_q, hi_q = np.quantile(placebo_effects, [0.5 - LEVEL / 2, 0.5 + LEVEL / 2])
    pre_fit = rmspe(gap, ~post)
    relative_fit = pre_fit / max(float(np.median(placebo_pre)), 1e-12)
    names = panel.units[~panel.treated]
    order = np.argsort(-weights)
    checks = {
        "treated_units": int(panel.treated.sum()), "donor_units": int(donors.shape[1]),
        "pre_periods": int((~post).sum()), "post_periods": int(post.sum()),
        "donor_weights": {str(names[i]): round(float(weights[i]), 4) for i in order if weights[i] >= 1e-4},
        "pre_period_rmspe": pre_fit, "pre_rmspe_vs_placebo_median": relative_fit,
        "pre_period_fit_ok": bool(relative_fit <= 2.0),
        "placebo_count": int(len(placebo_effects)),
    }
    return ImpactResult("synthetic_control", effect, effect - hi_q, effect - lo_q,
                        float(np.std(placebo_effects, ddof=1)), p, checks)


def newey_west(x: np.ndarray, resid: np.ndarray, lags: int) -> np.ndarray:
    """HAC covariance of OLS coefficients with Bartlett weights and no small-sample factor."""
    scores = x * resid[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        meat += (1 - lag / (lags + 1)) * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    return bread @ meat @ bread


def interrupted_time_series(panel: Panel) -> ImpactResult:
    """Segmented regression on the treated units' mean path with Newey-West errors."""
    target = np.nanmean(panel.y[panel.treated], axis=0)
    keep = np.isfinite(target)
    target, post = target[keep], panel.post[keep]
    t = np.arange(len(target), dtype=np.float64)
    since = np.where(post, t - t[post][0], 0.0)
    x = np.column_stack([np.ones_like(t), t, post.astype(np.float64), since])
    coef, *_ = np.linalg.lstsq(x, target, rcond=None)
    resid = target - x @ coef
    lags = int(np.floor(4 * (len(target) / 100) ** (2 / 9)))
    cov = newey_west(x, resid, lags)
    contrast = np.array([0.0, 0.0, 1.0, since[post].mean()])
    effect = float(contrast @ coef)
    se = float(np.sqrt(contrast @ cov @ contrast))
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    p = float(2 * stats.norm.sf(abs(effect / se))) if se > 0 else float("nan")
    lag1 = float(np.corrcoef(resid[1:], resid[:-1])[0, 1]) if len(resid) > 2 else float("nan")
    checks = {
        "treated_units": int(panel.treated.sum()), "pre_periods": int((~post).sum()),
        "post_periods": int(post.sum()), "level_change": float(coef[2]), "slope_change": float(coef[3]),
        "hac_lags": lags, "residual_lag1_autocorrelation": lag1,
        "warning": "no control group: anything else that changed at --start is counted as the effect",
    }
    return ImpactResult("its", effect, effect - z * se, effect + z * se, se, p, checks)


def naive_before_after(panel: Panel) -> float:
    """Treated units' post-period mean minus their pre-period mean (for comparison only: it is biased by trends)."""
    rows = panel.y[panel.treated]
    return float(np.nanmean(rows[:, panel.post]) - np.nanmean(rows[:, ~panel.post]))


def estimate_impact(frame: pd.DataFrame, *, unit: str, period: str, outcome: str, treated: str, start: Any,
                    method: str = "did", what: str = "data") -> ImpactResult:
    """Validate a long unit x period table and estimate the change's effect with `method`."""
    if method not in METHODS:
        raise ConfigError(f"--method {method!r}: expected one of {', '.join(METHODS)}")
    panel = prepare_panel(frame, unit=unit, period=period, outcome=outcome, treated=treated, start=start, what=what)
    estimator = {"did": difference_in_differences, "synthetic_control": synthetic_control,
                 "its": interrupted_time_series}[method]
    result = estimator(panel)
    result.checks["naive_before_after"] = naive_before_after(panel)
    return result


def relative_effect(result: ImpactResult, levels: tuple[float, float]) -> dict[str, float]:
    """The effect as a share of the treated units' level without the change (post mean minus the effect).

    The interval divides the effect's bounds by the same level (its own uncertainty is ignored, which
    is small next to the effect's when the post-period has many cells).
    """
    post_mean, pre_mean = levels  # the treated units' mean after and before the start
    counterfactual = post_mean - result.effect
    scale = counterfactual if counterfactual else float("nan")
    return {"relative_effect": result.effect / scale, "relative_ci_low": result.ci_low / scale,
            "relative_ci_high": result.ci_high / scale,
            "naive_relative": (post_mean - pre_mean) / pre_mean if pre_mean else float("nan")}


def estimate_cube_impact(cube: pd.DataFrame, *, metric: str, by: str, treated: Sequence[str], start: Any,
                         method: str = "did", min_cell_n: float = 30) -> ImpactResult:
    """The same estimators on a metric-layer cube (one metric cut by `by`, one row per value and period).

    `cube` is `govex.metrics.compute_metrics(...)`'s frame, so the metric keeps its one definition.
    Cells without a value (no denominator) are left out; the checks add the smallest cell's sample
    (below `min_cell_n` a warning says the cells are too noisy to trust) and the effect relative to
    the treated units' level without the change.
    """
    rows = cube[(cube["metric"] == metric) & cube["value"].notna()]
    if rows.empty:
        raise ConfigError(f"metric {metric!r}: no cell has a value by {by}; nothing to measure")
    units = rows[by].astype(str)
    known = sorted(units.unique())
    unknown = [v for v in treated if v not in known]
    if unknown:
        raise ConfigError(f"--treated {', '.join(unknown)}: no {by} of that name has {metric} values; "
                          f"known: {', '.join(known)}")
    frame = pd.DataFrame({"unit": units.to_numpy(), "period": pd.to_datetime(rows["period_start"]).to_numpy(),
                          "value": rows["value"].to_numpy(dtype=np.float64),
                          "treated": units.isin(list(treated)).astype(float).to_numpy()})
    result = estimate_impact(frame, unit="unit", period="period", outcome="value", treated="treated", start=start,
                             method=method, what=f"metric {metric} by {by}")
    is_treated, post = frame["treated"] > 0, frame["period"] >= pd.Timestamp(start)
    levels = (float(frame.value[is_treated & post].mean()), float(frame.value[is_treated & ~post].mean()))
    result.checks.update(relative_effect(result, levels))
    result.checks["metric"], result.checks["by"], result.checks["treated"] = metric, by, list(treated)
    smallest = float(rows["n"].min())
    result.checks["smallest_cell_n"] = smallest
    if smallest < min_cell_n:
        note = (f"some {by} x period cell rests on {smallest:.0f} observations (< {min_cell_n:g}): its value is "
                "noisy; use a longer period (--period month) or a coarser cut")
        result.checks["warning"] = "; ".join(filter(None, [result.checks.get("warning"), note]))
    return result
