"""Key-driver analysis of satisfaction (CSAT, NPS): which operational signals move it, and by how much.

Importance is the LMG / Shapley-regression share of R^2: each driver's marginal R^2 averaged
over all orders of entering the regression. Unlike standardized betas it stays stable when
drivers are correlated (late delivery, repeat contacts and long resolution come together), and
the shares add up to the model's R^2. Computed from the correlation matrix, so 2^p subset fits
cost microseconds each; beyond 14 drivers Johnson's relative weights (an orthogonalisation that
approximates LMG closely) are used instead.

The expected gain of fixing a driver is ``beta_k * (fixed_k - mean_k)`` with the multivariate
OLS coefficient: the change in the average score if every response had the driver at its
"fixed" value (0 for a problem flag such as late delivery; for a continuous signal the best
decile by default).

References
----------
.. [1] Lindeman, Merenda & Gold (1980), "Introduction to Bivariate and Multivariate Analysis" (LMG).
.. [2] Grömping, U. (2006), "Relative importance for linear regression in R: the package
   relaimpo", J. Stat. Software 17(1).
.. [3] Johnson, J. W. (2000), "A heuristic method for estimating the relative weight of
   predictor variables in multiple regression", Multivariate Behavioral Research 35(1).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from govex.analysis._cube import check_columns, numeric_column
from govex.errors import ModelError
from govex.features.survey_drivers import SURVEY_DRIVERS, survey_responses

if TYPE_CHECKING:
    from govex.engine.warehouse import Warehouse

_EXACT_LMG_MAX_DRIVERS = 14


def _r2(corr: np.ndarray, subset: tuple[int, ...]) -> float:
    if not subset:
        return 0.0
    idx = [i + 1 for i in subset]
    rxx = corr[np.ix_(idx, idx)]
    rxy = corr[idx, 0]
    return float(rxy @ np.linalg.lstsq(rxx, rxy, rcond=None)[0])


def lmg_importance(corr: np.ndarray) -> np.ndarray:
    """LMG shares of R^2 from a correlation matrix whose first row/column is the outcome."""
    p = corr.shape[0] - 1
    r2 = {s: _r2(corr, s) for size in range(p + 1) for s in combinations(range(p), size)}
    shares = np.zeros(p)
    for k in range(p):
        others = [j for j in range(p) if j != k]
        for size in range(p):
            weight = factorial(size) * factorial(p - size - 1) / factorial(p)
            for s in combinations(others, size):
                shares[k] += weight * (r2[tuple(sorted(s + (k,)))] - r2[s])
    return shares


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights from a correlation matrix (outcome first)."""
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    values, vectors = np.linalg.eigh(rxx)
    lam = vectors @ np.diag(np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    beta = np.linalg.lstsq(lam, rxy, rcond=None)[0]
    return (lam**2) @ (beta**2)


@dataclass(frozen=True)
class DriverAnalysis:
    """Result of :func:`key_drivers`: one row per (segment, driver)."""

    table: pd.DataFrame
    outcome: str
    method: str

    def ranking(self, segment: str = "all", *, by: str = "importance") -> list[str]:
        """Drivers, most important first: by share of R^2 ("importance"), by the size of the
        per-unit effect ("effect", |coefficient|) or by the gain of fixing it ("gain")."""
        rows = self.table[self.table["segment"] == segment]
        key = {"importance": rows["importance"], "effect": rows["coefficient"].abs(),
               "gain": rows["expected_gain"]}.get(by)
        if key is None:
            raise ModelError(f"ranking by {by!r}: use 'importance', 'effect' or 'gain'")
        return rows.loc[key.sort_values(ascending=False).index, "driver"].tolist()


def _analyse(frame: pd.DataFrame, outcome: str, drivers: list[str], fixed: Mapping[str, float]) -> pd.DataFrame:
    y = frame[outcome].to_numpy(np.float64)
    x = frame[drivers].to_numpy(np.float64)
    std = x.std(axis=0)
    constant = [d for d, s in zip(drivers, std) if s == 0]
    if constant or y.std() == 0:
        names = constant or [outcome]
        raise ModelError(f"no variation in {names}: a driver analysis needs every column to vary; "
                         "drop constant drivers or use a larger sample")
    corr = np.corrcoef(np.column_stack([y, x]), rowvar=False)
    if len(drivers) <= _EXACT_LMG_MAX_DRIVERS:
        importance, method = lmg_importance(corr), "lmg"
    else:
        importance, method = relative_weights(corr), "relative_weights"
    design = np.column_stack([np.ones(len(y)), x])
    beta = np.linalg.lstsq(design, y, rcond=None)[0][1:]
    means = x.mean(axis=0)
    target = np.array([fixed[d] if d in fixed else (np.quantile(x[:, i], 0.1) if beta[i] < 0 else np.quantile(x[:, i], 0.9))
                       for i, d in enumerate(drivers)])
    gain = beta * (target - means)
    r2 = _r2(corr, tuple(range(len(drivers))))
    return pd.DataFrame({
        "driver": drivers,
        "importance": importance,
        "share_of_r2": importance / r2 if r2 > 0 else np.nan,
        "coefficient": beta,
        "mean": means,
        "fixed_value": target,
        "expected_gain": gain,
        "r2": r2,
        "n": len(y),
        "method": method,
    })


def key_drivers(
    responses: pd.DataFrame,
    *,
    outcome: str,
    drivers: Sequence[str],
    segment: str | None = None,
    fixed: Mapping[str, float] | None = None,
    min_responses: int = 50,
) -> DriverAnalysis:
    """Relative importance of ``drivers`` for ``outcome``, overall and by ``segment``.

    Parameters
    ----------
    responses : one row per survey response; boolean drivers are read as 0/1.
    outcome : score column (CSAT 1-5, NPS 0-10, or promoter flag).
    drivers : numeric or boolean signal columns.
    segment : optional column; each segment with at least ``min_responses`` gets its own rows.
    fixed : value that counts as "fixed" per driver (default: 0 for 0/1 flags, else the best decile).

    Returns
    -------
    DriverAnalysis; ``table`` has segment, driver, importance (share of R^2 it carries),
    share_of_r2, coefficient, expected_gain (score points if the driver were fixed), r2, n.
    """
    drivers = list(drivers)
    if not drivers:
        raise ModelError("key_drivers needs at least one driver column")
    check_columns(responses, dims=[segment] if segment else [outcome], measures=[outcome] + drivers,
                  what="responses")
    data = pd.DataFrame({c: numeric_column(responses, c, what="responses", nonnegative=False)
                         for c in [outcome] + drivers})
    flags = {d: 0.0 for d in drivers if set(np.unique(data[d])) <= {0.0, 1.0}}
    fixed_values = {**flags, **(fixed or {})}
    if len(data) < max(min_responses, len(drivers) + 2):
        raise ModelError(f"{len(data)} responses are too few for {len(drivers)} drivers (need {min_responses})")
    parts = [_analyse(data, outcome, drivers, fixed_values).assign(segment="all")]
    if segment:
        labels = responses[segment].astype("string").fillna("<null>").to_numpy()
        for value in sorted(set(labels)):
            rows = data[labels == value]
            if len(rows) >= max(min_responses, len(drivers) + 2) and (rows.std() > 0).all():
                parts.append(_analyse(rows, outcome, drivers, fixed_values).assign(segment=value))
    table = pd.concat(parts, ignore_index=True)
    table = table[["segment"] + [c for c in table.columns if c != "segment"]]
    return DriverAnalysis(table=table, outcome=outcome, method=str(table["method"].iloc[0]))


def survey_key_drivers(
    warehouse: Warehouse,
    *,
    outcome: str = "csat",
    segment: str | None = None,
    min_responses: int = 50,
) -> DriverAnalysis:
    """Key drivers of CSAT (or NPS) from the warehouse: per-survey flags built in the engine.

    The flags are those of :func:`govex.features.survey_drivers.survey_driver_flags` (late
    delivery, rejected refund, item problem, unresolved, repeat contact, slow resolution); only
    the per-response rows leave the engine. ``segment`` may be a column of that table
    (``market``, ``touchpoint``).
    """
    if outcome not in ("csat", "nps"):
        raise ModelError(f"outcome {outcome!r}: use 'csat' or 'nps'")
    responses = survey_responses(warehouse, outcome)
    present = [d for d in SURVEY_DRIVERS if responses[d].std() > 0]
    return key_drivers(responses, outcome=outcome, drivers=present, segment=segment, min_responses=min_responses)
