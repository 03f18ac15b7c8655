"""Seller policies: seller journeys and seller frameworks, the same checks, decisions by hand, sellers per tier."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.policy import check_policy_in_warehouse, decide, load_policy, parse_policy
from govex.policy.sellers import seller_policy_tiers
from govex.policy.spec import SELLER_JOURNEYS

from policy.policy_texts import TIERS

SELLER_HEAD = "name: s\nentity: seller\nversion: '1'\n" + TIERS.replace(
    "orderings:\n  value: [high, medium, low]\n  risk: [low, normal, high]\n",
    "orderings:\n  seller_value: [high, medium, low]\n")
# every seller_value label covered; high-risk sellers held in payouts, with a reason
RULES = """
rules:
  - {name: risky_payouts, when: {seller_risk: high}, journeys: [payouts], tier: held, precedence: 10, reason: fraud}
  - {name: top, when: {seller_value: high}, tier: fast}
  - {name: rest, when: {seller_value: [medium, low]}, tier: std}
"""


def _policy(text: str):
    return parse_policy(SELLER_HEAD + text, source="sellers.yaml")


def test_shipped_seller_policy_is_consistent_and_decides_by_hand():
    loaded = load_policy(entity="seller")
    assert loaded.spec.entity == "seller" and check_policy_in_warehouse(loaded) == []
    good = {"seller_lifecycle": "established", "seller_value": "high", "seller_risk": "normal",
            "seller_performance": "meets_standard"}
    spec = loaded.spec
    assert {j: decide(spec, profile=good, journey=j).tier for j in SELLER_JOURNEYS} == dict.fromkeys(SELLER_JOURNEYS, "partner")
    risky = good | {"seller_risk": "high"}
    assert decide(spec, profile=risky, journey="payouts").tier == "manual_review"
    assert decide(spec, profile=risky, journey="enforcement_appeal").tier == "enhanced_review"  # appeals are heard
    weak = good | {"seller_performance": "below_standard"}
    assert decide(spec, profile=weak, journey="listing_review").tier == "enhanced_review"
    assert decide(spec, profile=weak, journey="fulfilment").tier == "standard"
    assert decide(spec, profile=good | {"seller_lifecycle": "onboarding"}, journey="onboarding").tier == "onboarding_help"
    with pytest.raises(ConfigError, match="unknown journey 'return'"):
        decide(spec, profile=good, journey="return")


def test_a_customer_journey_in_a_seller_policy_is_refused_with_its_line():
    text = RULES.replace("journeys: [payouts]", "journeys: [payouts, return]")
    with pytest.raises(ConfigError, match=r"sellers.yaml:\d+: rule 'risky_payouts' names journey\(s\) 'return', not seller"):
        _policy(text)


def test_checks_find_seller_gaps_and_monotonicity():
    assert check_policy_in_warehouse(_policy(RULES)) == []
    gap = check_policy_in_warehouse(_policy(RULES.replace("seller_value: [medium, low]", "seller_value: [medium]")))
    assert {f.journey for f in gap if f.kind == "gap"} == set(SELLER_JOURNEYS)
    assert all(f.example_profile["seller_value"] == "low" for f in gap if f.kind == "gap")
    worse = RULES.replace("tier: fast}", "tier: eco}")  # high value worse off than medium
    found = check_policy_in_warehouse(_policy(worse))
    assert {f.kind for f in found} == {"monotonicity"}
    assert {f.journey for f in found} == set(SELLER_JOURNEYS)


def test_sellers_per_journey_and_tier_by_hand():
    """Three sellers: s1 high value, s2 medium value and high risk, s3 low value; s4 has no segment."""
    rows = pd.DataFrame({
        "entity": "seller", "entity_id": ["s1", "s2", "s3", "s1", "s2", "s3"],
        "framework": ["seller_value"] * 3 + ["seller_risk"] * 3, "as_of": dt.date(2025, 6, 30),
        "segment": ["high", "medium", "low", "normal", "high", "normal"], "score": np.nan,
        "reasons": pd.Series([None] * 6, dtype="string"), "framework_version": "test",
    })
    frame = seller_policy_tiers(Warehouse.from_frames({"segment_assignments": rows}), [_policy(RULES)])
    counts = frame.set_index(["journey", "tier"]).iloc[:, 0].to_dict()
    assert counts[("payouts", "held")] == 1 and counts[("payouts", "fast")] == 1 and counts[("payouts", "std")] == 1
    assert counts[("onboarding", "fast")] == 1 and counts[("onboarding", "std")] == 2
    assert frame.groupby("journey").sum(numeric_only=True).iloc[:, 0].eq(3).all()  # every seller once per journey
    with pytest.raises(ConfigError, match="not seller policies"):
        seller_policy_tiers(Warehouse.from_frames({"segment_assignments": rows}), [load_policy()])
