"""Each kind of inconsistency is planted in a small policy and must be found, naming its rule lines."""
from __future__ import annotations

import pandas as pd
import pytest

from govex.errors import ConfigError
from govex.policy import SegmentSpace, check_policy, decide, load_policy, parse_policy, summarise
from govex.policy.checks import PolicyCheckResult
from policy.policy_texts import CONSISTENT_RULES, TIERS

SPACE = SegmentSpace(labels={"value": ("high", "medium", "low"), "risk": ("low", "normal", "high"),
                             "lifecycle": ("new", "active")})

def _policy(rules: str, tmp_path, name: str = "p.yaml"):
    text = f"name: test\nversion: v1\n{TIERS}{rules}"
    path = tmp_path / name
    path.write_text(text)
    return load_policy(path), text.splitlines()


def _line_of(lines: list[str], needle: str) -> int:
    """1-based line of the first line containing `needle` (the rule's `- name:` line)."""
    return next(i + 1 for i, line in enumerate(lines) if needle in line)


def _customers(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """One row per combination: value, risk, lifecycle, an example id; one customer each."""
    frame = pd.DataFrame(rows, columns=["value", "risk", "lifecycle", "example_customer"])
    return frame.assign(customers=1)


def _kinds(findings: list[PolicyCheckResult]) -> dict[str, int]:
    return {k: v for k, v in summarise(findings).items() if v}


def test_consistent_policy_has_no_finding(tmp_path):
    policy, _ = _policy(CONSISTENT_RULES, tmp_path)
    assert check_policy(policy, space=SPACE) == []


def test_gap_found_with_example_customer(tmp_path):
    # 'bottom' removed: value=low with low/normal risk gets nothing in every journey.
    rules = CONSISTENT_RULES.split("  - name: bottom")[0]
    policy, _ = _policy(rules, tmp_path)
    findings = check_policy(policy, space=SPACE, customers=_customers([("low", "normal", "active", "C9")]))
    gaps = [f for f in findings if f.kind == "gap"]
    assert _kinds(findings) == {"gap": 7}  # one per journey (7 in the contract)
    assert all(f.example_customer == "C9" and f.example_profile["value"] == "low" for f in gaps)
    assert all(f.combinations == 2 for f in gaps)  # low x {low, normal}; the policy does not read lifecycle


def test_ambiguous_overlap_names_both_rule_lines(tmp_path):
    rules = CONSISTENT_RULES + """  - name: new_help
    when: {lifecycle: new}
    tier: std
"""
    policy, lines = _policy(rules, tmp_path)
    findings = [f for f in check_policy(policy, space=SPACE) if f.kind == "overlap"]
    assert findings
    named = " ".join(findings[0].rules)
    # new+high value matches 'top' (fast) and 'new_help' (std) at precedence 0.
    assert f"p.yaml:{_line_of(lines, 'name: top')}" in named
    assert f"p.yaml:{_line_of(lines, 'name: new_help')}" in named
    # Same tier at the same precedence is not ambiguous: mid (std) and new_help (std) never make a finding.
    assert not any("'mid'" in " ".join(f.rules) for f in findings)


def test_monotonicity_violation_found(tmp_path):
    # High value gets economy, medium value the standard tier: better value, worse treatment.
    rules = CONSISTENT_RULES.replace("when: {value: high, risk: [low, normal]}\n    tier: fast",
                                     "when: {value: high, risk: [low, normal]}\n    tier: eco")
    policy, lines = _policy(rules, tmp_path)
    customers = _customers([("high", "normal", "active", "C1"), ("medium", "normal", "active", "C2")])
    findings = [f for f in check_policy(policy, space=SPACE, customers=customers) if f.kind == "monotonicity"]
    assert {f.journey for f in findings} == {"onboarding", "purchase", "fulfilment", "cancellation", "dispute",
                                             "return", "account_safety"}
    first = findings[0]
    assert first.example_customer == "C1"  # the better customer who is treated worse
    assert f"p.yaml:{_line_of(lines, 'name: top')}" in first.rules[0]
    assert f"p.yaml:{_line_of(lines, 'name: mid')}" in first.rules[1]


def test_risk_monotonicity_found(tmp_path):
    # Normal risk in economy, high risk in the standard tier: worse risk, better treatment.
    rules = CONSISTENT_RULES.replace("tier: held\n    precedence: 10", "tier: std\n    precedence: 10")
    policy, _ = _policy(rules, tmp_path)
    findings = [f for f in check_policy(policy, space=SPACE) if f.kind == "monotonicity"]
    assert findings and all("risk" in f.message for f in findings)
    assert all(f.example_profile["value"] == "low" for f in findings)  # only low value: eco(3) vs std(2)


def test_cross_journey_contradiction_needs_a_reason(tmp_path):
    rules = """
rules:
  - name: high_blocked_in_account
    when: {value: high}
    journeys: [account_safety]
    tier: held
    precedence: 10
  - name: top
    when: {value: high}
    tier: fast
  - name: rest
    when: {value: [medium, low]}
    tier: eco
"""
    policy, lines = _policy(rules, tmp_path)
    found = [f for f in check_policy(policy, space=SPACE) if f.kind == "cross_journey"]
    assert len(found) == 1 and found[0].journey == "account_safety"
    assert f"p.yaml:{_line_of(lines, 'name: high_blocked_in_account')}" in found[0].rules[1]
    # With a stated reason the same policy is accepted.
    reasoned, _ = _policy(rules.replace("precedence: 10", "precedence: 10\n    reason: takeover risk"), tmp_path, "q.yaml")
    assert not [f for f in check_policy(reasoned, space=SPACE) if f.kind == "cross_journey"]


def test_unknown_framework_and_segment(tmp_path):
    rules = CONSISTENT_RULES + """  - name: vip
    when: {loyalty: gold}
    tier: fast
    precedence: 30
  - name: platinum
    when: {value: platinum}
    tier: fast
    precedence: 30
"""
    policy, lines = _policy(rules, tmp_path)
    found = [f for f in check_policy(policy, space=SPACE) if f.kind == "unknown_segment"]
    messages = " ".join(f.message for f in found)
    assert "'loyalty' does not exist" in messages and "'platinum' is not a segment of 'value'" in messages
    assert any(f"p.yaml:{_line_of(lines, 'when: {loyalty: gold}')}" in r for f in found for r in f.rules)


def test_gap_found_only_on_actual_customers(tmp_path):
    # A customer without a risk segment is not in the combination space but exists in the data.
    policy, _ = _policy(CONSISTENT_RULES, tmp_path)
    customers = _customers([("high", None, "active", "C7")])
    gaps = [f for f in check_policy(policy, space=SPACE, customers=customers) if f.kind == "gap"]
    assert len(gaps) == 7 and {f.example_customer for f in gaps} == {"C7"}


def test_shipped_policy_is_consistent_with_shipped_frameworks():
    assert check_policy(load_policy(), space=SegmentSpace.from_frameworks()) == []


def test_decide_precedence_order_and_unknown(tmp_path):
    policy, _ = _policy(CONSISTENT_RULES, tmp_path)
    spec = policy.spec
    # risky (precedence 10) beats top (0) for a high value, high risk customer.
    assert decide(spec, profile={"value": "high", "risk": "high"}, journey="return").tier == "held"
    assert decide(spec, profile={"value": "high", "risk": "low"}, journey="return").rule == "top"
    unknown = decide(spec, profile=None, journey="dispute")
    assert (unknown.tier, unknown.known_customer, unknown.rule) == ("std", False, None)
    with pytest.raises(ConfigError, match="unknown journey 'refund'"):
        decide(spec, profile={"value": "high"}, journey="refund")


@pytest.mark.parametrize(("edit", "message"), [
    (("tier: eco", "tier: bronze"), "gives tier 'bronze', which is not defined"),
    (("precedence: 10", "precedence: 10\n    colour: red"), "unknown field 'rules.0.colour'"),
    (("channels: [email], auto", "channels: [fax], auto"), "tiers.eco.channels.0"),
])
def test_structural_errors_name_the_line(tmp_path, edit, message):
    text = f"name: test\nversion: v1\n{TIERS}{CONSISTENT_RULES}".replace(*edit, 1)
    with pytest.raises(ConfigError, match=message) as info:
        parse_policy(text, source="bad.yaml")
    changed = edit[1].splitlines()[-1].strip()
    assert f"bad.yaml:{_line_of(text.splitlines(), changed)}" in str(info.value)
