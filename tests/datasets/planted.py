"""Checks shared by the tests of planted events: a rate within binomial error, a timestamp in an event's window."""
from __future__ import annotations

import numpy as np
import pandas as pd


def within(observed: float, expected: float, n: int) -> bool:
    """Within four binomial standard errors (the data are fixed by the seed)."""
    se = np.sqrt(max(expected * (1 - expected), 1e-4) / max(n, 1))
    return abs(observed - expected) <= 4 * se


def in_window(ts: pd.Series, event: dict) -> pd.Series:
    """Whether each timestamp's day falls in the event's [start, end_exclusive)."""
    day = pd.to_datetime(ts).dt.normalize()
    return (day >= pd.Timestamp(event["start"])) & (day < pd.Timestamp(event["end_exclusive"]))
