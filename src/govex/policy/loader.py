"""Read a policy YAML file into a validated Policy that remembers the line of every key.

Structural problems (unknown fields, wrong types, a rule naming a tier that is not defined)
raise ConfigError with file:line at once. Problems that depend on the segment frameworks or on
the customers (gaps, overlaps, monotonicity, unknown segments) are findings of
`govex.policy.checks`, which uses the same lines to name the rules involved.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from govex.config.loader import line_of, parse_yaml
from govex.errors import ConfigError
from govex.policy.spec import Policy, TierRule


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy, its source file, the line of each YAML key and a content hash."""

    spec: Policy
    source: str
    lines: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False, repr=False)
    content_hash: str = ""

    @property
    def version(self) -> str:
        return self.spec.version

    def where(self, *path: str | int) -> str:
        """'file:line' of the deepest key of `path` present in the file."""
        return line_of(self.source, self.lines, path)

    def ruleline_of(self, index: int) -> str:
        return self.where("rules", index)

    def describe_rule(self, index: int) -> str:
        rule: TierRule = self.spec.rules[index]
        return f"rule {index + 1} {rule.name!r} ({self.ruleline_of(index)})"


def default_policy_path(entity: str = "customer") -> Path:
    """The shipped marketplace policy for customers, or for sellers."""
    name = "default_seller_policy.yaml" if entity == "seller" else "default_policy.yaml"
    return Path(str(resources.files("govex.policy") / name))


def _describe(error: dict, policy_source: str, lines: dict) -> str:
    loc = tuple(str(p) for p in error["loc"])
    where = line_of(policy_source, lines, loc)
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown field {'.'.join(loc)!r} (check its spelling against docs/policy.md)"
    return f"{where}: {'.'.join(loc) or '(top level)'}: {error['msg']}"


def _reference_problems(policy: LoadedPolicy) -> list[str]:
    spec = policy.spec
    tiers = ", ".join(spec.tiers)
    problems = []
    if spec.unknown_customer_tier not in spec.tiers:
        problems.append(f"{policy.where('unknown_customer_tier')}: unknown_customer_tier {spec.unknown_customer_tier!r} "
                        f"is not a defined tier ({tiers})")
    for i, rule in enumerate(spec.rules):
        if rule.tier not in spec.tiers:
            problems.append(f"{policy.where('rules', i, 'tier')}: rule {rule.name!r} gives tier {rule.tier!r}, "
                            f"which is not defined under tiers ({tiers})")
    for i, rule in enumerate(spec.rules):
        odd = [j for j in rule.journey_set(spec.journeys()) if j not in spec.journeys()]
        if odd:
            problems.append(f"{policy.where('rules', i, 'journeys')}: rule {rule.name!r} names journey(s) "
                            f"{', '.join(map(repr, odd))}, not {spec.entity} journeys ({', '.join(spec.journeys())})")
    seen: dict[str, int] = {}
    for i, rule in enumerate(spec.rules):
        if rule.name in seen:
            problems.append(f"{policy.where('rules', i, 'name')}: rule name {rule.name!r} is also used by rule "
                            f"{seen[rule.name] + 1}; names identify rules in decisions and the audit log")
        seen.setdefault(rule.name, i)
    for framework, labels in spec.orderings.items():
        if len(set(labels)) != len(labels):
            problems.append(f"{policy.where('orderings', framework)}: ordering of {framework!r} repeats a segment")
    return problems


def parse_policy(text: str, *, source: str) -> LoadedPolicy:
    """Parse a policy's YAML text; raises ConfigError listing every structural problem with its line."""
    data, lines = parse_yaml(text, source=source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: a policy file must be a mapping with name, version, tiers and rules")
    try:
        spec = Policy.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error, source, lines) for error in exc.errors()]
        raise ConfigError(f"{source}: {len(problems)} problem(s):\n  " + "\n  ".join(problems)) from None
    digest = hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:12]
    policy = LoadedPolicy(spec=spec, source=source, lines=lines, content_hash=digest)
    problems = _reference_problems(policy)
    if problems:
        raise ConfigError(f"{source}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return policy


def load_policy(path: str | Path | None = None, *, entity: str = "customer") -> LoadedPolicy:
    """Load a policy file (the shipped default of `entity` when `path` is None)."""
    path = Path(path) if path is not None else default_policy_path(entity)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such policy file; the shipped default is {default_policy_path().name}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory; expected a policy YAML file") from None
    return parse_policy(text, source=str(path))
