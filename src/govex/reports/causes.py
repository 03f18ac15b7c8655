"""The cause found for this period: a KPI's move from the previous period to the report period,
localised to the market, carrier, vendor, reason or channel that explains most of it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.analysis import explain_metric
from govex.errors import GovexError
from govex.reports.context import ReportContext
from govex.reports.formatting import format_percent

CAUSE_DIMENSIONS = ("market", "carrier", "category", "seller_tier", "vendor_id", "reason", "channel")
DIMENSION_WORDS = {"vendor_id": "vendor", "reason": "contact reason", "seller_tier": "seller tier"}
MIN_SHARE = 0.25  # a slice explaining less than a quarter of the move is not called its cause


@dataclass(frozen=True)
class Cause:
    label: str      # e.g. "carrier correios"
    share: float    # share of the period-on-period change it explains, in (0, 1]
    sentence: str


def cause_label(dims: dict) -> str:
    return " and ".join(f"{DIMENSION_WORDS.get(k, k.replace('_', ' '))} {str(v).replace('_', ' ')}" for k, v in dims.items())


def period_cause(ctx: ReportContext, metric: str, where: dict) -> Cause | None:
    """The top localised cause of `metric`'s change into the report period, or None when none stands out.

    Only the unsliced KPI is localised (a slice such as market=BR is already a cause's cell).
    """
    if where:
        return None
    previous = ctx.period.previous()
    try:
        change = explain_metric(ctx.warehouse, metric=metric, before=str(previous.start), after=str(ctx.period.start),
                                by=list(CAUSE_DIMENSIONS), period=ctx.period.grain, max_causes=1)
    except GovexError:
        return None
    causes = change.localization.root_causes
    if not causes or not (np.isfinite(causes[0].explained_share) and MIN_SHARE <= causes[0].explained_share <= 1):
        return None
    if any(str(v).startswith("(") for v in causes[0].dims.values()):  # "(none)": rows without the attribute
        return None
    top = causes[0]
    label = cause_label(top.dims)
    sentence = (f"{label} explains {format_percent(top.explained_share, digits=0)} of the move since "
                f"{previous.label}")
    return Cause(label, float(top.explained_share), sentence)
