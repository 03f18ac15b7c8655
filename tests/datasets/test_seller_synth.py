"""The planted supply-side truths are visible in the canonical tables, recomputed here with pandas.

Each rate follows the event's own definition in ground_truth.json; tolerances are four binomial
standard errors (the data are fixed by the seed).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from datasets.planted import in_window, within
from govex.datasets import generate


def test_fulfilment_follows_seller_type(market):
    orders = market.tables["orders"].merge(market.tables["sellers"][["seller_id", "seller_type"]], on="seller_id")
    expected = orders.seller_type.map({"shop_seller": "shipped", "local_merchant": "voucher",
                                       "service_provider": "appointment"})
    assert (orders.fulfilment_type == expected).all()
    shipped = orders.fulfilment_type == "shipped"
    assert orders.loc[shipped, "fulfilment_outcome"].isna().all()
    # a redemption time exactly when the outcome is 'redeemed'
    assert ((orders.fulfilment_outcome == "redeemed") == orders.redeemed_at.notna()).all()
    assert set(orders.loc[orders.fulfilment_type == "voucher", "fulfilment_outcome"].dropna()) == {
        "redeemed", "refused_by_merchant", "expired"}
    assert (orders.redeemed_at.dropna() >= orders.loc[orders.redeemed_at.notna(), "ordered_at"]).all()


def test_fraud_ring_shares_payout_accounts_and_fakes_redemptions(market):
    ring = set(market.event("seller_fraud_ring")["seller_ids"])
    sellers = market.tables["sellers"]
    assert len(ring) >= 8 and (sellers.set_index("seller_id").loc[sorted(ring), "seller_type"] == "local_merchant").all()
    shared = sellers.groupby("payout_account_id").seller_id.transform("size") > 1
    linked = set(sellers.loc[shared, "seller_id"])
    assert ring <= linked  # every member shares its payout account
    orders = market.tables["orders"]
    redeemed = orders[orders.fulfilment_outcome == "redeemed"].copy()
    redeemed["instant"] = (redeemed.redeemed_at - redeemed.ordered_at) < pd.Timedelta(hours=1)
    member = redeemed.seller_id.isin(ring)
    assert within(redeemed.loc[member, "instant"].mean(), 0.6, int(member.sum()))
    assert redeemed.loc[~member & (redeemed.fulfilment_type == "voucher"), "instant"].mean() < 0.05
    actions = market.tables["enforcement_actions"]
    per_seller = actions.groupby("seller_id").size()
    assert per_seller.reindex(sorted(ring), fill_value=0).mean() > 3 * per_seller.reindex(
        sellers.seller_id[~sellers.seller_id.isin(ring)], fill_value=0).mean()


def test_redemption_refusal_spike(market):
    event = market.event("redemption_refusal_spike")
    orders = market.tables["orders"].merge(market.tables["sellers"][["seller_id", "region", "seller_type"]],
                                           on="seller_id")
    decided = orders[(orders.fulfilment_type == "voucher") & orders.fulfilment_outcome.notna()]
    refused = decided.fulfilment_outcome == "refused_by_merchant"
    cohort = (decided.region == event["region"]) & (decided.seller_type == "local_merchant")
    during = cohort & in_window(decided.ordered_at, event)
    assert sorted(decided.loc[cohort, "seller_id"].unique()) == sorted(event["seller_ids"])
    assert within(refused[during].mean(), event["refusal_rate_during"], int(during.sum()))
    assert within(refused[cohort & ~during].mean(), event["refusal_rate_baseline"], int((cohort & ~during).sum()))
    elsewhere = ~cohort & in_window(decided.ordered_at, event)
    assert refused[elsewhere].mean() < 0.06


def test_creator_dispute_spike(market):
    event = market.event("creator_dispute_spike")
    orders = market.tables["orders"]
    disputed = orders.order_id.isin(market.tables["disputes"].order_id)
    promoted = orders.creator_id == event["creator_id"]
    assert promoted.sum() == event["orders"] and in_window(orders.loc[promoted, "ordered_at"], event).all()
    assert within(disputed[promoted].mean(), 0.5, int(promoted.sum()))
    others = orders.creator_id.notna() & ~promoted
    assert disputed[others].mean() < 0.05


def test_education_effect_and_selection(market):
    """Within enrolled sellers, violations per day after enrolment / between the academy's opening and
    enrolment ~ the planted multiplier (enrolment looked at the record before the opening only); the
    naive enrolled-vs-never comparison is further from 1 (better sellers enrol more). The planted
    effect on violations per seller-year is the multiplier's, at these sellers' mean rate."""
    event = market.event("education_effect")
    ring = set(market.event("seller_fraud_ring")["seller_ids"])
    sellers = market.tables["sellers"][~market.tables["sellers"].seller_id.isin(ring)]
    end = pd.Timestamp(market.ground_truth["generator"]["end_exclusive"])
    opens = pd.Timestamp(event["enrolment_window"]["start"])
    enrolled = market.tables["education"].set_index("seller_id").enrolled_at
    assert ((enrolled >= opens) & (enrolled < pd.Timestamp(event["enrolment_window"]["end_exclusive"]))).all()
    actions = market.tables["enforcement_actions"]
    actions = actions[actions.seller_id.isin(sellers.seller_id) & (actions.violation_at >= opens)]
    days = lambda delta: delta.dt.total_seconds() / 86400  # noqa: E731
    v = actions[actions.seller_id.isin(enrolled.index)].copy()
    v["after"] = v.violation_at >= v.seller_id.map(enrolled)
    before_rate = (~v.after).sum() / days(enrolled - opens).sum()
    after_rate = v.after.sum() / days(end - enrolled).sum()
    within_ratio = after_rate / before_rate
    assert abs(np.log(within_ratio / event["violation_rate_multiplier"])) < 0.35
    never = sellers.seller_id[~sellers.seller_id.isin(enrolled.index)]
    never_rate = actions.seller_id.isin(never).sum() / (len(never) * (end - opens).days)
    assert after_rate / never_rate < event["violation_rate_multiplier"] - 0.05
    assert event["units"] == len(market.tables["sellers"]) and event["enrolled"] == len(enrolled)
    never_per_year = never_rate * 365
    assert event["effect"] < 0 and abs(event["effect"] / never_per_year + 1 - event["violation_rate_multiplier"]) < 0.2


def test_existing_tables_do_not_depend_on_the_supply_side(monkeypatch):
    """The supply side draws from its own streams: changing them changes its columns and tables,
    and leaves every column the shop simulation makes exactly as it was."""
    from govex.datasets.synth import sellers_supply

    first = generate(customers=2000, seed=3)
    monkeypatch.setattr(sellers_supply, "SUPPLY_STREAM", sellers_supply.SUPPLY_STREAM + 1)
    other = generate(customers=2000, seed=3)
    added = {"sellers": ["seller_type", "vertical", "region", "kyc_status", "kyc_submitted_date", "kyc_verified_date",
                 "payout_account_id"],
             "orders": ["fulfilment_type", "fulfilment_outcome", "redeemed_at", "creator_id"]}
    for name, frame in first.tables.items():
        if name in ("enforcement_actions", "education"):
            assert not frame.equals(other.tables[name])
            continue
        kept = [c for c in frame.columns if c not in added.get(name, [])]
        pd.testing.assert_frame_equal(frame[kept], other.tables[name][kept])
    assert not first.tables["orders"].creator_id.equals(other.tables["orders"].creator_id)
