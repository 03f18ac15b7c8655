"""Orders per worst incident level: each order counted once, at its worst incident (hand-counted)."""
from __future__ import annotations

import pandas as pd
import pytest
from features.tiny_marketplace import AS_OF, tiny_frames

from govex.engine import Warehouse
from govex.features import customer_features

LEVELS = ["n_orders_abusive_claim", "n_orders_abusive_return", "n_orders_suspicious_claim", "n_orders_claim", "n_orders_return",
          "n_incident_orders", "n_clean_orders"]


def _levels(frames):
    table = customer_features(Warehouse.from_frames(frames), as_of=AS_OF).table.execute()
    return table.set_index("customer_id")[LEVELS]


def test_tiny_marketplace_levels():
    levels = _levels(tiny_frames())
    # c2: o1 chargeback (reason item_not_received) resolved fraud_confirmed -> abusive claim; o0 a plain dispute
    assert levels.loc["c2"].tolist() == [1, 0, 0, 1, 0, 2, 4]
    # c5: o0 refunded return flagged as abuse -> abusive return; o1 rejected return -> return
    assert levels.loc["c5"].tolist() == [0, 1, 0, 0, 1, 2, 1]
    # c8: two disputes on one order count once
    assert levels.loc["c8"].tolist() == [0, 0, 0, 1, 0, 1, 3]
    # c4's only dispute is opened after as-of
    assert levels.loc["c4"].tolist() == [0, 0, 0, 0, 0, 0, 2]


def test_claim_on_an_abusive_return_is_an_abusive_claim():
    frames = tiny_frames()
    # c5-o0's return was flagged as abuse and refunded; a chargeback on the same order is a second
    # recovery attempt on an order already found abusive -> abusive claim, not abusive return
    frames["disputes"] = pd.concat([frames["disputes"], pd.DataFrame([{
        "dispute_id": "e9", "order_id": "c5-o0", "customer_id": "c5", "market": "DE",
        "opened_at": pd.Timestamp("2024-01-25"), "kind": "chargeback", "reason": "not_as_described",
        "amount": 10.0, "currency": "EUR", "outcome": "buyer_won", "resolved_at": pd.NaT}])], ignore_index=True)
    table = customer_features(Warehouse.from_frames(frames), as_of=AS_OF).table.execute().set_index("customer_id")
    assert table.loc["c5", LEVELS].tolist() == [1, 0, 0, 0, 1, 2, 1]
    # the combined count of both abuse levels is still one order
    assert table.loc["c5", "n_orders_abuse_confirmed"] == 1


@pytest.fixture(scope="module")
def claims():
    frames = tiny_frames()
    orders = frames["orders"]
    # c2's six orders delivered one day after purchase (ordered 2024-01-10 10:00, ...)
    delivered = orders.customer_id == "c2"
    orders.loc[delivered, "delivered_at"] = orders.loc[delivered, "ordered_at"] + pd.Timedelta(days=1)
    disputes = frames["disputes"].iloc[:0]
    rows = [
        # o2: item-not-received claim opened 5 days after the recorded delivery -> suspicious
        ("e1", "c2-o2", "2024-03-15", "dispute", "item_not_received", "buyer_won"),
        # o3: item-not-received claim opened before the (late) delivery -> an ordinary claim
        ("e2", "c2-o3", "2024-04-09 12:00", "dispute", "item_not_received", "buyer_won"),
        # o4: claim on an order whose return was refunded -> suspicious (double recovery)
        ("e3", "c2-o4", "2024-05-20", "chargeback", "not_as_described", "buyer_won"),
        # o5: unauthorised use resolved fraud_confirmed is third-party fraud -> an ordinary claim
        ("e4", "c2-o5", "2024-06-12", "chargeback", "unauthorised", "fraud_confirmed"),
    ]
    frames["disputes"] = pd.concat([disputes, pd.DataFrame([
        {"dispute_id": i, "order_id": o, "customer_id": "c2", "market": "DE", "opened_at": pd.Timestamp(d),
         "kind": k, "reason": r, "amount": 10.0, "currency": "EUR", "outcome": out, "resolved_at": pd.NaT}
        for i, o, d, k, r, out in rows])], ignore_index=True)
    returns = frames["returns"]
    frames["returns"] = pd.concat([returns, pd.DataFrame([{
        "return_id": "r9", "order_id": "c2-o4", "customer_id": "c2", "market": "DE",
        "requested_at": pd.Timestamp("2024-05-12"), "reason": "damaged", "refund_amount": 20.0, "currency": "EUR",
        "status": "refunded", "abuse_flag": None}])], ignore_index=True)
    return _levels(frames)


def test_claim_levels(claims):
    # c2: o2 and o4 suspicious, o3 and o5 claims, o0 and o1 clean -> [0, 0, 2, 2, 0], 4 incident orders of 6
    assert claims.loc["c2"].tolist() == [0, 0, 2, 2, 0, 4, 2]
