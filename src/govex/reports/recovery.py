"""Service recovery and education: what compensation (on repurchase and on the next survey's CSAT),
onboarding help and the seller academy achieve, adjusted for who got them, and whom to compensate."""
from __future__ import annotations

import datetime as dt
import math

from govex.analysis.materiality import NOT_ENOUGH_DATA
from govex.analysis.recovery import compensation_effect, csat_effect, onboarding_effect, recommendation
from govex.analysis.seller_education import seller_education_effect
from govex.errors import GovexError
from govex.reports.context import Built, ReportContext, count
from govex.reports.formatting import bare_number, format_number, format_plain, interval_after
from govex.reports.model import Finding, Number, ReportTable, Section, Source

TITLE = "Service recovery and education"
REPURCHASE = "share of customers"  # the compensation outcome: came back to buy (0/1), its effect in points
CSAT_POINTS = "points (1-5)"  # compensation's second outcome: the CSAT of the customer's next survey
CONTACTS = "contacts per order"  # the onboarding outcome
VIOLATIONS = "violations per seller-year"  # the seller academy's outcome


def bare(value: float, unit: str) -> str:
    """A signed effect without its unit, for a table cell or a card whose header or label names the unit."""
    return bare_number(value, unit, signed=True)


def unit_after(unit: str) -> str:
    """The unit as it reads after an effect: 'pp', 'contacts per 1,000 orders', 'points (1-5)'."""
    return format_number(1.0, unit, signed=True).partition(" ")[2]


def effect_cell(estimate: float, low: float, high: float, unit: str) -> str:
    """'+6.5 [+0.3 to +12.7]': an effect and its interval in a cell, the unit in the column header."""
    if math.isnan(estimate):
        return NOT_ENOUGH_DATA
    return f"{bare(estimate, unit)} [{bare(low, unit)} to {bare(high, unit)}]"


def _interval(e, unit: str) -> str:
    """'90% interval +6.4 to +14.8 pp'; after an effect that names a longer unit, its ends bare:
    '+0.144 points (1-5) (90% interval +0.006 to +0.283)'."""
    return f"90% interval {interval_after(e.ci_low, e.ci_high, unit, signed=True)}"


def _effect_finding(result, unit: str, who: str, source: Source) -> Finding:
    e = result.effect
    inside = e.ci_low <= e.naive <= e.ci_high
    return Finding(
        "{programme}: effect on {outcome} {effect} ({interval}), adjusted for who received it; a plain comparison "
        "of those who did and did not gives {naive}, " + ("inside" if inside else "outside") + " that interval "
        "({treated} of {units} {who}; groups " + ("balanced" if e.balanced else "NOT balanced") + " after weighting).",
        {"effect": Number(e.estimate, unit, source, signed=True), "naive": Number(e.naive, unit, source, signed=True),
         "treated": count(e.treated, source), "units": count(e.units, source)},
        {"programme": result.programme.capitalize(), "outcome": result.outcome, "interval": _interval(e, unit),
         "who": who})


def recovery_section(ctx: ReportContext) -> Built:
    """The compensation effect with its advice by segment, the onboarding-help and seller-education effects."""
    if not ctx.warehouse.has("compensations"):
        return Built(Section("recovery", TITLE, "No compensations table.",
                             absent="The warehouse has no compensations table; load it (see docs/service-recovery.md)."))
    end = ctx.period.end + dt.timedelta(days=1)
    try:
        comp = compensation_effect(ctx.warehouse, as_of=end)
    except GovexError as exc:
        return Built(Section("recovery", TITLE, "Not enough data.", absent=str(exc)))
    source = Source("analysis", "govex.analysis.recovery", f"first failures with a full window, data to {ctx.period.end}, "
                                                          "doubly robust (AIPW) estimate")
    findings = [_effect_finding(comp, REPURCHASE, "customers with a failure compensated", source)]
    if ctx.warehouse.has("surveys"):
        try:
            findings.append(_effect_finding(csat_effect(comp.units), CSAT_POINTS,
                                            "surveyed customers with a failure compensated", source))
        except GovexError as exc:
            findings.append(Finding("CSAT after recovery: {why}", {}, {"why": str(exc)}))
    advice = recommendation(ctx.warehouse, comp, as_of=end)

    def money(value: float) -> Number:
        return Number(value, "money", source, currency=ctx.currency)

    table = ReportTable(
        f"Whom to compensate (money in {ctx.currency})",
        ("segment", "candidates", "compensated", f"effect on repurchase, {unit_after(REPURCHASE)} [90%]", "cost each",
         "expected value", "advice"),
        tuple((r.segment, f"{r.candidates:,}", f"{r.compensated:,}", effect_cell(r.effect, r.ci_low, r.ci_high, REPURCHASE),
               format_plain(r.cost_per_compensation), format_plain(r.expected_value), r.decision)
              for r in advice.itertuples()),
        source.label() + "; value = effect x mean CLV of a candidate who came back (reporting currency)")
    actions = tuple(
        Finding("Compensate {segment} customers after a failure: each compensation returns {value} of expected value "
                "for {cost} paid.", {"value": money(r.expected_value), "cost": money(r.cost_per_compensation)},
                {"segment": r.segment})
        for r in advice.itertuples() if r.decision == "compensate" and r.compensated < r.candidates / 2)
    if ctx.warehouse.has("customer_education"):
        try:
            findings.append(_effect_finding(onboarding_effect(ctx.warehouse, as_of=end), CONTACTS,
                                            "new customers helped", source))
        except GovexError as exc:
            findings.append(Finding("Onboarding help: {why}", {}, {"why": str(exc)}))
    if ctx.warehouse.has("education"):
        academy = Source("analysis", "govex.analysis.seller_education",
                         f"sellers enrolling in the window against the rest, data to {ctx.period.end}, AIPW estimate")
        try:
            findings.append(_effect_finding(seller_education_effect(ctx.warehouse, as_of=end), VIOLATIONS,
                                            "sellers enrolled", academy))
        except GovexError as exc:
            findings.append(Finding("Seller education: {why}", {}, {"why": str(exc)}))
    e = comp.effect
    message = (f"Compensation after a failure changes repurchase by {format_number(e.estimate, REPURCHASE, signed=True)} "
               f"({_interval(e, REPURCHASE)}); a plain comparison says {format_number(e.naive, REPURCHASE, signed=True)}")
    return Built(Section("recovery", TITLE, message, tuple(findings), (), (table,)), actions[:2])
