"""Customer prioritisation policy: segments x journey -> service tier; checks, simulation, decisions."""
from govex._renamed import renamed_names
from govex.policy.checks import KINDS, PolicyCheckResult, check_policy, summarise
from govex.policy.decide import Decision, DecisionTable, PolicyGap, decide, matching_rules, rule_matches, winning_rules
from govex.policy.gaps import GAP_COLUMNS, is_catch_all, policy_gaps
from govex.policy.loader import LoadedPolicy, default_policy_path, load_policy, parse_policy
from govex.policy.profiles import customer_profiles, profile_combinations
from govex.policy.run import check_policy_in_warehouse
from govex.policy.simulate import PolicySimulation, simulate_policies
from govex.policy.space import SegmentSpace
from govex.policy.spec import Policy, Tier, TierRule

__all__ = [
    "GAP_COLUMNS",
    "KINDS",
    "Decision",
    "DecisionTable",
    "LoadedPolicy",
    "Policy",
    "PolicyCheckResult",
    "PolicyGap",
    "PolicySimulation",
    "SegmentSpace",
    "Tier",
    "TierRule",
    "check_policy",
    "check_policy_in_warehouse",
    "customer_profiles",
    "decide",
    "default_policy_path",
    "load_policy",
    "matching_rules",
    "is_catch_all",
    "parse_policy",
    "policy_gaps",
    "profile_combinations",
    "rule_matches",
    "simulate_policies",
    "summarise",
    "winning_rules",
]

# Old names kept for one release: a `Finding` is a sourced sentence of a report, a `Rule` a segment framework's rule.
__getattr__ = renamed_names(__name__, {"Finding": "PolicyCheckResult", "Rule": "TierRule"}, globals())
