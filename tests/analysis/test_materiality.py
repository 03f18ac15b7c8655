"""Evidence rules on planted cases: small samples, small sizes, stale events and projected segments."""
from __future__ import annotations

import datetime as dt

import pytest
from statsmodels.stats.proportion import proportion_confint

from govex.analysis.materiality import (
    EARLIER,
    IMMATERIAL,
    MATERIAL,
    NOT_ENOUGH_DATA,
    THIS_PERIOD,
    EvidenceRules,
    judge,
    membership_valid,
    proportion_interval,
)

Q4 = (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_wilson_interval_matches_statsmodels():
    for successes, n in [(7, 11), (0, 30), (139, 1000), (30, 30)]:
        expected = proportion_confint(successes, n, alpha=0.05, method="wilson")
        assert proportion_interval(successes, n) == pytest.approx(expected, abs=1e-6)


def test_seven_orders_are_not_enough_data():
    # the planted case of the issue: a segment's health resting on 7 December orders
    evidence = judge(sample=7, money=50_000.0)
    assert evidence.verdict == NOT_ENOUGH_DATA and not evidence.stated and not evidence.headline
    assert "7 observations" in evidence.reason and "30" in evidence.reason
    assert judge(sample=1, money=50_000.0).reason.startswith("1 observation, fewer")


def test_small_money_is_immaterial_but_stated():
    evidence = judge(sample=500, money=514.0)  # a 514 USD item beside real problems
    assert evidence.verdict == IMMATERIAL and evidence.stated and not evidence.headline
    assert judge(sample=500, money=514.0, customers=80).verdict == MATERIAL  # enough customers make it material


def test_an_event_that_ended_before_the_period_is_earlier():
    # a February spike that ended in April cannot lead the Q4 report
    stale = judge(sample=5_000, money=90_000.0, event_end=dt.date(2025, 4, 30), period_start=Q4[0])
    assert stale.verdict == MATERIAL and stale.relevance == EARLIER and not stale.headline
    fresh = judge(sample=5_000, money=90_000.0, event_end=dt.date(2025, 11, 9), period_start=Q4[0])
    assert fresh.relevance == THIS_PERIOD and fresh.headline


def test_segments_valid_only_near_their_assignment_date():
    rules = EvidenceRules()
    assert membership_valid(dt.date(2026, 1, 1), *Q4, rules)        # assigned the day after the period
    assert not membership_valid(dt.date(2026, 6, 1), *Q4, rules)    # today's segments projected back
    assert not membership_valid(dt.date(2025, 6, 30), *Q4, rules)   # assigned before the period began


def test_thresholds_are_settable():
    strict = EvidenceRules(min_sample=100, min_money=10_000.0)
    assert judge(sample=60, rules=strict).verdict == NOT_ENOUGH_DATA
    assert judge(sample=60).verdict == MATERIAL
