"""A tiny, hand-written, valid set of canonical tables (two customers, three orders, ...).

Every value is chosen by hand so tests can plant one violation and know its exact row count.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def valid_frames() -> dict[str, pd.DataFrame]:
    """One small valid frame per canonical table, typed as a Parquet export would be."""
    ts = pd.to_datetime
    day = lambda values: pd.to_datetime(values).date  # noqa: E731
    return {
        "customers": pd.DataFrame({
            "customer_id": ["c1", "c2", "c3"],
            "signup_date": day(["2024-01-01", "2024-01-05", "2024-02-01"]),
            "market": ["DE", "FR", "DE"],
            "acquisition_channel": ["organic", None, "paid"],
        }),
        "sellers": pd.DataFrame({
            "seller_id": ["s1", "s2"],
            "onboarded_date": day(["2023-06-01", "2023-07-01"]),
            "market": ["DE", "FR"],
            "category": ["toys", None],
            "seller_tier": ["top", "new"],
            "seller_type": ["shop_seller", "local_merchant"],
            "vertical": ["toys", "restaurants"],
            "region": ["Berlin", "Paris"],
            "kyc_status": ["verified", "pending"],
            "kyc_submitted_date": day(["2023-05-20", "2023-06-28"]),
            "kyc_verified_date": [pd.Timestamp("2023-05-25").date(), None],
            "payout_account_id": ["p1", "p2"],
        }),
        "vendors": pd.DataFrame({
            "vendor_id": ["V01"],
            "vendor_name": ["Acme BPO"],
            "function": ["customer_service"],
            "site": ["Lisbon"],
            "languages": ["de,fr"],
            "pricing_model": ["per_hour"],
            "rate": [21.5],
            "currency": ["EUR"],
            "capacity_hours_week": [400.0],
            "min_commit_hours_week": [100.0],
            "ramp_up_weeks": [3.0],
            "qa_target": [0.95],
        }),
        "fx_rates": pd.DataFrame({
            "currency": ["EUR", "USD"],
            "valid_from": day(["2024-01-01", "2024-01-01"]),
            "rate_to_reporting": [1.0, 0.92],
        }),
        "orders": pd.DataFrame({
            "order_id": ["o1", "o2", "o3", "o4"],
            "customer_id": ["c1", "c1", "c2", "c3"],
            "seller_id": ["s1", "s2", "s1", None],
            "market": ["DE", "DE", "FR", "DE"],
            "ordered_at": ts(["2024-03-01 10:00", "2024-03-02 23:30", "2024-03-03 08:15", "2024-03-04 12:00"]),
            "amount": [25.0, 40.5, 12.0, 0.0],
            "currency": ["EUR", "EUR", "EUR", "USD"],
            "status": ["delivered", "delivered", "shipped", "cancelled"],
            "category": ["toys", "books", "toys", None],
            "carrier": ["DHL", "DPD", "DHL", None],
            "platform": ["app", "web", "app", "web"],
            "promised_date": day(["2024-03-05", "2024-03-04", "2024-03-07", "2024-03-08"]),
            "delivered_at": ts(["2024-03-04 09:00", "2024-03-06 18:00", None, None]),
            "fulfilment_type": ["shipped", "voucher", "shipped", "shipped"],
            "fulfilment_outcome": [None, "redeemed", None, None],
            "redeemed_at": ts([None, "2024-03-05 19:00", None, None]),
            "creator_id": [None, "cr1", None, None],
        }),
        "contacts": pd.DataFrame({
            "contact_id": ["k1", "k2"],
            "customer_id": ["c1", "c2"],
            "seller_id": [None, "s1"],
            "order_id": ["o2", "o3"],
            "market": ["DE", "FR"],
            "created_at": ts(["2024-03-05 09:00", "2024-03-06 10:00"]),
            "channel": ["chat", "phone"],
            "queue": ["de_delivery", "fr_general"],
            "journey": ["fulfilment", "fulfilment"],
            "reason": ["where_is_my_order", "where_is_my_order"],
            "automated": [False, False],
            "wait_time_s": [30.0, 95.0],
            "handle_time_s": [240.0, 410.0],
            "first_contact_resolution": [True, None],
            "resolved_at": ts(["2024-03-05 09:10", None]),
            "vendor_id": ["V01", None],
            "agent_id": ["a17", None],
            "text": ["Wo ist meine Bestellung?", None],
        }),
        "surveys": pd.DataFrame({
            "survey_id": ["v1", "v2", "v3"],
            "customer_id": ["c1", "c1", "c2"],
            "order_id": ["o1", "o2", None],
            "contact_id": [None, "k1", None],
            "market": ["DE", "DE", "FR"],
            "responded_at": ts(["2024-03-05 12:00", "2024-03-07 08:00", "2024-03-20 19:00"]),
            "touchpoint": ["order", "contact", "relationship"],
            "csat": pd.array([5, 2, None], dtype="Int64"),
            "nps": pd.array([9, None, 7], dtype="Int64"),
            "comment": ["great", "late again", None],
        }),
        "disputes": pd.DataFrame({
            "dispute_id": ["d1"],
            "order_id": ["o2"],
            "customer_id": ["c1"],
            "market": ["DE"],
            "opened_at": ts(["2024-03-08 10:00"]),
            "kind": ["dispute"],
            "reason": ["item_not_received"],
            "amount": [40.5],
            "currency": ["EUR"],
            "outcome": ["buyer_won"],
            "resolved_at": ts(["2024-03-12 10:00"]),
        }),
        "returns": pd.DataFrame({
            "return_id": ["r1"],
            "order_id": ["o1"],
            "customer_id": ["c1"],
            "market": ["DE"],
            "requested_at": ts(["2024-03-06 10:00"]),
            "reason": ["damaged"],
            "refund_amount": [25.0],
            "currency": ["EUR"],
            "status": ["refunded"],
            "abuse_flag": [False],
        }),
        "moderation_cases": pd.DataFrame({
            "case_id": ["m1", "m2"],
            "object_type": ["listing", "review"],
            "object_id": ["L9", "R4"],
            "seller_id": ["s1", None],
            "customer_id": [None, "c2"],
            "market": ["DE", "FR"],
            "policy": ["counterfeit", "harassment"],
            "created_at": ts(["2024-03-01 08:00", "2024-03-02 09:00"]),
            "decided_at": ts(["2024-03-01 09:00", None]),
            "decision": ["remove", "pending"],
            "automated": [False, True],
            "handle_time_s": [180.0, None],
            "vendor_id": ["V01", None],
            "qa_result": ["correct", None],
            "reported_at": ts(["2024-03-01 07:30", "2024-03-02 08:00"]),
            "detection_source": ["user_report", "automated_detection"],
            "appeal_filed": [True, False],
            "appeal_outcome": ["overturned", None],
            "appeal_decided_at": ts(["2024-03-03 10:00", None]),
            "views": [120, 40],
            "violating_views": [15, 0],
        }),
        "staffing": pd.DataFrame({
            "date": day(["2024-03-01", "2024-03-01"]),
            "queue": ["de_delivery", "fr_general"],
            "vendor_id": ["V01", "V01"],
            "planned_hours": [80.0, 40.0],
            "actual_hours": [78.5, None],
            "productive_hours": [60.0, None],
            "planned_cost": [1720.0, 860.0],
            "currency": ["EUR", "EUR"],
            "actual_cost": [1687.75, None],
        }),
        "enforcement_actions": pd.DataFrame({
            "action_id": ["e1", "e2", "e3"],
            "seller_id": ["s1", "s2", "s2"],
            "market": ["DE", "FR", "FR"],
            "policy": ["counterfeit", "fake_redemption", "fake_redemption"],
            "action": ["warning", "listing_removal", "payout_hold"],
            "detection_source": ["user_report", "automated_detection", "staff_review"],
            "automated": [False, True, False],
            "violation_at": ts(["2024-03-01 08:00", "2024-03-02 10:00", "2024-03-09 10:00"]),
            "action_at": ts(["2024-03-03 08:00", "2024-03-02 12:00", "2024-03-10 09:00"]),
            "appeal_filed": [False, True, True],
            "appeal_outcome": [None, "overturned", "pending"],
            "appeal_decided_at": ts([None, "2024-03-04 12:00", None]),
            "reinstated_at": ts([None, "2024-03-04 12:00", None]),
        }),
        "education": pd.DataFrame({
            "enrolment_id": ["n1", "n2"],
            "seller_id": ["s1", "s2"],
            "programme": ["listing_quality", "redemption_basics"],
            "enrolled_at": ts(["2024-02-01 09:00", "2024-02-10 09:00"]),
            "completed_at": ts(["2024-02-08 17:00", None]),
            "score": [88.0, None],
        }),
        "compensations": pd.DataFrame({
            "compensation_id": ["g1", "g2"],
            "customer_id": ["c1", "c2"],
            "order_id": ["o2", None],
            "contact_id": ["k1", None],
            "market": ["DE", "FR"],
            "granted_at": ts(["2024-03-07 10:00", "2024-03-08 12:00"]),
            "kind": ["voucher", "credit"],
            "failure": ["late_delivery", "bad_contact"],
            "reason": ["proactive", "on_complaint"],
            "amount": [5.0, 3.0],
            "currency": ["EUR", "EUR"],
            "vendor_id": ["V01", None],
        }),
        "customer_education": pd.DataFrame({
            "enrolment_id": ["ce1", "ce2"],
            "customer_id": ["c1", "c3"],
            "programme": ["first_purchase_guide", "first_purchase_guide"],
            "enrolled_at": ts(["2024-01-02 09:00", "2024-02-01 10:00"]),
            "completed_at": ts(["2024-01-03 09:30", None]),
        }),
    }


def write_csvs(frames: dict[str, pd.DataFrame], folder: Path) -> dict[str, Path]:
    """Write each frame as <folder>/<table>.csv (what a user's export looks like)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in frames.items():
        paths[name] = folder / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths


def write_parquets(frames: dict[str, pd.DataFrame], folder: Path) -> dict[str, Path]:
    """Write each frame as <folder>/<table>.parquet (the layout `govex synth` writes)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in frames.items():
        paths[name] = folder / f"{name}.parquet"
        frame.to_parquet(paths[name], index=False)
    return paths


def config_text(tables: list[str], *, extra: str = "") -> str:
    """A govex.yaml loading <table>.csv beside it into govex.duckdb."""
    lines = ["engine: duckdb:///govex.duckdb", extra, "tables:"]
    for name in tables:
        lines += [f"  {name}:", f"    file: {name}.csv"]
    return "\n".join(line for line in lines if line) + "\n"
