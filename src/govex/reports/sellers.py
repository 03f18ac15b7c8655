"""Sellers and merchants: who is high risk and why, the standing by seller type, and the
enforcement and appeal figures of the report period."""
from __future__ import annotations

import pandas as pd

from govex.analysis.materiality import judge
from govex.metrics import compute_metrics
from govex.reports.context import Built, ReportContext, count
from govex.reports.formatting import format_number, format_plain
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


def _period_findings(ctx: ReportContext) -> list[Finding]:
    names = [m for m in PERIOD_METRICS if ctx.computable(m)]
    if not names:
        return []
    cube = compute_metrics(ctx.warehouse, metrics=names, period="quarter", start=ctx.period.start, end=ctx.period.end,
                           catalogue=ctx.catalogue)
    last = cube.groupby("metric")[["value", "n"]].last()
    values = last["value"]
    # a figure needs a minimum sample (materiality rules), else it is left out
    shown = [m for m in names if m in values and pd.notna(values[m])
             and judge(sample=float(last.loc[m, "n"]), rules=ctx.rules).stated]
    if not shown:
        return []
    numbers = {m: ctx.metric_number(m, values[m]) for m in shown}
    text = "In {period}: " + "; ".join(f"{ctx.label(m).lower()} {{{m}}}" for m in shown) + "."
    return [Finding(text, numbers, {"period": ctx.period.label})]


def seller_section(ctx: ReportContext) -> Built:
    """Seller risk tiers (from the latest seller assignments), the scorecard by type, period metrics."""
    rows = _assignments(ctx)
    if rows.empty:
        return Built(Section("sellers", TITLE, "Seller segments are absent.",
                             absent="No seller has a seller_risk segment; run `govex segments assign --entity seller` "
                                    "(govex.segments.seller.run_seller_segmentation) first."))
    as_of = pd.Timestamp(rows["as_of"].iloc[0]).date()
    source = Source("segments", ASSIGNMENTS_TABLE, f"entity seller, framework {RISK}, as of {as_of}")
    high = rows[rows["segment"] == "high"]
    reasons = high["reasons"].dropna().str.split(";").explode().value_counts().head(SHOWN_REASONS)
    findings = [Finding("{high} of {total} sellers are in the high seller-risk tier ({share}); their leading signals: "
                        "{reasons}.",
                        {"high": count(len(high), source), "total": count(len(rows), source),
                         "share": Number(len(high) / len(rows), "share of sellers", source)},
                        {"reasons": ", ".join(str(r).replace("_", " ") for r in reasons.index) or "none recorded"})]
    findings += _period_findings(ctx)
    card = seller_scorecard(ctx.warehouse, as_of=as_of, by="seller_type")
    card_source = Source("analysis", "seller_scorecard", f"sellers as of {as_of}, by seller type")
    table = ReportTable(
        "Sellers by type", ("seller type", "sellers", "order defects", "refused redemptions", "cancellations",
                            "rating (1-5)", "violations per seller"),
        tuple((str(r.seller_type).replace("_", " "), f"{int(r.sellers):,}",
               format_number(r.order_defect_rate, "share of orders"),
               format_number(r.redemption_refusal_rate, "share of redemptions"),
               format_number(r.seller_cancellation_rate, "share of orders"), format_plain(r.rating),
               format_plain(r.violations_per_seller)) for r in card.itertuples()),
        card_source.label())
    actions = ()
    if len(high):
        actions = (Finding("Review the {high} high-risk sellers before their next payout; the reasons column of "
                           "segment_assignments says which signals put each one there.",
                           {"high": count(len(high), source)}),)
    message = f"{len(high):,} of {len(rows):,} sellers in the high seller-risk tier"
    return Built(Section("sellers", TITLE, message, tuple(findings), (), (table,)), actions)
