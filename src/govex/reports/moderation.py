"""Moderation operations: how fast and how well cases were handled in the report period, and
where appeals overturn decisions more than elsewhere (a vendor's policy area to review)."""
from __future__ import annotations

import pandas as pd

from govex.metrics import compute_metrics
from govex.reports.context import Built, ReportContext, count, period_figures
from govex.reports.formatting import format_number, readable
from govex.reports.model import Finding, Number, ReportTable, Section, Source

TITLE = "Moderation operations"
FIGURES = ("moderation_time_to_action_p50_h", "moderation_time_to_action_p90_h", "proactive_detection_share",
           "automated_decision_share", "moderation_appeal_rate", "moderation_overturn_rate", "violating_view_prevalence")
OVERTURN = "moderation_overturn_rate"
HEADLINE = (("moderation_time_to_action_p50_h", "median time from report to action {}"),
            (OVERTURN, "{} of appealed decisions overturned"))
TOP = 5


def _overturn_cells(ctx: ReportContext) -> tuple[pd.DataFrame, float]:
    """Overturn rate on appeal by vendor x policy in the period (cells with enough appeals), and overall."""
    kwargs = dict(metrics=[OVERTURN], period="all", start=ctx.period.start, end=ctx.period.end, catalogue=ctx.catalogue)
    overall = compute_metrics(ctx.warehouse, **kwargs)
    cells = compute_metrics(ctx.warehouse, by=["vendor_id", "policy"], **kwargs)
    cells = cells[(cells["vendor_id"] != "(none)") & (cells["denominator"] >= ctx.rules.min_sample)]
    rate = float(overall["value"].iloc[0]) if len(overall) else float("nan")
    return cells.sort_values(["ci_low", "vendor_id", "policy"], ascending=[False, True, True]), rate


def _headline(figures: Finding) -> str:
    """The two figures an executive asks first, speed and how often appeals overturn a decision."""
    n = figures.numbers
    text = "; ".join(words.format(n[m].text) for m, words in HEADLINE if m in n) or figures.text
    return text[0].upper() + text[1:]


def moderation_section(ctx: ReportContext) -> Built:
    """Period figures (time to action, proactive and automated shares, appeals, prevalence) and overturn hotspots."""
    names = [m for m in FIGURES if ctx.computable(m)]
    figures = period_figures(ctx, names) if names else None
    if figures is None:
        return Built(Section("moderation", TITLE, "Moderation figures are absent for the period.",
                             absent="No moderation case of the period carries the columns these figures need "
                                    "(reported_at, detection_source, appeal_filed, appeal_outcome, views)."))
    findings, tables, actions = [figures], [], []
    source = ctx.metric_source(OVERTURN)
    cells, overall = _overturn_cells(ctx) if ctx.computable(OVERTURN) else (pd.DataFrame(), float("nan"))
    if len(cells):
        tables.append(ReportTable(
            "Overturn rate on appeal by vendor and policy (cells with enough appeals, surest first)",
            ("vendor", "policy", "decided appeals", "overturned", "95% interval"),
            tuple((str(r.vendor_id), readable(r.policy), f"{int(r.denominator):,}",
                   format_number(r.value, "share of decided appeals"),
                   f"{format_number(r.ci_low, 'share of decided appeals')} - "
                   f"{format_number(r.ci_high, 'share of decided appeals')}") for r in cells.head(TOP).itertuples()),
            source.label()))
        top = cells.iloc[0]
        if top["ci_low"] > overall:
            words = {"vendor": str(top["vendor_id"]), "policy": readable(top["policy"])}
            numbers = {"rate": Number(float(top["value"]), "share of decided appeals", source),
                       "overall": Number(overall, "share of decided appeals", source),
                       "n": count(top["denominator"], source)}
            findings.append(Finding("Appeals overturned {rate} of {vendor}'s {policy} decisions ({n} decided appeals), "
                                    "against {overall} overall: even the interval's lower end is above it.",
                                    numbers, words))
            actions.append(Finding("Review {vendor}'s {policy} decisions with the vendor: recalibrate on the overturned "
                                   "cases and raise QA sampling until the overturn rate is back near {overall}.",
                                   {"overall": numbers["overall"]}, words))
    else:
        findings.append(Finding("No vendor and policy had enough decided appeals in the period (at least {n}) to "
                                "compare overturn rates.", {"n": count(ctx.rules.min_sample, Source(
                                    "rules", "materiality", "minimum sample"))}))
    return Built(Section("moderation", TITLE, _headline(figures), tuple(findings), (), tuple(tables)), tuple(actions))
