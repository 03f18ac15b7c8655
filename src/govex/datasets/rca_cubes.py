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
from dataclasses import dataclass, field, replace
from itertools import product

import numpy as np
import pandas as pd

__all__ = ["FAMILIES", "PlantedCube", "derived_ratio_cube", "generate_family", "generate_rca_cubes", "make_rca_cube",
           "riskloc_cube", "root_cause_f1", "squeeze_cube", "with_forecast_bias"]


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


# --- Published benchmark settings, written from the papers' descriptions -----------------------

def _grid(cards: Sequence[int]) -> tuple[tuple[str, ...], np.ndarray, pd.DataFrame]:
    """Every combination of dimension values: names, integer codes (leaves x dims) and the frame."""
    names = tuple("abcdefghij"[: len(cards)])
    codes = np.indices(cards).reshape(len(cards), -1).T
    frame = pd.DataFrame({n: pd.Categorical.from_codes(codes[:, j], [f"{n}{i + 1}" for i in range(c)])
                          for j, (n, c) in enumerate(zip(names, cards))}).astype(str)
    return names, codes, frame


def _plant_elements(
    rng: np.random.Generator, names: Sequence[str], codes: np.ndarray, cards: Sequence[int], weight: np.ndarray,
    *, n_anomalies: tuple[int, int], n_elements: tuple[int, int], layers: tuple[int, int],
) -> list[list[tuple[dict[str, str], np.ndarray]]]:
    """Anomalies, each a set of 1-k elements of one cuboid, disjoint from the others.

    As in Kalander (2022) and Li et al. (2019): an anomaly picks a layer (how many dimensions),
    a cuboid of that layer, and several distinct elements of it; a dimension value already used by
    an earlier anomaly is not reused, so no two planted elements overlap. Every element keeps
    some expected volume (a cause on empty cells cannot be seen).
    """
    taken = np.zeros(codes.shape[0], dtype=bool)
    used: dict[int, set[int]] = {}
    anomalies: list[list[tuple[dict[str, str], np.ndarray]]] = []
    target = int(rng.integers(n_anomalies[0], n_anomalies[1] + 1))
    for _ in range(50 * target):
        if len(anomalies) == target:
            break
        layer = int(rng.integers(layers[0], layers[1] + 1))
        dims = sorted(int(d) for d in rng.choice(len(cards), size=layer, replace=False))
        k = int(rng.integers(n_elements[0], n_elements[1] + 1))
        free = [np.setdiff1d(np.arange(cards[d]), sorted(used.get(d, ()))) for d in dims]
        if any(f.size == 0 for f in free):
            continue
        elements, masks = set(), []
        for _ in range(10 * k):
            if len(elements) == k:
                break
            values = tuple(int(rng.choice(f)) for f in free)
            if values in elements:
                continue
            mask = np.logical_and.reduce([codes[:, d] == v for d, v in zip(dims, values)])
            if (mask & taken).any() or weight[mask].sum() <= 0:
                continue
            elements.add(values)
            masks.append((values, mask))
        if len(elements) < k:
            continue
        anomaly = []
        for values, mask in masks:
            taken |= mask
            for d, v in zip(dims, values):
                used.setdefault(d, set()).add(v)
            anomaly.append(({names[d]: f"{names[d]}{v + 1}" for d, v in zip(dims, values)}, mask))
        anomalies.append(anomaly)
    return anomalies


def riskloc_cube(
    rng: np.random.Generator, *, cards: Sequence[int] = (10, 12, 10, 8, 5), noise: tuple[float, float] = (0.0, 0.25),
    severity: tuple[float, float] = (0.2, 1.0), deviation: tuple[float, float] = (0.0, 0.1),
    n_anomalies: tuple[int, int] = (1, 3), n_elements: tuple[int, int] = (1, 3), only_last_layer: bool = False,
) -> PlantedCube:
    """One case of the synthetic protocol of Kalander (2022), section 5 (defaults: its "S" setting).

    Leaf values are Weibull (shape 0.5-1) times 100 with 0-25 % set to zero; the forecast is the
    value with relative Gaussian error (the noise level) and the two are swapped on half of the
    leaves so the error is symmetric (both clipped at zero: these are counts or amounts). Each anomaly (1-3) takes a layer, a cuboid and 1-3 elements
    and moves every leaf below them by ``1 - r``, ``r ~ N(severity, deviation)``, the severity
    raised by the noise level, on the side (actual or forecast) that keeps the anomaly's sign
    consistent with the normal error. Each element is one label. The "L" setting of the paper:
    ``cards=(10, 24, 10, 15), noise=(0, 0.1), severity=(0.5, 1), deviation=(0, 0),
    n_anomalies=(1, 5), n_elements=(1, 1), only_last_layer=True``.
    """
    names, codes, frame = _grid(cards)
    n = codes.shape[0]
    level = float(rng.uniform(*noise))
    real = rng.weibull(rng.uniform(0.5, 1.0), n) * 100.0
    real *= rng.uniform(size=n) > rng.uniform(0.0, 0.25)
    predict = real * (1.0 + rng.normal(0.0, level, n))
    swap = rng.integers(0, 2, n) == 1
    real, predict = np.maximum(np.where(swap, predict, real), 0.0), np.maximum(np.where(swap, real, predict), 0.0)
    layers = (len(cards), len(cards)) if only_last_layer else (1, len(cards))
    anomalies = _plant_elements(rng, names, codes, cards, np.maximum(real, predict), n_anomalies=n_anomalies,
                                n_elements=n_elements, layers=layers)
    raise_predict = real.sum() > predict.sum()
    causes, severities = [], []
    for anomaly in anomalies:
        sev = float(rng.uniform(*severity) + level)
        dev = float(rng.uniform(*deviation))
        for cause, mask in anomaly:
            r = rng.normal(sev, dev, mask.sum())
            if raise_predict:  # the forecast sits above a dropped actual: scale the forecast down
                predict[mask] = np.maximum(real[mask] * (1.0 - r), 0.0)
            else:
                real[mask] = np.maximum(predict[mask] * (1.0 - r), 0.0)
            causes.append(cause)
            severities.append(sev)
    frame = frame.assign(actual=real, expected=predict)
    return PlantedCube(frame, names, tuple(causes), "additive", level, severities=tuple(severities))


def squeeze_cube(rng: np.random.Generator, *, cards: Sequence[int] = (10, 24, 10, 9),
                 noise: float | None = None) -> PlantedCube:
    """One case in the manner of the semi-synthetic "B" datasets of Li et al. (2019), section V.

    4 dimensions, 21,600 leaves; a root cause is 1-3 elements of one cuboid of layer 1-3 (the
    paper's nine settings), all elements of a case moved by one magnitude as the ripple effect
    has it; the forecast of normal leaves is off by a relative Gaussian error of a noise level
    drawn from the five levels B0-B4 (our stand-in 0-10 %: the paper takes its forecast
    residuals from real traces, which are not reproduced here).
    """
    names, codes, frame = _grid(cards)
    n = codes.shape[0]
    level = float(rng.choice([0.0, 0.025, 0.05, 0.075, 0.1])) if noise is None else noise
    forecast = rng.lognormal(3.0, 1.2, n)
    actual = np.maximum(forecast * (1.0 + rng.normal(0.0, level, n)), 0.0)
    layer = int(rng.integers(1, 4))
    anomalies = _plant_elements(rng, names, codes, cards, forecast, n_anomalies=(1, 1), n_elements=(1, 3),
                                layers=(layer, layer))
    magnitude = float(rng.uniform(0.1, 0.9)) * (1.0 if rng.uniform() < 0.5 else -1.0)
    causes = []
    for cause, mask in anomalies[0]:
        actual[mask] = forecast[mask] * (1.0 - magnitude) * (1.0 + rng.normal(0.0, level / 2, mask.sum()))
        causes.append(cause)
    frame = frame.assign(actual=actual, expected=forecast)
    return PlantedCube(frame, names, tuple(causes), "additive", level, severities=(magnitude,))


def derived_ratio_cube(rng: np.random.Generator, *, cards: Sequence[int] = (10, 24, 10, 9),
                       dispersion: float | None = None, uneven: float = 0.0) -> PlantedCube:
    """A ratio measure (success rate = successes / requests) in the manner of PSqueeze's derived cases.

    Li et al. (2022, arXiv:2305.03331) build a derived measure from two fundamental ones and
    plant the root cause on the ratio; real ratio data differ from that mostly in noise, which
    this adds on both sides: requests per leaf are heavy-tailed counts (many small cells), the
    success rate per leaf drifts between periods (beta-binomial overdispersion, ``dispersion``),
    and the expected numerator and denominator are forecasts with their own relative error. A
    root cause is 1-3 elements of one cuboid of layer 1-3 whose failure rate is multiplied by
    1.5-6 (or divided), a shift of the mix of requests across cells is not a cause. With
    ``uneven`` > 0 a cause does not hit its cells alike: each cell's excess is the cause's times
    a uniform draw in ``1 -/+ uneven`` (a carrier's outage is worse in some regions), which
    tempts a method to name the worst corner of the cause instead of the cause.
    """
    names, codes, frame = _grid(cards)
    n = codes.shape[0]
    rho = float(rng.uniform(0.0, 0.02)) if dispersion is None else dispersion
    requests = np.floor(rng.lognormal(4.5, 1.5, n)) + 1.0
    fail_rate = np.clip(rng.beta(1.5, 30.0, n), 1e-4, 0.5)
    expected_den = np.maximum(np.round(requests * rng.lognormal(0.0, 0.1, n)), 1.0)
    expected_num = expected_den * fail_rate * rng.lognormal(0.0, 0.05, n)
    layer = int(rng.integers(1, 4))
    anomalies = _plant_elements(rng, names, codes, cards, requests * fail_rate, n_anomalies=(1, 1),
                                n_elements=(1, 3), layers=(layer, layer))
    rate = fail_rate.copy()
    factor = float(rng.uniform(1.5, 6.0)) if rng.uniform() < 0.8 else float(rng.uniform(0.1, 0.5))
    causes = []
    for cause, mask in anomalies[0]:
        excess = (factor - 1.0) * rng.uniform(1.0 - uneven, 1.0 + uneven, mask.sum())
        rate[mask] = np.clip(rate[mask] * np.maximum(1.0 + excess, 0.05), 0.0, 0.95)
        causes.append(cause)
    # beta-binomial: the leaf's rate this period is Beta around its rate, intra-class correlation rho
    if rho > 0:
        a = rate * (1.0 - rho) / rho
        b = (1.0 - rate) * (1.0 - rho) / rho
        rate = rng.beta(np.maximum(a, 1e-6), np.maximum(b, 1e-6))
    failures = rng.binomial(requests.astype(np.int64), rate).astype(np.float64)
    frame = frame.assign(actual=failures, actual_den=requests, expected=expected_num, expected_den=expected_den)
    return PlantedCube(frame, names, tuple(causes), "ratio", rho, actual_den="actual_den",
                       expected_den="expected_den", severities=(factor,))


def with_forecast_bias(cube: PlantedCube, rng: np.random.Generator, *, low: float = 0.03,
                       high: float = 0.1) -> PlantedCube:
    """The same case with every expected value off by one factor ``1 -/+ U(low, high)``.

    A forecast is rarely unbiased: a holiday, a price change or a model that lags a trend moves
    the whole cube. The planted causes are unchanged; a method that reads the bias as causes
    reports the largest cells as false alarms.
    """
    factor = 1.0 + float(rng.uniform(low, high)) * (1.0 if rng.uniform() < 0.5 else -1.0)
    frame = cube.frame.assign(**{cube.expected: cube.frame[cube.expected] * factor})
    return replace(cube, frame=frame)


FAMILIES = {
    "RiskLoc S": lambda rng: riskloc_cube(rng),
    "RiskLoc L": lambda rng: riskloc_cube(rng, cards=(10, 24, 10, 15), noise=(0.0, 0.1), severity=(0.5, 1.0),
                                          deviation=(0.0, 0.0), n_anomalies=(1, 5), n_elements=(1, 1),
                                          only_last_layer=True),
    "Squeeze B": squeeze_cube,
    "ratio (derived)": derived_ratio_cube,
    "ratio (uneven cause)": lambda rng: derived_ratio_cube(rng, uneven=0.9),
    "Squeeze B + forecast bias": lambda rng: with_forecast_bias(squeeze_cube(rng), rng),
    "ratio (derived) + forecast bias": lambda rng: with_forecast_bias(derived_ratio_cube(rng), rng),
    "govex additive": lambda rng: make_rca_cube(rng, kind="additive"),
    "govex ratio": lambda rng: make_rca_cube(rng, kind="ratio"),
}
"""Benchmark families: a name and a function drawing one planted cube from a random generator."""


def generate_family(name: str, n_cubes: int, *, seed: int = 0) -> list[PlantedCube]:
    """``n_cubes`` cubes of one benchmark family (see :data:`FAMILIES`), reproducible from ``seed``."""
    if name not in FAMILIES:
        raise ValueError(f"unknown family {name!r}; choose from {sorted(FAMILIES)}")
    rng = np.random.default_rng(seed)
    return [FAMILIES[name](rng) for _ in range(n_cubes)]


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
