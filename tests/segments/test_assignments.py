"""Assignments on the tiny marketplace (hand-derived segments), the risk shrinkage, writes and transitions."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from features.tiny_marketplace import AS_OF, EXPECTED_LIFECYCLE, tiny_frames

from govex.engine import Warehouse
from govex.segments import (
    ASSIGNMENTS_TABLE,
    RiskSignal,
    RiskSpec,
    fit_priors,
    population_stability_index,
    read_assignments,
    run_segmentation,
    segment_profile,
    segment_transitions,
)
from govex.segments.risk import add_risk_scores


@pytest.fixture(scope="module")
def written():
    warehouse = Warehouse.from_frames(tiny_frames())
    run_segmentation(warehouse, as_of=AS_OF, names=("lifecycle", "risk", "intent"))
    return warehouse


def _segments(warehouse, framework, as_of=AS_OF):
    frame = read_assignments(warehouse, framework=framework, as_of=as_of).execute()
    return dict(zip(frame.entity_id, frame.segment))


def test_lifecycle_matches_the_hand_derived_stories(written):
    assert _segments(written, "lifecycle") == EXPECTED_LIFECYCLE


def test_intent_from_recent_contact_reasons(written):
    # c1: refund question beats two WISMO contacts; c7: promo question; c2: 6 purchase days, bought recently
    segments = _segments(written, "intent")
    assert (segments["c1"], segments["c7"], segments["c2"], segments["c3"]) == (
        "refund_seeking", "deal_seeking", "loyal_repeat", "browsing")


def test_rows_follow_the_shared_format(written):
    frame = written.con.table(ASSIGNMENTS_TABLE).execute()
    assert list(frame.columns) == ["entity", "entity_id", "framework", "as_of", "segment", "score", "reasons",
                                   "framework_version"]
    assert set(frame.entity) == {"customer"} and len(frame) == 3 * 8
    assert frame.groupby("framework").framework_version.nunique().eq(1).all()


def test_rewriting_a_date_replaces_and_other_dates_add(written):
    run_segmentation(written, as_of=AS_OF, names=("lifecycle",))
    run_segmentation(written, as_of=dt.date(2024, 5, 31), names=("lifecycle",))
    frame = written.con.table(ASSIGNMENTS_TABLE).execute()
    lifecycle = frame[frame.framework == "lifecycle"]
    # 8 customers at 2024-06-30 (once, not twice) + 7 at 2024-05-31 (c1 had not bought yet)
    assert lifecycle.groupby("as_of").size().sort_index().tolist() == [7, 8]
    # latest as-of is read by default
    assert len(read_assignments(written, framework="lifecycle").execute()) == 8


def test_transitions_between_dates(written):
    run_segmentation(written, as_of=dt.date(2024, 5, 31), names=("lifecycle",))
    result = segment_transitions(written, framework="lifecycle", from_date=dt.date(2024, 5, 31), to_date=AS_OF)
    # c4 was churned on 2024-05-31 (365 days since 2023-06-01) and came back on 2024-06-15
    assert result.matrix.loc["churned", "reactivated"] == 1
    # c1 did not exist on 2024-05-31
    assert result.matrix.loc["(none)", "new"] == 1
    # 7 customers present at both dates, only c4 moved
    assert result.share_unchanged == pytest.approx(6 / 7)


def test_population_stability_index_by_hand():
    # shares 0.5/0.5 -> 0.25/0.75: (0.25-0.5) ln(0.5) + (0.75-0.5) ln(1.5)
    before, after = pd.Series({"a": 50, "b": 50}), pd.Series({"a": 25, "b": 75})
    expected = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    assert population_stability_index(before, after) == pytest.approx(expected)


def test_profile_counts(written):
    profile = segment_profile(written, framework="lifecycle", as_of=AS_OF).set_index("segment")
    # active = c2 (6 orders in the year to 2024-06-30, 120.0) + c8 (4 orders, 65.0 incl. the cancelled 5.0)
    assert profile.loc["active", "customers"] == 2
    assert profile.loc["active", "orders"] == 10 and profile.loc["active", "gmv"] == pytest.approx(185.0)
    # c2's disputed and charged-back orders + c8's disputed order, over 10 orders
    assert profile.loc["active", "dispute_rate"] == pytest.approx(0.3)
    assert profile.customers.sum() == 8


def _risk_population() -> pd.DataFrame:
    # 200 ordinary customers (10 orders, 0-1 disputes) plus the two customers of the issue
    rng = np.random.default_rng(7)
    n_orders = np.r_[np.full(200, 10), 1, 40]
    disputes = np.r_[rng.binomial(10, rng.beta(2, 38, 200)), 1, 12]
    return pd.DataFrame({"customer_id": [f"k{i}" for i in range(202)], "n_orders": n_orders, "n_disputed_orders": disputes})


def test_risk_shrinkage_ranks_40_orders_12_disputes_above_1_and_1():
    frame = _risk_population()
    spec = RiskSpec(signals=(RiskSignal(name="disputes", events="n_disputed_orders"),))
    table = Warehouse.from_frames({"features": frame}).con.table("features")
    (prior,) = fit_priors(table, spec)
    # independent method-of-moments computation (Kleinman 1973) in pandas
    informative = frame[frame.n_orders >= 3]
    m = frame.n_disputed_orders.sum() / frame.n_orders.sum()
    rates = informative.n_disputed_orders / informative.n_orders
    spread = ((rates - m) ** 2).mean()
    h = (1 / informative.n_orders).mean()
    rho = (spread / (m * (1 - m)) - h) / (1 - h)
    strength = 1 / rho - 1
    assert prior.mean == pytest.approx(m) and prior.alpha + prior.beta == pytest.approx(strength)
    scored = add_risk_scores(table, spec, [prior]).execute().set_index("customer_id")
    one_of_one = (1 + m * strength) / (1 + strength)
    twelve_of_forty = (12 + m * strength) / (40 + strength)
    assert scored.loc["k200", "risk_disputes_rate"] == pytest.approx(one_of_one)
    assert scored.loc["k201", "risk_disputes_rate"] == pytest.approx(twelve_of_forty)
    assert scored.loc["k201", "risk_score"] > scored.loc["k200", "risk_score"]
    assert scored.loc["k201", "risk_reasons"] == "disputes"
