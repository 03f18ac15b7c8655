"""Multidimensional root-cause localisation: which conjunctions of dimension values explain a deviation.

Input is a cube of leaf cells (one row per combination of categorical dimension values) with an
actual and an expected value per cell, the expected value coming from a baseline period or a
forecast. The output is a short ranked list of conjunctions such as ``market=BR & carrier=X``.

Method ("ripple pursuit")
-------------------------
Every conjunction of up to ``max_depth`` dimensions is a candidate element. Under the generalised
ripple effect (GRE) a root cause moves all leaves below it by the same relative factor, so the
hypothesis "element S is a cause" predicts each leaf of S as
``f_i + (V_S - F_S) (f_i + v_i) / (F_S + V_S)``: exact for a common factor, symmetric in actual
and expected, and defined when the expectation is zero (HotSpot's ripple effect, generalised to
derived measures by Squeeze). The gain of S is the drop in the L1 distance between actual and
expected leaves when that prediction replaces the expectation (HotSpot's potential score,
unnormalised). Causes are chosen greedily by gain; after each choice the expectation of its leaves
is replaced by the prediction, so several simultaneous causes of different sizes and directions
are found one after another. What is left inside an accepted cause is its unevenness: elements
nested in it are not candidates. A chosen element is widened to its parent when the parent's
other cells moved significantly the same way (parsimony: the general element when the evidence
does not single out the specific one).

A candidate is accepted only when its net deviation is significant against leaf noise:
``z_S = |V_S - F_S| / sqrt(sum_i var_i)``, the bar a Bonferroni bound over the candidates tested.
Leaf noise of additive measures is a robust size-binned scale of the deviation score; of ratio
cubes of counts, overdispersed sampling variance plus a beta-binomial drift term plus forecast
error, fitted robustly. This replaces the tuned explanatory-power and risk thresholds of
Adtributor and RiskLoc with a noise-calibrated one. Optionally every cause is checked under noise
redraws (wild bootstrap) and one found in too few of them is reported as weak. Ratio measures
(``actual / actual_den`` against ``expected / expected_den``) are judged on the rate with the
denominator's support: the expected numerator of a cell is its expected rate times its actual
volume, so a cause's excess is its rate deviation weighted by its volume and pure volume (mix)
shifts are not reported as rate causes.

References
----------
.. [1] Bhagwan et al. (2014), "Adtributor: Revenue debugging in advertising systems", NSDI.
.. [2] Sun et al. (2018), "HotSpot: Anomaly localization for additive KPIs with multi-dimensional
   attributes", IEEE Access 6.
.. [3] Li et al. (2019), "Generic and robust localization of multi-dimensional root causes"
   (Squeeze), ISSRE.
.. [4] Kalander (2022), "RiskLoc: Localization of multi-dimensional root causes by weighted risk",
   arXiv:2205.10004.
.. [5] Spiegelhalter, D. J. (2005), "Handling over-dispersion of performance indicators",
   Quality and Safety in Health Care 14(5) (Winsorized overdispersion of count indicators).
.. [6] Williams, D. A. (1982), "Extra-binomial variation in logistic linear models", Applied
   Statistics 31(2) (the variance of a proportion whose rate drifts: beta-binomial).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from scipy.stats import norm

from govex.analysis._cube import check_columns, numeric_column
from govex.errors import ConfigError

_MAD_TO_SD = 1.4826  # consistency constant of the MAD for a normal distribution
_MIN_PER_BIN = 25  # leaves per size bin of the empirical noise scale
_SMALL_CUBE_LEAVES = 4 * _MIN_PER_BIN  # below this, too few leaves to see how noise scales with size


@dataclass(frozen=True)
class RootCause:
    """One localised cause.

    Attributes
    ----------
    dims : the conjunction, dimension -> value; a dimension absent means "any value".
    score : share of the total absolute leaf deviation removed by this cause (0-1).
    explained_share : share of the total change of the measure that this cause explains
        (restoring its cells to expectation would undo this share of the change).
    actual, expected : the measure on the cause's cells (sum, or rate for ratio measures).
    n_cells : leaf cells under the cause.
    z : significance of the cause's net deviation against the estimated leaf noise.
    contribution : the cause's part of the total change, in the measure's units (sum; rate
        points for a ratio: its cells' excess events over the whole denominator).
    share : the cause's part of the gross movement, ``|contribution|`` over the sum of the causes'
        ``|contribution|`` and the unexplained rest: between 0 and 1, the causes' shares and the
        unexplained share sum to 1 (a cause against the overall direction still gets a positive share).
    stability : how often the cause is found again when the leaf noise is redrawn (wild bootstrap
        of the fitted residuals); None when not measured.
    cells : the cause's leaf cells that moved most, (cell, actual, expected), largest first.
    """

    dims: dict[str, str]
    score: float
    explained_share: float
    actual: float
    expected: float
    n_cells: int
    z: float
    contribution: float = float("nan")
    share: float = float("nan")
    stability: float | None = None
    cells: tuple[tuple[dict[str, str], float, float], ...] = ()

    def label(self) -> str:
        return " & ".join(f"{k}={v}" for k, v in self.dims.items()) or "(all)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "dims": dict(self.dims),
            "score": self.score,
            "explained_share": self.explained_share,
            "actual": self.actual,
            "expected": self.expected,
            "n_cells": self.n_cells,
            "z": self.z,
            "contribution": self.contribution,
            "share": self.share,
            "direction": "up" if self.contribution > 0 else "down",
            "stability": self.stability,
            "cells": [{"cell": c, "actual": a, "expected": e} for c, a, e in self.cells],
        }


@dataclass(frozen=True)
class Localization:
    """Result of :func:`localize_root_causes`: causes ranked by score, and the totals explained."""

    root_causes: tuple[RootCause, ...]
    measure: str  # "additive" or "ratio"
    total_actual: float
    total_expected: float
    unexplained_share: float = float("nan")  # share of the gross movement no cause accounts for
    weak_causes: tuple[RootCause, ...] = ()  # found, but in too few noise redraws to report as causes
    general_shift: RootCause | None = None  # everything outside the causes moved together (e.g. a biased forecast)

    @property
    def localised(self) -> bool:
        """False when nothing beats the noise: the change could not be localised."""
        return bool(self.root_causes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "total_actual": self.total_actual,
            "total_expected": self.total_expected,
            "localised": self.localised,
            "unexplained_share": self.unexplained_share,
            "root_causes": [c.to_dict() for c in self.root_causes],
            "weak_causes": [c.to_dict() for c in self.weak_causes],
            "general_shift": self.general_shift.to_dict() if self.general_shift is not None else None,
        }


@dataclass(frozen=True)
class _Cuboid:
    dims: tuple[int, ...]
    group: np.ndarray  # group index of every leaf
    keys: np.ndarray  # mixed-radix key of every group, to decode values
    n_cells: np.ndarray  # leaves per group
    source: int = -1  # a finer cuboid whose group sums add up to this one's (-1: the leaves)
    up: np.ndarray | None = None  # the group of this cuboid that each source group falls in


def _link_sources(cuboids: list[_Cuboid]) -> list[_Cuboid]:
    """Give every cuboid a finer source (one dimension more, fewest groups) to sum from.

    Summing a cuboid from its source's group sums instead of from the leaves costs the source's
    group count instead of the leaf count: in a cube of 1M leaves only the deepest cuboids pass
    over the leaves.
    """
    index = {c.dims: i for i, c in enumerate(cuboids)}
    n_leaves = cuboids[0].group.size
    n_dims = 1 + max((max(c.dims) for c in cuboids if c.dims), default=-1)
    leaves = np.arange(n_leaves)
    linked = []
    for c in cuboids:
        finer = [index[k] for k in (tuple(sorted(c.dims + (d,))) for d in range(n_dims) if d not in c.dims)
                 if k in index]
        finer = [i for i in finer if cuboids[i].keys.size < n_leaves] or finer
        if not finer:
            linked.append(c)
            continue
        src = min(finer, key=lambda i: cuboids[i].keys.size)
        first = np.empty(cuboids[src].keys.size, dtype=np.intp)
        first[cuboids[src].group] = leaves
        linked.append(_Cuboid(c.dims, c.group, c.keys, c.n_cells, src, c.group[first]))
    return linked


def _group_sums(cuboids: list[_Cuboid], leaf_values: np.ndarray) -> list[np.ndarray]:
    """Sums of each row of ``leaf_values`` (k x leaves) over the groups of every cuboid."""
    sums: list[np.ndarray | None] = [None] * len(cuboids)
    for i in sorted(range(len(cuboids)), key=lambda i: -len(cuboids[i].dims)):  # finest first
        c = cuboids[i]
        n = c.keys.size
        if c.source < 0:
            sums[i] = np.stack([np.bincount(c.group, row, minlength=n) for row in leaf_values])
        else:
            sums[i] = np.stack([np.bincount(c.up, row, minlength=n) for row in sums[c.source]])
    return sums


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    if cum.size == 0 or cum[-1] <= 0:
        return 0.0
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def _relative_noise(v: np.ndarray, f: np.ndarray) -> float:
    """Volume-weighted MAD of relative residuals: a robust relative scale of leaf noise."""
    mask = f > 0
    if not mask.any():
        return 0.0
    rel = (v[mask] - f[mask]) / f[mask]
    w = f[mask]
    centre = _weighted_median(rel, w)
    return _MAD_TO_SD * _weighted_median(np.abs(rel - centre), w)


def _leaf_noise_sd(v: np.ndarray, f: np.ndarray, n_bins: int = 20, min_per_bin: int = _MIN_PER_BIN) -> np.ndarray:
    """Noise standard deviation of every leaf, in the measure's units.

    Residuals are taken on the deviation-score scale ``d = 2 (v - f) / (v + f)`` (Squeeze,
    RiskLoc): bounded, and symmetric when actual and expected swap roles, so a forecast error of
    +50 % and its mirror weigh alike. Leaves are binned by size ``m = (v + f) / 2``; in each bin
    the MAD of ``d`` gives a robust scale (causes are a minority of any bin), interpolated on log
    size. That covers count noise (relative scale falling with size) and multiplicative noise
    (constant relative scale) without assuming either. The leaf's sd is that scale times ``m``.
    """
    m = 0.5 * (v + f)
    sd = np.zeros_like(f)
    positive = np.flatnonzero(m > 0)
    if positive.size == 0:
        return sd
    if positive.size < 4 * min_per_bin:
        # too few leaves to see how noise scales with size: quasi-Poisson, var = phi * m, with the
        # dispersion phi from the median squared Pearson residual (0.455 = median of chi2 with 1 df)
        pearson2 = (v[positive] - f[positive]) ** 2 / m[positive]
        sd[positive] = np.sqrt(np.median(pearson2) / 0.455 * m[positive])
        return sd
    mp = m[positive]
    d = 2.0 * (v[positive] - f[positive]) / (v[positive] + f[positive])
    order = np.argsort(mp, kind="stable")
    bins = max(1, min(n_bins, order.size // min_per_bin))
    centres, scales = [], []
    for chunk in np.array_split(order, bins):
        centres.append(np.log(np.median(mp[chunk])))
        scales.append(_MAD_TO_SD * np.median(np.abs(d[chunk] - np.median(d[chunk]))))
    relative = np.interp(np.log(mp), np.asarray(centres), np.asarray(scales))
    sd[positive] = relative * mp
    return sd


def _count_leaf_variance(v: np.ndarray, f: np.ndarray, unit: np.ndarray, volume: np.ndarray, n_bins: int = 20,
                         min_per_bin: int = _MIN_PER_BIN) -> np.ndarray:
    """Noise variance of every leaf of a cube of counts: ``a * sampling + c * sampling * volume + b * size^2``.

    Counts carry sampling noise (``unit``: binomial or Poisson variance of the leaf) times an
    overdispersion ``a >= 1``; a leaf's rate that drifts between periods adds the beta-binomial
    term ``c * unit * volume`` (intra-class correlation ``c``: the variance of a proportion
    over ``n`` units is ``n p (1 - p) (1 + (n - 1) c)``; Williams 1982), and a forecast that is
    off adds noise proportional to the leaf's size ``m = (v + f) / 2`` (coefficient of variation
    ``sqrt(b)``). All three are fitted by non-negative least squares on the second moment of the
    residuals in size bins, each bin's largest tenth of standardised residuals left out (causes
    are a minority of any bin) and the rest scaled back to a full second moment (0.623: the
    mean of a chi-square with 1 df below its 90th percentile). A scale taken from the deviation
    score (MAD of ``2 (v - f) / (v + f)``) instead would call every small cell noisy: a cell
    expecting 0.4 events and seeing none has the largest possible deviation score.
    """
    m = 0.5 * (v + f)
    r2 = (v - f) ** 2
    idx = np.flatnonzero(unit > 0)
    if idx.size < 2 * min_per_bin:
        return unit.copy()
    order = idx[np.argsort(m[idx], kind="stable")]
    rows, target = [], []
    for chunk in np.array_split(order, max(1, min(n_bins, order.size // min_per_bin))):
        z2 = r2[chunk] / unit[chunk]
        keep = chunk[z2 <= np.quantile(z2, 0.9)]
        rows.append([unit[keep].mean(), (unit[keep] * volume[keep]).mean(), (m[keep] ** 2).mean()])
        target.append(r2[keep].mean() / 0.623)
    design, second = np.asarray(rows), np.asarray(target)
    scale = np.maximum(second, 1e-12)  # relative fit: small and large bins count alike
    (a, c, b), _ = nnls(design / scale[:, None], second / scale)
    return max(a, 1.0) * unit + c * unit * volume + b * m**2


@dataclass(frozen=True)
class _CountNoise:
    """Sampling variance of a ratio cube whose cells are counts (events out of units).

    Under "no cause here" a leaf's numerator is a draw at its rate ``p`` from its ``n1`` units:
    binomial when every numerator fits inside its denominator (a proportion such as QA
    accuracy), Poisson otherwise (events per unit). The expected numerator ``p n0 * n1 / n0``
    is itself a draw when the baseline is an observed period (integer counts), which adds
    ``n1^2 / n0`` times the unit variance (the two-sample variance of a rate difference).
    ``p`` is the average of the actual and expected rates of the leaf, so a rate that rose
    from zero still has a variance.
    """

    n_actual: np.ndarray
    n_expected: np.ndarray | None  # None: the expectation is a forecast, not a sample
    binomial: bool

    def variance(self, v: np.ndarray, f: np.ndarray) -> np.ndarray:
        n1 = self.n_actual
        has = n1 > 0
        safe = np.where(has, n1, 1.0)
        p = np.clip(0.5 * (v + f) / safe, 0.0, 1.0)
        unit = p * (1.0 - p) if self.binomial else p
        inflation = np.ones_like(n1)
        if self.n_expected is not None:
            n0 = self.n_expected
            inflation = np.where(n0 > 0, 1.0 + n1 / np.where(n0 > 0, n0, 1.0), 1.0)
        return np.where(has, unit * n1 * inflation, 0.0)


def _count_noise(v: np.ndarray, v_den: np.ndarray, f: np.ndarray, f_den: np.ndarray) -> _CountNoise | None:
    """The sampling model of a ratio cube of counts, or None when its columns are not counts."""
    def whole(x: np.ndarray) -> bool:
        return bool(np.all(x >= 0) and np.all(x == np.round(x)))

    if not (whole(v) and whole(v_den) and whole(f_den)):
        return None
    binomial = bool(np.all(v <= v_den) and np.all(f <= f_den + 1e-9))
    return _CountNoise(v_den, f_den if whole(f) else None, binomial)


def _group_variance_counts(cub: _Cuboid, model: _CountNoise, v: np.ndarray, f: np.ndarray,
                           floor_var: np.ndarray) -> np.ndarray:
    """Noise variance of every group's net deviation: sampling variance times overdispersion.

    The overdispersion ``phi`` of a group is the mean squared Pearson residual of the leaves
    outside it, residuals Winsorized at their 10th and 90th percentiles (Spiegelhalter 2005),
    and at least 1 (count data are not less variable than their sampling model). Leaving the
    group out matters on small cubes: with three vendors, the one that moved would otherwise
    set the noise bar it is measured against.
    """
    var = model.variance(v, f)
    valid = var > 0
    z = np.where(valid, (v - f) / np.sqrt(np.where(valid, var, 1.0)), 0.0)
    if valid.sum() >= 3:
        low, high = np.percentile(z[valid], [10.0, 90.0])
        z = np.clip(z, low, high)
    z2 = np.where(valid, z**2, 0.0)
    n = cub.keys.size
    inside_sum = np.bincount(cub.group, z2, minlength=n)
    inside_n = np.bincount(cub.group, valid.astype(np.float64), minlength=n)
    out_n = valid.sum() - inside_n
    overall = z2.sum() / max(valid.sum(), 1)
    phi = np.where(out_n > 0, (z2.sum() - inside_sum) / np.where(out_n > 0, out_n, 1.0), overall)
    phi = np.maximum(phi, 1.0)
    return np.bincount(cub.group, np.maximum(phi[cub.group] * var, floor_var), minlength=n)


def _build_cuboids(codes: list[np.ndarray], cards: list[int], max_depth: int) -> list[_Cuboid]:
    """Every cuboid up to ``max_depth`` dimensions, each built from its prefix cuboid in one pass.

    A cuboid's groups are its prefix's groups split by one more dimension, so the key of a leaf
    is ``prefix group * cardinality + code``: one multiply-add over the leaves per cuboid.
    """
    n_leaves = codes[0].size
    everything = _Cuboid((), np.zeros(n_leaves, dtype=np.intp), np.zeros(1, dtype=np.int64), np.array([n_leaves]))
    built: dict[tuple[int, ...], _Cuboid] = {(): everything}
    cuboids = [everything]  # the empty conjunction: a shift of everything (a biased forecast)
    for depth in range(1, max_depth + 1):
        for dims in combinations(range(len(codes)), depth):
            last, card = dims[-1], cards[dims[-1]]
            prefix = built[dims[:-1]]
            key = prefix.group * card + codes[last]
            outer_keys, outer_n = prefix.keys, prefix.keys.size
            counts = np.bincount(key, minlength=outer_n * card)
            present = np.flatnonzero(counts)
            remap = np.full(counts.size, -1, dtype=np.intp)
            remap[present] = np.arange(present.size)
            keys = outer_keys[present // card] * card + present % card  # mixed-radix key, for decoding
            cub = _Cuboid(dims, remap[key], keys, counts[present])
            built[dims] = cub
            cuboids.append(cub)
    return _link_sources(cuboids)


def _decode(cuboid: _Cuboid, index: int, cards: list[int]) -> tuple[int, ...]:
    key = int(cuboid.keys[index])
    values = []
    for d in reversed(cuboid.dims):
        key, code = divmod(key, cards[d])
        values.append(code)
    return tuple(reversed(values))


def _generalise(cuboids: list[_Cuboid], by_dims: dict[tuple[int, ...], int], ci: int, gi: int, v: np.ndarray,
                f: np.ndarray, leaf_var: np.ndarray, taken: set[tuple[int, int]], alpha: float,
                min_ratio: float = 0.5) -> tuple[int, int]:
    """The most general element that the evidence supports in place of a chosen one.

    A parent (one dimension dropped) replaces the element when the parent's other cells moved
    too: in the same direction, significantly (a one-sided test at ``alpha`` split over the
    parents tried), and by a relative change at least ``min_ratio`` of the element's own. Then
    the element was one visible corner of a wider cause (``market=BR`` found as
    ``market=BR & carrier=X``). A sibling that moved alone (two planted elements of one cuboid)
    shifts the rest of the parent by a fraction of that, so it does not pull the parent in.
    """
    while len(cuboids[ci].dims) > 1:
        cub = cuboids[ci]
        mask = cub.group == gi
        f_s, v_s = f[mask].sum(), v[mask].sum()
        if f_s <= 0:
            break
        change_s = (v_s - f_s) / f_s
        bar = float(norm.isf(alpha / len(cub.dims)))
        best = None
        for drop in cub.dims:
            pi = by_dims.get(tuple(d for d in cub.dims if d != drop))
            if pi is None:
                continue
            parent = cuboids[pi]
            pg = int(parent.group[np.flatnonzero(mask)[0]])
            if (pi, pg) in taken:
                continue
            rest = (parent.group == pg) & ~mask
            f_r, v_r, var_r = f[rest].sum(), v[rest].sum(), leaf_var[rest].sum()
            if f_r <= 0 or var_r <= 0:
                continue
            z_r = (v_r - f_r) / np.sqrt(var_r)
            ratio = ((v_r - f_r) / f_r) / change_s if change_s != 0 else 0.0
            if np.sign(z_r) == np.sign(change_s) and abs(z_r) >= bar and ratio >= min_ratio:
                if best is None or abs(z_r) > best[0]:
                    best = (abs(z_r), pi, pg)
        if best is None:
            break
        ci, gi = best[1], best[2]
    return ci, gi


def _pursue(
    cuboids: list[_Cuboid],
    v: np.ndarray,
    f: np.ndarray,
    *,
    max_causes: int,
    alpha: float,
    tie_tolerance: float,
    min_share: float,
    count_noise: _CountNoise | None = None,
) -> tuple[list[tuple[int, int, float, float]], np.ndarray]:
    """Greedy ripple pursuit: (cuboid index, group index, gain, z) per accepted cause, and the
    expectation with the accepted causes absorbed (the fit).

    Leaf noise is the robust empirical scale of :func:`_leaf_noise_sd`. With ``count_noise`` (a
    ratio cube of counts) the sampling variance is a floor under it; in a cube too small to see
    how noise scales with size, a candidate's noise is instead its sampling variance scaled by
    the overdispersion of the other leaves.
    """
    small = count_noise is not None and v.size < _SMALL_CUBE_LEAVES
    f_cur = f.copy()
    # Bonferroni bar, the error budget split evenly over depths: deeper layers hold many more
    # candidates, so a single deep cell needs stronger evidence than a whole market.
    # The shift of everything (depth 0) is one candidate tested at the bar of a single depth.
    per_depth: dict[int, int] = {}
    for c in cuboids:
        if c.dims:
            per_depth[len(c.dims)] = per_depth.get(len(c.dims), 0) + c.keys.size
    z_min = {d: float(norm.isf(alpha / (2.0 * len(per_depth) * m))) for d, m in per_depth.items()}
    z_min[0] = float(norm.isf(alpha / (2.0 * max(len(per_depth), 1))))
    local_scale = np.zeros_like(f)
    by_dims = {c.dims: i for i, c in enumerate(cuboids)}
    covered = np.zeros(v.size, dtype=bool)  # leaves under an accepted cause
    base_var = None
    chosen: list[tuple[int, int, float, float]] = []
    explained = 0.0  # sum of the gains of the causes accepted so far
    taken: set[tuple[int, int]] = set()
    for _ in range(max_causes):
        residual = v - f_cur
        abs_residual = np.abs(residual)
        if abs_residual.sum() <= 0:
            break
        local_var = (local_scale * 0.5 * (v + f_cur)) ** 2
        if small:
            leaf_var = np.maximum(count_noise.variance(v, f_cur), local_var)
        elif count_noise is not None:
            leaf_var = np.maximum(_count_leaf_variance(v, f_cur, count_noise.variance(v, f_cur), count_noise.n_actual),
                                  local_var)
        else:
            if base_var is None:  # robust to the causes, so estimated once
                base_var = _leaf_noise_sd(v, f_cur) ** 2
            leaf_var = np.maximum(base_var, local_var)
        per_depth_best: dict[int, tuple[float, int, int, float]] = {}
        overall_best = 0.0
        floor = max(min_share * explained, 0.0)
        sums = _group_sums(cuboids, np.stack([abs_residual, f_cur, v, leaf_var, covered.astype(np.float64)]))
        for ci, cub in enumerate(cuboids):
            n = cub.keys.size
            g = cub.group
            abs_mass, exp_sum, act_sum, var_sum, n_covered = sums[ci]
            # gain <= absolute residual mass, so a group below the best gain so far cannot win
            hopeful = abs_mass > max(overall_best, floor)
            if not hopeful.any():
                continue
            delta = act_sum - exp_sum
            delta[np.abs(delta) <= 1e-12 * (np.abs(act_sum) + np.abs(exp_sum))] = 0.0  # rounding of the sums
            if small:
                sigma = np.sqrt(_group_variance_counts(cub, count_noise, v, f_cur, local_var))
            else:
                sigma = np.sqrt(var_sum)
            z = np.where(sigma > 0, np.abs(delta) / np.where(sigma > 0, sigma, 1.0), np.where(delta != 0, np.inf, 0.0))
            # inside an accepted cause, what is left is that cause's unevenness, not another cause
            ok = hopeful & (z >= z_min[len(cub.dims)]) & (n_covered < cub.n_cells - 0.5)
            for gi in (gi for (c, gi) in taken if c == ci):
                ok[gi] = False
            if not ok.any():
                continue
            # the gain needs a pass over the leaves: only over those of the groups still in the running
            rows = np.flatnonzero(ok[g])
            gr = g[rows]
            # ripple share of each leaf, symmetric in actual and expected: exact when the cause
            # scales its leaves by one factor, and still defined when the expectation is zero
            both = (exp_sum + act_sum)[gr]
            share = np.where(both > 0, (f_cur[rows] + v[rows]) / np.where(both > 0, both, 1.0), 1.0 / cub.n_cells[gr])
            predicted = f_cur[rows] + delta[gr] * share
            gain = np.where(ok, abs_mass - np.bincount(gr, np.abs(v[rows] - predicted), minlength=n), -np.inf)
            ok &= gain > floor
            if not ok.any():
                continue
            gi = int(np.argmax(np.where(ok, gain, -np.inf)))
            depth = len(cub.dims)
            if gain[gi] > per_depth_best.get(depth, (0.0,))[0]:
                per_depth_best[depth] = (float(gain[gi]), ci, gi, float(z[gi]))
                overall_best = max(overall_best, float(gain[gi]))
        if not per_depth_best:
            break
        top_gain = max(b[0] for b in per_depth_best.values())
        for depth in sorted(per_depth_best):
            if per_depth_best[depth][0] >= (1.0 - tie_tolerance) * top_gain:
                gain_value, ci, gi, z_value = per_depth_best[depth]
                break
        ci, gi = _generalise(cuboids, by_dims, ci, gi, v, f_cur, leaf_var, taken, alpha)
        cub = cuboids[ci]
        mask = cub.group == gi
        exp_s, act_s = f_cur[mask].sum(), v[mask].sum()
        if exp_s + act_s > 0:
            f_cur[mask] = f_cur[mask] + (act_s - exp_s) * (f_cur[mask] + v[mask]) / (exp_s + act_s)
        if cub.dims:  # a shift of everything does not make every cell part of a cause
            covered |= mask
        local = _relative_noise(v[mask], f_cur[mask])
        local_scale[mask] = np.maximum(local_scale[mask], local)
        taken.add((ci, gi))
        chosen.append((ci, gi, gain_value, z_value))
        explained += gain_value
    return chosen, f_cur


def localize_root_causes(
    cube: pd.DataFrame,
    *,
    dims: Sequence[str],
    actual: str,
    expected: str,
    actual_den: str | None = None,
    expected_den: str | None = None,
    max_causes: int = 5,
    max_depth: int | None = None,
    alpha: float = 0.01,
    tie_tolerance: float = 0.02,
    min_share: float = 0.02,
    allow_negative: bool = False,
    stability_runs: int = 0,
    min_stability: float = 0.0,
    seed: int = 0,
    source: str = "cube",
) -> Localization:
    """Find the conjunctions of dimension values that best explain actual vs expected.

    Parameters
    ----------
    cube : one row per leaf cell (duplicated combinations are summed).
    dims : categorical columns to localise over.
    actual, expected : additive measure columns (or numerators of a ratio measure).
    actual_den, expected_den : denominators; when given, the measure is the rate
        ``actual / actual_den`` compared with ``expected / expected_den``.
    max_causes : longest list returned.
    max_depth : most dimensions in one conjunction (default: all of them).
    alpha : family-wise false-alarm rate of the significance bar (Bonferroni over candidates).
    tie_tolerance : relative gain within which a shallower element is preferred.
    min_share : a further cause must remove at least this share of the deviation already
        explained (RiskLoc's proportional explanatory-power floor): tiny causes are noise to act on.
    allow_negative : accept negative measure values (signed measures such as margins).
    stability_runs : noise redraws for each cause's stability (0: not measured; each redraw
        costs one more search).
    min_stability : with redraws, a cause found in fewer than this share of them is reported
        under ``weak_causes`` instead (its part of the movement counts as unexplained): the
        bootstrap support of a cause, a data-driven guard against causes that are noise.
    seed : random seed of the redraws.
    source : name of the input used in error messages.

    Returns
    -------
    Localization with causes in the order found (largest gain first).
    """
    dims = list(dims)
    if (actual_den is None) != (expected_den is None):
        raise ConfigError("a ratio measure needs both actual_den and expected_den (or neither)")
    if max_causes < 1:
        raise ConfigError(f"max_causes must be >= 1, got {max_causes}")
    if len(set(dims)) != len(dims):
        raise ConfigError(f"dimension listed twice in {dims}")
    measures = [actual, expected] + ([actual_den, expected_den] if actual_den else [])
    check_columns(cube, dims=dims, measures=measures, what=source)
    if cube.empty:
        raise ConfigError(f"{source} has no rows; nothing to localise")
    depth = len(dims) if max_depth is None else max(1, min(int(max_depth), len(dims)))
    nonneg = not allow_negative
    m = _read_measures(cube, actual, expected, actual_den, expected_den, source=source, nonnegative=nonneg)
    codes, uniques = _encode(cube, dims)
    cards = [max(len(u), 1) for u in uniques]
    cuboids = _build_cuboids(codes, cards, depth)
    count_noise = _count_noise(m.v, m.v_den, m.f, m.f_den) if m.ratio else None
    options = dict(max_causes=max_causes, alpha=alpha, tie_tolerance=tie_tolerance, min_share=min_share,
                   count_noise=count_noise)
    chosen, f_fit = _pursue(cuboids, m.v, m.f_model, **options)
    stability = _stability(cuboids, m.v, m.f_model, f_fit, options, runs=stability_runs, seed=seed,
                           nonnegative=nonneg) if stability_runs > 0 and chosen else {}
    causes, totals = _explain(chosen, cuboids, m, codes, uniques, dims, cards,
                              stability if stability_runs > 0 else None)
    total_actual, total_expected, gross = totals
    general = next((c for c in causes if not c.dims), None)
    causes = [c for c in causes if c.dims]
    strong = tuple(c for c in causes if c.stability is None or c.stability >= min_stability)
    weak = tuple(c for c in causes if c not in strong)
    return Localization(
        root_causes=strong,
        measure="ratio" if m.ratio else "additive",
        total_actual=float(total_actual),
        total_expected=float(total_expected),
        unexplained_share=float(1.0 - sum(c.share for c in strong) - (general.share if general else 0.0))
        if gross > 0 else float("nan"),
        weak_causes=weak,
        general_shift=general,
    )


@dataclass(frozen=True)
class _Measures:
    """The cube's measures as arrays; `f_model` is the expected value at the actual volume."""

    v: np.ndarray
    f: np.ndarray
    v_den: np.ndarray | None
    f_den: np.ndarray | None
    f_model: np.ndarray

    @property
    def ratio(self) -> bool:
        return self.v_den is not None


def _read_measures(cube: pd.DataFrame, actual: str, expected: str, actual_den: str | None, expected_den: str | None,
                   *, source: str, nonnegative: bool) -> _Measures:
    v = numeric_column(cube, actual, what=source, nonnegative=nonnegative)
    f = numeric_column(cube, expected, what=source, nonnegative=nonnegative)
    if actual_den is None:
        return _Measures(v, f, None, None, f)
    v_den = numeric_column(cube, actual_den, what=source, nonnegative=True)
    f_den = numeric_column(cube, expected_den, what=source, nonnegative=True)
    overall_rate = f.sum() / f_den.sum() if f_den.sum() > 0 else 0.0
    expected_rate = np.where(f_den > 0, f / np.where(f_den > 0, f_den, 1.0), overall_rate)
    return _Measures(v, f, v_den, f_den, expected_rate * v_den)  # expected numerator at the actual volume


def _encode(cube: pd.DataFrame, dims: Sequence[str]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Integer codes and sorted labels of each dimension; a missing value is a value of its own."""
    codes, uniques = [], []
    for d in dims:
        c, u = pd.factorize(cube[d], sort=True)
        if (c < 0).any():  # missing values are a value of their own
            c, u = pd.factorize(cube[d].astype("string").fillna("<null>"), sort=True)
        u = np.asarray([str(x) for x in u], dtype=object)
        codes.append(c.astype(np.int64))
        uniques.append(np.asarray(u, dtype=object))
    return codes, uniques


def _explain(chosen, cuboids, measures: _Measures, codes, uniques, dims, cards,
             stability: dict | None) -> tuple[list[RootCause], tuple[float, float, float]]:
    """Each chosen element as a RootCause with its contribution and share; the totals and gross movement."""
    v, f, v_den, f_den, f_model = measures.v, measures.f, measures.v_den, measures.f_den, measures.f_model
    total_abs = float(np.abs(v - f_model).sum())
    if measures.ratio:
        total_actual = v.sum() / v_den.sum() if v_den.sum() > 0 else float("nan")
        total_expected = f.sum() / f_den.sum() if f_den.sum() > 0 else float("nan")
        scale = v_den.sum()
    else:
        total_actual, total_expected = float(v.sum()), float(f.sum())
        scale = 1.0
    change = total_actual - total_expected
    masks = [cuboids[ci].group == gi for ci, gi, _, _ in chosen]
    under_causes = np.logical_or.reduce([m for (ci, *_), m in zip(chosen, masks) if cuboids[ci].dims] or
                                        [np.zeros(v.size, dtype=bool)])
    # the general shift accounts for the cells outside the causes
    masks = [m if cuboids[ci].dims else ~under_causes for (ci, *_), m in zip(chosen, masks)]
    contributions = [float((v[m].sum() - f_model[m].sum()) / scale) if scale > 0 else float("nan") for m in masks]
    rest = change - sum(contributions)
    gross = sum(abs(c) for c in contributions) + abs(rest)
    causes = []
    for (ci, gi, gain, z), mask, contribution in zip(chosen, masks, contributions):
        cub = cuboids[ci]
        values = _decode(cub, gi, cards)
        named = {dims[d]: str(uniques[d][code]) for d, code in zip(cub.dims, values)}
        if measures.ratio:
            den_a, den_f = v_den[mask].sum(), f_den[mask].sum()
            cause_actual = v[mask].sum() / den_a if den_a > 0 else float("nan")
            cause_expected = f[mask].sum() / den_f if den_f > 0 else float("nan")
        else:
            cause_actual, cause_expected = float(v[mask].sum()), float(f[mask].sum())
        causes.append(
            RootCause(
                dims=named,
                score=float(gain / total_abs) if total_abs > 0 else 0.0,
                explained_share=float(contribution / change) if change != 0 else float("nan"),
                actual=float(cause_actual),
                expected=float(cause_expected),
                n_cells=int(mask.sum()),
                z=float(z),
                contribution=contribution,
                share=float(abs(contribution) / gross) if gross > 0 else float("nan"),
                stability=stability.get((ci, gi), 0.0) if stability is not None else None,
                cells=_top_cells(mask, v, f, v_den, f_den, f_model, codes, uniques, dims),
            )
        )
    return causes, (total_actual, total_expected, gross)


def _stability(cuboids: list[_Cuboid], v: np.ndarray, f: np.ndarray, f_fit: np.ndarray, options: dict[str, Any],
               *, runs: int, seed: int, nonnegative: bool) -> dict[tuple[int, int], float]:
    """Share of ``runs`` noise redraws in which each element is found again.

    Wild bootstrap (Wu 1986; Mammen 1993): each leaf keeps its fitted value (causes included)
    and its own residual with a random sign, so the noise keeps its size cell by cell and the
    causes stay where they were; the search is rerun on every redraw.
    """
    rng = np.random.default_rng(seed)
    residual = v - f_fit
    hits: dict[tuple[int, int], int] = {}
    for _ in range(runs):
        redraw = f_fit + residual * rng.choice(np.array([-1.0, 1.0]), size=v.size)
        if nonnegative:
            redraw = np.maximum(redraw, 0.0)
        again, _ = _pursue(cuboids, redraw, f, **options)
        for ci, gi, _, _ in again:
            hits[(ci, gi)] = hits.get((ci, gi), 0) + 1
    return {key: count / runs for key, count in hits.items()}


def _top_cells(mask: np.ndarray, v: np.ndarray, f: np.ndarray, v_den: np.ndarray | None, f_den: np.ndarray | None,
               f_model: np.ndarray, codes: list[np.ndarray], uniques: list[np.ndarray], dims: list[str],
               limit: int = 5) -> tuple[tuple[dict[str, str], float, float], ...]:
    """The cause's leaf cells that moved most (actual vs expected; rates for a ratio measure)."""
    rows = np.flatnonzero(mask)
    rows = rows[np.argsort(-np.abs(v[rows] - f_model[rows]), kind="stable")[:limit]]
    out = []
    for r in rows:
        cell = {d: str(uniques[j][codes[j][r]]) for j, d in enumerate(dims)}
        if v_den is not None and f_den is not None:
            actual = v[r] / v_den[r] if v_den[r] > 0 else float("nan")
            expected = f[r] / f_den[r] if f_den[r] > 0 else float("nan")
        else:
            actual, expected = v[r], f[r]
        out.append((cell, float(actual), float(expected)))
    return tuple(out)
