"""Recency, frequency and monetary scores, computed in the engine.

Quantile bins use the tie-aware rank: score = 1 + floor(n_bins * rank / N), where rank is the
0-based rank with ties sharing the lowest rank, so equal values always share a score and the
result does not depend on row order. Recency is ranked in descending order so that the most
recent customers score highest.

References
----------
Hughes, A. M. (1994). Strategic Database Marketing. Probus. (RFM scoring)
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from govex.segments.spec import RFMSpec

RFM_INPUTS = {"r_score": "recency_days", "f_score": "n_purchases", "m_score": "monetary"}


def _quantile_score(table: ir.Table, column: str, n_bins: int, *, descending: bool) -> ir.IntegerValue:
    key = table[column].desc() if descending else table[column].asc()
    rank = ibis.rank().over(order_by=key)
    total = table.count().as_scalar()
    return (rank * n_bins) // total + 1


def _fixed_score(table: ir.Table, column: str, edges: tuple[float, ...], *, descending: bool) -> ir.IntegerValue:
    above = sum((table[column] >= edge).cast("int64") for edge in edges)
    return (len(edges) + 1 - above) if descending else (above + 1)


def add_rfm_scores(table: ir.Table, spec: RFMSpec) -> ir.Table:
    """Add r_score, f_score, m_score (1..n_bins, higher is better) and rfm_score (their sum)."""
    scores = {}
    for score, column in RFM_INPUTS.items():
        descending = score == "r_score"
        if spec.bins == "quantile":
            scores[score] = _quantile_score(table, column, spec.n_bins, descending=descending).cast("int64")
        else:
            scores[score] = _fixed_score(table, column, spec.edges[column], descending=descending).cast("int64")
    table = table.mutate(**scores)
    return table.mutate(rfm_score=table.r_score + table.f_score + table.m_score)
