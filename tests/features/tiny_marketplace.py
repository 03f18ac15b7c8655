"""A hand-built marketplace small enough to compute every feature and segment by hand.

As-of date 2024-06-30. The comments give each customer's story and the segment the shipped
lifecycle framework must put them in (thresholds: new < 30 days tenure; active recency < 90,
last gap < 180, overdue ratio < 2; reactivated recency < 90 with last gap >= 180; at risk
recency 90-179 or overdue ratio >= 2; dormant recency 180-364; churned >= 365).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

AS_OF = dt.date(2024, 6, 30)

# customer -> list of (order day, amount, status); one story per customer
ORDERS: dict[str, list[tuple[str, float, str]]] = {
    # new: one purchase 10 days ago
    "c1": [("2024-06-20", 50.0, "delivered")],
    # active: every 30 days, last 22 days ago (gap 30, overdue 22/30); an order after as-of is ignored
    "c2": [(d, 20.0, "delivered") for d in ("2024-01-10", "2024-02-09", "2024-03-10", "2024-04-09", "2024-05-09", "2024-06-08")]
    + [("2024-07-05", 99.0, "delivered")],
    # churned: last purchase 487 days ago
    "c3": [("2023-01-01", 30.0, "delivered"), ("2023-03-01", 40.0, "delivered")],
    # reactivated: back after a 380-day gap, 15 days ago
    "c4": [("2023-06-01", 60.0, "delivered"), ("2024-06-15", 80.0, "delivered")],
    # at risk by recency: last purchase 150 days ago
    "c5": [("2024-01-01", 10.0, "delivered"), ("2024-01-15", 10.0, "delivered"), ("2024-02-01", 10.0, "delivered")],
    # dormant: one purchase 273 days ago
    "c6": [("2023-10-01", 25.0, "delivered")],
    # at risk by rhythm: bought every 10 days, silent for 70 (overdue ratio 7)
    "c7": [("2024-04-01", 15.0, "delivered"), ("2024-04-11", 15.0, "delivered"), ("2024-04-21", 15.0, "delivered")],
    # active: two orders on one day (one purchase day), a cancelled order, then one more day
    "c8": [("2024-05-01", 10.0, "delivered"), ("2024-05-01", 20.0, "delivered"),
           ("2024-05-01", 5.0, "cancelled"), ("2024-06-01", 30.0, "delivered")],
    # never bought (only a cancelled order): not a customer at as-of
    "c9": [("2024-06-01", 70.0, "cancelled")],
}

EXPECTED_LIFECYCLE = {
    "c1": "new", "c2": "active", "c3": "churned", "c4": "reactivated",
    "c5": "at_risk", "c6": "dormant", "c7": "at_risk", "c8": "active",
}


def _orders() -> pd.DataFrame:
    rows = []
    for customer, orders in ORDERS.items():
        for i, (day, amount, status) in enumerate(orders):
            rows.append({
                "order_id": f"{customer}-o{i}", "customer_id": customer, "seller_id": "s1", "market": "DE",
                "ordered_at": pd.Timestamp(day) + pd.Timedelta(hours=10 + i), "amount": amount, "currency": "EUR",
                "status": status, "category": "books", "carrier": "dhl", "platform": "web",
                "promised_date": None, "delivered_at": None,
            })
    return pd.DataFrame(rows)


def _disputes() -> pd.DataFrame:
    # c2: one dispute and one chargeback on two orders; c8: two disputes on one order (counts once);
    # c4: a dispute opened after as-of (ignored)
    rows = [
        ("d1", "c2-o0", "c2", "2024-01-20", "dispute", "buyer_won"),
        ("d2", "c2-o1", "c2", "2024-02-20", "chargeback", "fraud_confirmed"),
        ("d3", "c8-o0", "c8", "2024-05-10", "dispute", "seller_won"),
        ("d4", "c8-o0", "c8", "2024-05-12", "dispute", "seller_won"),
        ("d5", "c4-o1", "c4", "2024-07-02", "dispute", "open"),
    ]
    return pd.DataFrame([
        {"dispute_id": i, "order_id": o, "customer_id": c, "market": "DE", "opened_at": pd.Timestamp(d),
         "kind": k, "reason": "item_not_received", "amount": 10.0, "currency": "EUR", "outcome": out,
         "resolved_at": None}
        for i, o, c, d, k, out in rows
    ])


def _returns() -> pd.DataFrame:
    rows = [
        ("r1", "c5-o0", "c5", "2024-01-05", "refunded", True),
        ("r2", "c5-o1", "c5", "2024-01-20", "rejected", None),
    ]
    return pd.DataFrame([
        {"return_id": i, "order_id": o, "customer_id": c, "market": "DE", "requested_at": pd.Timestamp(d),
         "reason": "damaged", "refund_amount": 10.0, "currency": "EUR", "status": s, "abuse_flag": a}
        for i, o, c, d, s, a in rows
    ])


def _contacts() -> pd.DataFrame:
    # c1: two WISMO contacts and one refund question in the recent window (90 days);
    # c2: one old contact (outside the window); c7: one promo question recently
    rows = [
        ("k1", "c1", "2024-06-22", "where_is_my_order"),
        ("k2", "c1", "2024-06-25", "where_is_my_order"),
        ("k3", "c1", "2024-06-26", "refund_status"),
        ("k4", "c2", "2024-01-15", "where_is_my_order"),
        ("k5", "c7", "2024-06-01", "promo_code"),
    ]
    return pd.DataFrame([
        {"contact_id": i, "customer_id": c, "seller_id": None, "order_id": None, "market": "DE",
         "created_at": pd.Timestamp(d), "channel": "chat", "queue": "q1", "journey": "fulfilment",
         "reason": r, "automated": False, "wait_time_s": 10.0, "handle_time_s": 300.0,
         "first_contact_resolution": True, "resolved_at": None, "vendor_id": None, "text": None}
        for i, c, d, r in rows
    ])


def _surveys() -> pd.DataFrame:
    rows = [("v1", "c2", "2024-02-01", 4), ("v2", "c2", "2024-03-01", 2), ("v3", "c1", "2024-06-28", 5)]
    return pd.DataFrame([
        {"survey_id": i, "customer_id": c, "order_id": None, "contact_id": None, "market": "DE",
         "responded_at": pd.Timestamp(d), "touchpoint": "order", "csat": s, "nps": None, "comment": None}
        for i, c, d, s in rows
    ])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give all-null columns a type (DuckDB cannot create NULL-typed columns)."""
    for name in frame.columns:
        if frame[name].isna().all():
            if name.endswith("_at") or name.endswith("_date"):
                frame[name] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
            elif name in ("nps", "csat"):
                frame[name] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
            else:
                frame[name] = pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame


def tiny_frames() -> dict[str, pd.DataFrame]:
    """Canonical frames of the tiny marketplace (orders, disputes, returns, contacts, surveys)."""
    frames = {"orders": _orders(), "disputes": _disputes(), "returns": _returns(),
              "contacts": _contacts(), "surveys": _surveys()}
    return {name: _typed(frame) for name, frame in frames.items()}
