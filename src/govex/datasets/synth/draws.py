"""Vectorised random draws shared by the simulation modules."""
from __future__ import annotations

import numpy as np


def choose_rows(rng: np.random.Generator, table: np.ndarray, row_of: np.ndarray) -> np.ndarray:
    """Categorical draws where draw i uses the probability row `table[row_of[i]]` (rows are normalised)."""
    cumulative = np.cumsum(table, axis=1)
    cumulative = cumulative / cumulative[:, -1:]
    u = rng.random(row_of.size)[:, None]
    return np.minimum((u > cumulative[row_of]).sum(axis=1), table.shape[1] - 1).astype(np.int8)


def hours_of_day(rng: np.random.Generator, weights: tuple[float, ...], size: int) -> np.ndarray:
    """Fractional hours (0-24) drawn from a 24-bin hour-of-day profile."""
    p = np.asarray(weights, dtype=np.float64)
    hour = rng.choice(24, size=size, p=p / p.sum())
    return hour + rng.random(size)
