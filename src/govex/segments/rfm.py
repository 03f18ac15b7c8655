"""Recency, frequency and monetary scores, computed in the engine.

Quantile bins use the tie-aware rank: score = 1 + floor(n_bins * rank / N), where rank is the
0-based rank with ties sharing the lowest rank, so equal values always share a score and the
result does not depend on row order. The rank is a running count over the distinct values
(one small group-by per score) rather than a sort of every customer. Recency is ranked in descending order so that the most
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


def _quantile_scores(table: ir.Table, column: str, score: str, n_bins: int, *, descending: bool) -> ir.Table:
    """(value, score) for every distinct value of `column`: a group-by and a running count, no full sort.

    rank = customers with a better value (those before it in sort order), so ties share the
    lowest rank exactly as RANK() - 1 would, from a table with one row per distinct value.
    """
    counts = table.group_by(column).aggregate(_rows=table.count())
    key = counts[column].desc() if descending else counts[column].asc()
    through = counts._rows.sum().over(ibis.cumulative_window(order_by=key))
    rank = through - counts._rows
    total = counts._rows.sum().as_scalar()
    return counts.select(column, **{score: ((rank * n_bins) // total + 1).cast("int64")})


def _fixed_score(table: ir.Table, column: str, edges: tuple[float, ...], *, descending: bool) -> ir.IntegerValue:
    above = sum((table[column] >= edge).cast("int64") for edge in edges)
    return (len(edges) + 1 - above) if descending else (above + 1)


def add_rfm_scores(table: ir.Table, spec: RFMSpec) -> ir.Table:
    """Add r_score, f_score, m_score (1..n_bins, higher is better) and rfm_score (their sum).

    Quantile scores are joined back on the stored column value (an equality on the very value
    that was grouped, not on a recomputed float); a null value gets a null score.
    """
    if spec.bins == "quantile":
        for score, column in RFM_INPUTS.items():
            scores = _quantile_scores(table, column, score, spec.n_bins, descending=score == "r_score")
            table = table.left_join(scores, column).drop(f"{column}_right")
    else:
        table = table.mutate(**{
            score: _fixed_score(table, column, spec.edges[column], descending=score == "r_score").cast("int64")
            for score, column in RFM_INPUTS.items()
        })
    return table.mutate(rfm_score=table.r_score + table.f_score + table.m_score)
