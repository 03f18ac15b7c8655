"""Each planted event is visible in the tables at the size ground_truth.json states.

Every rate is recomputed here from the canonical tables with pandas, by the event's own
definition; tolerances are four binomial standard errors (the data are fixed by the seed).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from datasets.planted import in_window, within


def test_late_delivery_spike(market):
    event = market.event("late_delivery_spike")
    orders = market.tables["orders"]
    delivered = orders[orders["delivered_at"].notna()].copy()
    delivered["late"] = delivered["delivered_at"].dt.normalize() > pd.to_datetime(delivered["promised_date"])
    in_slice = (delivered["market"] == event["market"]) & (delivered["carrier"] == event["carrier"])
    during = in_slice & in_window(delivered["ordered_at"], event)
    outside = in_slice & ~in_window(delivered["ordered_at"], event)
    assert within(delivered.loc[during, "late"].mean(), event["late_rate_during"], int(during.sum()))
    assert within(delivered.loc[outside, "late"].mean(), event["late_rate_baseline"], int(outside.sum()))
    # the spike is local: the same carrier-market slice in the window is far worse than other slices then
    others = ~in_slice & in_window(delivered["ordered_at"], event)
    assert delivered.loc[others, "late"].mean() < event["late_rate_baseline"] + 0.05


def test_late_delivery_spike_lowers_order_csat(market):
    event = market.event("late_delivery_spike")
    surveys = market.tables["surveys"]
    orders = market.tables["orders"][["order_id", "market", "carrier", "ordered_at"]]
    rated = surveys[(surveys["touchpoint"] == "order")].merge(orders, on="order_id", suffixes=("_s", ""))
    in_slice = (rated["market"] == event["market"]) & (rated["carrier"] == event["carrier"])
    during = rated.loc[in_slice & in_window(rated["ordered_at"], event), "csat"].mean()
    outside = rated.loc[in_slice & ~in_window(rated["ordered_at"], event), "csat"].mean()
    # expected drop ~ (0.42 - 0.10) late-rate rise x 1.10 late effect = 0.35 CSAT points (ground truth drivers)
    assert outside - during > 0.2


def test_abuse_ring(market):
    event = market.event("abuse_ring")
    orders = market.tables["orders"]
    ring = orders["customer_id"].isin(set(event["customer_ids"]))
    eligible = orders["delivered_at"].notna() | (orders["status"] == "shipped")
    disputed = orders["order_id"].isin(set(market.tables["disputes"]["order_id"]))
    ring_rate = disputed[ring & eligible].mean()
    # the stated rate is a floor (other causes add a little); the rest of the base stays near 1%
    assert ring_rate >= event["dispute_rate"] - 4 * np.sqrt(0.35 * 0.65 / int((ring & eligible).sum()))
    assert ring_rate < event["dispute_rate"] + 0.08
    assert disputed[~ring & eligible].mean() < 0.03
    delivered = orders["delivered_at"].notna()
    returned = orders["order_id"].isin(set(market.tables["returns"]["order_id"]))
    assert returned[ring & delivered].mean() >= event["return_rate"] - 0.1
    assert returned[~ring & delivered].mean() < 0.1
    assert len(event["customer_ids"]) == max(25, 40_000 // 1000)


def test_vendor_qa_drop(market):
    event = market.event("vendor_qa_drop")
    cases = market.tables["moderation_cases"]
    audited = cases[cases["qa_result"].notna() & (cases["vendor_id"] == event["vendor_id"])]
    correct = audited["qa_result"] == "correct"
    during = in_window(audited["decided_at"], event)
    assert within(correct[during].mean(), event["accuracy_during"], int(during.sum()))
    assert within(correct[~during].mean(), event["accuracy_baseline"], int((~during).sum()))


def test_contact_reason_surge(market):
    event = market.event("contact_reason_surge")
    orders = market.tables["orders"]
    in_market = orders[orders["market"] == event["market"]]
    contacts = market.tables["contacts"]
    issue_orders = set(contacts.loc[contacts["reason"] == event["reason"], "order_id"].dropna())
    has_issue = in_market["order_id"].isin(issue_orders)
    during = in_window(in_market["ordered_at"], event)
    expected_during = event["baseline_issues_per_order"] * event["multiplier"]
    assert within(has_issue[during].mean(), expected_during, int(during.sum()))
    assert within(has_issue[~during].mean(), event["baseline_issues_per_order"], int((~during).sum()))
