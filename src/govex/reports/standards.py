"""Service standards: the tiers and journeys whose promise was not kept in the period, and what it cost.

Promised vs delivered comes from `govex.policy.standards` (the metric layer over
`service_promises`); this section only names the misses, largest first, each with the market that
holds most of its missed promises (a tier x journey cell pools every market), and the CSAT gap of
missed vs met contacts where there are enough surveys to read one.
"""
from __future__ import annotations

import math

import pandas as pd

from govex.metrics import compute_metrics
from govex.policy.promises import PROMISES_TABLE
from govex.policy.standards import MIN_SURVEYS, service_standards
from govex.reports.actions import review_date
from govex.reports.context import Built, ReportContext, count
from govex.reports.formatting import counted, readable
from govex.reports.model import Action, Finding, Number, ReportIssue, ReportTable, Section, Source

TITLE = "Service standards"
TOP = 8
PROMISE_METRICS = ("sla_attainment_first_response", "sla_attainment_resolution")
CELL = ["tier", "journey"]


def _share(value: float) -> str:
    return "-" if value != value else f"{value:.0%}"  # NaN-safe


def _worst_markets(ctx: ReportContext) -> pd.DataFrame:
    """Per tier and journey: the market with the most missed promises and how many it holds (a cell pools
    every market, so an executive needs to know where to act). Empty when the catalogue cannot cut by market."""
    if not all(ctx.computable(m) for m in PROMISE_METRICS):
        return pd.DataFrame(columns=[*CELL, "market", "missed_in_market"])
    p = ctx.period
    cube = compute_metrics(ctx.warehouse, metrics=list(PROMISE_METRICS), by=[*CELL, "market"], period=p.grain,
                           start=p.start, end=p.end, catalogue=ctx.catalogue)
    cube = cube.assign(missed_in_market=cube.denominator - cube.numerator)
    missed = cube.groupby([*CELL, "market"], as_index=False)["missed_in_market"].sum()
    missed = missed[missed.missed_in_market > 0].sort_values([*CELL, "missed_in_market", "market"],
                                                             ascending=[True, True, False, True])
    return missed.drop_duplicates(CELL)


def _market_cell(r) -> str:
    """'US (42%)': the market holding most of a cell's missed promises, and its share of them."""
    return "-" if pd.isna(r.market) else f"{r.market} ({r.missed_in_market / r.missed:.0%})"


def _market_sentence(r) -> str:
    """Where a cell's missed promises were, as a sentence ('' when the markets are unknown)."""
    if pd.isna(r.market):
        return ""
    if r.missed_in_market < r.missed:
        return f" {r.market} holds {r.missed_in_market:,.0f} of the {counted(r.missed, 'missed promises')}."
    return (" The one missed promise was" if r.missed == 1 else f" All {counted(r.missed, 'missed promises')} were") + \
        f" in {r.market}."


def standards_section(ctx: ReportContext) -> Built:
    """Promised vs delivered per tier and journey over the report period."""
    if not ctx.warehouse.has(PROMISES_TABLE):
        return Built(Section("standards", TITLE, "Service standards need the promises in force",
                             absent="Skipped: the promise each contact was owed is not recorded yet; run `govex policy promises` first."))
    result = service_standards(ctx.warehouse, quarter=(ctx.period.start, ctx.period.end))
    source = Source("policy", "service_standards", f"service_promises, {result.start}..{result.end}, "
                                                   f"target {result.target:.0%} within the promise")
    misses = result.misses()
    if misses.empty:
        return Built(Section("standards", TITLE, "Every tier kept its promises in every journey",
                             (Finding("Every tier answered and resolved at least {target} of its contacts within its "
                                      "promise in every journey.",
                                      {"target": Number(result.target, "share of contacts", source)}),)))
    # a contact that missed both promises counts twice: these are missed promises, not contacts
    misses = misses.assign(missed=misses.missed_first_response + misses.missed_resolution)
    misses = misses.merge(_worst_markets(ctx), on=CELL, how="left")
    top = misses.iloc[0]
    tier, journey = readable(top.tier), readable(top.journey)
    findings = [Finding("{n} missed a promise in {period}; the largest is the {tier} tier in the {journey} journey: "
                        "{met} of answered contacts got a first response within {promise} seconds and {resolved} were "
                        "resolved within {hours} hours, against a target of {target}.{markets}",
                        {"n": count(len(misses), source, "tier and journey combinations"),
                         "met": Number(float(top.first_response_met), "share of contacts", source),
                         "resolved": Number(float(top.resolution_met), "share of contacts", source),
                         "target": Number(result.target, "share of contacts", source)},
                        {"tier": tier, "journey": journey, "period": ctx.period.label, "markets": _market_sentence(top),
                         "promise": f"{top.first_response_s:g}", "hours": f"{top.resolution_h:g}"})]
    gaps = misses.dropna(subset=["csat_gap"])
    pooled = result.csat_by_tier.dropna(subset=["csat_gap"])
    pooled = pooled[pooled.tier.isin(misses.tier)]
    if len(gaps) or len(pooled):
        g = gaps.iloc[0] if len(gaps) else pooled.iloc[0]
        where = (f"the {readable(g.tier)} tier in the {readable(g.journey)} journey" if len(gaps)
                 else f"the {readable(g.tier)} tier (all journeys)")
        findings.append(Finding("What a miss costs: in {where}, CSAT after a missed promise is {gap} against CSAT after "
                                "both promises were met ({n_missed} and {n_met} surveys).",
                                {"gap": Number(float(g.csat_gap), "points (1-5)", source, signed=True),
                                 "n_missed": count(g.surveys_missed, source), "n_met": count(g.surveys_met, source)},
                                {"where": where}))
    else:
        findings.append(Finding("Too few contact surveys per tier and journey (under {n} on a side) to price a miss "
                                "in CSAT.", {"n": count(MIN_SURVEYS, source)}))
    shown = misses.head(TOP)
    gap_column = shown.csat_gap.notna().any()  # per cell; when no cell has the surveys the pooled gap above stands
    rows = tuple((readable(r.tier), readable(r.journey), f"{r.first_response_s:g} s", _share(r.first_response_met),
                  f"{r.resolution_h:g} h", _share(r.resolution_met), f"{r.missed:,}", _market_cell(r),
                  *(("-" if math.isnan(r.csat_gap) else f"{r.csat_gap:+.2f}",) if gap_column else ()))
                 for r in shown.itertuples())
    columns = ("tier", "journey", "first response promise", "answered in time", "resolution promise",
               "resolved in time", "missed promises", "most missed in (share)", *(("CSAT gap (1-5)",) if gap_column else ()))
    table = ReportTable(f"Promises missed, largest first (target: {_share(result.target)} in time)", columns, rows,
                        source.label())
    in_market = "" if pd.isna(top.market) else f", first in {top.market}"
    card = Action(what=f"Restore the {tier} tier's promise in the {journey} journey{in_market} (or change what the tier "
                       "promises)",
                  owner="Customer service operations", cost=None, expected=None, interval=None, confidence="high",
                  due=review_date(ctx.period))
    missed_kpis = {"first response": [("First-response promise met", top.first_response_met)],
                   "resolution": [("Resolution promise met", top.resolution_met)]}
    missed_kpis["both"] = missed_kpis["first response"] + missed_kpis["resolution"]
    kpi, value = min(missed_kpis[top.misses], key=lambda pair: pair[1])  # of two missed promises, the further off
    issue = ReportIssue(title=f"The {tier} tier misses its promise in the {journey} journey"
                              + ("" if pd.isna(top.market) else f", worst in {top.market}"),
                  kpi=kpi, value=Number(float(value), "share of contacts", source),
                  target=Number(result.target, "share of contacts", source), previous=None, last_year=None,
                  cause=f"{counted(top.missed, 'promises')} missed in {ctx.period.label} (first responses and resolutions)",
                  action=card, affected=Number(float(top.missed), "missed promises", source), section="standards")
    # a slide title (15 words at most): the largest miss and where; how many cells missed is the first bullet
    message = (f"Largest promise miss: the {tier} tier in the {journey} journey"
               + ("" if pd.isna(top.market) else f", worst in {top.market}"))
    return Built(Section("standards", TITLE, message, tuple(findings), (), (table,)), issues=(issue,))
