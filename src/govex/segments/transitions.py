"""How customers move between segments from one as-of date to another, and how stable a framework is.

Stability figures: the share of customers present at both dates whose segment did not change,
and the population stability index (PSI) of the segment shares,
PSI = sum_i (q_i - p_i) ln(q_i / p_i), p and q the shares at the first and second date
(rule of thumb: < 0.1 stable, 0.1-0.25 some shift, > 0.25 a large shift).

References
----------
Siddiqi, N. (2006). Credit Risk Scorecards: Developing and Implementing Intelligent Credit
Scoring. Wiley. (population stability index)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import GovexError
from govex.segments.store import read_assignments

ABSENT = "(none)"
_FLOOR = 1e-6  # share given to a segment empty at one date, so the PSI stays finite


@dataclass(frozen=True)
class Transitions:
    """Counts of customers by (segment at the first date, segment at the second) and stability."""

    framework: str
    from_date: dt.date
    to_date: dt.date
    matrix: pd.DataFrame
    share_unchanged: float
    stability_index: float


def population_stability_index(before: pd.Series, after: pd.Series) -> float:
    """PSI of two count vectors indexed by segment (Siddiqi 2006)."""
    labels = before.index.union(after.index)
    p = before.reindex(labels, fill_value=0).to_numpy(float)
    q = after.reindex(labels, fill_value=0).to_numpy(float)
    p = np.maximum(p / p.sum(), _FLOOR)
    q = np.maximum(q / q.sum(), _FLOOR)
    return float(np.sum((q - p) * np.log(q / p)))


def segment_transitions(warehouse: Warehouse, *, framework: str, from_date: dt.date, to_date: dt.date) -> Transitions:
    """The transition matrix (rows: from, columns: to; '(none)' = not a customer at that date)."""
    before = read_assignments(warehouse, framework=framework, as_of=from_date).select("entity_id", from_segment="segment")
    after = read_assignments(warehouse, framework=framework, as_of=to_date).select(other_id="entity_id", to_segment="segment")
    joined = before.outer_join(after, before.entity_id == after.other_id)
    pairs = joined.select(
        from_segment=joined.from_segment.fill_null(ABSENT), to_segment=joined.to_segment.fill_null(ABSENT)
    )
    counts = pairs.group_by(["from_segment", "to_segment"]).aggregate(customers=pairs.count()).execute()
    if counts.empty:
        raise GovexError(f"no assignments of framework {framework!r} at {from_date} or {to_date}; run `govex segments assign` for both dates")
    matrix = counts.pivot(index="from_segment", columns="to_segment", values="customers").fillna(0).astype("int64")
    present = counts[(counts.from_segment != ABSENT) & (counts.to_segment != ABSENT)]
    stayed = present[present.from_segment == present.to_segment].customers.sum()
    share = float(stayed / present.customers.sum()) if present.customers.sum() else float("nan")
    before_counts = counts[counts.from_segment != ABSENT].groupby("from_segment").customers.sum()
    after_counts = counts[counts.to_segment != ABSENT].groupby("to_segment").customers.sum()
    psi = population_stability_index(before_counts, after_counts) if len(before_counts) and len(after_counts) else float("nan")
    return Transitions(framework, from_date, to_date, matrix, share, psi)
