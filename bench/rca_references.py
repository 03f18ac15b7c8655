"""Re-implemented reference methods of multi-dimensional root-cause localisation, for bench/rca.py.

Written here from the papers (no code of theirs is used); each takes a PlantedCube and returns
a list of elements (dimension -> value). Ratio cubes are handed to every method the same way:
the numerator against the expected rate at the actual volume (an additive problem).

* Adtributor (Bhagwan et al., NSDI 2014): per dimension, elements ranked by surprise
  (Jensen-Shannon divergence of expected vs actual shares), kept while their explanatory power
  exceeds T_eep = 0.1 until the set explains T_ep = 0.67; the dimension whose set has the most
  surprise wins. Finds single-dimension causes only.
* RiskLoc (Kalander, arXiv:2205.10004, 2022): 2-way partition of leaves by deviation score
  with a cutoff mirrored from the noise side, weights rising with the distance from it, risk =
  weighted abnormal proportion minus the ripple-effect inconsistency, layer-by-layer search by
  explanatory power, stop when the remaining abnormal explanatory power is under 2 %.
* Squeeze (Li et al., ISSRE 2019): abnormal leaves kept above the knee of their sorted absolute
  deviations, clustered by deviation score (density valleys of a smoothed histogram, one
  cluster per cause under the generalised ripple effect), and in each cluster the cuboid and
  top-k elements (ranked by the share of their leaves that are in the cluster) with the best
  generalised potential score, less a succinctness penalty per layer and element.
* one-dimension baseline: the single dimension value with the largest net deviation.
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from govex.datasets.rca_cubes import PlantedCube


def encode(cube: PlantedCube) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    """Codes per dimension and the additive leaf measure (ratio cubes: numerator at actual volume)."""
    frame = cube.frame
    codes, uniques = [], []
    for d in cube.dims:
        c, u = pd.factorize(frame[d], sort=True)
        codes.append(c.astype(np.int64))
        uniques.append(np.asarray(u, dtype=object))
    v = frame[cube.actual].to_numpy(np.float64)
    f = frame[cube.expected].to_numpy(np.float64)
    if cube.actual_den:
        den = frame[cube.expected_den].to_numpy(np.float64)
        f = np.divide(f, den, out=np.zeros_like(f), where=den > 0) * frame[cube.actual_den].to_numpy(np.float64)
    return codes, uniques, v, f


def _groups(codes: list[np.ndarray], dims: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    key = np.zeros(codes[0].size, dtype=np.int64)
    for d in dims:
        key = key * (int(codes[d].max()) + 1) + codes[d]
    keys, group = np.unique(key, return_inverse=True)
    return group, keys


def _decode(codes, uniques, names, dims, group, gi) -> dict[str, str]:
    row = int(np.flatnonzero(group == gi)[0])
    return {names[d]: str(uniques[d][codes[d][row]]) for d in dims}


def adtributor(cube: PlantedCube, t_eep: float = 0.1, t_ep: float = 0.67) -> list[dict[str, str]]:
    codes, uniques, v, f = encode(cube)
    total_v, total_f = v.sum(), f.sum()
    best: tuple[float, list[dict[str, str]]] = (-1.0, [])
    for d, name in enumerate(cube.dims):
        ev = np.bincount(codes[d], v)
        ef = np.bincount(codes[d], f)
        p, q = ef / total_f, ev / total_v
        m = 0.5 * (p + q)
        with np.errstate(divide="ignore", invalid="ignore"):
            surprise = 0.5 * (np.where(p > 0, p * np.log(p / m), 0.0) + np.where(q > 0, q * np.log(q / m), 0.0))
        ep = (ev - ef) / (total_v - total_f) if total_v != total_f else np.zeros_like(ev)
        chosen, cum, total_s = [], 0.0, 0.0
        for e in np.argsort(-surprise, kind="stable"):
            if ep[e] > t_eep:
                chosen.append({name: str(uniques[d][e])})
                cum += ep[e]
                total_s += surprise[e]
                if cum > t_ep:
                    break
        if cum > t_ep and total_s > best[0]:
            best = (total_s, chosen)
    return best[1]


def riskloc(cube: PlantedCube, risk_threshold: float = 0.5, pep_threshold: float = 0.02) -> list[dict[str, str]]:
    codes, uniques, v, f = encode(cube)
    both = (v + f) > 0
    dev = np.where(both, 2 * (f - v) / np.where(both, f + v, 1.0), 0.0)
    distinct = np.unique(dev)
    n_remove = 5
    low = np.sort(distinct)[: n_remove + 1].max()
    high = np.sort(distinct)[::-1][: n_remove + 1].min()
    cutoff = -min(low, high, key=abs)
    abnormal = dev > cutoff if cutoff >= 0 else dev < cutoff
    weight = np.where(abnormal, np.abs(dev), np.abs(cutoff - dev))
    weight = np.where(~both, 0.0, np.minimum(weight, 1.0))
    change = v.sum() - f.sum()
    ep = (v - f) / change if change != 0 else np.zeros_like(v)
    if ep[abnormal].sum() < 0:
        ep = -ep
    threshold = ep[abnormal].sum() * pep_threshold
    alive = np.ones(v.size, dtype=bool)
    cuboids = [c for k in range(1, len(codes) + 1) for c in combinations(range(len(codes)), k)]
    group_cache = {c: _groups(codes, c) for c in cuboids}
    causes: list[dict[str, str]] = []
    while ep[abnormal & alive].sum() >= threshold and len(causes) < 20:
        found = None
        for layer in range(1, len(codes) + 1):
            best_ep = threshold
            for c in (c for c in cuboids if len(c) == layer):
                group, keys = group_cache[c]
                n = keys.size
                g = group[alive]
                e_ep = np.bincount(g, ep[alive], minlength=n)
                n_abn = np.bincount(g, abnormal[alive], minlength=n)
                w_abn = np.bincount(g, (weight * abnormal)[alive], minlength=n)
                w_norm = np.bincount(g, (weight * ~abnormal)[alive], minlength=n)
                high_risk = w_abn / (w_abn + w_norm + 1.0)
                vv, ff = v[alive], f[alive]
                k = np.bincount(g, vv, minlength=n) / np.maximum(np.bincount(g, ff, minlength=n), 1e-12)
                valid = (vv != 0) & (ff != 0)
                a = ff * k[g]
                d_new = np.where(valid, 2 * np.abs(a - vv) / np.where(valid, a + vv, 1.0), 0.0)
                cnt = np.maximum(np.bincount(g, valid, minlength=n), 1)
                w1 = np.bincount(g, d_new, minlength=n) / cnt
                w2 = np.bincount(g, np.where(valid, np.abs(dev[alive]), 0.0), minlength=n) / cnt
                low_risk = np.where(w2 > 0, w1 / np.where(w2 > 0, w2, 1.0), 0.0)
                ok = (n_abn > 0) & (e_ep > best_ep) & (high_risk - low_risk >= risk_threshold)
                if ok.any():
                    gi = int(np.argmax(np.where(ok, e_ep, -np.inf)))
                    best_ep = e_ep[gi]
                    found = (c, group, gi)
            if found is not None:
                break
        if found is None:
            break
        c, group, gi = found
        causes.append(_decode(codes, uniques, cube.dims, c, group, gi))
        alive &= group != gi
    return causes


def _knee(sorted_desc: np.ndarray) -> int:
    """Index of the knee of a descending curve: the point farthest from its chord."""
    if sorted_desc.size < 3:
        return sorted_desc.size
    y = np.cumsum(sorted_desc)
    y = y / y[-1] if y[-1] > 0 else y
    x = np.linspace(0.0, 1.0, y.size)
    return int(np.argmax(y - x)) + 1


def _density_clusters(d: np.ndarray, bins: int = 100) -> list[np.ndarray]:
    """Split deviation scores at the valleys of a smoothed histogram (Squeeze's density clustering)."""
    if d.size == 0:
        return []
    hist, edges = np.histogram(d, bins=bins, range=(-2.0, 2.0))
    kernel = np.exp(-0.5 * (np.arange(-3, 4) / 1.5) ** 2)
    smooth = np.convolve(hist, kernel / kernel.sum(), mode="same")
    valleys = [i for i in range(1, bins - 1) if smooth[i] < smooth[i - 1] and smooth[i] <= smooth[i + 1]
               and smooth[i] < 0.5 * max(smooth[:i].max(), 1e-12) and smooth[i] < 0.5 * max(smooth[i + 1:].max(), 1e-12)]
    cuts = edges[[v + 1 for v in valleys]]
    label = np.searchsorted(cuts, d)
    return [np.flatnonzero(label == k) for k in np.unique(label)]


def squeeze(cube: PlantedCube, max_elements: int = 10, penalty: float = 0.02) -> list[dict[str, str]]:
    codes, uniques, v, f = encode(cube)
    both = (v + f) > 0
    dev = np.where(both, 2 * (f - v) / np.where(both, f + v, 1.0), 0.0)
    gap = np.abs(v - f)
    order = np.argsort(-gap, kind="stable")
    abnormal_idx = order[: _knee(gap[order])]
    cuboids = [c for k in range(1, len(codes) + 1) for c in combinations(range(len(codes)), k)]
    group_cache = {c: _groups(codes, c) for c in cuboids}
    causes: list[dict[str, str]] = []
    base_err = gap.sum()
    for members in _density_clusters(dev[abnormal_idx]):
        in_cluster = np.zeros(v.size, dtype=bool)
        in_cluster[abnormal_idx[members]] = True
        best = (-np.inf, None)
        for c in cuboids:
            group, keys = group_cache[c]
            n = keys.size
            hits = np.bincount(group, in_cluster, minlength=n)
            size = np.bincount(group, minlength=n)
            descent = hits / size
            ranked = [e for e in np.argsort(-descent, kind="stable")[:max_elements] if hits[e] > 0]
            chosen = np.zeros(v.size, dtype=bool)
            for k, e in enumerate(ranked, start=1):
                chosen |= group == e
                ratio = v[chosen].sum() / f[chosen].sum() if f[chosen].sum() > 0 else 1.0
                err = np.abs(v[chosen] - f[chosen] * ratio).sum() + gap[~chosen].sum()
                gps = 1.0 - err / base_err if base_err > 0 else 0.0
                score = gps - penalty * len(c) * k
                if score > best[0]:
                    best = (score, (c, group, ranked[:k]))
        if best[1] is not None:
            c, group, elements = best[1]
            causes.extend(_decode(codes, uniques, cube.dims, c, group, e) for e in elements)
    unique = {tuple(sorted(c.items())): c for c in causes}
    return list(unique.values())


def one_dimension(cube: PlantedCube) -> list[dict[str, str]]:
    codes, uniques, v, f = encode(cube)
    best = (-1.0, {})
    for d, name in enumerate(cube.dims):
        net = np.abs(np.bincount(codes[d], v - f))
        e = int(np.argmax(net))
        if net[e] > best[0]:
            best = (float(net[e]), {name: str(uniques[d][e])})
    return [best[1]]


REFERENCES = {"RiskLoc": riskloc, "Squeeze": squeeze, "Adtributor": adtributor, "one-dim baseline": one_dimension}
