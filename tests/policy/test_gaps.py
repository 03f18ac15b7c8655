"""Degrade, don't die: a policy gap among current customers is data (who, which journey, what tier), not a crash.

The case is the reported one: a customer with lifecycle=dormant, risk=normal and no value
segment (value=None), whom no rule of the shipped policy covered in any journey.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from govex.contract.schema import JOURNEYS
from govex.engine import Warehouse
from govex.errors import ConfigError
from govex.policy import DecisionTable, PolicyGap, decide, load_policy, parse_policy, policy_gaps, simulate_policies
from govex.policy.gaps import is_catch_all
from policy.policy_texts import CONSISTENT_RULES, TIERS

AS_OF = dt.date(2025, 3, 1)
# C3 is missing from the value framework (the reported case)
SEGMENTS = {
    "C1": {"lifecycle": "active", "value": "high", "risk": "normal"},
    "C2": {"lifecycle": "active", "value": "low", "risk": "high"},
    "C3": {"lifecycle": "dormant", "risk": "normal"},
}


def _warehouse() -> Warehouse:
    rows = [("customer", cid, framework, AS_OF, segment, None, "r", "t1")
            for cid, profile in SEGMENTS.items() for framework, segment in profile.items()]
    frame = pd.DataFrame(rows, columns=["entity", "entity_id", "framework", "as_of", "segment", "score", "reasons",
                                        "framework_version"]).astype({"score": "float64"})
    contacts = pd.DataFrame({
        "contact_id": ["K1", "K2", "K3"], "customer_id": ["C1", "C3", "C3"],
        "created_at": pd.to_datetime(["2025-02-10", "2025-02-11", "2025-02-12"]),
        "journey": ["fulfilment", "onboarding", "return"], "automated": False, "handle_time_s": 300.0,
        "channel": "chat", "queue": "q", "market": "BR",
    })
    return Warehouse.from_frames({"segment_assignments": frame, "contacts": contacts})


def test_shipped_policy_has_a_catch_all_for_every_journey():
    rules = load_policy().spec.rules
    covered = {j for rule in rules if is_catch_all(rule) for j in rule.journey_set()}
    assert covered == set(JOURNEYS)


def test_customer_without_a_value_segment_is_a_reported_gap_served_by_the_catch_all():
    gaps = policy_gaps(load_policy(), _warehouse())
    # by hand: C3 (no value) matches no specific rule of the shipped policy in any journey;
    # C2 is high risk: the risk rules cover cancellation, dispute, return and account_safety,
    # and its value (low) covers the rest; C1 is covered everywhere by the high-value rule
    assert sorted(gaps.journey) == sorted(JOURNEYS)
    assert set(gaps.example_customer) == {"C3"} and set(gaps.customers) == {1}
    assert set(gaps.served_by) == {"catch_all"} and set(gaps.tier) == {"guided_new"}
    assert set(gaps.segments) == {"lifecycle=dormant, risk=normal, value=None"}


def test_a_policy_without_catch_all_falls_back_and_reports_instead_of_stopping():
    policy = parse_policy(f"name: A\nversion: v1\n{TIERS}{CONSISTENT_RULES}", source="a.yaml")
    profile = SEGMENTS["C3"] | {"value": None}
    with pytest.raises(PolicyGap, match="no rule gives a tier in journey 'onboarding'"):
        decide(policy.spec, profile=profile, journey="onboarding")
    fallback = DecisionTable(policy.spec).decide(profile, "onboarding")
    assert (fallback.tier, fallback.gap, fallback.rule) == ("std", True, None)  # unknown_customer_tier of TIERS
    gaps = policy_gaps(policy, _warehouse())
    assert set(gaps.example_customer) == {"C3"} and len(gaps) == len(JOURNEYS)
    assert set(gaps.served_by) == {"fallback: unknown_customer_tier"}
    # the simulation runs through the gap: C3's two contacts are served at the fallback tier
    sim = simulate_policies(_warehouse(), [policy], window_days=90)
    assert sim.tiers.set_index(["journey", "tier"]).loc[("onboarding", "std"), "contacts"] == 1


def test_events_the_decisions_cannot_place_stop_the_simulation_with_a_count():
    warehouse = _warehouse()
    contacts = warehouse.con.table("contacts").to_pandas()
    contacts.loc[1, "journey"] = "billing"  # not one of the contract's journeys
    warehouse.con.create_table("contacts", contacts, overwrite=True)
    with pytest.raises(ConfigError, match=r"policy simulation lost events: \{'marketplace-default': 1\} of 3 event"):
        simulate_policies(warehouse, [load_policy()], window_days=90)
