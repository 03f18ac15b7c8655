"""Playbook files: the decisions taken from the analyses, checked line by line before anyone acts on them.

A playbook is YAML with a list under ``plays:``; each play says, for one segment x journey, the
problem and its evidence, the action, its owner, the KPI it should move (a catalogue metric), the
expected effect with an interval, the cost and the start and review dates. Checking collects every
problem with its ``file:line`` (the line of the field when it is present, else of the play) and
raises once, so a reviewer fixes the whole file in one pass.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govex.contract.schema import JOURNEYS
from govex.errors import ConfigError, Issue, IssueLevel, PlaybookError
from govex.metrics.model import Origin
from govex.metrics.yaml_source import read_items

REQUIRED = ("segment", "journey", "problem", "evidence", "action", "owner", "kpi", "expected", "cost",
            "start", "review")
# markets: where the action applies when it is not everywhere (the markets measured as treated); benefit: what
# it is worth in money per year {value, low, high}, for the portfolio; costing: how the cost was arrived at
OPTIONAL = ("markets", "benefit", "costing")
EVERYONE = "all"  # segment for an action that applies to every customer


@dataclass(frozen=True)
class Play:
    segment: str
    journey: str
    kpi: str
    action: str
    owner: str
    expected: dict[str, float]
    cost: float
    start: dt.date
    review: dt.date
    line: int
    problem: str = ""
    evidence: str = ""
    markets: tuple[str, ...] = ()
    benefit: dict[str, float] | None = None
    costing: str = ""


def _interval(body: dict, name: str, keys: tuple[str, str, str], error) -> dict[str, float] | None:
    """A {value, low, high} mapping of numbers with the value inside its interval, or None (error reported)."""
    try:
        value, low, high = (float(body[name][k]) for k in keys)
    except (TypeError, KeyError, ValueError):
        error(f"{name} must be a mapping {{{keys[0]}: N, {keys[1]}: N, {keys[2]}: N}} of numbers", name)
        return None
    if not low <= value <= high:
        error(f"{name} {value} must lie within its interval [{low}, {high}]", name)
        return None
    return dict(zip(keys, (value, low, high)))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _check_play(body: dict, origin: Origin, *, metrics: set[str], space, issues: list[Issue]) -> Play | None:
    def error(message: str, field: str | None = None) -> None:
        issues.append(Issue(IssueLevel.ERROR, message, origin.location(field)))

    before = len(issues)
    missing = [name for name in REQUIRED if body.get(name) in (None, "")]
    if missing:
        error(f"play is missing {', '.join(missing)}")
    for name in sorted(set(body) - set(REQUIRED) - set(OPTIONAL)):
        error(f"unknown field {name!r}; a play has: {', '.join(REQUIRED + OPTIONAL)}", name)
    segment = str(body.get("segment", ""))
    markets = body.get("markets", [])
    if not isinstance(markets, list) or not all(isinstance(m, str) and m for m in markets):
        error(f"markets must be a list of market codes, e.g. [DE, GB]; got {markets!r}", "markets")
    if body.get("segment") not in (None, "", EVERYONE):
        framework, _, label = segment.partition("=")
        if not space.knows(framework):
            error(f"unknown segment framework {framework!r} in {segment!r}; expected {EVERYONE!r} or framework=label with a "
                  f"framework among {', '.join(sorted([*space.labels, *space.composites]))}", "segment")
        elif label not in space.labels_of(framework):
            error(f"unknown segment {label!r} of {framework!r}; known: {', '.join(space.labels_of(framework))}",
                  "segment")
    if body.get("journey") not in (None, "") and body["journey"] not in JOURNEYS:
        error(f"unknown journey {body['journey']!r}; known: {', '.join(JOURNEYS)}", "journey")
    if body.get("kpi") not in (None, "") and body["kpi"] not in metrics:
        error(f"unknown metric {body['kpi']!r}: not in the metric catalogue (see `govex metrics list`)", "kpi")
    expected = _interval(body, "expected", ("effect", "low", "high"), error) if body.get("expected") is not None else None
    benefit = _interval(body, "benefit", ("value", "low", "high"), error) if body.get("benefit") is not None else None
    if body.get("cost") is not None and (not isinstance(body["cost"], (int, float)) or body["cost"] < 0):
        error(f"cost must be a number >= 0; got {body['cost']!r}", "cost")
    start, review = _date(body.get("start")), _date(body.get("review"))
    for name, value in (("start", start), ("review", review)):
        if body.get(name) is not None and value is None:
            error(f"{name} must be a date YYYY-MM-DD; got {body[name]!r}", name)
    if start and review and review <= start:
        error(f"review date {review} is not after the start date {start}", "review")
    if len(issues) > before:
        return None
    return Play(segment=segment, journey=body["journey"], kpi=body["kpi"], action=str(body["action"]),
                owner=str(body["owner"]), expected=expected,
                cost=float(body["cost"]), start=start, review=review, line=origin.line, problem=str(body["problem"]),
                evidence=str(body["evidence"]), markets=tuple(markets), benefit=benefit,
                costing=str(body.get("costing") or ""))


def check_playbook(path: str | Path, *, catalogue=None, space=None) -> list[Play]:
    """The plays of a playbook file, or a PlaybookError listing every problem with its file:line."""
    from govex.metrics.catalogue import load_catalogue
    from govex.policy.space import SegmentSpace

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such playbook file")
    catalogue = catalogue if catalogue is not None else load_catalogue()
    space = space if space is not None else SegmentSpace.from_frameworks()
    issues: list[Issue] = []
    items = read_items(path, "plays", str(path), issues)
    plays = [_check_play(body, origin, metrics=set(catalogue.names()), space=space, issues=issues)
             for body, origin in items]
    if issues:
        raise PlaybookError(issues)
    return [play for play in plays if play is not None]
