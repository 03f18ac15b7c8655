"""The decision function: a customer's segments and a journey -> one service tier.

Pure and deterministic, so the CLI, the simulation, the checks and the API all give the same
answer. Of the rules that match, the highest precedence wins and, among equals, the first
listed. A customer the segment snapshot does not know gets the policy's documented
`unknown_customer_tier`, and the decision says so. A known customer no rule matches (a policy
gap) is an error for `decide` by default; serving and simulation degrade instead
(`on_gap="fallback"`): the customer gets `unknown_customer_tier` and the decision is marked
`gap`, so the gap is reported (`govex.policy.policy_gaps`) rather than stopping the job.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from govex.errors import ConfigError, PolicyGap
from govex.policy.spec import Policy, Tier, TierRule

Profile = Mapping[str, "str | None"]


@dataclass(frozen=True)
class Decision:
    """The tier one customer gets in one journey, and why."""

    journey: str
    tier: str
    treatment: Tier
    rule: str | None
    rule_index: int | None
    known_customer: bool
    policy_version: str
    gap: bool = False


def rule_matches(rule: TierRule, profile: Profile) -> bool:
    """True when every framework the rule names has one of its segments in `profile`."""
    return all(profile.get(framework) in labels for framework, labels in rule.when.items())


def matching_rules(policy: Policy, profile: Profile, journey: str) -> list[int]:
    """Indices of every rule that applies to `journey` and matches `profile`, in file order."""
    journeys = policy.journeys()
    return [i for i, rule in enumerate(policy.rules) if journey in rule.journey_set(journeys) and rule_matches(rule, profile)]


def winning_rules(policy: Policy, matches: list[int]) -> list[int]:
    """The matches at the highest precedence, in file order (the first one decides)."""
    if not matches:
        return []
    top = max(policy.rules[i].precedence for i in matches)
    return [i for i in matches if policy.rules[i].precedence == top]


def _check_journey(policy: Policy, journey: str) -> None:
    if journey not in policy.journeys():
        raise ConfigError(f"unknown journey {journey!r}; expected one of {', '.join(policy.journeys())}")


OnGap = Literal["raise", "fallback"]


def decide(policy: Policy, *, profile: Profile | None, journey: str, on_gap: OnGap = "raise") -> Decision:
    """The tier for one customer (`profile` = framework -> segment; None = unknown customer) in `journey`.

    When no rule matches a known customer, raises PolicyGap (`govex policy check` finds these
    first), or with `on_gap="fallback"` gives `unknown_customer_tier` with `gap=True`.
    """
    _check_journey(policy, journey)
    if profile is None:
        tier = policy.unknown_customer_tier
        return Decision(journey, tier, policy.tiers[tier], None, None, False, policy.version)
    winners = winning_rules(policy, matching_rules(policy, profile, journey))
    if not winners and on_gap == "fallback":
        tier = policy.unknown_customer_tier
        return Decision(journey, tier, policy.tiers[tier], None, None, True, policy.version, gap=True)
    if not winners:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(profile.items()))
        raise PolicyGap(f"policy {policy.name!r} {policy.version}: no rule gives a tier in journey {journey!r} "
                        f"to a customer with {shown or 'no segments'}; add a rule or a catch-all")
    index = winners[0]
    rule = policy.rules[index]
    return Decision(journey, rule.tier, policy.tiers[rule.tier], rule.name, index, True, policy.version)


class DecisionTable:
    """`decide` memoised on the segments the policy reads, for serving and simulation at volume.

    Gaps fall back to `unknown_customer_tier` (marked `gap`) unless `on_gap="raise"`: a running
    service or job degrades and reports the gap instead of stopping.
    """

    def __init__(self, policy: Policy, *, on_gap: OnGap = "fallback"):
        self.policy = policy
        self.on_gap = on_gap
        self.frameworks = tuple(sorted({f for rule in policy.rules for f in rule.when}))
        self._cache: dict[tuple, Decision] = {}

    def key(self, profile: Profile) -> tuple:
        return tuple(profile.get(f) for f in self.frameworks)

    def decide(self, profile: Profile | None, journey: str) -> Decision:
        cache_key = (journey, None if profile is None else self.key(profile))
        found = self._cache.get(cache_key)
        if found is None:
            found = decide(self.policy, profile=profile, journey=journey, on_gap=self.on_gap)
            self._cache[cache_key] = found
        return found
