"""Conditions and the overlap/gap proof, on rule sets small enough to check by hand."""
from __future__ import annotations

import math

import pytest

from govex.features.catalogue import FeatureInfo
from govex.segments.rules import Box, ConditionSyntaxError, Interval, coverage_problems, parse_condition

DAYS = {"days": FeatureInfo("days", "integer days", "orders", integer=True)}
RATIO = {"ratio": FeatureInfo("ratio", "real ratio", "orders")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (">= 30, < 90", Interval(30, 90, True, False)),
        ("< 30", Interval(-math.inf, 30, False, False)),
        ("== 1", Interval(1, 1, True, True)),
        (2, Interval(2, 2, True, True)),
        ("> 0.5, <= 0.75", Interval(0.5, 0.75, False, True)),
    ],
)
def test_parse_condition(text, expected):
    assert parse_condition(text) == expected


@pytest.mark.parametrize("text", ["between 1 and 2", ">= 5, < 3", True, "=> 4"])
def test_unreadable_or_empty_conditions(text):
    with pytest.raises(ConditionSyntaxError):
        parse_condition(text)


def _boxes(*rules):
    return [Box(seg, {name: parse_condition(cond) for name, cond in when.items()}, i) for i, (seg, when) in enumerate(rules)]


def test_exact_partition_has_no_problem():
    boxes = _boxes(("a", {"days": "< 30"}), ("b", {"days": ">= 30, < 90"}), ("c", {"days": ">= 90"}))
    assert coverage_problems(boxes, DAYS) == []


def test_integer_gap_between_equal_and_greater_is_not_a_gap():
    # days is an integer: == 1 and >= 2 cover 1, 2, 3, ... with nothing in between; 0 is still missing
    problems = coverage_problems(_boxes(("one", {"days": "== 1"}), ("more", {"days": ">= 2"})), DAYS)
    assert [p.point for p in problems] == [{"days": 0.0}]


def test_real_gap_between_equal_and_greater_is_found():
    # ratio is real: values strictly between 1 and 2 (and below 1) match no rule
    problems = coverage_problems(_boxes(("lo", {"ratio": "<= 1"}), ("hi", {"ratio": ">= 2"})), RATIO)
    assert [p.point["ratio"] for p in problems] == [1.5]


def test_overlap_names_both_rules():
    # [0, 40) and [30, inf) share 30..39
    problems = coverage_problems(_boxes(("a", {"days": "< 40"}), ("b", {"days": ">= 30"})), DAYS)
    assert problems and all(p.rules == (0, 1) for p in problems)
    assert 30 <= problems[0].point["days"] < 40


def test_two_dimensional_gap():
    # a covers days < 30 whatever the ratio; b only ratio < 2 for days >= 30 -> (days >= 30, ratio >= 2) is open
    features = DAYS | RATIO
    problems = coverage_problems(_boxes(("a", {"days": "< 30"}), ("b", {"days": ">= 30", "ratio": "< 2"})), features)
    assert problems and all(p.rules == () and p.point["days"] >= 30 and p.point["ratio"] >= 2 for p in problems)
