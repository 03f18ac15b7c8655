"""Sellers and merchants: who is high risk and why, the standing by seller type, and the
enforcement and appeal figures of the report period."""
from __future__ import annotations

import pandas as pd

from govex.reports.context import Built, ReportContext, count, period_figures
from govex.reports.formatting import format_number, format_plain, readable
from govex.reports.model import Finding, Number, ReportTable, Section, Source
from govex.segments import ASSIGNMENTS_TABLE
from govex.segments.seller_scorecard import seller_scorecard
from govex.segments.store import read_assignments

TITLE = "Sellers and merchants"
RISK = "seller_risk"
PERIOD_METRICS = ("redemption_refusal_rate", "violation_rate", "time_to_action_p50_h", "appeal_rate", "overturn_rate")
SHOWN_REASONS = 3


def _assignments(ctx: ReportContext) -> pd.DataFrame:
    if not ctx.warehouse.has(ASSIGNMENTS_TABLE):
        return pd.DataFrame()
    return read_assignments(ctx.warehouse, framework=RISK, entity="seller").execute()


def seller_section(ctx: ReportContext) -> Built:
    """Seller risk tiers (from the latest seller assignments), the scorecard by type, period metrics."""
    rows = _assignments(ctx)
    if rows.empty:
        return Built(Section("sellers", TITLE, "Seller segments are absent.",
                             absent="No seller has a seller-risk segment yet; run `govex segments assign --entity seller` "
                                    "first."))
    as_of = pd.Timestamp(rows["as_of"].iloc[0]).date()
    source = Source("segments", ASSIGNMENTS_TABLE, f"entity seller, framework {RISK}, as of {as_of}")
    high = rows[rows["segment"] == "high"]
    reasons = high["reasons"].dropna().str.split(";").explode().value_counts().head(SHOWN_REASONS)
    findings = [Finding("The high seller-risk tier holds {high} of {total} ({share}); their leading signals: "
                        "{reasons}.",
                        {"high": count(len(high), source), "total": count(len(rows), source, "sellers"),
                         "share": Number(len(high) / len(rows), "share of sellers", source)},
                        {"reasons": ", ".join(readable(r) for r in reasons.index) or "none recorded"})]
    names = [m for m in PERIOD_METRICS if ctx.computable(m)]
    figures = period_figures(ctx, names) if names else None
    findings += [figures] if figures is not None else []
    card = seller_scorecard(ctx.warehouse, as_of=as_of, by="seller_type")
    card_source = Source("analysis", "seller_scorecard", f"sellers as of {as_of}, by seller type")
    table = ReportTable(
        f"Sellers by type, their record up to {as_of}", ("seller type", "sellers", "order defects",
                                                          "refused redemptions", "cancellations", "rating (1-5)",
                                                          "violations per seller"),
        tuple((readable(r.seller_type), f"{int(r.sellers):,}",
               format_number(r.order_defect_rate, "share of orders"),
               "no redemptions" if pd.isna(r.redemption_refusal_rate)
               else format_number(r.redemption_refusal_rate, "share of redemptions"),
               format_number(r.seller_cancellation_rate, "share of orders"), format_plain(r.rating),
               format_plain(r.violations_per_seller)) for r in card.itertuples()),
        card_source.label())
    actions = ()
    if len(high):
        actions = (Finding("Review the high-risk sellers ({high}) before their next payout; each seller's risk "
                           "assignment lists the signals that put it there.",
                           {"high": count(len(high), source, "sellers")}),)
    message = f"{len(high):,} of {len(rows):,} sellers in the high seller-risk tier"
    return Built(Section("sellers", TITLE, message, tuple(findings), (), (table,)), actions)
