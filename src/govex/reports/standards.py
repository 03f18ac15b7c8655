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
from govex.reports.formatting import readable
from govex.reports.model import Action, Finding, Number, ReportIssue, ReportTable, Section, Source

TITLE = "Service standards"
TOP = 8


def _share(value: float) -> str:
    return "-" if value != value else f"{value:.0%}"  # NaN-safe


def _plural(n: int) -> str:
    return "combination" if n == 1 else "combinations"


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
    missed = misses.missed_first_response + misses.missed_resolution
    top = misses.iloc[0]
    tier, journey = readable(top.tier), readable(top.journey)
    findings = [Finding("{n} tier and journey {combinations} missed a promise in {period}; the largest is the {tier} tier in "
                        "the {journey} journey: {met} of answered contacts got a first response within {promise} "
                        "seconds and {resolved} were resolved within {hours} hours, against a target of {target}.",
                        {"n": count(len(misses), source), "met": Number(float(top.first_response_met), "share of contacts", source),
                         "resolved": Number(float(top.resolution_met), "share of contacts", source),
                         "target": Number(result.target, "share of contacts", source)},
                        {"tier": tier, "journey": journey, "period": ctx.period.label, "combinations": _plural(len(misses)),
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
                  f"{r.resolution_h:g} h", _share(r.resolution_met), f"{n:,}",
                  *(("-" if math.isnan(r.csat_gap) else f"{r.csat_gap:+.2f}",) if gap_column else ()))
                 for r, n in zip(shown.itertuples(), missed.head(TOP)))
    columns = ("tier", "journey", "first response promise", "answered in time", "resolution promise",
               "resolved in time", "missed promises", *(("CSAT gap (1-5)",) if gap_column else ()))
    table = ReportTable(f"Promises missed, largest first (target: {_share(result.target)} in time)", columns, rows,
                        source.label())
    card = Action(what=f"Restore the {tier} tier's promise in the {journey} journey (or change what the tier promises)",
                  owner="Customer service operations", cost=None, expected=None, interval=None, confidence="high",
                  due=review_date(ctx.period))
    missed_kpis = {"first response": [("First-response promise met", top.first_response_met)],
                   "resolution": [("Resolution promise met", top.resolution_met)]}
    missed_kpis["both"] = missed_kpis["first response"] + missed_kpis["resolution"]
    kpi, value = min(missed_kpis[top.misses], key=lambda pair: pair[1])  # of two missed promises, the further off
    issue = ReportIssue(title=f"The {tier} tier misses its promise in the {journey} journey",
                  kpi=kpi, value=Number(float(value), "share of contacts", source),
                  target=Number(result.target, "share of contacts", source), previous=None, last_year=None,
                  cause=f"{int(missed.iloc[0]):,} promises missed in {ctx.period.label} (first responses and resolutions)",
                  action=card, affected=Number(float(missed.iloc[0]), "missed promises", source), section="standards")
    message = f"{len(misses)} tier and journey {_plural(len(misses))} missed a promise; the largest miss is the {tier} tier in the {journey} journey"
    return Built(Section("standards", TITLE, message, tuple(findings), (), (table,)), issues=(issue,))
