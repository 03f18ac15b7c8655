"""Service recovery and customer education: what compensation and onboarding help achieve, adjusted
for who got them, and whom to compensate."""
from __future__ import annotations

import datetime as dt
import math

from govex.analysis.recovery import compensation_effect, onboarding_effect, recommendation
from govex.errors import GovexError
from govex.reports.context import Built, ReportContext, count
from govex.reports.model import Finding, ReportTable, Section, Source

TITLE = "Service recovery and education"


def _interval(e) -> str:
    return f"{e.estimate:+.3f} (90% interval {e.ci_low:+.3f} to {e.ci_high:+.3f})"


def _effect_finding(result, source: Source) -> Finding:
    e = result.effect
    return Finding(
        "{programme}: adjusted effect on {outcome} {effect}; the naive difference, {naive}, "
        + ("lies outside that interval" if not e.ci_low <= e.naive <= e.ci_high else "lies inside that interval")
        + " ({treated} of {units} units treated; {method}).",
        {"treated": count(e.treated, source), "units": count(e.units, source)},
        {"programme": result.programme.capitalize(), "outcome": result.outcome, "effect": _interval(e),
         "naive": f"{e.naive:+.3f}", "method": "doubly robust AIPW, covariates "
                                                + ("balanced" if e.balanced else "NOT balanced") + " after weighting"},
        (source,))


def _money(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.2f}"


def recovery_section(ctx: ReportContext) -> Built:
    """The compensation effect with its advice by segment, and the onboarding-help effect."""
    if not ctx.warehouse.has("compensations"):
        return Built(Section("recovery", TITLE, "No compensations table.",
                             absent="The warehouse has no compensations table; load it (see docs/service-recovery.md)."))
    end = ctx.period.end + dt.timedelta(days=1)
    try:
        comp = compensation_effect(ctx.warehouse, as_of=end)
    except GovexError as exc:
        return Built(Section("recovery", TITLE, "Not enough data.", absent=str(exc)))
    source = Source("analysis", "govex.analysis.recovery", f"first failures with a full window, data to {ctx.period.end}")
    findings = [_effect_finding(comp, source)]
    advice = recommendation(ctx.warehouse, comp, as_of=end)
    table = ReportTable(
        "Whom to compensate", ("segment", "candidates", "compensated", "effect [90%]", "cost each", "expected value",
                               "advice"),
        tuple((r.segment, f"{r.candidates:,}", f"{r.compensated:,}",
               "not enough data" if math.isnan(r.effect) else f"{r.effect:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}]",
               _money(r.cost_per_compensation), _money(r.expected_value), r.decision) for r in advice.itertuples()),
        source.label() + "; value = effect x mean CLV of a candidate who came back (reporting currency)")
    actions = tuple(
        Finding("Compensate {segment} customers after a failure: each compensation returns {value} of expected value "
                "for {cost} paid.", {}, {"segment": r.segment, "value": _money(r.expected_value),
                                          "cost": _money(r.cost_per_compensation)}, (source,))
        for r in advice.itertuples() if r.decision == "compensate" and r.compensated < r.candidates / 2)
    if ctx.warehouse.has("customer_education"):
        try:
            findings.append(_effect_finding(onboarding_effect(ctx.warehouse, as_of=end), source))
        except GovexError as exc:
            findings.append(Finding("Onboarding help: {why}", {}, {"why": str(exc)}))
    e = comp.effect
    message = f"compensation raises repurchase by {e.estimate:+.3f} ({e.ci_low:+.3f} to {e.ci_high:+.3f}), naive {e.naive:+.3f}"
    return Built(Section("recovery", TITLE, message, tuple(findings), (), (table,)), actions[:2])
