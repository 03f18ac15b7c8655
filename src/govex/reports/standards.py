"""Service standards: the tiers and journeys whose promise was not kept in the period, and what it cost.

Promised vs delivered comes from `govex.policy.standards` (the metric layer over
`service_promises`); this section only names the misses, largest first, with the CSAT gap of
missed vs met contacts where there are enough surveys to read one.
"""
from __future__ import annotations

import math

from govex.policy.promises import PROMISES_TABLE
from govex.policy.standards import MIN_SURVEYS, service_standards
from govex.reports.actions import review_date
from govex.reports.context import Built, ReportContext, count
from govex.reports.model import Action, Finding, Number, ReportIssue, ReportTable, Section, Source

TITLE = "Service standards"
TOP = 8


def _share(value: float) -> str:
    return "-" if value != value else f"{value:.0%}"  # NaN-safe


def standards_section(ctx: ReportContext) -> Built:
    """Promised vs delivered per tier and journey over the report period."""
    if not ctx.warehouse.has(PROMISES_TABLE):
        return Built(Section("standards", TITLE, "Service standards need the promises in force",
                             absent="Skipped: no service_promises table; run `govex policy promises` first."))
    result = service_standards(ctx.warehouse, quarter=(ctx.period.start, ctx.period.end))
    source = Source("policy", "service_standards", f"service_promises, {result.start}..{result.end}, "
                                                   f"target {result.target:.0%} within the promise")
    misses = result.misses()
    if misses.empty:
        return Built(Section("standards", TITLE, "Every tier kept its promises in every journey",
                             (Finding("Every tier answered and resolved at least {target} of its contacts within its "
                                      "promise in every journey.",
                                      {"target": Number(result.target, "share of contacts", source)}),)))
    missed = misses.missed_first_response + misses.missed_resolution
    top = misses.iloc[0]
    findings = [Finding("{n} tier x journey cell(s) missed a promise; the largest is {tier} in {journey}: {met} of "
                        "answered contacts within its {promise}-second first response, {resolved} resolved within "
                        "{hours} hours.",
                        {"n": count(len(misses), source), "met": Number(float(top.first_response_met), "share of contacts", source),
                         "resolved": Number(float(top.resolution_met), "share of contacts", source)},
                        {"tier": str(top.tier), "journey": str(top.journey).replace("_", " "),
                         "promise": f"{top.first_response_s:g}", "hours": f"{top.resolution_h:g}"})]
    gaps = misses.dropna(subset=["csat_gap"])
    pooled = result.csat_by_tier.dropna(subset=["csat_gap"])
    pooled = pooled[pooled.tier.isin(misses.tier)]
    if len(gaps) or len(pooled):
        g = gaps.iloc[0] if len(gaps) else pooled.iloc[0]
        where = f"{g.tier} x {str(g.journey).replace('_', ' ')}" if len(gaps) else f"{g.tier} (all journeys)"
        findings.append(Finding("What a miss costs: in {where}, CSAT after a missed promise minus CSAT after both were "
                                "met is {gap} ({n_missed} and {n_met} surveys).",
                                {"gap": Number(float(g.csat_gap), "points", source, signed=True),
                                 "n_missed": count(g.surveys_missed, source), "n_met": count(g.surveys_met, source)},
                                {"where": where}))
    else:
        findings.append(Finding("Too few contact surveys per tier and journey (under {n} on a side) to price a miss "
                                "in CSAT.", {"n": count(MIN_SURVEYS, source)}))
    rows = tuple((str(r.tier), str(r.journey).replace("_", " "), f"{r.first_response_s:g} s", _share(r.first_response_met),
                  f"{r.resolution_h:g} h", _share(r.resolution_met), f"{n:,}",
                  "-" if math.isnan(r.csat_gap) else f"{r.csat_gap:+.2f}")
                 for r, n in zip(misses.head(TOP).itertuples(), missed.head(TOP)))
    table = ReportTable("Promises missed (largest first)", ("tier", "journey", "first response promise", "met",
                                                      "resolution promise", "met", "missed contacts", "CSAT gap"),
                  rows, source.label())
    journey = str(top.journey).replace("_", " ")
    card = Action(what=f"Restore the {top.tier} promise in the {journey} journey (or change what the tier promises)",
                  owner="Customer service operations", cost=None, expected=None, interval=None, confidence="high",
                  due=review_date(ctx.period))
    kpi, value = (("Resolution promise met", top.resolution_met) if top.misses == "resolution"
                  else ("First-response promise met", top.first_response_met))
    issue = ReportIssue(title=f"{top.tier} misses its promise in the {journey} journey",
                  kpi=kpi, value=Number(float(value), "share of contacts", source),
                  target=Number(result.target, "share of contacts", source), previous=None, last_year=None,
                  cause=f"{int(missed.iloc[0]):,} contacts missed a promise in {result.start}..{result.end}", action=card,
                  affected=Number(float(missed.iloc[0]), "contacts", source), section="standards")
    return Built(Section("standards", TITLE, findings[0].text, tuple(findings), (), (table,)), issues=(issue,))
