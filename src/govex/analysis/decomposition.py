"""Change decomposition: how much of a metric's move comes from mix and how much from rates.

A ratio or mean metric over segments is ``R = sum_s w_s r_s`` with weights ``w_s = den_s / sum den``
and rates ``r_s = num_s / den_s``. Between two periods the change splits exactly into

* mix effect of segment s:  ``(w1_s - w0_s) * (rbar_s - Rbar)``
* rate effect of segment s: ``(r1_s - r0_s) * wbar_s``

with ``rbar``, ``wbar``, ``Rbar`` the two-period averages. This is the two-factor Shapley split
(each factor's effect averaged over both orders), so nothing is left as an "interaction" term;
centring the mix term on ``Rbar`` changes no total (weights sum to one in both periods) but makes
a segment's mix effect say whether its growth pulled the metric up or down. For more than two
factors, :func:`shapley_change` splits any function of factors exactly by Shapley values.

References
----------
.. [1] Kitagawa, E. M. (1955), "Components of a difference between two rates", JASA 50(272).
.. [2] Shapley, L. S. (1953), "A value for n-person games", Contributions to the Theory of Games II.
.. [3] Shorrocks, A. F. (2013), "Decomposition procedures for distributional analysis: a unified
   framework based on the Shapley value", J. Econ. Inequality 11(1).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations
from math import factorial
from typing import Any

import numpy as np
import pandas as pd

from govex.analysis._cube import check_columns, numeric_column
from govex.errors import ConfigError


@dataclass(frozen=True)
class MixRateDecomposition:
    """Result of :func:`decompose_mix_rate`; ``segments`` has one row per segment."""

    metric_before: float
    metric_after: float
    mix_effect: float
    rate_effect: float
    segments: pd.DataFrame
    by: str

    @property
    def change(self) -> float:
        return self.metric_after - self.metric_before

    def summary(self, *, metric: str = "metric", top: int = 2) -> str:
        """One sentence, e.g. 'csat fell 0.120: mix -0.080 (mostly market=BR), rate -0.040 (...)'."""
        verb = "rose" if self.change > 0 else "fell" if self.change < 0 else "did not move"

        def lead(column: str) -> str:
            order = self.segments[column].abs().sort_values(ascending=False).index[:top]
            return ", ".join(f"{self.by}={self.segments.loc[i, self.by]} {self.segments.loc[i, column]:+.3f}"
                             for i in order)

        return (f"{metric} {verb} {abs(self.change):.3f} ({self.metric_before:.3f} -> {self.metric_after:.3f}): "
                f"mix {self.mix_effect:+.3f} ({lead('mix_effect')}); "
                f"rate {self.rate_effect:+.3f} ({lead('rate_effect')})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "metric_before": self.metric_before,
            "metric_after": self.metric_after,
            "change": self.change,
            "mix_effect": self.mix_effect,
            "rate_effect": self.rate_effect,
            "segments": self.segments.to_dict(orient="records"),
        }


def decompose_mix_rate(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    by: str,
    numerator: str,
    denominator: str,
) -> MixRateDecomposition:
    """Split the change of ``sum(numerator) / sum(denominator)`` into mix and rate effects by ``by``.

    Parameters
    ----------
    before, after : one row per segment (rows sharing a segment are summed); for a mean metric
        the numerator is the sum of the values and the denominator the count.
    by : segment column.
    numerator, denominator : measure columns; denominators must be >= 0 and sum to > 0.

    Returns
    -------
    MixRateDecomposition whose segment mix and rate effects add up to the total change.
    A segment present in one period only contributes pure mix (its rate is held fixed).
    """
    sums = []
    for name, frame in (("before", before), ("after", after)):
        check_columns(frame, dims=[by], measures=[numerator, denominator], what=name)
        num = numeric_column(frame, numerator, what=name, nonnegative=False)
        den = numeric_column(frame, denominator, what=name, nonnegative=True)
        if den.sum() <= 0:
            raise ConfigError(f"{name}: column {denominator!r} sums to 0; the metric is undefined")
        grouped = pd.DataFrame({by: frame[by].astype("string").to_numpy(), "num": num, "den": den})
        sums.append(grouped.groupby(by, sort=True)[["num", "den"]].sum())
    table = sums[0].join(sums[1], how="outer", lsuffix="_0", rsuffix="_1").fillna(0.0)
    w0 = table["den_0"] / table["den_0"].sum()
    w1 = table["den_1"] / table["den_1"].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        r0 = table["num_0"] / table["den_0"]
        r1 = table["num_1"] / table["den_1"]
    # a segment seen in one period only keeps its one observed rate, so it moves the metric by mix
    r0 = r0.where(table["den_0"] > 0, r1)
    r1 = r1.where(table["den_1"] > 0, r0)
    total0 = float(table["num_0"].sum() / table["den_0"].sum())
    total1 = float(table["num_1"].sum() / table["den_1"].sum())
    centre = 0.5 * (total0 + total1)
    mix = (w1 - w0) * (0.5 * (r0 + r1) - centre)
    rate = (r1 - r0) * 0.5 * (w0 + w1)
    segments = pd.DataFrame(
        {
            by: table.index.astype(str),
            "weight_before": w0.to_numpy(),
            "weight_after": w1.to_numpy(),
            "rate_before": r0.to_numpy(),
            "rate_after": r1.to_numpy(),
            "mix_effect": mix.to_numpy(),
            "rate_effect": rate.to_numpy(),
        }
    )
    segments["total_effect"] = segments["mix_effect"] + segments["rate_effect"]
    segments = segments.sort_values("total_effect", key=np.abs, ascending=False, ignore_index=True)
    return MixRateDecomposition(total0, total1, float(mix.sum()), float(rate.sum()), segments, by)


def shapley_change(
    function: Callable[[Mapping[str, Any]], float],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> dict[str, float]:
    """Exact Shapley split of ``function(after) - function(before)`` among the named factors.

    Factor k gets the average, over all orders of switching factors from their ``before`` to
    their ``after`` value, of the change in ``function`` when k switches. The parts sum to the
    total change for any function (efficiency), e.g. cost-to-serve = contacts per order x handle
    time x cost per hour, or a sum over segments of volume x mix x rate with array factors.

    References
    ----------
    .. [1] Shapley (1953); Shorrocks (2013), see the module references.
    """
    names = list(before)
    if set(names) != set(after):
        raise ConfigError(f"before and after must name the same factors; got {sorted(before)} and {sorted(after)}")
    n = len(names)
    if n > 16:
        raise ConfigError(f"Shapley split over {n} factors needs 2^{n} evaluations; group factors to 16 or fewer")
    cache: dict[frozenset, float] = {}

    def value(switched: frozenset) -> float:
        if switched not in cache:
            point = {k: (after[k] if k in switched else before[k]) for k in names}
            cache[switched] = float(function(point))
        return cache[switched]

    parts = {}
    for k in names:
        others = [x for x in names if x != k]
        total = 0.0
        for size in range(n):
            weight = factorial(size) * factorial(n - size - 1) / factorial(n)
            for subset in combinations(others, size):
                s = frozenset(subset)
                total += weight * (value(s | {k}) - value(s))
        parts[k] = total
    return parts
