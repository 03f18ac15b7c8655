"""Moderation operations: how fast and how well cases were handled in the report period, and
where appeals overturn decisions more than elsewhere (a vendor's policy area to review)."""
from __future__ import annotations

import pandas as pd

from govex.analysis.materiality import judge
from govex.metrics import compute_metrics
from govex.reports.context import Built, ReportContext, count
from govex.reports.formatting import format_number
from govex.reports.model import Finding, Number, ReportTable, Section, Source

TITLE = "Moderation operations"
FIGURES = ("moderation_time_to_action_p50_h", "moderation_time_to_action_p90_h", "proactive_detection_share",
           "automated_decision_share", "moderation_appeal_rate", "moderation_overturn_rate", "violating_view_prevalence")
OVERTURN = "moderation_overturn_rate"
TOP = 5


def _figures(ctx: ReportContext, names: list[str]) -> Finding | None:
    cube = compute_metrics(ctx.warehouse, metrics=names, period="all", start=ctx.period.start, end=ctx.period.end,
                           catalogue=ctx.catalogue).set_index("metric")
    # a figure needs a minimum sample (materiality rules), else it is left out
    shown = [m for m in names if m in cube.index and pd.notna(cube.loc[m, "value"])
             and judge(sample=float(cube.loc[m, "n"]), rules=ctx.rules).stated]
    if not shown:
        return None
    text = "In {period}: " + "; ".join(f"{ctx.label(m).lower()} {{{m}}}" for m in shown) + "."
    return Finding(text, {m: ctx.metric_number(m, cube.loc[m, "value"]) for m in shown}, {"period": ctx.period.label})


def _overturn_cells(ctx: ReportContext) -> tuple[pd.DataFrame, float]:
    """Overturn rate on appeal by vendor x policy in the period (cells with enough appeals), and overall."""
    kwargs = dict(metrics=[OVERTURN], period="all", start=ctx.period.start, end=ctx.period.end, catalogue=ctx.catalogue)
    overall = compute_metrics(ctx.warehouse, **kwargs)
    cells = compute_metrics(ctx.warehouse, by=["vendor_id", "policy"], **kwargs)
    cells = cells[(cells["vendor_id"] != "(none)") & (cells["denominator"] >= ctx.rules.min_sample)]
    rate = float(overall["value"].iloc[0]) if len(overall) else float("nan")
    return cells.sort_values(["ci_low", "vendor_id", "policy"], ascending=[False, True, True]), rate


def moderation_section(ctx: ReportContext) -> Built:
    """Period figures (time to action, proactive and automated shares, appeals, prevalence) and overturn hotspots."""
    names = [m for m in FIGURES if ctx.computable(m)]
    figures = _figures(ctx, names) if names else None
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
            tuple((str(r.vendor_id), str(r.policy).replace("_", " "), f"{int(r.denominator):,}",
                   format_number(r.value, "share of decided appeals"),
                   f"{format_number(r.ci_low, 'share of decided appeals')} - "
                   f"{format_number(r.ci_high, 'share of decided appeals')}") for r in cells.head(TOP).itertuples()),
            source.label()))
        top = cells.iloc[0]
        if top["ci_low"] > overall:
            words = {"vendor": str(top["vendor_id"]), "policy": str(top["policy"]).replace("_", " ")}
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
    return Built(Section("moderation", TITLE, findings[0].text, tuple(findings), (), tuple(tables)), tuple(actions))
