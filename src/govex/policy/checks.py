"""Consistency checks of a policy, over every segment combination and over the current customers.

Kinds of finding, each naming the rules (file:line) and an example customer:

- ``unknown_segment``: a rule or ordering names a framework or segment that does not exist.
- ``gap``: a customer gets no tier in a journey.
- ``overlap``: rules at the same precedence match the same customer and give different tiers,
  so only their order in the file decides (ambiguous).
- ``monotonicity``: a customer better on an ordered framework (e.g. value) and no worse on the
  others (e.g. risk) gets a worse-ranked tier. Checking single steps along one ordering is
  enough: any violating pair is joined by a chain of single steps, one of which must violate.
- ``cross_journey``: a customer is fast-laned in one journey and restricted or blocked in
  another, and the restricting rule states no reason.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from govex._renamed import renamed_names
from govex.policy.decide import matching_rules, winning_rules
from govex.policy.loader import LoadedPolicy
from govex.policy.space import SegmentSpace

KINDS = ("unknown_segment", "gap", "overlap", "monotonicity", "cross_journey")
RESTRICTING_LANES = ("restricted", "blocked")


@dataclass(frozen=True)
class PolicyCheckResult:
    """One inconsistency: what, in which journey, the rules involved and an example customer."""

    kind: str
    message: str
    rules: tuple[str, ...] = ()
    journey: str | None = None
    example_customer: str | None = None
    example_profile: dict = field(default_factory=dict)
    customers: int = 0
    combinations: int = 0

    def render(self) -> str:
        where = f" [{self.journey}]" if self.journey else ""
        lines = [f"{self.kind}{where}: {self.message}"]
        lines += [f"    {rule}" for rule in self.rules]
        shown = ", ".join(f"{k}={v}" for k, v in sorted(self.example_profile.items()))
        if self.example_customer:
            lines.append(f"    example customer {self.example_customer} ({shown}); {self.customers:,} current "
                         f"customer(s) affected")
        elif shown:
            lines.append(f"    example combination ({shown}); no current customer has it "
                         f"({self.combinations:,} combination(s) affected)")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "journey": self.journey, "message": self.message, "rules": list(self.rules),
                "example_customer": self.example_customer, "example_profile": self.example_profile,
                "customers": self.customers, "combinations": self.combinations}


@dataclass
class _Case:
    """A combination of segments, with the current customers who have it (none for a pure combination)."""

    profile: dict
    customers: int = 0
    example: str | None = None


class _Collector:
    """Groups repeated findings (same kind, journey, rules) and keeps the best example."""

    def __init__(self):
        self._found: dict[tuple, dict] = {}

    def add(self, kind: str, journey: str | None, rules: tuple[str, ...], message: str, case: _Case) -> None:
        entry = self._found.setdefault((kind, journey, rules, message), {"cases": 0, "customers": 0, "case": case})
        entry["cases"] += 1
        entry["customers"] += case.customers
        if entry["case"].example is None and case.example is not None:
            entry["case"] = case

    def findings(self) -> list[PolicyCheckResult]:
        out = []
        for (kind, journey, rules, message), entry in self._found.items():
            case = entry["case"]
            out.append(PolicyCheckResult(kind, message, rules, journey, case.example, dict(case.profile),
                               entry["customers"], entry["cases"]))
        return sorted(out, key=lambda f: (KINDS.index(f.kind), f.journey or "", f.rules))


def _reference_findings(policy: LoadedPolicy, space: SegmentSpace) -> list[PolicyCheckResult]:
    spec = policy.spec
    found = []
    for i, rule in enumerate(spec.rules):
        for framework, labels in rule.when.items():
            where = policy.where("rules", i, "when", framework)
            if not space.knows(framework):
                found.append(PolicyCheckResult("unknown_segment", f"framework {framework!r} does not exist; known: "
                                     f"{', '.join(sorted([*space.labels, *space.composites]))}",
                                     (f"{policy.describe_rule(i)} at {where}",)))
                continue
            for label in labels:
                if label not in space.labels_of(framework):
                    found.append(PolicyCheckResult("unknown_segment", f"segment {label!r} is not a segment of {framework!r} "
                                         f"({', '.join(space.labels_of(framework))})",
                                         (f"{policy.describe_rule(i)} at {where}",)))
    for framework, labels in spec.orderings.items():
        where = policy.where("orderings", framework)
        if framework not in space.labels:
            found.append(PolicyCheckResult("unknown_segment", f"ordering names {framework!r}, which is not a rule framework "
                                 f"({', '.join(sorted(space.labels))})", (where,)))
        elif set(labels) != set(space.labels[framework]):
            found.append(PolicyCheckResult("unknown_segment", f"ordering of {framework!r} must list exactly its segments "
                                 f"{sorted(space.labels[framework])}; got {list(labels)}", (where,)))
    return found


def _cases(policy: LoadedPolicy, space: SegmentSpace, customers: pd.DataFrame | None) -> list[_Case]:
    read = {f for rule in policy.spec.rules for f in rule.when} | set(policy.spec.orderings)
    read = {f for f in read if space.knows(f)}
    seen: dict[tuple, _Case] = {}
    if customers is not None:
        frameworks = [c for c in customers.columns if c not in ("customers", "example_customer")]
        for row in customers.itertuples(index=False):
            values = row._asdict()
            profile = {f: values[f] for f in frameworks if f in read}
            profile |= {k: v for k, v in space.with_composites(profile, read).items() if k not in profile}
            key = tuple(sorted(profile.items(), key=lambda kv: kv[0]))
            seen[key] = _Case(profile, int(values["customers"]), values["example_customer"])
    for profile in space.combinations(read):
        key = tuple(sorted(profile.items(), key=lambda kv: kv[0]))
        seen.setdefault(key, _Case(profile))
    return list(seen.values())


def _coverage(policy: LoadedPolicy, cases: list[_Case], out: _Collector) -> dict[tuple[int, str], int]:
    """Gaps and overlaps; returns the winning rule per (case, journey) where there is one."""
    spec = policy.spec
    winner: dict[tuple[int, str], int] = {}
    for n, case in enumerate(cases):
        for journey in spec.journeys():
            winners = winning_rules(spec, matching_rules(spec, case.profile, journey))
            if not winners:
                out.add("gap", journey, (), "no rule gives these customers a tier; add a rule or widen one", case)
                continue
            winner[(n, journey)] = winners[0]
            tiers = {spec.rules[i].tier for i in winners}
            if len(tiers) > 1:
                named = tuple(f"{policy.describe_rule(i)} -> {spec.rules[i].tier}" for i in winners)
                out.add("overlap", journey, named, f"{len(winners)} rules at precedence "
                        f"{spec.rules[winners[0]].precedence} match and give different tiers; only their order "
                        "decides: make the conditions exclusive or set a precedence", case)
    return winner


def _monotonicity(policy: LoadedPolicy, space: SegmentSpace, cases: list[_Case],
                  winner: dict[tuple[int, str], int], out: _Collector) -> None:
    spec = policy.spec
    index = {tuple(sorted(c.profile.items())): n for n, c in enumerate(cases)}
    read = {f for rule in spec.rules for f in rule.when if space.knows(f)}
    for framework, order in spec.orderings.items():
        if framework not in space.labels or set(order) != set(space.labels[framework]):
            continue
        for n, worse in enumerate(cases):
            label = worse.profile.get(framework)
            if label not in order or order.index(label) == 0:
                continue
            better_profile = space.with_composites(
                {**worse.profile, framework: order[order.index(label) - 1]}, read)
            m = index.get(tuple(sorted(better_profile.items())))
            if m is None:
                continue
            better = cases[m]
            for journey in spec.journeys():
                if (n, journey) not in winner or (m, journey) not in winner:
                    continue
                rule_b, rule_w = spec.rules[winner[(m, journey)]], spec.rules[winner[(n, journey)]]
                if spec.tiers[rule_b.tier].rank > spec.tiers[rule_w.tier].rank:
                    rules = (f"{policy.describe_rule(winner[(m, journey)])} -> {rule_b.tier} "
                             f"(rank {spec.tiers[rule_b.tier].rank}) for {framework}={better_profile[framework]}",
                             f"{policy.describe_rule(winner[(n, journey)])} -> {rule_w.tier} "
                             f"(rank {spec.tiers[rule_w.tier].rank}) for {framework}={label}")
                    out.add("monotonicity", journey, rules, f"customers better on {framework} "
                            f"({better_profile[framework]} vs {label}) and equal otherwise get a worse tier", better)


def _cross_journey(policy: LoadedPolicy, cases: list[_Case], winner: dict[tuple[int, str], int], out: _Collector) -> None:
    spec = policy.spec
    for n, case in enumerate(cases):
        decided = {j: winner[(n, j)] for j in spec.journeys() if (n, j) in winner}
        fast = [(j, i) for j, i in decided.items() if spec.tiers[spec.rules[i].tier].lane == "fast"]
        held = [(j, i) for j, i in decided.items() if spec.tiers[spec.rules[i].tier].lane in RESTRICTING_LANES
                and not spec.rules[i].reason]
        for (j_fast, i_fast), (j_held, i_held) in ((f, h) for f in fast[:1] for h in held):
            rules = (f"{policy.describe_rule(i_fast)} -> {spec.rules[i_fast].tier} in {j_fast}",
                     f"{policy.describe_rule(i_held)} -> {spec.rules[i_held].tier} in {j_held}")
            out.add("cross_journey", j_held, rules, f"fast-laned in {j_fast} but "
                    f"{spec.tiers[spec.rules[i_held].tier].lane} in {j_held} with no stated reason; add `reason:` "
                    "to the restricting rule or align the journeys", case)


def check_policy(
    policy: LoadedPolicy, *, space: SegmentSpace, customers: pd.DataFrame | None = None
) -> list[PolicyCheckResult]:
    """Every finding of `policy` over all combinations of `space` and the current `customers`.

    `customers` is the frame of `govex.policy.profile_combinations` (one row per distinct
    combination, with `customers` and `example_customer`); None checks combinations only.
    """
    found = _reference_findings(policy, space)
    cases = _cases(policy, space, customers)
    out = _Collector()
    winner = _coverage(policy, cases, out)
    _monotonicity(policy, space, cases, winner, out)
    _cross_journey(policy, cases, winner, out)
    return found + out.findings()


def summarise(findings: Iterable[PolicyCheckResult]) -> dict[str, int]:
    """Number of findings of each kind (all kinds listed, zeros included)."""
    counts = dict.fromkeys(KINDS, 0)
    for f in findings:
        counts[f.kind] += 1
    return counts


__getattr__ = renamed_names(__name__, {"Finding": "PolicyCheckResult"}, globals())  # the old name, for one release
