"""Synthetic cubes with planted root causes, to measure root-cause localisation against a known truth.

Two families:

* additive: leaf values drawn from a Weibull distribution with a share of empty cells, a
  forecast with relative noise, and 1-3 planted causes (each a conjunction of 1-3 dimension
  values) that scale their leaves by ``1 - severity`` (or ``1 + severity``), leaf by leaf with a
  small spread. This follows the semi-synthetic protocol of Li et al. (2019) and Kalander (2022):
  noise level 0-25 %, severity 0.2-1 plus the noise level.
* ratio: per-cell volumes (denominators) and base rates; actual numerators are binomial draws
  at the base rate, multiplied inside a planted cause; expected volumes differ from actual ones
  (a mix shift that is not a cause).

Evaluation uses exact set match per cause, summed over cubes (micro F1), as in those papers.

References
----------
.. [1] Li et al. (2019), "Generic and robust localization of multi-dimensional root causes", ISSRE.
.. [2] Kalander (2022), "RiskLoc: Localization of multi-dimensional root causes by weighted risk",
   arXiv:2205.10004.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd

__all__ = ["PlantedCube", "generate_rca_cubes", "make_rca_cube", "root_cause_f1"]


@dataclass(frozen=True)
class PlantedCube:
    """One cube and the causes planted in it."""

    frame: pd.DataFrame
    dims: tuple[str, ...]
    causes: tuple[dict[str, str], ...]
    kind: str  # "additive" or "ratio"
    noise_level: float
    actual: str = "actual"
    expected: str = "expected"
    actual_den: str | None = None
    expected_den: str | None = None
    severities: tuple[float, ...] = field(default=())


def _shape(rng: np.random.Generator, max_leaves: int) -> list[int]:
    while True:
        n_dims = int(rng.integers(3, 6))
        cards = [int(c) for c in rng.integers(3, 13, size=n_dims)]
        if int(np.prod(cards)) <= max_leaves:
            return cards


def _leaves(cards: Sequence[int]) -> tuple[tuple[str, ...], pd.DataFrame]:
    names = tuple("abcdefgh"[: len(cards)])
    rows = list(product(*[[f"{n}{i + 1}" for i in range(c)] for n, c in zip(names, cards)]))
    return names, pd.DataFrame(rows, columns=list(names))


def _plant(
    rng: np.random.Generator, frame: pd.DataFrame, dims: Sequence[str], n_causes: int, weight: np.ndarray
) -> list[tuple[dict[str, str], np.ndarray]]:
    """Draw disjoint causes of 1-3 dimensions, each holding at least 0.5 % of the volume."""
    taken = np.zeros(len(frame), dtype=bool)
    causes: list[tuple[dict[str, str], np.ndarray]] = []
    total = weight.sum()
    for _ in range(200):
        if len(causes) == n_causes:
            break
        depth = int(rng.integers(1, min(3, len(dims)) + 1))
        chosen = sorted(rng.choice(len(dims), size=depth, replace=False))
        row = frame.iloc[int(rng.integers(len(frame)))]
        cause = {dims[i]: str(row[dims[i]]) for i in chosen}
        mask = np.logical_and.reduce([frame[k].to_numpy() == v for k, v in cause.items()])
        if (mask & taken).any() or weight[mask].sum() < 0.005 * total:
            continue
        taken |= mask
        causes.append((cause, mask))
    return causes


def make_rca_cube(rng: np.random.Generator, *, kind: str = "additive", max_leaves: int = 3000) -> PlantedCube:
    """One cube of the given family with 1-3 planted causes."""
    cards = _shape(rng, max_leaves)
    dims, frame = _leaves(cards)
    n = len(frame)
    n_causes = int(rng.integers(1, 4))
    if kind == "additive":
        noise = float(rng.uniform(0.0, 0.25))
        value = rng.weibull(rng.uniform(0.5, 1.0), n) * 100.0
        value *= rng.uniform(size=n) > rng.uniform(0.0, 0.25)
        forecast = np.maximum(value * (1.0 + rng.normal(0.0, noise, n)), 0.0)
        swap = rng.uniform(size=n) < 0.5  # noise on either side, as in the published protocol
        actual = np.where(swap, forecast, value)
        expected = np.where(swap, value, forecast)
        causes = _plant(rng, frame, dims, n_causes, expected)
        severities = []
        direction = 1.0 if rng.uniform() < 0.5 else -1.0
        for _, mask in causes:
            severity = float(rng.uniform(0.2, 1.0) + noise)
            sign = direction if rng.uniform() < 0.8 else -direction
            spread = rng.normal(severity, rng.uniform(0.0, 0.1), mask.sum())
            factor = 1.0 - spread if sign < 0 else 1.0 + spread
            actual[mask] = np.maximum(expected[mask] * factor, 0.0)
            severities.append(severity * sign)
        frame = frame.assign(actual=actual, expected=expected)
        return PlantedCube(frame, dims, tuple(c for c, _ in causes), kind, noise, severities=tuple(severities))
    if kind == "ratio":
        noise = float(rng.uniform(0.0, 0.2))
        volume = np.floor(rng.weibull(rng.uniform(0.6, 1.0), n) * 400.0) + 20.0
        base_rate = np.clip(rng.beta(2.0, 18.0, n), 0.005, 0.6)
        expected_den = np.floor(volume * np.exp(rng.normal(0.0, 0.3, n))) + 1.0  # mix shift: not a cause
        rate = np.clip(base_rate * np.exp(rng.normal(0.0, noise, n)), 0.0, 1.0)
        causes = _plant(rng, frame, dims, n_causes, volume * base_rate)
        severities = []
        for _, mask in causes:
            multiplier = float(rng.uniform(1.5, 3.0) if rng.uniform() < 0.7 else rng.uniform(0.1, 0.6))
            rate[mask] = np.clip(rate[mask] * multiplier, 0.0, 1.0)
            severities.append(multiplier)
        frame = frame.assign(
            actual=rng.binomial(volume.astype(np.int64), rate).astype(np.float64),
            actual_den=volume,
            expected=expected_den * base_rate,
            expected_den=expected_den,
        )
        return PlantedCube(frame, dims, tuple(c for c, _ in causes), kind, noise, actual_den="actual_den",
                           expected_den="expected_den", severities=tuple(severities))
    raise ValueError(f"unknown cube kind {kind!r}; use 'additive' or 'ratio'")


def generate_rca_cubes(n_cubes: int = 200, *, seed: int = 0, ratio_share: float = 0.3,
                       max_leaves: int = 3000) -> list[PlantedCube]:
    """``n_cubes`` cubes, ``ratio_share`` of them with a ratio measure, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    return [
        make_rca_cube(rng, kind="ratio" if rng.uniform() < ratio_share else "additive", max_leaves=max_leaves)
        for _ in range(n_cubes)
    ]


def _as_set(causes: Iterable[Mapping[str, str]]) -> set[frozenset]:
    return {frozenset((str(k), str(v)) for k, v in c.items()) for c in causes}


def root_cause_f1(
    predicted: Sequence[Iterable[Mapping[str, str]]], truth: Sequence[Iterable[Mapping[str, str]]]
) -> dict[str, float]:
    """Micro precision, recall and F1 of exact cause matches, summed over cubes.

    A predicted cause counts as a true positive only when the same conjunction (same dimensions,
    same values) was planted, as in Li et al. (2019) and Kalander (2022).
    """
    if len(predicted) != len(truth):
        raise ValueError(f"{len(predicted)} predictions for {len(truth)} cubes")
    tp = fp = fn = 0
    for pred, true in zip(predicted, truth):
        p, t = _as_set(pred), _as_set(true)
        tp += len(p & t)
        fp += len(p - t)
        fn += len(t - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}
