"""Action cards: who owns a KPI, when to review it, and how sure the expected change is.

Owners are roles, not names: the team that moves the KPI day to day. The expected change of an
action is the KPI move it would bring (a cause restored to its earlier level, or a gap closed),
with a 95% interval from the metric layer's confidence intervals; confidence says whether that
interval excludes no change and how much data is behind it. A card is costed from the playbook
when a play acts on the same KPI, segment and journey and has a cost (`cost_from_playbook`).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

from govex.analysis.materiality import EvidenceRules
from govex.reports.model import Action, Number, ReportIssue, Source
from govex.reports.period import ReportPeriod, period_containing

OWNERS = {
    "contact_rate": "Customer service operations lead",
    "first_contact_resolution": "Customer service operations lead",
    "repeat_contact_rate": "Customer service operations lead",
    "aht_s": "Customer service operations lead",
    "automation_rate": "Customer service operations lead",
    "csat": "CX strategy lead",
    "nps": "CX strategy lead",
    "late_delivery_rate": "Fulfilment and logistics lead",
    "cancellation_rate": "Fulfilment and logistics lead",
    "dispute_rate": "Trust & safety lead",
    "chargeback_rate": "Trust & safety lead",
    "fraud_loss_rate": "Trust & safety lead",
    "return_abuse_rate": "Trust & safety lead",
    "moderation_accuracy": "Moderation operations lead",
    "policy_violation_rate": "Moderation operations lead",
}
CATEGORY_OWNERS = {"efficiency": "Planning & finance lead", "growth": "Growth lead", "trust": "Trust & safety lead",
                   "experience": "CX strategy lead"}


def owner_of(metric: str, category: str) -> str:
    return OWNERS.get(metric) or CATEGORY_OWNERS.get(category, "Strategy & planning lead")


def review_date(period: ReportPeriod) -> dt.date:
    """Actions are reviewed at the end of the period after the report's."""
    return period_containing(period.end + dt.timedelta(days=1), grain=period.grain).end


def confidence(low: float, high: float, sample: float, rules: EvidenceRules) -> str:
    """'high' when the interval excludes no change and the sample is ten times the minimum, 'medium'
    when it excludes no change, 'low' otherwise."""
    if not (math.isfinite(low) and math.isfinite(high)) or low <= 0 <= high:
        return "low"
    return "high" if sample >= 10 * rules.min_sample else "medium"


def action(what: str, *, metric: str, category: str, expected: Number | None, half_width: float,
           sample: float, period: ReportPeriod, rules: EvidenceRules, cost: Number | None = None,
           segment: str = "all", journey: str = "") -> Action:
    """An action card whose expected KPI change carries a symmetric 95% interval of `half_width`."""
    interval = None
    level = "low"
    if expected is not None and math.isfinite(half_width):
        lo, hi = expected.value - half_width, expected.value + half_width
        interval = (Number(lo, expected.unit, expected.source, expected.currency, signed=True),
                    Number(hi, expected.unit, expected.source, expected.currency, signed=True))
        level = confidence(lo, hi, sample, rules)
    return Action(what=what, owner=owner_of(metric, category), cost=cost, expected=expected, interval=interval,
                  confidence=level, due=review_date(period), metric=metric, segment=segment, journey=journey)


def cost_from_playbook(issue: ReportIssue, plays, playbook: str, currency: str) -> ReportIssue:
    """The issue with its card costed by the first play on the same KPI, segment and journey that has a cost."""
    card = issue.action
    play = next((p for p in plays if p.cost > 0 and (p.kpi, p.segment, p.journey) == (card.metric, card.segment,
                                                                                         card.journey)), None)
    if card.cost is not None or play is None:
        return issue
    cost = Number(play.cost, "money", Source("playbook", playbook, f"line {play.line}"), currency=currency)
    costing = f"{playbook} line {play.line}" + (f": {play.costing}" if play.costing else "")
    return replace(issue, action=replace(card, cost=cost, costing=costing))
