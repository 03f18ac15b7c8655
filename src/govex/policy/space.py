"""The space of segment combinations a policy must cover: every label of every framework it reads.

A composite framework (e.g. value_x_risk) is not a free dimension: its label follows from its
parts, so combinations are enumerated over the base frameworks and composite labels derived.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from govex.errors import ConfigError
from govex.segments import CompositeFramework, load_frameworks

MAX_COMBINATIONS = 200_000


@dataclass(frozen=True)
class SegmentSpace:
    """Framework -> labels for rule frameworks, and name -> (parts, separator) for composites."""

    labels: Mapping[str, tuple[str, ...]]
    composites: Mapping[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)

    @classmethod
    def from_frameworks(cls, directory: str | Path | None = None) -> SegmentSpace:
        """The frameworks in `directory` (the shipped ones when None)."""
        labels, composites = {}, {}
        for fw in load_frameworks(directory):
            if isinstance(fw.spec, CompositeFramework):
                composites[fw.name] = (tuple(fw.spec.of), fw.spec.separator)
            else:
                labels[fw.name] = tuple(fw.spec.segments)
        return cls(labels=labels, composites=composites)

    def knows(self, framework: str) -> bool:
        return framework in self.labels or framework in self.composites

    def labels_of(self, framework: str) -> tuple[str, ...]:
        if framework in self.labels:
            return self.labels[framework]
        parts, separator = self.composites[framework]
        return tuple(separator.join(combo) for combo in itertools.product(*(self.labels_of(p) for p in parts)))

    def base_of(self, frameworks: set[str]) -> tuple[str, ...]:
        """The rule frameworks that `frameworks` name or cross, sorted."""
        base: set[str] = set()
        for name in frameworks:
            if name in self.labels:
                base.add(name)
            elif name in self.composites:
                base |= set(self.base_of(set(self.composites[name][0])))
        return tuple(sorted(base))

    def with_composites(self, profile: dict[str, str | None], wanted: set[str]) -> dict[str, str | None]:
        """`profile` plus the label of each wanted composite whose parts it has."""
        out = dict(profile)
        for name in sorted(wanted & set(self.composites)):
            parts, separator = self.composites[name]
            values = [self.with_composites(profile, {p}).get(p) for p in parts]
            out[name] = None if any(v is None for v in values) else separator.join(values)
        return out

    def combinations(self, frameworks: set[str]) -> Iterator[dict[str, str | None]]:
        """Every combination of labels over the base frameworks behind `frameworks`, composites derived."""
        base = self.base_of(frameworks)
        size = 1
        for name in base:
            size *= len(self.labels[name])
        if size > MAX_COMBINATIONS:
            raise ConfigError(f"the policy reads {', '.join(base)}: {size:,} segment combinations, more than "
                              f"{MAX_COMBINATIONS:,} to check; split the policy or read fewer frameworks")
        for combo in itertools.product(*(self.labels[name] for name in base)):
            yield self.with_composites(dict(zip(base, combo)), frameworks)
