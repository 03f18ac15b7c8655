"""Policy gaps among the current customers, as data: who only a catch-all (or the fallback) serves.

A gap is a segment combination that current customers have and that no specific rule covers in a
journey: only a catch-all rule (a rule with no `when`) matches, or no rule at all, in which case
the decision falls back to `unknown_customer_tier`. Both keep the job and the service running;
this table says which customers it concerns, so the demo, the report and the API can show it.
The usual cause is a customer missing from a framework (segment None) or a rule set that does
not cover every label.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.policy.decide import DecisionTable
from govex.policy.loader import LoadedPolicy
from govex.policy.profiles import profile_combinations
from govex.policy.spec import TierRule
from govex.segments import ASSIGNMENTS_TABLE

GAP_COLUMNS = ["journey", "segments", "customers", "example_customer", "tier", "served_by"]


def is_catch_all(rule: TierRule) -> bool:
    """A rule that matches every customer (no `when`): the explicit default of its journeys."""
    return not rule.when


def policy_gaps(policy: LoadedPolicy, warehouse: Warehouse, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per (journey, segment combination of current customers) no specific rule covers.

    Columns: journey, segments ("framework=segment, ..."; None where a customer has no segment),
    customers, example_customer, tier (what they get), served_by (the catch-all rule's name, or
    "fallback: unknown_customer_tier"). Empty when the warehouse has no segments yet.
    """
    frameworks = DecisionTable(policy.spec, on_gap="fallback").frameworks
    if not frameworks or not warehouse.has(ASSIGNMENTS_TABLE):
        return pd.DataFrame(columns=GAP_COLUMNS)
    return gaps_of_combinations(policy, profile_combinations(warehouse, frameworks=frameworks, as_of=as_of))


def gaps_of_combinations(policy: LoadedPolicy, combos: pd.DataFrame) -> pd.DataFrame:
    """`policy_gaps` from the combinations themselves: one column per framework the policy reads (None: no
    segment), `customers` and `example_customer` (as `profile_combinations` gives them)."""
    spec = policy.spec
    table = DecisionTable(spec, on_gap="fallback")
    rows = []
    for combo in combos.to_dict("records"):
        profile = {f: combo[f] for f in table.frameworks}
        for journey in spec.journeys():
            decision = table.decide(profile, journey)
            if decision.gap:
                served_by = "fallback: unknown_customer_tier"
            elif is_catch_all(spec.rules[decision.rule_index]):
                served_by = decision.rule
            else:
                continue
            rows.append({"journey": journey, "segments": ", ".join(f"{f}={v}" for f, v in profile.items()),
                         "customers": int(combo["customers"]), "example_customer": combo["example_customer"],
                         "tier": decision.tier, "served_by": served_by})
    frame = pd.DataFrame(rows, columns=GAP_COLUMNS)
    return frame.sort_values(["journey", "customers", "segments"], ascending=[True, False, True], ignore_index=True)
