"""Effect of a programme nobody randomised, adjusted for who got it: doubly robust AIPW.

Compensation goes to the customers an agent or a rule favours, education to the people who ask
for it; both groups differ from the rest before anything happens, so the plain difference of
outcomes mixes the programme's effect with who was chosen. The augmented inverse-probability-
weighted (AIPW) estimator [1]_ combines two models fitted on pre-treatment covariates:

* propensity e(x) = P(treated | x), a logistic regression;
* outcome models m1(x), m0(x) of the outcome for treated and untreated units (logistic for a
  yes/no outcome, least squares otherwise);

and averages, over the units kept, the scores

    psi_i = m1(x_i) - m0(x_i) + T_i (Y_i - m1(x_i)) / e(x_i) - (1 - T_i) (Y_i - m0(x_i)) / (1 - e(x_i)).

The mean of psi is consistent when either model is right ("doubly robust"), and its standard
error is the standard deviation of psi over sqrt(n) (the influence function; [2]_); the interval
is normal at the chosen level. Units with e(x) outside [trim, 1 - trim] are dropped before
averaging (overlap trimming, [3]_): there the comparison rests on a handful of weighted units.
The effect estimated is the average effect over the units kept (all candidates when none is
trimmed), not the effect on the treated only.

Balance is checked as the standardised mean difference of every covariate column, before
weighting and after inverse-probability weighting; after weighting it should be near 0 (|SMD| <
0.1 is the usual rule, [4]_). The naive difference of means is reported beside the estimate.

References
----------
.. [1] Robins, J. M., Rotnitzky, A. & Zhao, L. P. (1994). Estimation of regression coefficients
   when some regressors are not always observed. JASA 89(427), 846-866.
.. [2] Glynn, A. N. & Quinn, K. M. (2010). An introduction to the augmented inverse propensity
   weighted estimator. Political Analysis 18(1), 36-56.
.. [3] Crump, R. K., Hotz, V. J., Imbens, G. W. & Mitnik, O. A. (2009). Dealing with limited
   overlap in estimation of average treatment effects. Biometrika 96(1), 187-199.
.. [4] Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
   covariates between treatment groups in propensity-score matched samples. Statistics in
   Medicine 28(25), 3083-3107.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.linear_model import LinearRegression, LogisticRegression

from govex.errors import ConfigError

METHOD = "AIPW (doubly robust: logistic propensity + outcome regression), influence-function interval"
LEVEL = 0.90
TRIM = 0.05
MIN_UNITS = 20  # treated and untreated units a segment needs for an estimate
BALANCED_SMD = 0.1


@dataclass(frozen=True)
class AdjustedEffect:
    """An adjusted effect with its interval, the naive difference and the balance check."""

    outcome: str
    estimate: float
    ci_low: float
    ci_high: float
    std_error: float
    naive: float
    naive_ci_low: float
    naive_ci_high: float
    units: int  # kept after trimming
    treated: int
    trimmed: int
    balance: pd.DataFrame  # covariate, smd_before, smd_after
    by_segment: pd.DataFrame  # segment, units, treated, estimate, ci_low, ci_high, naive (NaN: not enough data)
    level: float = LEVEL
    method: str = METHOD

    @property
    def balanced(self) -> bool:
        return bool((self.balance.smd_after.abs() < BALANCED_SMD).all())


def _design(frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]) -> pd.DataFrame:
    parts = [frame[list(numeric)].astype(float)]
    for name in categorical:
        parts.append(pd.get_dummies(frame[name].astype(str), prefix=name, drop_first=True, dtype=float))
    return pd.concat(parts, axis=1)


def _check(frame: pd.DataFrame, treatment: str, outcome: str, columns: Sequence[str]) -> None:
    missing = [c for c in (treatment, outcome, *columns) if c not in frame.columns]
    if missing:
        raise ConfigError(f"adjusted effect: columns {missing} are missing; found {list(frame.columns)}")
    bad = frame[[treatment, outcome, *columns]].isna().any()
    if bad.any():
        raise ConfigError(f"adjusted effect: columns {list(bad[bad].index)} have missing values; fill or drop those units")
    values = set(pd.unique(frame[treatment]))
    if not values <= {0, 1, True, False} or len(values) < 2:
        raise ConfigError(f"adjusted effect: {treatment!r} must hold both 0 (untreated) and 1 (treated); found {sorted(values)}")


def _smd(x: pd.DataFrame, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted standardised mean differences; the denominator is the unweighted pooled SD (Austin 2009)."""
    def mean(mask: np.ndarray) -> np.ndarray:
        return np.average(x.to_numpy()[mask], axis=0, weights=w[mask])
    pooled = np.sqrt((x[t].var(ddof=1).to_numpy() + x[~t].var(ddof=1).to_numpy()) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pooled > 0, (mean(t) - mean(~t)) / pooled, 0.0)


def _naive(y: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    diff = y[t].mean() - y[~t].mean()
    se = np.sqrt(y[t].var(ddof=1) / t.sum() + y[~t].var(ddof=1) / (~t).sum())
    return float(diff), float(se)


def _outcome_model(binary: bool, x: np.ndarray, y: np.ndarray):
    if binary and 0 < y.mean() < 1:
        return LogisticRegression(C=np.inf, tol=1e-10, max_iter=5000).fit(x, y.astype(int))
    return LinearRegression().fit(x, y)


def _predict(model, x: np.ndarray) -> np.ndarray:
    return model.predict_proba(x)[:, 1] if isinstance(model, LogisticRegression) else model.predict(x)


def adjusted_effect(
    frame: pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    numeric: Sequence[str] = (),
    categorical: Sequence[str] = (),
    segment: str | None = None,
    trim: float = TRIM,
    level: float = LEVEL,
) -> AdjustedEffect:
    """AIPW effect of `treatment` (0/1) on `outcome`, adjusted for pre-treatment covariates.

    `numeric` covariates enter the models as they are, `categorical` ones as indicators (first
    level dropped). With `segment`, the same scores are also averaged within each segment.
    A yes/no outcome (only 0 and 1) gets logistic outcome models, any other least squares.
    """
    if not 0 <= trim < 0.5:
        raise ConfigError(f"adjusted effect: trim = {trim!r} must be in [0, 0.5)")
    columns = [*numeric, *categorical, *([segment] if segment else [])]
    _check(frame, treatment, outcome, columns)
    x_frame = _design(frame, numeric, categorical)
    x = x_frame.to_numpy()
    t = frame[treatment].astype(bool).to_numpy()
    y = frame[outcome].astype(float).to_numpy()
    binary = bool(np.isin(y, (0.0, 1.0)).all())

    e = LogisticRegression(C=np.inf, tol=1e-10, max_iter=5000).fit(x, t).predict_proba(x)[:, 1]
    keep = (e >= trim) & (e <= 1 - trim)
    if keep[t].sum() < 2 or keep[~t].sum() < 2:
        raise ConfigError(f"adjusted effect: after trimming propensities outside [{trim}, {1 - trim}] fewer than two "
                          "treated or untreated units are left; the groups do not overlap")
    m1 = _predict(_outcome_model(binary, x[t], y[t]), x)
    m0 = _predict(_outcome_model(binary, x[~t], y[~t]), x)
    psi = m1 - m0 + t * (y - m1) / e - (~t) * (y - m0) / (1 - e)

    z = stats.norm.ppf(0.5 + level / 2)
    kept = psi[keep]
    estimate, se = float(kept.mean()), float(kept.std(ddof=1) / np.sqrt(kept.size))
    naive, naive_se = _naive(y, t)
    weights = np.where(t, 1 / e, 1 / (1 - e))
    balance = pd.DataFrame({
        "covariate": x_frame.columns,
        "smd_before": _smd(x_frame, t, np.ones_like(y)),
        "smd_after": _smd(x_frame[keep], t[keep], weights[keep]),
    })
    return AdjustedEffect(
        outcome=outcome, estimate=estimate, ci_low=estimate - z * se, ci_high=estimate + z * se, std_error=se,
        naive=naive, naive_ci_low=naive - z * naive_se, naive_ci_high=naive + z * naive_se,
        units=int(keep.sum()), treated=int((keep & t).sum()), trimmed=int((~keep).sum()), balance=balance,
        by_segment=_by_segment(frame[segment].to_numpy() if segment else None, psi, y, t, keep, z),
        level=level,
    )


def _by_segment(segment: np.ndarray | None, psi: np.ndarray, y: np.ndarray, t: np.ndarray, keep: np.ndarray,
                z: float) -> pd.DataFrame:
    rows = []
    for name in ([] if segment is None else sorted(pd.unique(segment[keep]), key=str)):
        inside = keep & (segment == name)
        n_t, n_c = int((inside & t).sum()), int((inside & ~t).sum())
        row = {"segment": name, "units": int(inside.sum()), "treated": n_t,
               "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "naive": np.nan}
        if min(n_t, n_c) >= MIN_UNITS:
            scores = psi[inside]
            est, se = scores.mean(), scores.std(ddof=1) / np.sqrt(scores.size)
            row.update(estimate=est, ci_low=est - z * se, ci_high=est + z * se,
                       naive=_naive(y[inside], t[inside])[0])
        rows.append(row)
    return pd.DataFrame(rows, columns=["segment", "units", "treated", "estimate", "ci_low", "ci_high", "naive"])
