"""Experiment reads by segment: effect, CUPED variance reduction, sample-ratio check, guardrails.

* Effect: difference in means (a 0/1 metric gives the difference in proportions) with the
  unpooled (Welch) standard error and a normal interval; samples here are large.
* CUPED: ``y - theta (x - mean x)`` with ``theta = cov(x, y) / var(x)`` estimated on both arms
  pooled, where ``x`` is the same metric before the experiment. It removes the part of the
  variance the pre-period explains and, because x is unaffected by the treatment, leaves the
  estimate unbiased.
* Sample-ratio mismatch: chi-square test of arm counts against the planned split; a failure
  (p < 0.001 by default) means assignment is broken and the effect should not be trusted.
* Multiple testing: per-segment p-values are adjusted across segments (Holm controls the
  family-wise error; Benjamini-Hochberg the false discovery rate).
* Guardrails: trust and experience metrics that must not get significantly worse.

References
----------
.. [1] Deng, Xu, Kohavi & Walker (2013), "Improving the sensitivity of online controlled
   experiments by utilizing pre-experiment data", WSDM (CUPED).
.. [2] Fabijan et al. (2019), "Diagnosing sample ratio mismatch in online controlled
   experiments", KDD.
.. [3] Holm, S. (1979), "A simple sequentially rejective multiple test procedure", Scand. J. Stat. 6.
.. [4] Benjamini & Hochberg (1995), "Controlling the false discovery rate", JRSS B 57(1).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from govex.analysis._cube import check_columns, numeric_column
from govex.errors import ConfigError


def adjust_pvalues(pvalues: Sequence[float], *, method: str = "holm") -> np.ndarray:
    """Holm or Benjamini-Hochberg adjusted p-values (NaN stays NaN)."""
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method == "bh":
        adjusted = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
    else:
        raise ConfigError(f"unknown multiple-testing method {method!r}; use 'holm' or 'bh'")
    out[order] = np.minimum(adjusted, 1.0)
    return out


def sample_ratio_test(counts: Sequence[int], expected_shares: Sequence[float] | None = None) -> float:
    """p-value of the chi-square goodness-of-fit test of arm counts against the planned split."""
    counts_arr = np.asarray(counts, dtype=np.float64)
    shares = np.full(counts_arr.size, 1.0 / counts_arr.size) if expected_shares is None else np.asarray(expected_shares)
    if shares.size != counts_arr.size or not np.isclose(shares.sum(), 1.0):
        raise ConfigError(f"expected shares {list(shares)} must give one share per arm and sum to 1")
    return float(stats.chisquare(counts_arr, counts_arr.sum() * shares).pvalue)


def cuped_adjust(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    """CUPED-adjusted outcome and theta (Deng et al. 2013, eq. 3)."""
    var_x = float(np.var(x))
    theta = float(np.cov(x, y, ddof=0)[0, 1] / var_x) if var_x > 0 else 0.0
    return y - theta * (x - x.mean()), theta


@dataclass(frozen=True)
class _Effect:
    control_mean: float
    treatment_mean: float
    diff: float
    se: float
    p_value: float


def _difference(y_control: np.ndarray, y_treat: np.ndarray) -> _Effect:
    n0, n1 = y_control.size, y_treat.size
    if n0 < 2 or n1 < 2:
        return _Effect(float(np.mean(y_control)) if n0 else np.nan, float(np.mean(y_treat)) if n1 else np.nan,
                       np.nan, np.nan, np.nan)
    m0, m1 = y_control.mean(), y_treat.mean()
    se = float(np.sqrt(y_control.var(ddof=1) / n0 + y_treat.var(ddof=1) / n1))
    diff = float(m1 - m0)
    p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else (0.0 if diff != 0 else 1.0)
    return _Effect(float(m0), float(m1), diff, se, p)


@dataclass(frozen=True)
class ExperimentRead:
    """Result of :func:`read_experiment`."""

    effects: pd.DataFrame  # one row per segment x treatment arm (segment 'all' first)
    guardrails: pd.DataFrame  # one row per guardrail x treatment arm, overall
    srm_p_value: float
    srm_ok: bool
    arm_counts: dict[str, int]
    trustworthy: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "arm_counts": self.arm_counts,
            "srm_p_value": self.srm_p_value,
            "srm_ok": self.srm_ok,
            "trustworthy": self.trustworthy,
            "effects": self.effects.to_dict(orient="records"),
            "guardrails": self.guardrails.to_dict(orient="records"),
        }


def read_experiment(
    units: pd.DataFrame,
    *,
    arm: str,
    metric: str,
    control: str | None = None,
    pre: str | None = None,
    segment: str | None = None,
    guardrails: Mapping[str, str] | None = None,
    expected_shares: Mapping[str, float] | None = None,
    alpha: float = 0.05,
    srm_alpha: float = 0.001,
    correction: str = "holm",
) -> ExperimentRead:
    """Read an A/B(/n) test with one row per randomised unit.

    Parameters
    ----------
    units : one row per unit with its arm, the metric, optional pre-period covariate.
    arm : arm column; ``control`` names the control arm (default: 'control' if present, else
        the first arm in sorted order).
    metric : primary metric (numeric; 0/1 for a conversion).
    pre : pre-period value of the metric, for CUPED.
    segment : column for per-segment reads; p-values are adjusted across segments.
    guardrails : column -> harmful direction ('increase' or 'decrease').
    expected_shares : planned split per arm (default equal).
    """
    guardrails = dict(guardrails or {})
    for column, direction in guardrails.items():
        if direction not in ("increase", "decrease"):
            raise ConfigError(f"guardrail {column!r}: harmful direction must be 'increase' or 'decrease', got {direction!r}")
    measures = [metric] + ([pre] if pre else []) + list(guardrails)
    check_columns(units, dims=[arm] + ([segment] if segment else []), measures=measures, what="experiment data")
    arms, names, control = _arms(units, arm, control)
    values = {c: numeric_column(units, c, what="experiment data", nonnegative=False) for c in measures}
    counts = {a: int((arms == a).sum()) for a in names}
    shares = None if expected_shares is None else [expected_shares[a] for a in names]
    srm_p = sample_ratio_test([counts[a] for a in names], shares)
    scopes = [("all", np.ones(len(units), dtype=bool))]
    if segment:
        seg_labels = units[segment].astype("string").fillna("<null>").to_numpy()
        scopes += [(s, seg_labels == s) for s in sorted(set(seg_labels))]
    effects = _effects(values[metric], values[pre] if pre else None, arms, control, scopes, alpha=alpha,
                       correction=correction)
    guard = _guardrail_reads({c: values[c] for c in guardrails}, guardrails, arms, control, alpha=alpha)
    srm_ok = srm_p >= srm_alpha
    return ExperimentRead(
        effects=effects, guardrails=guard, srm_p_value=srm_p, srm_ok=srm_ok, arm_counts=counts,
        trustworthy=bool(srm_ok and not guard["breached"].any()),
    )


def _arms(units: pd.DataFrame, arm: str, control: str | None) -> tuple[np.ndarray, list[str], str]:
    """Each unit's arm label, the sorted arm names and the control arm (checked)."""
    arms = units[arm].astype("string").fillna("<null>").to_numpy()
    names = sorted(set(arms))
    if len(names) < 2:
        raise ConfigError(f"column {arm!r} has {len(names)} arm(s) ({names}); an experiment needs at least two")
    control = control or ("control" if "control" in names else names[0])
    if control not in names:
        raise ConfigError(f"control arm {control!r} is not in column {arm!r} (arms: {names})")
    return arms, names, control


def _effects(y: np.ndarray, pre: np.ndarray | None, arms: np.ndarray, control: str,
             scopes: list[tuple[str, np.ndarray]], *, alpha: float, correction: str) -> pd.DataFrame:
    """Raw and CUPED difference of each treatment against control, overall and per segment."""
    y_cuped, theta = cuped_adjust(y, pre) if pre is not None else (y, 0.0)
    treatments = [a for a in sorted(set(arms)) if a != control]
    z = stats.norm.isf(alpha / 2)
    rows = []
    for scope, in_scope in scopes:
        for treatment in treatments:
            c_mask, t_mask = in_scope & (arms == control), in_scope & (arms == treatment)
            raw = _difference(y[c_mask], y[t_mask])
            adj = _difference(y_cuped[c_mask], y_cuped[t_mask])
            rows.append({
                "segment": scope, "treatment": treatment, "control": control,
                "n_control": int(c_mask.sum()), "n_treatment": int(t_mask.sum()),
                "control_mean": raw.control_mean, "treatment_mean": raw.treatment_mean,
                "diff": raw.diff, "se": raw.se, "p_value": raw.p_value,
                "diff_cuped": adj.diff, "se_cuped": adj.se,
                "ci_low": adj.diff - z * adj.se, "ci_high": adj.diff + z * adj.se, "p_value_cuped": adj.p_value,
                "variance_reduction": 1.0 - (adj.se / raw.se) ** 2 if raw.se and raw.se > 0 else np.nan,
                "theta": theta,
            })
    effects = pd.DataFrame(rows)
    per_segment = effects["segment"] != "all"
    effects["p_adjusted"] = effects["p_value_cuped"]
    if per_segment.any():
        effects.loc[per_segment, "p_adjusted"] = adjust_pvalues(effects.loc[per_segment, "p_value_cuped"],
                                                                method=correction)
    effects["significant"] = effects["p_adjusted"] < alpha
    return effects


def _guardrail_reads(values: Mapping[str, np.ndarray], guardrails: Mapping[str, str], arms: np.ndarray,
                     control: str, *, alpha: float) -> pd.DataFrame:
    """Each guardrail's difference per treatment, breached when it moved the harmful way significantly."""
    treatments = [a for a in sorted(set(arms)) if a != control]
    rows = []
    for column, direction in guardrails.items():
        g = values[column]
        for treatment in treatments:
            eff = _difference(g[arms == control], g[arms == treatment])
            harmful = eff.diff > 0 if direction == "increase" else eff.diff < 0
            rows.append({
                "guardrail": column, "treatment": treatment, "harmful_direction": direction,
                "control_mean": eff.control_mean, "treatment_mean": eff.treatment_mean,
                "diff": eff.diff, "p_value": eff.p_value,
                "breached": bool(harmful and eff.p_value < alpha),
            })
    return pd.DataFrame(rows, columns=["guardrail", "treatment", "harmful_direction", "control_mean",
                                       "treatment_mean", "diff", "p_value", "breached"])
