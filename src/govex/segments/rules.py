"""Rule conditions as intervals, and a proof that a rule set has no overlaps and no gaps.

Each rule is a box (one interval per feature it names). Because every boundary is known, a
finite set of probe points decides coverage exactly: on each feature, every cut point, a
point between each pair of neighbouring cut points, and a point beyond each end (integers only
for integer features). Every combination of probes must fall in exactly one rule.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from govex.errors import ConditionSyntaxError
from govex.features.catalogue import FeatureInfo

_COMPARISON = re.compile(r"^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*$")
MAX_PROBES = 200_000


@dataclass(frozen=True)
class Interval:
    """A set of reals {x : lo <(=) x <(=) hi}; infinite ends are open."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_closed: bool = False
    hi_closed: bool = False

    def contains(self, x: float) -> bool:
        above = x > self.lo or (self.lo_closed and x == self.lo)
        below = x < self.hi or (self.hi_closed and x == self.hi)
        return above and below

    def intersect(self, other: Interval) -> Interval:
        lo, lo_closed = max((self.lo, not self.lo_closed), (other.lo, not other.lo_closed))
        hi, hi_closed = min((self.hi, self.hi_closed), (other.hi, other.hi_closed))
        return Interval(lo, hi, not lo_closed, hi_closed)

    def is_empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def render(self, feature: str) -> str:
        if self.lo == self.hi:
            return f"{feature}=={self.lo:g}"
        parts = []
        if self.lo != -math.inf:
            parts.append(f"{feature}{'>=' if self.lo_closed else '>'}{self.lo:g}")
        if self.hi != math.inf:
            parts.append(f"{feature}{'<=' if self.hi_closed else '<'}{self.hi:g}")
        return ",".join(parts) or f"{feature} any"


def parse_condition(condition: str | int | float) -> Interval:
    """'>= 30, < 90' -> [30, 90); '== 1' or 1 -> [1, 1]."""
    if isinstance(condition, bool):
        raise ConditionSyntaxError(f"expected a comparison such as '>= 30, < 90' or a number; got {condition!r}")
    if isinstance(condition, (int, float)):
        return Interval(float(condition), float(condition), True, True)
    result = Interval()
    for part in condition.split(","):
        match = _COMPARISON.match(part)
        if match is None:
            raise ConditionSyntaxError(
                f"cannot read {part.strip()!r}: write one or two comparisons such as '>= 30, < 90' or '== 1'"
            )
        op, value = match.group(1), float(match.group(2))
        bound = {
            ">=": Interval(lo=value, lo_closed=True), ">": Interval(lo=value),
            "<=": Interval(hi=value, hi_closed=True), "<": Interval(hi=value),
            "==": Interval(value, value, True, True),
        }[op]
        result = result.intersect(bound)
    if result.is_empty():
        raise ConditionSyntaxError(f"{condition!r} matches no value")
    return result


def _domain(info: FeatureInfo) -> Interval:
    lo = -math.inf if info.lower is None else info.lower
    hi = math.inf if info.upper is None else info.upper
    return Interval(lo, hi, info.lower is not None, info.upper is not None)


def _probes(info: FeatureInfo, cuts: set[float]) -> list[float]:
    """Points that visit every region the cut points make within the feature's domain."""
    domain = _domain(info)
    cuts = {c for c in cuts if math.isfinite(c)} | {b for b in (domain.lo, domain.hi) if math.isfinite(b)}
    ordered = sorted(cuts)
    if info.integer:
        candidates = {v for c in ordered for v in (math.floor(c) - 1, math.floor(c), math.ceil(c), math.ceil(c) + 1)}
        candidates |= {0.0} if not ordered else set()
    else:
        candidates = set(ordered)
        candidates |= {(a + b) / 2 for a, b in itertools.pairwise(ordered)}
        if ordered:
            candidates |= {ordered[0] - 1.0, ordered[-1] + 1.0}
        else:
            candidates.add(0.0)
    return sorted(float(v) for v in candidates if domain.contains(v))


@dataclass(frozen=True)
class Box:
    """A rule in interval form: its segment, per-feature intervals and its position in the file."""

    segment: str
    intervals: dict[str, Interval]
    index: int

    def contains(self, point: dict[str, float]) -> bool:
        return all(interval.contains(point[name]) for name, interval in self.intervals.items())

    def render(self) -> str:
        return ";".join(interval.render(name) for name, interval in sorted(self.intervals.items())) or "always"


@dataclass(frozen=True)
class CoverageProblem:
    """A probe point covered by no rule (`rules` empty) or by several rules (their indices)."""

    point: dict[str, float]
    rules: tuple[int, ...]

    def describe_point(self) -> str:
        return ", ".join(f"{name}={value:g}" for name, value in sorted(self.point.items()))


def coverage_problems(boxes: list[Box], features: dict[str, FeatureInfo], *, limit: int = 5) -> list[CoverageProblem]:
    """Probe points where the rule set leaves a gap or two rules overlap (first `limit` of each)."""
    names = sorted({name for box in boxes for name in box.intervals})
    axes = []
    for name in names:
        cuts = {bound for box in boxes if name in box.intervals for bound in (box.intervals[name].lo, box.intervals[name].hi)}
        axes.append(_probes(features[name], cuts))
    total = math.prod(len(axis) for axis in axes)
    if total > MAX_PROBES:
        raise ValueError(f"the rules cut feature space into {total} regions (limit {MAX_PROBES}); use fewer cut points")
    gaps: list[CoverageProblem] = []
    overlaps: list[CoverageProblem] = []
    for values in itertools.product(*axes):
        point = dict(zip(names, values))
        hits = tuple(box.index for box in boxes if box.contains(point))
        if not hits and len(gaps) < limit:
            gaps.append(CoverageProblem(point, hits))
        elif len(hits) > 1 and len(overlaps) < limit and all(o.rules != hits for o in overlaps):
            overlaps.append(CoverageProblem(point, hits))
    return gaps + overlaps
